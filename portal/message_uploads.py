"""Files with messages: a larger body limit on the few routes that take files, reading them, serving them back."""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, request
from werkzeug.datastructures import FileStorage

from portal.downloads import named_download
from portal.extensions import db
from portal.models import Attachment, Thread
from portal.services.messaging.attachments import MAX_FILES, Upload, check_all, content
from portal.services.messaging.files import KINDS, MAX_ATTACHMENT_BYTES, AttachmentError

# The routes whose forms take attachments; every other route keeps MAX_CONTENT_LENGTH (1 MB).
UPLOAD_ENDPOINTS = frozenset({"messages.new", "messages.reply", "professional.reply"})
UPLOAD_LIMIT = MAX_FILES * MAX_ATTACHMENT_BYTES + 256 * 1024  # the files and the text around them


def _raise_limit() -> None:
    """Before anything reads the body (CSRF included): allow files on upload routes, answered 413 above that."""
    if request.endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT


def uploads_from(files: list | None) -> list[Upload]:
    """The files the browser sent in a MultipleFileField (empty file inputs left out)."""
    found = []
    for item in files or []:
        if isinstance(item, FileStorage) and item.filename:
            found.append(Upload(item.filename, item.read(MAX_ATTACHMENT_BYTES + 1)))
    return found


def checked_uploads(files: list | None) -> list[tuple[str, str, bytes]]:
    """The files sent, cleaned and named, before anything is saved; raises AttachmentError."""
    return check_all(uploads_from(files))


def attachment_download(thread: Thread, attachment_id: int) -> tuple[Attachment, Response]:
    """A file of a message of `thread` as a download; 404 for another thread's file or a file gone from disk."""
    found = db.session.get(Attachment, attachment_id)
    if found is None or found.message.thread_id != thread.id:
        abort(404)
    try:
        body = content(found)
    except AttachmentError:
        current_app.logger.error("attachment %s has no file in PORTAL_ATTACHMENT_DIR", found.id)
        abort(404)
    return found, named_download(body, KINDS[found.kind], found.filename)


def init_app(app: Flask) -> None:
    """Run the limit first, before Flask-WTF's CSRF check parses the form."""
    app.before_request_funcs.setdefault(None, []).insert(0, _raise_limit)
