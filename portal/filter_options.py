"""The choices offered in the social map's filter form, labelled in the active language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel.dates import get_day_names
from flask_babel import get_locale

from portal.labels import AUDIENCE_LABELS, CATEGORY_LABELS, language_name
from portal.services.social_map.filters import DAYS, PARTS_OF_DAY
from portal.services.social_map.search import spoken_languages
from portal.translation import current_translations
from portal.translation import lazy_gettext as _l

TIME_LABELS = {
    "morning": _l("Morning (before 12:00)"),
    "afternoon": _l("Afternoon (12:00 to 17:00)"),
    "evening": _l("Evening (after 17:00)"),
}
COST_LABELS = {"free": _l("Free"), "paid": _l("Costs money")}
REFERRAL_LABELS = {"none": _l("Open to everyone"), "needed": _l("With a referral")}
GROUPS = ("category", "audience", "day", "time", "cost", "referral", "language", "wheelchair")


@dataclass(frozen=True)
class FilterOptions:
    """(value, label) pairs per filter, and a value → label look-up for the chosen-filter list."""

    categories: list
    audiences: list
    days: list
    times: list
    costs: list
    referrals: list
    languages: list
    labels: dict
    open: bool = False


@lru_cache(maxsize=32)
def _fixed_groups(locale: str, catalog) -> dict[str, list]:
    """The choices that come from code and the catalog (all but the spoken languages), per locale and catalog:
    turning a dozen lazy labels and the day names into text cost more on every page than its queries."""
    day_names = get_day_names("wide", locale=locale)
    return {
        "category": [(code, str(label)) for code, label in CATEGORY_LABELS.items()],
        "audience": [(code, str(label)) for code, label in AUDIENCE_LABELS.items()],
        "day": [(code, day_names[index].capitalize()) for index, code in enumerate(DAYS)],
        "time": [(code, str(TIME_LABELS[code])) for code in PARTS_OF_DAY],
        "cost": [(code, str(label)) for code, label in COST_LABELS.items()],
        "referral": [(code, str(label)) for code, label in REFERRAL_LABELS.items()],
        "wheelchair": [("yes", str(_l("Wheelchair accessible")))],
    }


def filter_options() -> FilterOptions:
    """Build the labelled choices; the spoken languages are those of published programmes."""
    fixed = _fixed_groups(str(get_locale()), current_translations())
    languages = [(code, language_name(code)) for code in spoken_languages()]
    groups = {name: languages if name == "language" else fixed[name] for name in GROUPS}
    labels = {name: dict(pairs) for name, pairs in groups.items()}
    return FilterOptions(
        categories=groups["category"],
        audiences=groups["audience"],
        days=groups["day"],
        times=groups["time"],
        costs=groups["cost"],
        referrals=groups["referral"],
        languages=groups["language"],
        labels=labels,
    )
