"""Template and lazy gettext bound to the page's catalog: the same text as Flask-Babel's, in every situation."""

from __future__ import annotations

import contextvars
from types import SimpleNamespace

from flask import render_template_string
from flask_babel import force_locale

from portal.labels import CATEGORY_LABELS
from portal.translation import gettext


def _in_request(app, path: str, work):
    """`work()` inside a request for `path` with its own app context (`g`), as a real server serves it."""

    def run():
        with app.test_request_context(path):
            app.preprocess_request()
            return work()

    return contextvars.Context().run(run)


def test_template_strings_follow_the_language_of_the_url(app):
    for lang, home in (("nl", "Start"), ("tr", "Ana sayfa"), ("ar", "الرئيسية"), ("en", "Home")):
        html = _in_request(app, f"/{lang}/", lambda: render_template_string('{{ _("Home") }}|{{ gettext("Home") }}'))
        assert html == f"{home}|{home}"


def test_a_rendering_inside_force_locale_uses_that_language_then_the_page_language_again(app):
    def work():
        before = render_template_string('{{ _("Home") }}')
        with force_locale("tr"):
            forced = render_template_string('{{ _("Home") }}')
        return before, forced, render_template_string('{{ _("Home") }}')

    assert _in_request(app, "/nl/", work) == ("Start", "Ana sayfa", "Start")


def test_plural_and_variables_are_formatted_and_escaped(app):
    template = '{{ ngettext("%(num)s place free", "%(num)s places free", n) }}|{{ _("Ask %(name)s", name=who) }}'
    html = _in_request(app, "/nl/", lambda: render_template_string(template, n=3, who="<b>"))
    assert html == "3 plaatsen vrij|Ask &lt;b&gt;"


def test_a_percent_sign_is_formatted_as_jinja_does_with_or_without_variables(app):
    template = '{{ _("100%% free") }}|{{ _("%(n)s%% free", n=50) }}|{{ _("no sign") }}'
    assert _in_request(app, "/en/", lambda: render_template_string(template)) == "100% free|50% free|no sign"


def test_macros_imported_without_context_are_translated_too(app):
    source = '{% from "macros/ui.html" import pagination %}{{ pagination(results, "/x", "") }}'
    results = SimpleNamespace(page=1, pages=2)

    def work():
        arabic = render_template_string(source, results=results)
        with force_locale("tr"):
            turkish = render_template_string(source, results=results)
        return arabic, turkish

    arabic, turkish = _in_request(app, "/ar/", work)
    assert 'aria-label="الصفحات"' in arabic
    assert 'aria-label="Sayfalar"' in turkish


def test_lazy_labels_follow_the_active_language_each_time_they_are_shown(app):
    label = CATEGORY_LABELS["bewegen"]

    def work():
        dutch = str(label)
        with force_locale("tr"):
            turkish = str(label)
        return dutch, turkish, str(label)

    assert _in_request(app, "/nl/", work) == ("Bewegen en sport", "Hareket ve spor", "Bewegen en sport")
    assert _in_request(app, "/ar/", lambda: str(label)) != "Bewegen en sport"


def test_gettext_without_a_request_uses_dutch_and_without_an_app_the_message_id(app):
    assert gettext("Home") == "Start"  # the test holds an app context: the default language
    assert contextvars.Context().run(gettext, "Home") == "Home"
    assert contextvars.Context().run(gettext, "Ask %(name)s", name="x") == "Ask x"


def test_counts_and_other_values_are_formatted_as_jinjas_gettext_formats_them(app):
    template = (
        '{{ ngettext("%(num)s place free", "%(num)s places free", 3) }}|{{ _("Source: %(url)s", url="<a>") }}'
        '|{{ _("Source: %(url)s", url=7) }}'
    )
    html = _in_request(app, "/en/", lambda: render_template_string(template))
    assert html == "3 places free|Source: &lt;a&gt;|Source: 7"
