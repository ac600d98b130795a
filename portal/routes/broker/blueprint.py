"""The broker blueprint, and what its pages share: whose listings they show, and saying who was mailed."""

from __future__ import annotations

from flask import Blueprint, flash
from flask_babel import ngettext
from flask_login import current_user

from portal.models import Organisation
from portal.services.booking.places import SessionNotices

bp = Blueprint("broker", __name__)


def shown_organisation() -> Organisation | None:
    """The organisation whose listings the current user keeps (None: a coordinator sees all)."""
    return None if current_user.is_coordinator else current_user.organisation


def flash_told(notices: SessionNotices, told: int) -> None:
    """Say how many residents were mailed that their place was cancelled."""
    if notices.cancelled:
        flash(
            ngettext("%(num)s resident has been told by email.", "%(num)s residents have been told by email.", told),
            "ok",
        )
