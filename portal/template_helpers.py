"""Filters and globals shared by every template."""

from __future__ import annotations

from datetime import datetime

from babel.lists import format_list
from flask import Flask, current_app, g, request, url_for
from flask_babel import format_currency, format_date, format_datetime, format_time, get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import Row

from portal import health_check_labels, referral_labels
from portal.config import LANGUAGES
from portal.day_time import clock_text, day_time_formatter, moment_formatter
from portal.i18n import current_language, text_direction
from portal.labels import (
    audience_label,
    audit_action_label,
    category_label,
    change_field_label,
    change_value,
    language_name,
    organisation_kind_label,
    role_label,
    status_label,
)
from portal.maps import map_container
from portal.markdown_text import render_markdown
from portal.record_labels import LABEL_FUNCTIONS
from portal.routekaart_markup import lang_attrs, level_list, offer_tags
from portal.services import neighbourhoods
from portal.services.messaging.queries import unread_count

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English", "tr": "Türkçe", "ar": "العربية"}


def default_neighbourhood(slug: str) -> Row | None:
    """What pages show of the configured neighbourhood, looked up once per request (kept in `g`); None if the
    database cannot say."""
    if "neighbourhood" not in g:
        g.neighbourhood = neighbourhoods.default_neighbourhood(slug)
    return g.neighbourhood


def switch_language_url(code: str, external: bool = False) -> str:
    """The current page in another language, keeping its path and query."""
    if request.endpoint and request.url_rule is not None and "lang" in request.url_rule.arguments:
        values = dict(request.view_args or {})
        values.update(request.args.to_dict(flat=False))
        values["lang"] = code
        return url_for(request.endpoint, _external=external, **values)
    return url_for("main.home", lang=code, _external=external)


def day_time_pattern(locale: str) -> str:
    """The CLDR pattern of a day and time in `locale`: Arabic takes its own comma."""
    return "EEEE d MMMM، HH:mm" if locale == "ar" else "EEEE d MMMM, HH:mm"


def format_day_time(moment) -> str:
    """'dinsdag 24 november, 10:00' in the active locale and the portal's time zone (Babel's text for
    `day_time_pattern`, from names read once per locale: lists show many)."""
    return day_time_formatter(str(get_locale()))(moment)


def moment_pattern(locale: str) -> str:
    """The CLDR pattern of a date and time in `locale`: Arabic takes its own comma."""
    return "d MMMM y، HH:mm" if locale == "ar" else "d MMMM y, HH:mm"


def format_moment(moment) -> str:
    """'1 december 2026, 10:00' in the active locale and the portal's time zone (Babel's text for
    `moment_pattern`, from names read once per locale: inboxes show many); '—' for none."""
    if moment is None:
        return "—"
    if not isinstance(moment, datetime):  # a date alone: Babel says what it makes of it
        return format_datetime(moment, moment_pattern(str(get_locale())))
    return moment_formatter(str(get_locale()))(moment)


def format_clock(moment) -> str:
    """'10:00' in the portal's time zone; a session list shows one per row."""
    if not isinstance(moment, datetime):  # a time of day alone: Babel's text
        return format_time(moment, "HH:mm")
    return clock_text(moment)


def money(cents: int) -> str:
    """Format a price in euro cents for the active locale."""
    return format_currency(cents / 100, "EUR")


def join_list(items) -> Markup:
    """Join translated parts as a list in the active locale ('a, b en c'; Arabic 'a وb'), each part escaped."""
    parts = [str(escape(item)) for item in items if item]
    joined = format_list(parts, locale=str(get_locale())) if parts else ""
    return Markup(joined)  # noqa: S704  (every part escaped above; the pattern is Babel's locale data)


def markdown_filter(text: str | None) -> Markup:
    """Render Markdown to sanitised HTML."""
    return Markup(render_markdown(text or ""))  # noqa: S704  (sanitised by nh3 in render_markdown)


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The page links a pager shows: the first, the last and two either side of `page`; None for a gap.

    Only the numbers near `page` are looked at, so a list of 1,000 pages costs no more than one of 10."""
    near = range(max(page - 3, 1), min(page + 3, pages) + 1)
    numbers = []
    for number in sorted({1, pages, *near}):
        if number in (1, pages) or abs(number - page) <= 2:
            numbers.append(number)
        elif abs(number - page) == 3:
            numbers.append(None)
    return numbers


def unread_threads() -> int:
    """How many of the signed-in resident's threads hold a message they have not read (0 for anyone else)."""
    if not current_user.is_authenticated or current_user.role != "resident":
        return 0
    return unread_count(current_user)


def csrf_field() -> Markup:
    """The hidden CSRF input for a form that is only a button."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())


def _version_static_urls(endpoint: str, values: dict) -> None:
    """/static/… URLs carry the deployment fingerprint (`?v=`), so a proxy may keep the files for a year: a
    release that changes any of them changes every URL."""
    if endpoint == "static" and "v" not in values:
        values["v"] = current_app.extensions["page_cache_fingerprint"]


def init_app(app: Flask) -> None:
    """Register filters and the context processor."""
    app.url_defaults(_version_static_urls)
    app.add_template_filter(money, "money")
    app.add_template_filter(markdown_filter, "markdown")
    app.add_template_filter(join_list, "join_list")
    app.add_template_filter(lambda d: format_date(d, "full"), "long_date")
    app.add_template_filter(format_day_time, "day_time")
    app.add_template_filter(format_moment, "moment")
    app.add_template_filter(format_clock, "clock")

    app.add_template_global(category_label)
    app.add_template_global(audience_label)
    app.add_template_global(organisation_kind_label)
    app.add_template_global(language_name)
    app.add_template_global(map_container)
    app.add_template_global(role_label)
    app.add_template_global(audit_action_label)
    app.add_template_global(status_label)
    app.add_template_global(change_field_label)
    app.add_template_global(change_value)
    app.add_template_global(csrf_field)
    app.add_template_global(unread_threads)
    app.add_template_global(page_numbers)
    app.add_template_global(lang_attrs)
    app.add_template_global(level_list)
    app.add_template_global(offer_tags)
    app.add_template_global(referral_labels.WORDS, "referral_words")
    app.add_template_global(health_check_labels.WORDS, "health_check_words")
    for label_function in LABEL_FUNCTIONS:
        app.add_template_global(label_function)

    @app.context_processor
    def _globals() -> dict:
        lang = current_language()
        return {
            "lang": lang,
            "text_dir": text_direction(lang),
            "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "switch_language_url": switch_language_url,
            "neighbourhood": default_neighbourhood(app.config["PORTAL_NEIGHBOURHOOD"]),
        }
