"""The listings version: a token in the page store that changes after every committed change to the listings.

The store (portal/page_store.py: Redis with REDIS_URL, else files in the instance folder) is shared by every
worker, so the next request on any of them renders the changed pages. Changes made with raw SQL text are
not seen; ORM objects and ORM insert/update/delete statements are."""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession

from portal.models import (
    Booking,
    Location,
    Neighbourhood,
    Organisation,
    Programme,
    ProgrammeAudience,
    ProgrammeFit,
    ProgrammeLanguage,
    ProgrammeText,
)
from portal.models import Session as ProgrammeSession
from portal.page_store import StoreFault

LISTING_MODELS = (
    Booking,  # free places on the programme pages
    Programme,
    ProgrammeText,
    ProgrammeAudience,
    ProgrammeLanguage,
    ProgrammeFit,  # the route maps' selector
    ProgrammeSession,
    Location,
    Organisation,
    Neighbourhood,
)
_FLAG = "portal_listings_changed"
logger = logging.getLogger(__name__)


def bump_listings_version() -> None:
    """Make every cached page stale; a store fault is logged, never raised (the disk store then drops its
    version, so nothing is served from it until it answers again; Redis entries expire within the page TTL)."""
    store = current_app.extensions.get("page_store") if has_app_context() else None
    if store is None:
        return
    try:
        store.bump()
    except StoreFault as fault:
        logger.warning("could not bump the listings version (%s)", fault)


def _note_changes(session: OrmSession, flush_context, instances) -> None:
    if any(isinstance(obj, LISTING_MODELS) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_FLAG] = True


def _note_statements(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, LISTING_MODELS):
        state.session.info[_FLAG] = True


def _after_commit(session: OrmSession) -> None:
    if session.info.pop(_FLAG, False):
        bump_listings_version()


def _after_rollback(session: OrmSession, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint within it
        session.info.pop(_FLAG, None)


def init_app(app: Flask) -> None:
    """Listen to every ORM session once per process (the listeners are stateless)."""
    if not event.contains(OrmSession, "before_flush", _note_changes):
        event.listen(OrmSession, "before_flush", _note_changes)
        event.listen(OrmSession, "do_orm_execute", _note_statements)
        event.listen(OrmSession, "after_commit", _after_commit)
        event.listen(OrmSession, "after_soft_rollback", _after_rollback)
