"""The transactional mail outbox: queued with the change it reports, sent after commit, retried, never twice."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import OutboxMail
from portal.services import mail as mail_service
from portal.services import mail_outbox
from portal.services.mail import send_mail
from tests.factories import SessionFactory
from tests.support.databases import SQLITE, postgres_url
from tests.support.gunicorn import free_port
from tests.support.security_report import REPORT
from tests.test_booking import book

ROOT = Path(__file__).resolve().parent.parent
CONTEXT = {"display_name": "Ann", "code": "123456", "minutes_valid": 10}
FAST = mail_outbox.Policy(lease=timedelta(seconds=3), max_attempts=3, retry_after=timedelta(seconds=1))


class Collector:
    """An aiosmtpd handler that keeps the Message-ID of every mail it accepts, optionally slowly."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.message_ids: list[str] = []
        self.receiving = threading.Event()  # set while a mail's DATA is in, before the server answers

    async def handle_DATA(self, server, session, envelope):
        self.receiving.set()
        try:
            if self.delay:
                await asyncio.sleep(self.delay)  # a lost connection cancels this: the mail is not accepted
        finally:
            self.receiving.clear()
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.message_ids.append(message["Message-ID"])
        return "250 Message accepted for delivery"


def _smtp(handler, port: int) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def _queue(count: int, prefix: str = "r") -> None:
    for number in range(count):
        assert send_mail(f"{prefix}{number}@example.org", "en", "login_code", **CONTEXT) is True
    db.session.commit()


def _statuses() -> Counter:
    db.session.expire_all()
    return Counter(db.session.scalars(select(OutboxMail.status)))


def _eml_count(app) -> int:
    folder = Path(app.config["PORTAL_OUTBOX_DIR"])
    return len(list(folder.glob("*.eml"))) if folder.exists() else 0


def test_a_rolled_back_change_sends_no_mail(app):
    assert send_mail("ann@example.org", "nl", "login_code", **CONTEXT) is True
    db.session.rollback()

    assert mail_outbox.send_due().sent == 0
    assert mail_outbox.deliver_committed().sent == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0
    assert _eml_count(app) == 0


def test_a_queued_mail_waits_for_the_commit_and_is_sent_after_it(app):
    assert send_mail("ann@example.org", "nl", "login_code", **CONTEXT) is True
    assert _eml_count(app) == 0  # nothing leaves before the commit
    db.session.commit()

    assert mail_outbox.deliver_committed().sent == 1
    assert _eml_count(app) == 1
    mail = db.session.scalars(select(OutboxMail)).one()
    assert (mail.status, mail.attempts, mail.claimed_until) == ("sent", 1, None)
    assert mail.sent_at is not None
    assert mail_outbox.send_due().sent == 0  # sent once, not again


def test_an_invalid_address_is_not_queued(app):
    assert send_mail("no-at-sign", "nl", "login_code", **CONTEXT) is False
    assert send_mail("a@example.org\r\nBcc: b@example.org", "nl", "login_code", **CONTEXT) is False
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_a_booking_request_sends_its_mail_after_its_commit(app, client, login):
    resident = login("resident")
    session = SessionFactory(capacity=2)
    db.session.commit()

    assert book(client, session.id).status_code == 303

    mail = db.session.scalars(select(OutboxMail)).one()
    assert (mail.status, mail.template, mail.recipient) == ("sent", "booking_confirmed", resident.email)
    assert _eml_count(app) == 1


def test_smtp_down_keeps_the_mail_and_retries_with_back_off(make_app):
    port = free_port()
    smtp_app = make_app(None, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    with smtp_app.app_context():
        _queue(1)
        first = mail_outbox.send_due(policy=FAST)
        mail = db.session.scalars(select(OutboxMail)).one()
        assert (first.retrying, mail.status, mail.attempts) == (1, "queued", 1)
        assert mail.last_error.startswith("ConnectionRefusedError")
        assert mail.next_attempt_at > datetime.now(UTC)  # waits its back-off
        assert mail_outbox.send_due(policy=FAST).retrying == 0  # not due yet

        handler = Collector()
        controller = _smtp(handler, port)
        try:
            time.sleep(1.1)
            assert mail_outbox.send_due(policy=FAST).sent == 1
        finally:
            controller.stop()
        assert handler.message_ids == [mail.message_id]
        assert _statuses() == Counter(sent=1)


def test_back_off_doubles_up_to_a_ceiling():
    policy = mail_outbox.Policy(retry_after=timedelta(minutes=1), max_delay=timedelta(hours=1))
    waits = [mail_outbox.backoff(n, policy) for n in (1, 2, 3, 7, 20)]
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 60, 60)]


