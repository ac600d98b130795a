"""The quick date texts a page takes once (day_time.date_texts) are exactly the `moment` and `long_date` filters'
text, in every language, around the clock and the DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import render_template_string
from flask_babel import force_locale

from portal.config import LANGUAGES
from portal.day_time import date_texts
from portal.template_helpers import format_moment

MOMENTS = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=7 * n, minutes=13 * n) for n in range(1300)]
MOMENTS += [datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]
MOMENTS += [datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 12, 31, 23, 30)]  # naive: UTC
# Other years (pytz, Babel's zone, has no summer time after 2037; the system's zone data has)
MOMENTS += [datetime(1970 + n, 1 + n % 12, 1 + n % 28, n % 24, 59, tzinfo=UTC) for n in range(67)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_quick_moment_and_long_date_are_the_filters_text(app, lang):
    with app.test_request_context(f"/{lang}/professional/inbox"), force_locale(lang):
        texts = date_texts(lang)
        assert [texts.moment(moment) for moment in MOMENTS] == [format_moment(moment) for moment in MOMENTS]
        assert texts.moment(None) == format_moment(None) == "—"
        filters = render_template_string("{% for m in moments %}{{ m|long_date }}|{% endfor %}", moments=MOMENTS)
        assert "".join(f"{texts.long_date(moment)}|" for moment in MOMENTS) == filters
