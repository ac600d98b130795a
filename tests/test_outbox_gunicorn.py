"""A gunicorn worker killed right after a booking commits: the queued mail still goes out via `flask send-mail`."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import select, update

from portal import create_app
from portal.extensions import db
from portal.models import Booking, OutboxMail
from tests.conftest import base_config
from tests.support.databases import fresh_database
from tests.support.gunicorn import free_port, serve
from tests.support.security_report import REPORT
from tests.support.served_portal import Server, server_env
from tests.test_booking_concurrency import TIMEOUT, new_session, open_form, sign_up
from tests.test_outbox import Collector, _smtp, _wait_for

ROOT = Path(__file__).resolve().parent.parent


def _silent_smtp() -> tuple[socket.socket, int]:
    """A TCP server that accepts connections and never greets: the worker hangs after its commit."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    return listener, listener.getsockname()[1]


def _workers(port: int) -> list[int]:
    """Pids of the gunicorn workers serving `port`: processes with that command line whose parent has it too."""
    marker = f"127.0.0.1:{port}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if b"gunicorn" in cmdline and marker in cmdline:
                found[int(entry.name)] = parent
    return [pid for pid, parent in found.items() if parent in found]


def _book_in_background(server: Server, resident, session_id: int) -> threading.Thread:
    def post():
        with contextlib.suppress(OSError):  # the worker is killed under it
            resident.http.post(
                f"{server.url}/nl/bookings/book/{session_id}",
                data={"csrf_token": resident.csrf, "key": resident.key},
                allow_redirects=False,
                timeout=TIMEOUT,
            )

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread


def test_a_worker_killed_after_the_booking_commit_loses_no_mail(database, tmp_path):
    settings = fresh_database(database["backend"], tmp_path, "outbox_kill")
    app = create_app(base_config(tmp_path) | settings | {"PORTAL_CONTENT_DIR": str(tmp_path / "no-content")})
    with app.app_context():
        db.create_all()
        db.session.remove()
    listener, silent_port = _silent_smtp()
    env = server_env(app, settings, tmp_path) | {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(silent_port)}
    env["MAIL_USE_TLS"] = "0"
    try:
        with serve(env, home=tmp_path, workers=1, log=tmp_path / "gunicorn.log") as url:
            server = Server(url, app, tmp_path / "gunicorn.log", database["backend"])
            (resident,) = sign_up(server, requests.Session, 1)
            session_id = new_session(server)
            open_form(server, resident, session_id)
            _book_in_background(server, resident, session_id)
            connection, _address = listener.accept()  # the worker committed and now waits for the mail server
            (worker,) = _workers(int(url.rsplit(":", 1)[1]))
            os.kill(worker, signal.SIGKILL)
            connection.close()
    finally:
        listener.close()
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        mail = db.session.scalars(select(OutboxMail)).one()
        assert (booking.status, mail.status, mail.template) == ("confirmed", "queued", "booking_confirmed")
        # The killed worker's claim holds for 5 minutes; let it run out instead of waiting.
        db.session.execute(update(OutboxMail).values(claimed_until=datetime.now(UTC) - timedelta(seconds=1)))
        db.session.commit()
        message_id = mail.message_id

    handler = Collector()
    smtp_port = free_port()
    controller = _smtp(handler, smtp_port)
    try:
        env |= {"MAIL_PORT": str(smtp_port)}
        command = [sys.executable, "-m", "flask", "--app", "app", "send-mail"]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        assert _wait_for(lambda: handler.message_ids, 5)
    finally:
        controller.stop()
    REPORT[f"outbox gunicorn worker killed after booking commit ({database['backend']})"] = (
        f"sent {handler.message_ids.count(message_id)} / expected 1 / duplicates {len(handler.message_ids) - 1}"
    )
    assert handler.message_ids == [message_id]
    with app.app_context():
        assert db.session.scalars(select(OutboxMail.status)).one() == "sent"
        db.session.remove()
        db.engine.dispose()
