"""Residents' personal calendar feed addresses: a secret token, of which only its SHA-256 digest is stored."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.models import CalendarFeed, User
from portal.models.base import utcnow
from portal.services.tokens import digest, new_secret

_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")  # secrets.token_urlsafe(32) gives 43 characters


def new_feed(user: User) -> str:
    """Give the user a fresh feed address (the old one stops working); returns the plain token."""
    token = new_secret(32)
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_hash = digest(token)
    feed.created_at = utcnow()
    feed.last_used_at = None
    db.session.flush()
    return token


def feed_user(token: str) -> User | None:
    """The active user a feed token belongs to (noting the use), or None for anything else."""
    if not isinstance(token, str) or not _TOKEN_SHAPE.fullmatch(token):
        return None
    feed = db.session.scalar(db.select(CalendarFeed).where(CalendarFeed.token_hash == digest(token)))
    if feed is None:
        return None
    user = db.session.get(User, feed.user_id)
    if user is None or not user.is_active:
        return None
    feed.last_used_at = utcnow()
    return user


def stop_feed(user: User) -> bool:
    """Delete the user's feed address; True if there was one."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    return True