def test_after_max_attempts_the_mail_is_failed_and_logged(make_app, caplog):
    smtp_app = make_app(None, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)
    with smtp_app.app_context():
        _queue(1)
        for _attempt in range(FAST.max_attempts):
            db.session.execute(update(OutboxMail).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
            db.session.commit()
            mail_outbox.send_due(policy=FAST)
        assert _statuses() == Counter(failed=1)
        assert "failed after 3 attempts" in caplog.text
        assert "r0@" not in caplog.text and "123456" not in caplog.text


def test_a_claimed_mail_is_not_claimed_again_until_its_lease_ends(app):
    _queue(1)
    mail_id = db.session.scalar(select(OutboxMail.id))
    assert mail_outbox.claim(mail_id, FAST) is True
    assert mail_outbox.claim(mail_id, FAST) is False  # another sender now: refused
    db.session.execute(update(OutboxMail).values(claimed_until=datetime.now(UTC) - timedelta(seconds=1)))
    db.session.commit()
    assert mail_outbox.claim(mail_id, FAST) is True  # the holder died: the lease ran out


def test_two_senders_racing_send_each_mail_once(make_app):
    port = free_port()
    smtp_app = make_app(None, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    handler = Collector(delay=0.01)
    controller = _smtp(handler, port)
    tallies = []

    # A lease far longer than the run: on a busy machine one send can outlast FAST's 3 s, and a mail whose lease ran
    # out is rightly sent again (tested above); this test is about claims racing, not leases ending.
    racing = mail_outbox.Policy(lease=timedelta(minutes=5), max_attempts=3, retry_after=timedelta(seconds=1))

    def sender():
        with smtp_app.app_context():
            tallies.append(mail_outbox.send_due(limit=100, policy=racing))
            db.session.remove()

    try:
        with smtp_app.app_context():
            _queue(30)
        threads = [threading.Thread(target=sender) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        controller.stop()
    counts = Counter(handler.message_ids)
    assert len(counts) == 30 and max(counts.values()) == 1
    assert sum(t.sent for t in tallies) == 30
    assert sum(t.skipped for t in tallies) > 0  # they did race for the same rows
    with smtp_app.app_context():
        assert _statuses() == Counter(sent=30)


def test_old_sent_and_failed_mails_are_purged(app):
    _queue(3)
    mail_outbox.send_due()
    old = datetime.now(UTC) - timedelta(days=31)
    first, second, _third = db.session.scalars(select(OutboxMail.id).order_by(OutboxMail.id)).all()
    db.session.execute(update(OutboxMail).where(OutboxMail.id == first).values(sent_at=old))
    db.session.execute(
        update(OutboxMail).where(OutboxMail.id == second).values(status="failed", sent_at=None, next_attempt_at=old)
    )
    assert send_mail("queued@example.org", "en", "login_code", **CONTEXT)
    db.session.execute(update(OutboxMail).values(created_at=old))
    db.session.commit()

    assert mail_outbox.purge(timedelta(days=30)) == 2
    assert _statuses() == Counter(sent=1, queued=1)  # recent sent mail and anything still queued stay


def test_send_mail_command_once(app, runner):
    _queue(2)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "Mails sent: 2;" in result.output
    assert _eml_count(app) == 2
    assert "Mails sent: 0;" in runner.invoke(args=["send-mail"]).output


def test_send_mail_command_refuses_nonsense_options(runner):
    for args in (["--batch", "0"], ["--lease", "-1"], ["--keep-days", "x"]):
        assert runner.invoke(args=["send-mail", *args]).exit_code != 0


def _subprocess_env(app, port: int) -> dict[str, str]:
    """Settings for a `flask send-mail` process on the test database and the SMTP test server."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith(SQLITE):
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"]
        url = postgres_url() + ("&" if "?" in postgres_url() else "?") + "options=" + options.replace("=", "%3D")
    return os.environ | {
        "DATABASE_URL": url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_USE_TLS": "0",
        "PORTAL_ENV": "testing",
    }


def _start_sender(env: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "flask", "--app", "app", "send-mail", "--loop", "--interval", "0.2"]
    command += ["--retry-after", "1", "--lease", "3", "--batch", "5"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_killed_sender_and_smtp_outage_deliver_every_mail_exactly_once(app, database):
    port = free_port()
    handler = Collector(delay=0.2)
    controller = _smtp(handler, port)
    _queue(40)
    expected = set(db.session.scalars(select(OutboxMail.message_id)))
    env = _subprocess_env(app, port)
    sender = _start_sender(env)
    try:
        assert _wait_for(lambda: len(handler.message_ids) >= 10 and handler.receiving.is_set(), 60), "no progress"
        sender.send_signal(signal.SIGKILL)  # kill -9 mid-batch, while the server reads a mail
        sender.wait(timeout=10)
        controller.stop()  # the mail server goes down as well
        sender = _start_sender(env)
        time.sleep(2)  # the new sender meets the outage and backs off
        controller = _smtp(handler, port)
        assert _wait_for(lambda: _statuses().get("sent") == 40, 120), _statuses()
    finally:
        sender.terminate()
        sender.wait(timeout=15)
        controller.stop()
    counts = Counter(handler.message_ids)
    duplicates = sum(n - 1 for n in counts.values())
    REPORT[f"outbox kill -9 + SMTP restart ({database['backend']})"] = (
        f"sent {len(set(counts) & expected)} / expected {len(expected)} / duplicates {duplicates}"
    )
    assert set(counts) == expected
    assert duplicates == 0


def test_a_failed_goodbye_after_the_server_accepted_the_mail_does_not_send_it_again(app, monkeypatch):
    _queue(1)
    calls = []

    def accepted_then_disconnected(mail, on_accepted):
        calls.append(mail.message_id)
        on_accepted()
        raise smtplib.SMTPServerDisconnected("QUIT got no answer")

    monkeypatch.setattr(mail_service, "deliver", accepted_then_disconnected)
    assert mail_outbox.send_due(policy=FAST).sent == 1
    assert mail_outbox.send_due(policy=FAST).sent == 0
    assert len(calls) == 1 and _statuses() == Counter(sent=1)


def test_a_mail_the_server_refuses_is_queued_again_not_marked_sent(app, monkeypatch):
    _queue(1)

    def refused(mail, on_accepted):
        raise smtplib.SMTPDataError(451, b"try later")

    monkeypatch.setattr(mail_service, "deliver", refused)
    assert mail_outbox.send_due(policy=FAST).retrying == 1
    mail = db.session.scalars(select(OutboxMail)).one()
    assert (mail.status, mail.last_error) == ("queued", "SMTPDataError 451")
