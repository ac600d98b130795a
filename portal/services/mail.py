"""Outgoing mail in the recipient's language: over SMTP, or into an outbox directory without a mail server."""

from __future__ import annotations

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


def _describe(error: Exception) -> str:
    """The kind of failure, without the server's text (it can repeat the recipient's address)."""
    code = getattr(error, "smtp_code", None) or getattr(error, "errno", None)
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _build_message(to: str, locale: str, subject: str, body: str, attachments=()) -> EmailMessage:
    """The message with its headers, a UTF-8 plain-text body and any attachments."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8")
    message["Content-Language"] = locale  # after set_content, which drops every Content-* header
    for attachment in attachments:
        maintype, _slash, subtype = attachment.mimetype.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=attachment.params or {},
        )
    if attachments:  # add_attachment moved the Content-* headers into the text part; the whole mail has a language too
        message["Content-Language"] = locale
    return message


def _send_smtp(message: EmailMessage) -> str:
    """Hand the message to the configured SMTP server; return where it went."""
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
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


def send_mail(to: str, locale: str, template: str, attachments=(), **context) -> bool:
    """Send mail/<template>.txt to `to` in `locale`; True once sent or in the outbox, False (no raise) on failure."""
    locale = locale if locale in LANGUAGES else DEFAULT_LANGUAGE
    if not to or "@" not in to or "\r" in to or "\n" in to:
        logger.warning("mail %s not sent: invalid recipient address", template)
        return False
    domain = _domain(to)
    # Rendering errors (unknown template, missing context variable) are bugs and do raise.
    subject, body = render_mail(locale, template, **context)
    try:
        message = _build_message(to, locale, subject, body, attachments)
    except ValueError as error:
        logger.warning("mail %s to @%s not sent: %s", template, domain, _describe(error))
        return False
    try:
        if current_app.config["MAIL_SERVER"]:
            where = _send_smtp(message)
            logger.info("mail %s (%s) to @%s sent via %s", template, locale, domain, where)
        else:
            where = _write_outbox(message)
            logger.info("mail %s (%s) to @%s written to %s", template, locale, domain, where)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("mail %s (%s) to @%s not sent: %s", template, locale, domain, _describe(error))
        return False
    return True
