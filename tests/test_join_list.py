"""The join_list filter lists translated parts the way the reader's language does, and escapes each part."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", "1 stap, 2 stappen en 3 stappen"),
        ("en", "1 stap, 2 stappen, and 3 stappen"),
        ("ar", "1 stap و2 stappen و3 stappen"),
    ],
)
def test_join_list_uses_the_list_pattern_of_the_language(app, lang, expected):
    with app.test_request_context(), force_locale(lang):
        html = render_template_string("{{ parts|join_list }}", parts=["1 stap", "2 stappen", "3 stappen"])
    assert html == expected
    assert ", " not in html or lang != "ar"


def test_join_list_escapes_each_part_and_skips_empty_ones(app):
    with app.test_request_context(), force_locale("nl"):
        html = render_template_string("{{ parts|join_list }}", parts=["<b>a</b>", "", "b"])
        empty = render_template_string("[{{ parts|join_list }}]", parts=[])
    assert html == "&lt;b&gt;a&lt;/b&gt; en b"
    assert empty == "[]"
