"""The processes a benchmark run starts: gunicorn (the portal or the hello-world baseline) and nginx in front."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 180  # the portal checks its content and hashes its templates at start; slow on a busy machine


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    """Return once `url` answers (any HTTP status); raise RuntimeError after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310  (our own local server)
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def gunicorn(env: dict, port: int, workers: int, log: Path, app: str = "app:app", ready: str = "/livez", cwd=ROOT):
    """gunicorn (sync workers) serving `app` from `cwd` on `port`; stderr (the app's JSON request log) goes to `log`."""
    command = [
        sys.executable, "-m", "gunicorn", "--no-control-socket", "-w", str(workers),
        "-b", f"127.0.0.1:{port}", "--access-logfile", "-", app,
    ]  # fmt: skip
    with log.open("ab") as sink:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=sink)
    try:
        wait_for(f"http://127.0.0.1:{port}{ready}", STARTUP_SECONDS)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=15)


@contextmanager
def nginx(config: Path, prefix: Path, ready: str):
    """nginx in the foreground as this user, with `config` (absolute paths inside) and its own prefix directory."""
    prefix.mkdir(parents=True, exist_ok=True)
    command = ["nginx", "-c", str(config), "-p", f"{prefix}/", "-e", str(prefix / "error.log"), "-g", "daemon off;"]
    subprocess.run([*command, "-t", "-q"], check=True, capture_output=True)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(ready)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=15)


def app_root(work: Path, name: str) -> Path:
    """A directory of links to the project's files without its instance folder, to run the portal from.

    Flask puts the instance folder beside the `portal` package it imported, so a run from here gets a fresh one
    (work/app-<name>/instance: the embedded page cache, the development key), not the developer's instance/."""
    root = work / f"app-{name}"
    root.mkdir(parents=True, exist_ok=True)
    for entry in ROOT.iterdir():
        if entry.name not in {"instance", ".git"} and not (root / entry.name).exists():
            (root / entry.name).symlink_to(entry)
    return root
