"""Whether the portal's backing services answer."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    """True when the database answers a trivial query."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError as error:
        db.session.rollback()
        logger.warning("database health check failed: %s", type(error).__name__)
        return False


def rate_limit_store() -> str:
    """'ok', 'unavailable' (Redis does not answer: limits in the database still hold) or 'not used' (memory)."""
    from portal.extensions import limiter

    storage = getattr(limiter, "storage", None)
    if storage is None or type(storage).__name__.startswith("Memory"):
        return "not used"
    try:
        answered = storage.check()
    except Exception as error:  # noqa: BLE001 - any failure of the store means it is unavailable
        logger.error("rate-limit store unavailable: %s", type(error).__name__)
        return "unavailable"
    if not answered:
        logger.error("rate-limit store unavailable: no answer")
        return "unavailable"
    return "ok"
