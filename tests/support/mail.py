"""Reading the mails the app wrote to its outbox directory, after delivering the queued ones."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

from flask import current_app, has_app_context
from icalendar import Calendar

from portal.extensions import db
from portal.services import mail_outbox

LINK = re.compile(r"https?://\S+")
CODE = re.compile(r"\b(\d{6})\b")


def deliver_queue() -> None:
    """Commit the test's session and send every due queued mail, as `flask send-mail` would."""
    db.session.commit()
    mail_outbox.send_due(limit=10_000)


def outbox(app) -> list[email.message.EmailMessage]:
    """Every mail in the outbox directory, oldest first, once the queue is delivered."""
    if has_app_context() and current_app._get_current_object() is app:
        deliver_queue()
    else:
        if has_app_context():
            db.session.commit()  # let go of the test's own write lock (SQLite) first
        with app.app_context():
            deliver_queue()
    folder = Path(app.config["PORTAL_OUTBOX_DIR"])
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def last_mail(app, to: str | None = None) -> email.message.EmailMessage:
    """The newest mail (to `to`, when given)."""
    mails = [m for m in outbox(app) if to is None or m["To"] == to]
    assert mails, f"no mail to {to}"
    return mails[-1]


def body(message) -> str:
    """The plain-text body of a mail."""
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message) -> str:
    """The first link in a mail, as a path for the test client."""
    url = LINK.search(body(message)).group(0)
    return "/" + url.split("/", 3)[3]


def code_in(message) -> str:
    """The six-digit code in a mail."""
    return CODE.search(body(message)).group(1)


def calendar_in(message) -> Calendar:
    """The mail's one afspraak.ics attachment (text/calendar), parsed."""
    attachments = [part for part in message.iter_attachments() if part.get_filename() == "afspraak.ics"]
    assert len(attachments) == 1, [part.get_filename() for part in message.iter_attachments()]
    assert attachments[0].get_content_type() == "text/calendar"
    return Calendar.from_ical(attachments[0].get_payload(decode=True))
