"""Translated labels for the codes stored in the database (categories, audiences, kinds)."""

from __future__ import annotations

from babel import Locale
from babel.core import UnknownLocaleError
from flask_babel import force_locale, get_locale

from portal.services.listings.history_view import money
from portal.services.routekaarten.labels import DIMENSION_LABELS
from portal.text_folding import fold
from portal.translation import lazy_gettext as _l

CATEGORY_LABELS = {
    "bewegen": _l("Exercise and sport"),
    "ontmoeten": _l("Meeting people"),
    "creatief": _l("Creative"),
    "gezondheid": _l("Health"),
    "opvoeden": _l("Parenting and family"),
    "geld-werk": _l("Money and work"),
}

AUDIENCE_LABELS = {
    "kinderen": _l("Children"),
    "jongeren": _l("Young people"),
    "volwassenen": _l("Adults"),
    "ouderen": _l("Older people"),
    "gezinnen": _l("Families"),
}

ORGANISATION_KIND_LABELS = {
    "practice": _l("GP practices"),
    "buurtteam": _l("Buurtteams (neighbourhood teams)"),
    "brokerage": _l("Beweegmakelaars (exercise coaches)"),
    "physio": _l("Physiotherapy"),
    "jgz": _l("Youth health care (JGZ)"),
    "welfare": _l("Welfare and community work"),
}

ROLE_LABELS = {
    "resident": _l("resident"),
    "professional": _l("care professional"),
    "broker": _l("beweegmakelaar"),
    "admin": _l("coordinator"),
}

AUDIT_ACTION_LABELS = {
    "read": _l("looked at"),
    "search": _l("found in a search"),
    "create": _l("added"),
    "change": _l("changed"),
    "delete": _l("deleted"),
    "export": _l("downloaded"),
}

# languages CLDR has no name for
LANGUAGE_NAMES = {"ber": _l("Berber (Tamazight)")}

STATUS_LABELS = {
    "draft": _l("draft"),
    "published": _l("published"),
    "care_team": _l("only for residents in our care"),
    "archived": _l("archived"),
}


CHANGE_FIELD_LABELS = {
    "created": _l("Created"),
    "status": _l("Status"),
    "checked": _l("Last checked"),
    "category": _l("Kind of activity"),
    "cost_cents": _l("Cost per time"),
    "referral_required": _l("A referral is needed"),
    "cancel_cutoff_minutes": _l("Cancel online until, in minutes before the start"),
    "contact_name": _l("Contact person"),
    "contact_phone": _l("Phone"),
    "contact_email": _l("Email address"),
    "location_id": _l("Location"),
    "audiences": _l("For whom"),
    "languages": _l("Languages spoken"),
    # i18n: One meeting of a programme, or one appointment slot (glossary term).
    "session": _l("Session"),
    "session.status": _l("Session cancelled"),
    "sessions.planned": _l("Sessions planned"),
    "sessions.imported": _l("Sessions added from a CSV file"),
}
TEXT_FIELD_LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary in one sentence"),
    "description": _l("Description"),
    "referral": _l("How to get a referral"),
}


def change_field_label(code: str) -> str:
    """What a field of the change history is, in words ('title.tr' is 'Title (Turkish)')."""
    if code in CHANGE_FIELD_LABELS:
        return str(CHANGE_FIELD_LABELS[code])
    name, _dot, rest = code.partition(".")
    if name in TEXT_FIELD_LABELS and rest:
        return f"{TEXT_FIELD_LABELS[name]} ({language_name(rest)})"
    if name == "fit" and rest:
        return str(_l("Route map: %(dimension)s", dimension=DIMENSION_LABELS.get(rest, rest)))
    return code


def status_label(code: str) -> str:
    """The translated name of a programme status."""
    return str(STATUS_LABELS.get(code, code))


def role_label(code: str):
    """The translated name of a role (lazy, so a mail renders it in the recipient's language)."""
    return ROLE_LABELS.get(code, code)


def audit_action_label(code: str) -> str:
    """What an audit action means, in plain words."""
    return str(AUDIT_ACTION_LABELS.get(code, code))


def category_label(code: str) -> str:
    """The translated name of a programme category."""
    return str(CATEGORY_LABELS.get(code, code))


def audience_label(code: str) -> str:
    """The translated name of an audience."""
    return str(AUDIENCE_LABELS.get(code, code))


def organisation_kind_label(code: str) -> str:
    """The translated name of a kind of organisation."""
    return str(ORGANISATION_KIND_LABELS.get(code, code))


def language_name(code: str) -> str:
    """The name of a spoken language in the active locale, from CLDR via Babel."""
    if code in LANGUAGE_NAMES:
        return str(LANGUAGE_NAMES[code])
    try:
        return Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def change_value(field: str, value: str) -> str:
    """A value of the change history in the reader's words: money, language and audience names, yes or no."""
    if not value:
        return value
    words = {
        "cost_cents": lambda: money(value, str(get_locale())),
        "referral_required": lambda: str(_l("yes") if value in ("ja", "yes", "True") else _l("no")),
        "languages": lambda: ", ".join(sorted(language_name(code) for code in value.split())),
        "audiences": lambda: ", ".join(audience_label(code) for code in value.split()),
        "category": lambda: category_label(value),
        "status": lambda: status_label(value),
    }
    return words[field]() if field in words else value


def category_search_words(locale: str) -> dict[str, str]:
    """Each category's name in Dutch and in `locale`, folded, for matching search words to categories."""
    words: dict[str, list[str]] = {code: [] for code in CATEGORY_LABELS}
    for lang in dict.fromkeys(("nl", locale)):
        with force_locale(lang):
            for code, label in CATEGORY_LABELS.items():
                words[code].append(fold(str(label)))
    return {code: " ".join(names) for code, names in words.items()}
