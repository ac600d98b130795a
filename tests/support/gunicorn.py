"""Serving the portal under real gunicorn for tests: a free port, start, wait until it answers, stop."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT = 90  # seconds for the master and a first worker to come up (a deadline, not a wait: a slow machine
# running both test workers needed more than 30 once; a healthy start takes 2-5 s)
STOP_TIMEOUT = 15


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    """True when the server gives any HTTP answer to GET /livez."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/livez")
        connection.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        connection.close()


def _tail(path: Path | None, lines: int = 40) -> str:
    """The last lines of the server's log, for an error message."""
    if path is None or not path.exists():
        return "(no log kept)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def serve(
    env: dict[str, str], home: Path, workers: int = 1, log: Path | None = None, start_timeout: float = START_TIMEOUT
) -> Iterator[str]:
    """Run `gunicorn app:app` with `workers` sync workers and `env`; yields the base URL, stops it afterwards.

    The server runs from the repository root with HOME=`home`; its stderr (and stdout) go to `log`
    when given, else nowhere. Raises RuntimeError, with the log's tail, when it does not answer
    within `start_timeout` seconds."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--no-control-socket", "-w", str(workers),
        "-b", f"127.0.0.1:{port}", "app:app",
    ]  # fmt: skip
    output = log.open("ab") if log is not None else subprocess.DEVNULL
    try:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env | {"HOME": str(home)}, stdout=output, stderr=subprocess.STDOUT
        )
    finally:
        if log is not None:
            output.close()  # the child holds its own copy
    try:
        deadline = time.monotonic() + start_timeout
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start (exit {process.poll()}):\n{_tail(log)}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
