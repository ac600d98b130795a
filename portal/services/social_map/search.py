"""Searching and filtering the social map: one query shape for the list, the map and the data feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Location, Programme, ProgrammeAudience, ProgrammeLanguage, ProgrammeText, Session, sort_title
from portal.models.base import utcnow
from portal.services.markdown import markdown_to_text
from portal.services.social_map.filters import DAYS, PARTS_OF_DAY, ProgrammeFilters
from portal.services.social_map.programmes import next_sessions, with_card_details
from portal.services.text_search import Snippet, find_snippet, search_terms

PER_PAGE = 20
TITLE_WEIGHT = 3
BODY_WEIGHT = 1


@dataclass(frozen=True)
class SearchResult:
    """One programme in a result list, with its next session and the text that matched."""

    programme: Programme
    next_session: Session | None
    snippet: Snippet | None
    snippet_locale: str | None


@dataclass(frozen=True)
class SearchPage:
    """One page of search results."""

    results: list[SearchResult]
    page: int
    pages: int
    total: int
    per_page: int


def _term_score(term: str, locales: tuple[str, ...]):
    text = aliased(ProgrammeText)
    return (
        select(
            func.max(
                case(
                    (text.search_title.contains(term, autoescape=True), TITLE_WEIGHT),
                    (text.search_body.contains(term, autoescape=True), BODY_WEIGHT),
                    else_=0,
                )
            )
        )
        .where(text.programme_id == Programme.id, text.locale.in_(locales))
        .scalar_subquery()
    )


def _session_condition(filters: ProgrammeFilters, now: datetime):
    conditions = [Session.programme_id == Programme.id, Session.status == "scheduled", Session.starts_at > now]
    if filters.day:
        conditions.append(Session.local_weekday.in_([DAYS.index(d) for d in filters.day]))
    if filters.time:
        conditions.append(
            or_(*(Session.local_minute.between(*_minute_range(part)) for part in filters.time)),
        )
    return exists().where(*conditions)


def _minute_range(part: str) -> tuple[int, int]:
    start, end = PARTS_OF_DAY[part]
    return start, end - 1


def filter_conditions(filters: ProgrammeFilters, now: datetime) -> list:
    """SQL conditions on Programme for every filter except the search text."""
    conditions = [Programme.status == "published"]
    if filters.category:
        conditions.append(Programme.category.in_(filters.category))
    if filters.audience:
        conditions.append(
            exists().where(
                ProgrammeAudience.programme_id == Programme.id, ProgrammeAudience.audience.in_(filters.audience)
            )
        )
    if filters.language:
        conditions.append(
            exists().where(
                ProgrammeLanguage.programme_id == Programme.id, ProgrammeLanguage.language.in_(filters.language)
            )
        )
    if filters.cost == "free":
        conditions.append(Programme.cost_cents == 0)
    elif filters.cost == "paid":
        conditions.append(Programme.cost_cents > 0)
    if filters.referral == "needed":
        conditions.append(Programme.referral_required.is_(True))
    elif filters.referral == "none":
        conditions.append(Programme.referral_required.is_(False))
    if filters.wheelchair == "yes":
        conditions.append(
            exists().where(Location.id == Programme.location_id, Location.wheelchair_accessible.is_(True))
        )
    if filters.day or filters.time:
        conditions.append(_session_condition(filters, now))
    return conditions


def _score(term: str, locales: tuple[str, ...], category_words: dict[str, str]):
    """How well one search word matches: in the title, in the text, or in the category's name."""
    score = _term_score(term, locales)
    categories = [code for code, words in category_words.items() if term in words]
    if categories:
        score = score + case((Programme.category.in_(categories), BODY_WEIGHT), else_=0)
    return score


