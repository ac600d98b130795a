"""A local stand-in for the map tile server, so the benchmark and Lighthouse run offline."""

from __future__ import annotations

import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _grey_png(size: int = 256, grey: int = 230) -> bytes:
    """A plain grey size x size PNG, as large as a real tile (so Lighthouse sees no stretched image)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([grey]) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


TILE = _grey_png()


class _TileHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802  (http.server's naming)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Cache-Control", "public, max-age=86400")
        self.send_header("Content-Length", str(len(TILE)))
        self.end_headers()
        self.wfile.write(TILE)

    def log_message(self, *args):
        pass


def start_tile_stub() -> tuple[ThreadingHTTPServer, str]:
    """Serve blank tiles on a free local port; returns the server and a {z}/{x}/{y} URL template."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TileHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png"
