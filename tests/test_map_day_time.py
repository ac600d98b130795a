"""The quick day-and-time texts (the `day_time`, `moment` and `clock` filters) are exactly Babel's, in every language,
around the clock and the DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, format_datetime, format_time

from portal.config import LANGUAGES
from portal.day_time import clock_formatter, day_time_formatter, moment_formatter
from portal.template_helpers import day_time_pattern, format_clock, format_day_time, format_moment, moment_pattern

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
def test_quick_moment_is_babels_text(app, lang):
    with app.test_request_context(f"/{lang}/professional/inbox"), force_locale(lang):
        babel = [format_datetime(moment, moment_pattern(lang)) for moment in MOMENTS]
        moment_text = moment_formatter(lang)
        assert [moment_text(moment) for moment in MOMENTS] == babel
        assert [format_moment(moment) for moment in MOMENTS] == babel
        assert format_moment(None) == "—"
        assert format_moment(MOMENTS[0].date()) == format_datetime(MOMENTS[0].date(), moment_pattern(lang))


def test_quick_clock_is_babels_text(app):
    with app.test_request_context("/nl/programmes/wandelen"):
        assert [format_clock(moment) for moment in MOMENTS] == [format_time(moment, "HH:mm") for moment in MOMENTS]
        assert format_clock(MOMENTS[5].time()) == format_time(MOMENTS[5].time(), "HH:mm")
        clock = clock_formatter()  # the programme page's: the time zone looked up once
        assert [clock(moment) for moment in MOMENTS] == [format_time(moment, "HH:mm") for moment in MOMENTS]
