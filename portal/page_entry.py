"""One cached page as bytes: the listings version it was rendered under, its expiry, headers, ETags and gzip body.

Plain data (a JSON header and the compressed body, both under one CRC), never pickle: a damaged or truncated
entry is refused, and no entry can run code."""

from __future__ import annotations

import gzip
import hashlib
import json
import time
import zlib
from dataclasses import dataclass

MAGIC = b"WPC1"
GZIP_LEVEL = 6


class BadEntry(ValueError):
    """The bytes are not an intact entry."""


@dataclass(frozen=True)
class PageEntry:
    """A page as every answer needs it: both representations are served from the one gzip body."""

    version: str
    expires: float
    headers: tuple[tuple[str, str], ...]  # sent with every 200: Content-Type, Cache-Control, Vary, CSP, …
    etag: str  # strong ETag of the uncompressed body
    gzip_etag: str  # strong ETag of the gzip body: each representation has its own
    gzip_body: bytes


def etag_of(data: bytes) -> str:
    """The strong ETag of one representation's bytes."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def build(version: str, headers, body: bytes, ttl: int) -> PageEntry:
    """An entry for a freshly rendered page; gzip without a timestamp, so equal pages compress equally."""
    compressed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    return PageEntry(version, time.time() + ttl, tuple(headers), etag_of(body), etag_of(compressed), compressed)


def encode(entry: PageEntry) -> bytes:
    """The bytes to store: magic, header length, CRC of what follows, JSON header, gzip body."""
    header = json.dumps(
        [entry.version, entry.expires, entry.headers, entry.etag, entry.gzip_etag], separators=(",", ":")
    ).encode()
    rest = header + entry.gzip_body
    return MAGIC + len(header).to_bytes(4, "big") + zlib.crc32(rest).to_bytes(4, "big") + rest


def decode(data: bytes) -> PageEntry:
    """The entry in `data`; BadEntry when it is truncated, damaged or not an entry."""
    if data[:4] != MAGIC or len(data) < 12 or zlib.crc32(data[12:]) != int.from_bytes(data[8:12], "big"):
        raise BadEntry("truncated or damaged")
    size = int.from_bytes(data[4:8], "big")
    try:
        version, expires, headers, etag, gzip_etag = json.loads(data[12 : 12 + size])
        return PageEntry(version, float(expires), tuple(map(tuple, headers)), etag, gzip_etag, data[12 + size :])
    except (ValueError, TypeError) as error:  # JSON errors are ValueErrors
        raise BadEntry(type(error).__name__) from error
