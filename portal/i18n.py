"""Language prefixes in URLs and locale selection; the language lives in the URL, never in a cookie."""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user
from werkzeug.routing import BaseConverter

from portal import template_i18n
from portal.config import DEFAULT_LANGUAGE, LANGUAGES, RTL_LANGUAGES
from portal.extensions import babel


class LanguageConverter(BaseConverter):
    """Matches only the portal's languages, so /de/... is an ordinary 404."""

    regex = "(?:" + "|".join(LANGUAGES) + ")"


def language_from_path(path: str) -> str | None:
    """The language named by the first segment of `path`, if it is one of ours."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in LANGUAGES else None


def choose_language(account_locale: str | None, accept_languages) -> str:
    """Pick the visitor's language: account, browser, then Dutch."""
    if account_locale in LANGUAGES:
        return account_locale
    return accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def preferred_language() -> str:
    """The language to send a visitor to when the URL names none."""
    account_locale = current_user.locale if current_user.is_authenticated else None
    return choose_language(account_locale, request.accept_languages)


def current_language() -> str:
    """The language of the page being served: from its URL prefix, else Dutch."""
    lang = g.get("lang")
    if lang:
        return lang
    if request:
        return language_from_path(request.path) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def text_direction(lang: str) -> str:
    """'rtl' for right-to-left languages, else 'ltr'."""
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def _pull_language(endpoint, values) -> None:
    if values and "lang" in values:
        g.lang = values.pop("lang")


def _add_language(endpoint, values) -> None:
    if "lang" in values or not endpoint:
        return
    from flask import current_app

    try:
        expects_language = current_app.url_map.is_endpoint_expecting(endpoint, "lang")
    except KeyError:  # unknown endpoint: url_for raises its own BuildError
        return
    if expects_language:
        values["lang"] = current_language()


def init_app(app: Flask) -> None:
    """Install the converter, URL hooks, Babel's locale selector and the templates' gettext."""
    app.url_map.converters["lang"] = LanguageConverter
    app.url_value_preprocessor(_pull_language)
    app.url_defaults(_add_language)
    babel.init_app(app, locale_selector=current_language)
    template_i18n.init_app(app)
