"""The listings version: a token in the shared cache that changes whenever a programme, session or location does.

Entries live in Redis (REDIS_URL) so every worker on every machine sees the same data and the same
invalidation; without Redis the cache is off (NullCache), never per-process memory."""

from __future__ import annotations

import logging
import uuid

from flask import Flask
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from portal.extensions import cache
from portal.models import (
    Booking,
    Location,
    Organisation,
    Programme,
    ProgrammeAudience,
    ProgrammeLanguage,
    ProgrammeText,
)
from portal.models import Session as ProgrammeSession

VERSION_KEY = "listings-version"
LISTING_MODELS = (
    Booking,  # free places on the programme pages
    Programme,
    ProgrammeText,
    ProgrammeAudience,
    ProgrammeLanguage,
    ProgrammeSession,
    Location,
    Organisation,
)
_FLAG = "portal_listings_changed"
logger = logging.getLogger(__name__)


def listings_version() -> str:
    """The current version of the listings; changes after every committed change to them."""
    return cache.get(VERSION_KEY) or "0"


def bump_listings_version() -> None:
    """Make every cached listing stale; a cache outage is logged, never raised."""
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=0)
    except RedisError:
        logger.warning("could not bump the listings version in the cache")


def _note_changes(session: OrmSession, flush_context, instances) -> None:
    if any(isinstance(obj, LISTING_MODELS) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_FLAG] = True


def _after_commit(session: OrmSession) -> None:
    if session.info.pop(_FLAG, False):
        bump_listings_version()


def _after_rollback(session: OrmSession, previous_transaction) -> None:
    session.info.pop(_FLAG, None)


def init_app(app: Flask) -> None:
    """Listen to every ORM session once per process (the listeners are stateless)."""
    if not event.contains(OrmSession, "before_flush", _note_changes):
        event.listen(OrmSession, "before_flush", _note_changes)
        event.listen(OrmSession, "after_commit", _after_commit)
        event.listen(OrmSession, "after_soft_rollback", _after_rollback)
