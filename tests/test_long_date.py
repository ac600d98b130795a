"""The quick long date (the broker dashboard's 'last checked') is exactly Babel's "full" date, the `long_date`
filter's text, in every language."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import render_template_string
from flask_babel import force_locale, format_date

from portal.config import LANGUAGES
from portal.day_time import long_date_formatter

DAYS = [date(2025, 12, 25) + timedelta(days=n) for n in range(400)] + [date(1999, 1, 1), date(2040, 2, 29)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_quick_long_date_is_babels_full_date(app, lang):
    with app.test_request_context(f"/{lang}/broker/"), force_locale(lang):
        babel = [format_date(day, "full") for day in DAYS]
        long_date = long_date_formatter(lang)
        assert [long_date(day) for day in DAYS] == babel
        assert render_template_string("{{ day|long_date }}", day=DAYS[0]) == long_date(DAYS[0])
