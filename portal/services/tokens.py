"""Signed links that expire and work once: the signature proves we made them, the database that they are unused."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import update

from portal.extensions import db
from portal.models.base import utcnow


def new_secret(nbytes: int = 32) -> str:
    """A random URL-safe string."""
    return secrets.token_urlsafe(nbytes)


def digest(value: str) -> str:
    """The SHA-256 hex digest of a high-entropy secret (tokens, codes), as stored in the database."""
    return hashlib.sha256(value.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"wijkportaal-{purpose}")


def sign(secret_key: str, purpose: str, row_id: int, nonce: str) -> str:
    """The token for a link: the row id and its nonce, signed for one purpose."""
    return _serializer(secret_key, purpose).dumps({"id": row_id, "n": nonce})


def unsign(secret_key: str, purpose: str, token: str, max_age: int) -> tuple[int, str] | None:
    """The (row id, nonce) in a token, or None when it is forged, malformed, for another purpose or too old."""
    if not isinstance(token, str) or len(token) > 500:
        return None
    try:
        data = _serializer(secret_key, purpose).loads(token, max_age=max_age)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int) or not isinstance(data.get("n"), str):
        return None
    return data["id"], data["n"]


def claim(model, row_id: int, nonce: str, now: datetime | None = None, **conditions) -> bool:
    """Mark a link row used, once: a single conditional UPDATE, so two requests can never both win."""
    now = now or utcnow()
    statement = (
        update(model)
        .where(
            model.id == row_id,
            model.nonce_hash == digest(nonce),
            model.used_at.is_(None),
            model.expires_at > now,
            *[getattr(model, name) == value for name, value in conditions.items()],
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).rowcount == 1


def open_link(model, secret_key: str, kind: str, token: str, max_age: int, **conditions) -> tuple[object, str] | None:
    """The row a link names and its nonce, when the link is genuine, unused and unexpired (nothing is used up).

    `kind` is the purpose the link was signed for; `conditions` are further column values the row must have
    (e.g. purpose, revoked_at=None)."""
    parsed = unsign(secret_key, kind, token, max_age)
    if parsed is None:
        return None
    row = db.session.get(model, parsed[0])
    if row is None or not same(row.nonce_hash, digest(parsed[1])):
        return None
    if row.used_at is not None or row.expires_at <= utcnow():
        return None
    if any(getattr(row, name) != value for name, value in conditions.items()):
        return None
    return row, parsed[1]
