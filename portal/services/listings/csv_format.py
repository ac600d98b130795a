"""The CSV files of programmes and sessions: columns, limits, cell escaping, and the problems an import reports."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask_babel import LazyString

from portal.config import LANGUAGES, TIMEZONE
from portal.models import Session
from portal.services.audit import spreadsheet_safe
from portal.services.text_rules import visible
from portal.translation import lazy_gettext as _l

TEXT_FIELDS = ("title", "summary", "description")
PROGRAMME_COLUMNS = (
    "slug",
    "status",
    "category",
    "audiences",
    "languages",
    "cost_cents",
    "referral_required",
    "contact_name",
    "contact_phone",
    "contact_email",
    "location_slug",
    *(f"{name}_{lang}" for lang in LANGUAGES for name in TEXT_FIELDS),
)
PROGRAMME_REQUIRED = frozenset({"slug", "status", "category", "title_nl", "summary_nl"})
SESSION_COLUMNS = ("programme_slug", "starts_at", "ends_at", "capacity", "status")
SESSION_REQUIRED = frozenset({"programme_slug", "starts_at", "ends_at", "capacity"})

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_LENGTHS = {
    "slug": 80,
    "title": 160,
    "summary": 300,
    "description": 20_000,
    "contact_name": 120,
    "contact_phone": 40,
    "contact_email": 254,
}
LOCAL_FORMAT = "%Y-%m-%d %H:%M"  # sessions' times, in the portal's time zone
ZONE = ZoneInfo(TIMEZONE)

# A cell the export neutralised: apostrophes before a character a spreadsheet would start a formula with.
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")

MSG_REQUIRED = _l("Please fill in this field.")


def short(value: str, limit: int = 40) -> str:
    """A cell's value cut to `limit` characters, refused characters escaped (like \\x01), to quote it in a problem."""
    cut = value if len(value) <= limit else value[: limit - 1] + "…"
    return visible(cut)


def not_allowed(value: str, choices: Iterable[str]) -> LazyString:
    """The problem of a cell whose value is not one of `choices`."""
    return _l(
        "'%(value)s' is not allowed here. Use one of: %(choices)s.", value=short(value), choices=", ".join(choices)
    )


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an uploaded file: its line (1 is the header, 0 the whole file), column and message."""

    line: int
    field: str
    message: LazyString


@dataclass
class ImportReport:
    """The outcome of an import: its problems, or how many rows were created and updated."""

    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    # existing sessions the file cancelled, changed, or gave another end time: their bookings follow
    cancelled: list[Session] = field(default_factory=list)
    changed: list[Session] = field(default_factory=list)
    moved: list[Session] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file had no problems and its changes were applied."""
        return not self.problems


def cell(value: object) -> str:
    """`value` through spreadsheet_safe; a text that already looks neutralised gets one more apostrophe."""
    safe = spreadsheet_safe(value)
    if _NEUTRALISED.match(safe) and safe == ("" if value is None else str(value)):
        return "'" + safe
    return safe


def unescape(text: str) -> str:
    """Undo the export's neutralising apostrophe."""
    return text[1:] if _NEUTRALISED.match(text) else text
