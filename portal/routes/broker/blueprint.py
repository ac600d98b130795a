"""The broker blueprint, and what its pages share: whose listings they show, and saying who was mailed."""

from __future__ import annotations

from flask import Blueprint, flash
from flask_babel import ngettext
from flask_login import current_user

from portal.extensions import db
from portal.models import Organisation
from portal.services.booking import places
from portal.services.booking.mail import send_notices
from portal.services.booking.places import SessionNotices

bp = Blueprint("broker", __name__)


def shown_organisation() -> Organisation | None:
    """The organisation whose listings the current user keeps (None: a coordinator sees all)."""
    return None if current_user.is_coordinator else current_user.organisation


def shown_organisation_id() -> int | None:
    """The id of shown_organisation(), without loading the organisation."""
    return None if current_user.is_coordinator else current_user.organisation_id


def flash_told(notices: SessionNotices, told: int) -> None:
    """Say how many residents were mailed that their place was cancelled."""
    if notices.cancelled:
        flash(
            ngettext("%(num)s resident has been told by email.", "%(num)s residents have been told by email.", told),
            "ok",
        )


def settle_cancelled(cancelled: list) -> SessionNotices:
    """Cancel the bookings of cancelled sessions, mail each resident (queued before the commit), commit, and say so."""
    notices = places.settle_changed_sessions(cancelled=cancelled)
    told = send_notices(notices)
    db.session.commit()
    flash_told(notices, told)
    return notices
