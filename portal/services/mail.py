"""Outgoing mail in the recipient's language: queued in the outbox table, sent over SMTP or written as .eml files."""

from __future__ import annotations

import base64
import logging
import os
import secrets
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale
from jinja2 import Environment, StrictUndefined

from portal.config import DEFAULT_LANGUAGE, LANGUAGES
from portal.extensions import db
from portal.models.mail import OutboxMail

logger = logging.getLogger("portal.mail")

SMTP_TIMEOUT = 10
_ENV_KEY = "portal_mail_jinja_env"


class Attachment(NamedTuple):
    """A file sent with a mail, such as an .ics calendar invitation."""

    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"
    params: dict | None = None


def _mail_environment() -> Environment:
    """The app's Jinja environment, but a missing context variable raises instead of rendering as ''."""
    env = current_app.extensions.get(_ENV_KEY)
    if env is None:
        # An overlay shares the loader, globals (Babel's _ and ngettext) and autoescape choice (none for .txt)
        # and gets its own template cache, so the app's HTML templates keep their lenient Undefined.
        env = current_app.jinja_env.overlay(undefined=StrictUndefined)
        current_app.extensions[_ENV_KEY] = env
    return env


def render_mail(locale: str, template: str, **context) -> tuple[str, str]:
    """Render mail/<template>.txt in `locale`; return (one-line subject, body)."""
    jinja_template = _mail_environment().get_template(f"mail/{template}.txt")
    with force_locale(locale):
        subject = "".join(jinja_template.blocks["subject"](jinja_template.new_context(dict(context))))
        body = jinja_template.render(**context)
    return " ".join(subject.split()), body.strip("\n") + "\n"


def _domain(address: str) -> str:
    """The part after the @, the only part of an address that goes into the log."""
    return address.rpartition("@")[2] or "?"


def describe(error: Exception) -> str:
    """The kind of failure, without the server's text (it can repeat the recipient's address)."""
    code = getattr(error, "smtp_code", None) or getattr(error, "errno", None)
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _stored_attachments(attachments) -> list[dict]:
    """The attachments as JSON-safe dicts (content in base64), as the outbox row keeps them."""
    return [
        {
            "filename": a.filename,
            "content": base64.b64encode(a.content).decode("ascii"),
            "mimetype": a.mimetype,
            "params": a.params or {},
        }
        for a in attachments
    ]


def _sender_domain() -> str:
    """The domain of the configured sender, for Message-IDs."""
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "localhost"


def build_message(mail: OutboxMail) -> EmailMessage:
    """The message of an outbox row: its headers, a UTF-8 plain-text body and any attachments."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at or datetime.now(UTC))
    message["Message-ID"] = mail.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body, charset="utf-8")
    message["Content-Language"] = mail.locale  # after set_content, which drops every Content-* header
    for attachment in mail.attachments or ():
        maintype, _slash, subtype = attachment["mimetype"].partition("/")
        message.add_attachment(
            base64.b64decode(attachment["content"]),
            maintype=maintype,
            subtype=subtype,
            filename=attachment["filename"],
            params=attachment["params"],
        )
    if mail.attachments:  # add_attachment moved the Content-* headers into the text part; the whole mail has one
        message["Content-Language"] = mail.locale
    return message


def _send_smtp(message: EmailMessage, on_accepted) -> str:
    """Hand the message to the configured SMTP server and call `on_accepted` before QUIT; return where it went."""
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
        on_accepted()  # before QUIT's round trip: the window for a second copy stays as short as it can be
    return f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"


def _write_outbox(message: EmailMessage) -> str:
    """Write the message as an .eml file only its owner can read; return its path."""
    outbox = Path(current_app.config["PORTAL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = outbox / f"{stamp}-{secrets.token_hex(8)}.eml"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(message.as_bytes())
    return str(path)


def deliver(mail: OutboxMail, on_accepted) -> str:
    """Send one outbox row over SMTP, or write it to the outbox directory, calling `on_accepted` as soon as the
    server (or the file) has it; return where it went. Raises on failure."""
    message = build_message(mail)
    if current_app.config["MAIL_SERVER"]:
        return _send_smtp(message, on_accepted)
    where = _write_outbox(message)
    on_accepted()
    return where


def send_mail(to: str, locale: str, template: str, attachments=(), **context) -> bool:
    """Queue mail/<template>.txt to `to` in `locale` in the current transaction; False (no raise) when it cannot be.

    The mail commits or rolls back with the change it reports; it is sent after the commit (see mail_outbox)."""
    locale = locale if locale in LANGUAGES else DEFAULT_LANGUAGE
    if not to or "@" not in to or "\r" in to or "\n" in to:
        logger.warning("mail %s not queued: invalid recipient address", template)
        return False
    domain = _domain(to)
    # Rendering errors (unknown template, missing context variable) are bugs and do raise.
    subject, body = render_mail(locale, template, **context)
    mail = OutboxMail(
        template=template,
        recipient=to,
        locale=locale,
        subject=subject,
        body=body,
        attachments=_stored_attachments(attachments),
        message_id=make_msgid(domain=_sender_domain()),
        status="queued",
        attempts=0,
        created_at=datetime.now(UTC),
        next_attempt_at=datetime.now(UTC),
    )
    try:
        build_message(mail)  # the headers must be valid now, not at the first delivery attempt
    except ValueError as error:
        logger.warning("mail %s to @%s not queued: %s", template, domain, describe(error))
        return False
    db.session.add(mail)
    logger.info("mail %s (%s) to @%s queued", template, locale, domain)
    return True
