"""nginx for the benchmark: the deployment guide's site configuration (docs/nginx/wijkportaal.conf) filled in.

The file has four placeholders, @LISTEN@, @UPSTREAM_SERVERS@, @CACHE_PATH@ and @STATIC_ROOT@; the benchmark adds
to its http block a server of one static file on a second port, the ceiling nginx can reach on this machine."""

from __future__ import annotations

import getpass
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_TEMPLATE = ROOT / "docs" / "nginx" / "wijkportaal.conf"
STATIC_FILE = "static-ceiling.html"
_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")

STATIC_SERVER = """
    # The benchmark's ceiling: nginx serving one static file, on its own port.
    server {{
        listen 127.0.0.1:{static_port};
        root {prefix}/static;
    }}
}}
"""


def site_template() -> Path:
    """The deployment guide's nginx site: the benchmark measures what the guide tells people to run."""
    return SITE_TEMPLATE


def fill(template: str, values: dict[str, str]) -> str:
    """`template` with every @NAME@ replaced; a placeholder without a value is an error, not a silent gap."""
    missing = sorted({name for name in _PLACEHOLDER.findall(template) if name not in values})
    if missing:
        raise ValueError(f"nginx template placeholders without a value: {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def write_config(prefix: Path, upstream: str, port: int, static_port: int, static_page: bytes) -> Path:
    """Write the guide's nginx.conf filled in, with a static-file server added, under `prefix`; returns its path.

    nginx is started with `-p prefix`, so the guide's relative paths (pid, logs, temp folders) land there."""
    for directory in ("static", "cache", "logs", "tmp"):
        (prefix / directory).mkdir(parents=True, exist_ok=True)
    (prefix / "static" / STATIC_FILE).write_bytes(static_page)
    values = {
        "UPSTREAM_SERVERS": f"server {upstream};",
        "CACHE_PATH": str(prefix / "cache"),
        "LISTEN": f"127.0.0.1:{port}",
        "STATIC_ROOT": str(ROOT / "portal" / "static"),
    }
    filled = fill(site_template().read_text(), values).rstrip()
    if not filled.endswith("}"):
        raise ValueError("the nginx configuration does not end with its http block")
    filled = filled[:-1] + STATIC_SERVER.format(prefix=prefix, static_port=static_port)
    # Started by root, nginx would hand its workers to `nobody`, who may not read this user's temporary folders.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    config = prefix / "nginx.conf"
    config.write_text(user + filled)
    return config
