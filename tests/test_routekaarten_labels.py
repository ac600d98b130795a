"""The route maps' labels kept per language: the same text as the lazy labels, in the language asked for."""

from __future__ import annotations

from flask_babel import LazyString, force_locale

from portal.services.routekaarten.labels import LEVEL_LABELS, shown_label


def test_a_label_is_kept_in_the_language_of_the_page_that_showed_it(app):
    with app.test_request_context("/tr/routekaarten/meer-bewegen"):
        app.preprocess_request()
        with force_locale("tr"):
            turkish = str(LEVEL_LABELS["laag"])
            assert shown_label("level", "laag", "tr") == turkish
        with force_locale("en"):
            assert shown_label("level", "laag", "tr") == turkish  # kept: the Turkish text, whatever is active now
            assert shown_label("level", "laag", "en") == "Low"


def test_outside_a_request_in_that_language_the_lazy_label_itself(app):
    with app.test_request_context("/nl/"):
        app.preprocess_request()
        with force_locale("nl"):
            label = shown_label("level", "hoog", "ar-not-active")
    assert isinstance(label, LazyString)