def ranked_ids(
    filters: ProgrammeFilters, locale: str, now: datetime | None = None, category_words: dict[str, str] | None = None
) -> Select:
    """Ids of matching programmes, best match first, then by title in `locale` (Dutch fallback).

    Every search word must occur in a programme's title or text (in `locale` or Dutch), or in the
    name of its category as given by `category_words` (code -> folded names)."""
    now = now or utcnow()
    locales = tuple(dict.fromkeys((locale, "nl")))
    dutch = aliased(ProgrammeText)
    local = aliased(ProgrammeText)
    sort_title = func.coalesce(local.search_title, dutch.search_title).label("sort_title")
    terms = search_terms(filters.q)
    scores = [_score(term, locales, category_words or {}).label(f"t{i}") for i, term in enumerate(terms)]
    inner = (
        select(Programme.id.label("id"), sort_title, *scores)
        .join(dutch, and_(dutch.programme_id == Programme.id, dutch.locale == "nl"))
        .outerjoin(local, and_(local.programme_id == Programme.id, local.locale == locale))
        .where(*filter_conditions(filters, now))
        .subquery()
    )
    columns = [inner.c[f"t{i}"] for i in range(len(terms))]
    query = select(inner.c.id).where(*(column > 0 for column in columns))
    if columns:
        query = query.order_by(sum(columns[1:], columns[0]).desc())
    return query.order_by(inner.c.sort_title, inner.c.id)


def listed_in(filters: ProgrammeFilters, locale: str, now: datetime, category_words: dict[str, str] | None = None):
    """A condition on Programme: it is listed and matches `filters` (the search text too)."""
    if search_terms(filters.q):
        ranked = ranked_ids(filters, locale, now, category_words).order_by(None).subquery()
        return Programme.id.in_(select(ranked.c.id))
    return and_(*filter_conditions(filters, now), Programme.sort_title_nl.is_not(None))  # has a Dutch text


def matching_ids(
    filters: ProgrammeFilters, locale: str, now: datetime, category_words: dict[str, str] | None = None
) -> Select:
    """Ids of the matching programmes in list order: by relevance with a search text, else by title in `locale`.

    Without a search text the order is that of an index, so a page costs the same with 200 or 20,000 programmes."""
    if search_terms(filters.q):
        return ranked_ids(filters, locale, now, category_words)
    order = sort_title(locale)
    return select(Programme.id).where(listed_in(filters, locale, now)).order_by(order, Programme.id)


def _snippet(programme: Programme, locale: str, terms: list[str]) -> tuple[Snippet | None, str | None]:
    for text in dict.fromkeys((programme.text(locale), programme.text("nl"))):
        plain = f"{text.summary} {markdown_to_text(text.description)}"
        snippet = find_snippet(plain, terms)
        if snippet:
            return snippet, text.locale
    return None, None


def search_programmes(
    filters: ProgrammeFilters,
    locale: str,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
    category_words: dict[str, str] | None = None,
) -> SearchPage:
    """One page of published programmes matching `filters`, with next sessions and snippets."""
    now = now or utcnow()
    ids_query = matching_ids(filters, locale, now, category_words)
    total = db.session.scalar(select(func.count()).select_from(ids_query.order_by(None).subquery())) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    ids = list(db.session.scalars(ids_query.limit(per_page).offset((page - 1) * per_page)))
    loaded = db.session.scalars(with_card_details(select(Programme).where(Programme.id.in_(ids))))
    programmes = {programme.id: programme for programme in loaded}
    upcoming = next_sessions(ids, now)
    terms = search_terms(filters.q)
    results = []
    for programme_id in ids:
        programme = programmes[programme_id]
        snippet, snippet_locale = _snippet(programme, locale, terms) if terms else (None, None)
        results.append(SearchResult(programme, upcoming.get(programme_id), snippet, snippet_locale))
    return SearchPage(results, page, pages, total, per_page)


def spoken_languages() -> list[str]:
    """The languages spoken at published programmes, Dutch first, then alphabetically.

    One step through the language index per distinct language (a recursive query), never a scan of every row."""
    spoken = ProgrammeLanguage
    codes = select(func.min(spoken.language).label("code")).cte("codes", recursive=True)
    following = select(func.min(spoken.language)).where(spoken.language > codes.c.code).scalar_subquery()
    codes = codes.union_all(select(following).where(codes.c.code.is_not(None)))
    # A subquery with LIMIT, which neither planner turns into a join over every row: per language, its rows are
    # walked until the first published programme.
    first_published = (
        select(spoken.programme_id)
        .join(Programme, Programme.id == spoken.programme_id)
        .where(spoken.language == codes.c.code, Programme.status == "published")
        .limit(1)
        .scalar_subquery()
    )
    found = db.session.scalars(select(codes.c.code).where(codes.c.code.is_not(None), first_published.is_not(None)))
    return sorted(set(found), key=lambda code: (code != "nl", code))
