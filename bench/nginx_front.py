"""nginx for the benchmark: the deployment guide's site configuration (or the bench's own) filled in, run unprivileged.

The site file has three placeholders, {{upstream}}, {{cache_path}} and {{listen}}; it is included in an http block
that also serves one static file on a second port, the ceiling nginx can reach on this machine."""

from __future__ import annotations

import getpass
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_TEMPLATES = (ROOT / "docs" / "nginx" / "wijkportaal.conf", ROOT / "bench" / "nginx_site.conf")
STATIC_FILE = "static-ceiling.html"
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")

MAIN = """daemon off;
{user}worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{static_port};
        root {prefix}/static;
    }}
    include {site};
}}
"""


def site_template() -> Path:
    """The deployment guide's nginx site when it exists, else the benchmark's own."""
    return next(path for path in SITE_TEMPLATES if path.exists())


def fill(template: str, values: dict[str, str]) -> str:
    """`template` with every {{name}} replaced; a placeholder without a value is an error, not a silent gap."""
    missing = sorted({name for name in _PLACEHOLDER.findall(template) if name not in values})
    if missing:
        raise ValueError(f"nginx template placeholders without a value: {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def write_config(prefix: Path, upstream: str, port: int, static_port: int, static_page: bytes) -> Path:
    """Write nginx.conf, the filled-in site and the static page under `prefix`; returns the nginx.conf path."""
    for directory in ("static", "cache", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / directory).mkdir(parents=True, exist_ok=True)
    (prefix / "static" / STATIC_FILE).write_bytes(static_page)
    values = {"upstream": upstream, "cache_path": str(prefix / "cache"), "listen": f"127.0.0.1:{port}"}
    site = prefix / "site.conf"
    site.write_text(fill(site_template().read_text(), values))
    config = prefix / "nginx.conf"
    # Started by root, nginx would hand its workers to `nobody`, who may not read this user's temporary folders.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    config.write_text(MAIN.format(user=user, prefix=prefix, static_port=static_port, site=site))
    return config
