"""Outgoing mail: rendering in the recipient's language, the outbox, and delivery over real SMTP."""

from __future__ import annotations

import email
import email.policy
import logging
import re
import socket
import stat
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import flask_babel
import jinja2
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.config import LANGUAGES
from portal.extensions import db
from portal.models import OutboxMail
from portal.services.mail import render_mail, send_mail
from tests.support.mail import deliver_queue

MAIL_TEMPLATES = Path(__file__).resolve().parent.parent / "portal" / "templates" / "mail"
TEMPLATES = sorted(
    path.stem for path in MAIL_TEMPLATES.glob("*.txt") if path.name != "base.txt" and not path.name.startswith("_")
)
RECIPIENT = "resident.jansen@example.org"

# Every variable any mail template uses; a new template with a new variable must add it here.
DUMMY_CONTEXT = {
    "display_name": "Ann & <Bob>",
    "link": "https://portal.example/nl/confirm?token=abc&x=1",
    "link_login": "https://portal.example/nl/login",
    "link_reset": "https://portal.example/nl/reset",
    "hours_valid": 24,
    "minutes_valid": 10,
    "days_valid": 7,
    "code": "123456",
    "organisation_name": "Buurtteam & Co",
    "role_label": "broker",
    "inviter_name": "Carla de Vries",
    "title": "In Beweging",
    "starts_at": datetime(2027, 3, 30, 8, 0, tzinfo=UTC),
    "ends_at": datetime(2027, 3, 30, 9, 0, tzinfo=UTC),
    "location": SimpleNamespace(
        name="Sporthal", street="Gambiadreef", house_number="2", postcode="3564 AB", city="Utrecht"
    ),
    "organisation": "Beweegmakelaars & Co",
    "link_bookings": "https://portal.example/nl/bookings",
    "count": 3,
    "days": 14,
}


def _outbox(app) -> list[Path]:
    deliver_queue()
    return sorted(Path(app.config["PORTAL_OUTBOX_DIR"]).glob("*"))


def _parse(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_without_mail_server_the_mail_goes_to_the_outbox(app, caplog):
    caplog.set_level(logging.INFO, logger="portal.mail")

    assert send_mail(RECIPIENT, "en", "confirm_email", **DUMMY_CONTEXT) is True

    files = _outbox(app)
    assert len(files) == 1
    assert re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{16}\.eml", files[0].name)
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    message = _parse(files[0].read_bytes())
    assert message["To"] == RECIPIENT
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert message["Subject"].strip() and "\n" not in message["Subject"]
    assert message["Content-Language"] == "en"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"] and message["Message-ID"]
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert DUMMY_CONTEXT["link"] in body
    assert "Please do not reply" in body

    assert str(files[0]) in caplog.text
    assert "@example.org" in caplog.text
    assert "resident.jansen" not in caplog.text
    assert DUMMY_CONTEXT["link"] not in caplog.text


def test_the_mail_is_rendered_under_the_recipients_locale(app, monkeypatch):
    """Until the catalogs hold the mail strings, check that Babel's locale is forced while rendering."""
    seen = []
    original = app.jinja_env.globals["gettext"]

    @jinja2.pass_eval_context
    def spying_gettext(eval_ctx, string, **variables):
        seen.append(str(flask_babel.get_locale()))
        return original(eval_ctx, string, **variables)

    monkeypatch.setitem(app.jinja_env.globals, "gettext", spying_gettext)
    monkeypatch.setitem(app.jinja_env.globals, "_", spying_gettext)

    assert send_mail(RECIPIENT, "ar", "reset_password", **DUMMY_CONTEXT) is True

    assert seen and set(seen) == {"ar"}
    assert str(flask_babel.get_locale()) == "nl"  # forced only while rendering
    message = _parse(_outbox(app)[0].read_bytes())
    assert message["Content-Language"] == "ar"
    assert DUMMY_CONTEXT["link"] in message.get_content()


def test_an_unknown_locale_falls_back_to_dutch(app):
    assert send_mail(RECIPIENT, "de", "password_changed", display_name="Ann") is True

    assert _parse(_outbox(app)[0].read_bytes())["Content-Language"] == "nl"


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_mail_template_renders_in_every_language(app, template, locale):
    subject, body = render_mail(locale, template, **DUMMY_CONTEXT)

    assert subject and subject == subject.strip() and "\n" not in subject
    assert body.strip()
    assert "{{" not in body and "{%" not in body


def test_mail_templates_exist():
    expected = {
        "confirm_email",
        "already_registered",
        "reset_password",
        "password_changed",
        "login_code",
        "invitation",
        "account_deleted",
    }
    assert expected <= set(TEMPLATES)


def test_text_mails_are_not_html_escaped(app):
    subject, body = render_mail("en", "invitation", **DUMMY_CONTEXT)

    assert "Hello Ann & <Bob>," in body
    assert "Buurtteam & Co" in body
    assert "?token=abc&x=1" in body
    assert "&amp;" not in body and "&lt;" not in body


def test_the_subject_block_stays_out_of_the_body(app):
    subject, body = render_mail("en", "account_deleted", display_name="Ann")

    assert subject == "Your account has been deleted"
    assert body.startswith("Hello Ann,\n")


def test_durations_use_plural_forms(app):
    _, one = render_mail("en", "confirm_email", **DUMMY_CONTEXT | {"hours_valid": 1})
    _, many = render_mail("en", "confirm_email", **DUMMY_CONTEXT | {"hours_valid": 24})

    assert "1 hour." in one
    assert "24 hours." in many


def test_a_missing_context_variable_is_a_bug_and_raises(app):
    with pytest.raises(jinja2.UndefinedError):
        render_mail("en", "confirm_email", display_name="Ann", hours_valid=24)


class _Collector:
    """An aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def test_with_mail_server_the_mail_is_sent_over_smtp(make_app):
    port = _free_port()
    new_app = make_app(None, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with new_app.app_context():
            assert send_mail(RECIPIENT, "en", "login_code", **DUMMY_CONTEXT) is True
            assert handler.envelopes == []  # queued, not sent before the commit
            deliver_queue()
    finally:
        controller.stop()

    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert envelope.rcpt_tos == [RECIPIENT]
    message = _parse(envelope.content)
    assert message["To"] == RECIPIENT
    assert message["Subject"] == "Your login code"
    assert message["Content-Language"] == "en"
    assert "123456" in message.get_content()
    assert _outbox(new_app) == []


def test_an_unreachable_mail_server_keeps_the_mail_queued(make_app, caplog):
    new_app = make_app(None, MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), MAIL_USE_TLS=False)
    caplog.set_level(logging.INFO, logger="portal.mail")

    with new_app.app_context():
        assert send_mail(RECIPIENT, "nl", "login_code", **DUMMY_CONTEXT) is True
        deliver_queue()
        mail = db.session.scalars(select(OutboxMail)).one()
        assert (mail.status, mail.attempts) == ("queued", 1)
        assert mail.last_error == "ConnectionRefusedError 111"

    assert "not sent" in caplog.text
    assert "resident.jansen" not in caplog.text
    assert "123456" not in caplog.text
    assert _outbox(new_app) == []


def test_an_address_with_a_line_break_is_refused(app):
    assert send_mail("a@example.org\nBcc: b@example.org", "en", "login_code", **DUMMY_CONTEXT) is False
    assert _outbox(app) == []
