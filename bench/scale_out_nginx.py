"""nginx (Debian package) as the load balancer of the scale-out run: own config, temp dirs and logs, unprivileged."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

NGINX = "nginx"
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
START_TIMEOUT = 15  # seconds
UNPRIVILEGED_USER = "nobody"
LOG_WAIT = 5  # seconds

CONFIG = """\
daemon off;
worker_processes 1;
pid {home}/nginx.pid;
error_log {home}/error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format upstreams '$request_method $uri $status $upstream_addr';
    access_log {home}/access.log upstreams;
{temp_paths}
    upstream portal {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@dataclass
class Nginx:
    """A running nginx: its base URL and its access log (method, path, status, upstream per line)."""

    url: str
    access_log: Path

    def upstreams(self, method: str, path_prefix: str, after_line: int, expected: int) -> Counter:
        """How many logged `method` requests under `path_prefix` went to each upstream address, from `after_line` on.

        nginx logs a request after sending its response, so this waits (a few seconds at most) for `expected` lines."""
        deadline = time.monotonic() + LOG_WAIT
        while True:
            counts: Counter = Counter()
            for line in self.lines()[after_line:]:
                parts = line.split()
                if len(parts) == 4 and parts[0] == method and parts[1].startswith(path_prefix):
                    counts[parts[3]] += 1
            if counts.total() >= expected or time.monotonic() > deadline:
                return counts
            time.sleep(0.05)

    def lines(self) -> list[str]:
        """The access log's lines so far (nginx writes each line as the request ends)."""
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []


def available() -> bool:
    """Whether the nginx binary is installed."""
    return shutil.which(NGINX) is not None or Path("/usr/sbin/nginx").exists()


def config(home: Path, port: int, upstreams: list[str]) -> str:
    """An nginx.conf that balances round robin over `upstreams` (host:port), everything it writes inside `home`."""
    temp_paths = "\n".join(f"    {name}_temp_path {home}/{name};" for name in TEMP_DIRS)
    servers = "\n".join(f"        server {address};" for address in upstreams)
    return CONFIG.format(home=home, port=port, temp_paths=temp_paths, servers=servers)


def _binary() -> str:
    return shutil.which(NGINX) or "/usr/sbin/nginx"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/livez", timeout=2):  # noqa: S310  (our own local server)
            return True
    except OSError:
        return False


@contextmanager
def run_nginx(port: int, upstreams: list[str]) -> Iterator[Nginx]:
    """Run nginx in the foreground on 127.0.0.1:`port` in front of `upstreams`; stop it and remove its files after.

    As root, nginx runs as `nobody` (its directory is given to that user); otherwise as the current user."""
    home = Path(tempfile.mkdtemp(prefix="wijkportaal-nginx-"))
    for name in TEMP_DIRS:
        (home / name).mkdir()
    (home / "nginx.conf").write_text(config(home, port, upstreams))
    run_as = {}
    if os.geteuid() == 0:
        account = pwd.getpwnam(UNPRIVILEGED_USER)
        for path in (home, *home.iterdir()):
            os.chown(path, account.pw_uid, account.pw_gid)
        run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    command = [_binary(), "-p", str(home), "-c", str(home / "nginx.conf"), "-e", str(home / "error.log")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, **run_as)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (home / "error.log").read_text() if (home / "error.log").exists() else ""
                raise RuntimeError(f"nginx did not start (exit {process.poll()}):\n{log}")
            time.sleep(0.1)
        yield Nginx(url, home / "access.log")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # graceful: finish open requests, then exit
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)
