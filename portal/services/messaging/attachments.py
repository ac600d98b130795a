"""Attachments of messages: cleaned and stored encrypted with the message keys; read back for the thread's people."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import InvalidToken
from flask import current_app
from sqlalchemy import event, select

from portal.extensions import db
from portal.models import Attachment, Message
from portal.models.sealed import key_ring
from portal.services.messaging.files import AttachmentError, AttachmentStore, clean, safe_filename

MAX_FILES = 3


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it: its name (never trusted) and its bytes."""

    filename: str
    data: bytes


def store() -> AttachmentStore:
    """The attachment folder (PORTAL_ATTACHMENT_DIR, outside static/) with the current message keys."""
    return AttachmentStore(Path(current_app.config["PORTAL_ATTACHMENT_DIR"]), key_ring())


def check_all(uploads: list[Upload]) -> list[tuple[str, str, bytes]]:
    """Clean every upload before anything is stored: (kind, download name, bytes); raises AttachmentError."""
    if len(uploads) > MAX_FILES:
        raise AttachmentError("too_many_files")
    cleaned = []
    for upload in uploads:
        kind, data = clean(upload.data)
        cleaned.append((kind, safe_filename(upload.filename, kind), data))
    return cleaned


def attach(message: Message, cleaned: list[tuple[str, str, bytes]]) -> list[str]:
    """Write the cleaned files encrypted and add their rows to the transaction; returns the keys written.

    When the transaction does not commit, the caller removes the files with `discard`."""
    files = store()
    keys = []
    try:
        for kind, name, data in cleaned:
            key = files.save(data)
            keys.append(key)
            db.session.add(Attachment(message_id=message.id, filename=name, kind=kind, size=len(data), storage_key=key))
        db.session.flush()
    except Exception:
        discard(keys)
        raise
    return keys


def discard(keys: list[str]) -> None:
    """Remove stored files whose rows were not saved (a failed transaction, an erased thread)."""
    files = store()
    for key in keys:
        files.delete(key)


def discard_after_commit(keys: list[str]) -> None:
    """Remove these files once the current transaction commits (their rows are deleted in it); keep them if not."""
    if not keys:
        return
    session = db.session()
    app = current_app._get_current_object()
    settled = []

    def remove(_session) -> None:
        if not settled:
            settled.append("committed")
            with app.app_context():
                discard(keys)

    def forget(_session) -> None:
        settled.append("rolled back")

    event.listen(session, "after_commit", remove, once=True)
    event.listen(session, "after_rollback", forget, once=True)


def content(attachment: Attachment) -> bytes:
    """The decrypted file."""
    return store().load(attachment.storage_key)


def keys_of(message_ids) -> list[str]:
    """The storage keys of the attachments of these messages (a subquery of ids or a list)."""
    return list(db.session.scalars(select(Attachment.storage_key).where(Attachment.message_id.in_(message_ids))))


def rotate_all() -> tuple[int, int]:
    """Encrypt every stored file again with the newest message key; returns (files done, files no key opens)."""
    files = store()
    done = unreadable = 0
    for key in db.session.scalars(select(Attachment.storage_key)):
        try:
            files.rotate(key)
        except AttachmentError:  # the file is missing: nothing to encrypt
            continue
        except InvalidToken:
            unreadable += 1
            continue
        done += 1
    return done, unreadable
