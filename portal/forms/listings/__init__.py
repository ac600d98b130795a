"""Forms of the beweegmakelaar's pages, one module per topic (programme, sessions, locations, CSV import)."""

from __future__ import annotations

from portal.translation import lazy_gettext as _l

TOO_LONG = _l("Please use at most %(max)d characters.")  # the length limit message of every listings form
