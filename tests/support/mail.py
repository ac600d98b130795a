"""Reading the mails the app wrote to its outbox directory."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

LINK = re.compile(r"https?://\S+")
CODE = re.compile(r"\b(\d{6})\b")


def outbox(app) -> list[email.message.EmailMessage]:
    """Every mail in the outbox, oldest first."""
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
