"""The translated names of the route maps' dimensions and levels, and of an offer suiting a level."""

from __future__ import annotations

from flask_babel import LazyString, get_locale
from markupsafe import Markup

from portal.translation import lazy_gettext as _l

DIMENSION_LABELS = {
    "zelfredzaamheid": _l("Self-reliance"),
    "gezondheidsvaardigheden": _l("Health literacy"),
    "motivatie": _l("Motivation"),
}
DIMENSION_HINTS = {
    "zelfredzaamheid": _l("How well does the resident arrange things on their own?"),
    "gezondheidsvaardigheden": _l("How well does the resident find, understand and use health information?"),
    "motivatie": _l("How much does the resident want to change?"),
}
LEVEL_LABELS = {"laag": _l("Low"), "midden": _l("Medium"), "hoog": _l("High")}
ANY_LEVEL_LABEL = _l("Not sure / any")
ALL_LEVELS_LABEL = _l("all levels")  # an offer that suits every level of a dimension
FIT_LABELS = {
    ("zelfredzaamheid", "laag"): _l("Suits low self-reliance"),
    ("zelfredzaamheid", "midden"): _l("Suits medium self-reliance"),
    ("zelfredzaamheid", "hoog"): _l("Suits high self-reliance"),
    ("gezondheidsvaardigheden", "laag"): _l("Suits low health literacy"),
    ("gezondheidsvaardigheden", "midden"): _l("Suits medium health literacy"),
    ("gezondheidsvaardigheden", "hoog"): _l("Suits high health literacy"),
    ("motivatie", "laag"): _l("Suits low motivation"),
    ("motivatie", "midden"): _l("Suits medium motivation"),
    ("motivatie", "hoog"): _l("Suits high motivation"),
}

_TABLES = {
    "dimension": DIMENSION_LABELS,
    "hint": DIMENSION_HINTS,
    "level": LEVEL_LABELS,
    "any": {"": ANY_LEVEL_LABEL},
    "all": {"": ALL_LEVELS_LABEL},
}
_SHOWN: dict[tuple[str, str, str], Markup] = {}


def shown_label(table: str, key: str, lang: str) -> Markup | LazyString:
    """The label `key` of `table` ("dimension", "hint", "level", "any" or "all") in `lang`, as the page shows it.

    A lazy label is translated each time it is shown (some 70 times on a route-map page, each finding the
    catalog anew); its text in a language only changes with a release, so it is kept once per process. As
    Markup: a lazy label's HTML is its text unescaped, as the catalog's (ours). Outside a request in `lang`
    the lazy label itself."""
    memo_key = (table, key, lang)
    text = _SHOWN.get(memo_key)
    if text is not None:
        return text
    label = _TABLES[table][key]
    if str(get_locale()) != lang:
        return label
    text = _SHOWN[memo_key] = Markup(str(label))  # noqa: S704  (as the lazy label's own __html__)
    return text
