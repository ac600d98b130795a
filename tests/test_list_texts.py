"""Texts worked out once for lists of many (the referral workspace): the quick moment text is exactly the `moment`
filter's, in every language, around the clock and the DST changes; the referral words kept per language are the
labels in that language, whatever the language of the request that first asked for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from portal.config import LANGUAGES
from portal.day_time import moment_formatter
from portal.referral_labels import WORDS, words_in
from portal.template_helpers import format_moment

MOMENTS = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=7 * n, minutes=13 * n) for n in range(1300)]
MOMENTS += [datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]
MOMENTS += [datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 12, 31, 23, 30), None]  # naive (UTC), none


@pytest.mark.parametrize("lang", LANGUAGES)
def test_quick_moment_is_the_moment_filters_text(app, lang):
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        moment = moment_formatter(lang)
        assert [moment(value) for value in MOMENTS] == [format_moment(value) for value in MOMENTS]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_referral_words_kept_per_language_are_the_labels_in_it(app, lang):
    words_in.cache_clear()
    with app.test_request_context("/ar/" if lang != "ar" else "/nl/"):
        words = words_in(lang)  # first asked on a page in another language
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        for kind, labels in WORDS.items():
            assert words[kind] == {code: str(label) for code, label in labels.items()}
