"""Snippets cut from the first match's window: stemming stops after the window, the snippet stays the same."""

from __future__ import annotations

import pytest

from portal.services.social_map.search import SNIPPET_REACH
from portal.services.text_search import find_snippet
from portal.text_analysis import first_term_spans, term_of, term_spans

FILLER = {
    "nl": "Wij lopen samen door het park en drinken daarna koffie in het buurthuis. ",
    "en": "We walk together through the park and have coffee afterwards at the community centre. ",
    "tr": "Parkta birlikte yürüyoruz ve sonra mahalle evinde kahve içiyoruz. İçin SAĞLIKLI. ",
    "ar": "نمشي معًا في الحديقة ثم نشرب القهوة في المركز. الرياضة أمسية ",
}
WORDS = {
    "nl": ["koffie", "park", "buurthuis"],
    "en": ["coffee", "park"],
    "tr": ["kahve", "sağlıklı"],
    "ar": ["الرياضة", "القهوة"],
}


def _texts(locale: str) -> list[str]:
    filler = FILLER[locale]
    return [filler, filler * 6, "x " * 200 + filler * 3, filler[:30], "", "  " + filler * 2 + "é" * 50]


@pytest.mark.parametrize("locale", sorted(FILLER))
def test_first_spans_give_the_snippet_of_all_spans(locale):
    for text in _texts(locale):
        for word in WORDS[locale]:
            wanted = {term_of(word, locale)}
            everything = [(start, end) for start, end, term in term_spans(text, locale) if term in wanted]
            first = first_term_spans(text, locale, wanted.__contains__, SNIPPET_REACH)
            assert find_snippet(text, first) == find_snippet(text, everything)
            assert first == everything[: len(first)]


def test_stemming_stops_after_the_window():
    text = "koffie " + "park " * 40 + "koffie " * 200
    first = first_term_spans(text, "nl", {term_of("koffie", "nl")}.__contains__, SNIPPET_REACH)
    assert first == [(0, 6)]  # the later 'koffie' lie beyond the window and were never looked at
