"""The selector: the levels chosen in the query string, its questions, and whether an offer fits and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from portal.services.routekaarten.labels import FIT_LABELS, shown_label
from portal.services.routekaarten.model import DIMENSIONS, LEVELS, Localized, Offer

MAX_SHOWN_VALUE = 40


@dataclass(frozen=True)
class Selection:
    """The levels chosen in the selector, and the query values that were ignored."""

    levels: Mapping[str, str]
    ignored: tuple[tuple[str, str], ...]

    @property
    def is_empty(self) -> bool:
        """True when no level was chosen: every offer is shown."""
        return not self.levels


@dataclass(frozen=True)
class SelectorOption:
    """One radio button of the selector."""

    value: str
    label: Any
    checked: bool


@dataclass(frozen=True)
class SelectorField:
    """One question of the selector (a fieldset)."""

    name: str
    label: Any
    hint: Any
    options: tuple[SelectorOption, ...]


@dataclass(frozen=True)
class FitReason:
    """Why an offer suits a chosen level: a translated label and the content's own reason."""

    label: Any
    reason: Localized


@dataclass(frozen=True)
class Tag:
    """The levels an offer suits on one dimension, for display."""

    dimension: Any
    levels: tuple[Any, ...]
    all_levels: bool
    chosen: Any | None


@dataclass(frozen=True)
class Fit:
    """Whether an offer fits the selection, why it does, and on which dimensions it does not."""

    fits: bool
    reasons: tuple[FitReason, ...]
    misses: tuple[Tag, ...]


def _shorten(value: str) -> str:
    return value if len(value) <= MAX_SHOWN_VALUE else value[: MAX_SHOWN_VALUE - 1] + "…"


def parse_selection(args: Mapping[str, Sequence[str]]) -> Selection:
    """Levels from the query string (one per dimension); empty means 'any', anything else unknown is ignored."""
    levels: dict[str, str] = {}
    ignored: list[tuple[str, str]] = []
    for dimension in DIMENSIONS:
        for raw in args.get(dimension, ()):
            value = raw.strip().lower()
            if not value or levels.get(dimension) == value:
                continue
            if value in LEVELS and dimension not in levels:
                levels[dimension] = value
            else:
                ignored.append((dimension, _shorten(raw)))
    return Selection(levels, tuple(ignored))


def selector_fields(selection: Selection, lang: str) -> tuple[SelectorField, ...]:
    """The selector's three questions with their options in `lang`, the current choice checked."""
    fields = []
    for dimension in DIMENSIONS:
        chosen = selection.levels.get(dimension, "")
        options = [SelectorOption("", shown_label("any", "", lang), chosen == "")]
        options += [SelectorOption(level, shown_label("level", level, lang), chosen == level) for level in LEVELS]
        label, hint = shown_label("dimension", dimension, lang), shown_label("hint", dimension, lang)
        fields.append(SelectorField(dimension, label, hint, tuple(options)))
    return tuple(fields)


def offer_tag(offer: Offer, dimension: str, chosen: str | None, lang: str) -> Tag:
    """The levels `offer` suits on `dimension`, for display in `lang`, with the chosen level if any."""
    levels = offer.levels[dimension]
    return Tag(
        dimension=shown_label("dimension", dimension, lang),
        levels=tuple(shown_label("level", level, lang) for level in levels),
        all_levels=len(levels) == len(LEVELS),
        chosen=shown_label("level", chosen, lang) if chosen else None,
    )


def fit_offer(offer: Offer, selection: Selection, lang: str) -> Fit:
    """Whether `offer` suits every chosen level; the reasons per chosen level, and where it falls short."""
    reasons, misses = [], []
    for dimension in DIMENSIONS:
        level = selection.levels.get(dimension)
        if level is None:
            continue
        if offer.suits(dimension, level):
            reasons.append(FitReason(FIT_LABELS[dimension, level], offer.reasons[dimension].for_language(lang)))
        else:
            misses.append(offer_tag(offer, dimension, level, lang))
    return Fit(not misses, tuple(reasons), tuple(misses))


def chosen_labels(selection: Selection, lang: str) -> tuple[tuple[Any, Any], ...]:
    """The chosen levels as (dimension, level) labels in `lang`, in the selector's order."""
    return tuple(
        (shown_label("dimension", dimension, lang), shown_label("level", selection.levels[dimension], lang))
        for dimension in DIMENSIONS
        if dimension in selection.levels
    )
