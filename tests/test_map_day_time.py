"""The quick day-and-time text (the `day_time` filter) and time of day (the programme page's) are exactly Babel's,
in every language, around the clock and the DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, format_datetime, format_time

from portal.config import LANGUAGES
from portal.day_time import clock_formatter, day_time_formatter
from portal.template_helpers import day_time_pattern, format_day_time

MOMENTS = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=7 * n, minutes=13 * n) for n in range(1300)]
MOMENTS += [datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]
MOMENTS += [datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 12, 31, 23, 30)]  # the last one naive (UTC)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_quick_day_time_is_babels_text(app, lang):
    with app.test_request_context(f"/{lang}/map"), force_locale(lang):
        babel = [format_datetime(moment, day_time_pattern(lang)) for moment in MOMENTS]
        day_time = day_time_formatter(lang)
        assert [day_time(moment) for moment in MOMENTS] == babel
        assert [format_day_time(moment) for moment in MOMENTS] == babel


@pytest.mark.parametrize("lang", LANGUAGES)
def test_quick_clock_is_babels_text(app, lang):
    with app.test_request_context(f"/{lang}/programmes"), force_locale(lang):
        clock = clock_formatter()
        assert [clock(moment) for moment in MOMENTS] == [format_time(moment, "HH:mm") for moment in MOMENTS]
