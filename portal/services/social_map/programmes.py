"""Reading the social map: published programmes, their texts and upcoming sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, bindparam, func, literal, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Location, Programme, ProgrammeText, Session

MIN_SLOTS = 8


def with_details(query):
    """`query` with the texts, location, organisation and audiences loaded in one extra query each."""
    return query.options(
        selectinload(Programme.translations),
        selectinload(Programme.location),
        selectinload(Programme.organisation),
        selectinload(Programme.audiences),
    )


def _padded(ids: list[int]) -> list[int]:
    size = max(MIN_SLOTS, 1 << max(len(ids) - 1, 0).bit_length())
    return [*ids, *([0] * (size - len(ids)))]


@dataclass(frozen=True)
class CardText:
    """A programme's title, summary and (for snippets) the readable text of its description in one language."""

    locale: str
    title: str
    summary: str
    description_text: str | None


@dataclass(frozen=True)
class Card:
    """What a programme card shows: the programme's texts in the page's language and Dutch, and its next start."""

    id: int
    slug: str
    category: str
    cost_cents: int
    location_name: str | None
    next_start: datetime | None
    texts: dict[str, CardText]

    def text(self, locale: str) -> CardText:
        """The texts in `locale`, falling back to Dutch, which every programme has."""
        return self.texts.get(locale) or self.texts["nl"]

    @property
    def is_free(self) -> bool:
        """True when taking part costs nothing."""
        return self.cost_cents == 0


@cache
def _cards_statement(size: int, descriptions: bool):
    """The cards of `size` ids (`id_<n>`), one row per text in `locale` or Dutch, with the first upcoming start
    (after `now`): built once per size, since building it cost more than running it."""
    next_start = (
        select(func.min(Session.starts_at))
        .where(Session.programme_id == Programme.id, Session.status == "scheduled")
        .where(Session.starts_at > bindparam("now"))
        .scalar_subquery()
    )
    programme = (Programme.id, Programme.slug, Programme.category, Programme.cost_cents, Location.name, next_start)
    texts = (ProgrammeText.locale, ProgrammeText.title, ProgrammeText.summary)
    return (
        select(*programme, *texts)
        .add_columns(ProgrammeText.description_text if descriptions else literal(None))
        .join(ProgrammeText, ProgrammeText.programme_id == Programme.id)
        .outerjoin(Location, Location.id == Programme.location_id)
        .where(
            Programme.id.in_([bindparam(f"id_{number}", type_=Integer) for number in range(size)]),
            ProgrammeText.locale.in_([bindparam("locale"), literal("nl")]),
        )
    )


def cards(ids: list[int], locale: str, now: datetime, descriptions: bool = False) -> dict[int, Card]:
    """The cards of the programmes with these ids, by id, in one query: texts in `locale` and Dutch (the readable
    descriptions too when asked), location name and the first scheduled session after `now`."""
    if not ids:
        return {}
    padded = _padded(ids)
    parameters = {f"id_{number}": value for number, value in enumerate(padded)} | {"locale": locale, "now": now}
    found: dict[int, Card] = {}
    statement = _cards_statement(len(padded), descriptions)
    for row in db.session.connection().execute(statement, parameters):  # plain rows: no ORM step needed
        programme_id, slug, category, cost_cents, location_name, next_start, text_locale, *text = row
        card = found.get(programme_id) or Card(programme_id, slug, category, cost_cents, location_name, next_start, {})
        card.texts[text_locale] = CardText(text_locale, *text)
        found[programme_id] = card
    return found
