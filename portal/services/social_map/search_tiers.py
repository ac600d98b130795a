"""A one-word search on SQLite read tier by tier: the first page seldom needs more than the title's hits."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from sqlalchemy import Integer, Select, String, bindparam, func, select, union_all

from portal.models import Programme, sort_title
from portal.models.programme_order import code_point_order
from portal.services.search_index.matching import FIELDS, matching_selects
from portal.services.search_index.query import QueryWord
from portal.services.social_map.filters import ProgrammeFilters
from portal.services.social_map.search_statements import (
    STATEMENTS_KEPT,
    WordShape,
    any_place_name,
    bound_terms,
    filter_conditions,
    word_shape,
)


def _hits(field: str | None, locale: str, terms):
    return matching_selects(field, {locale: terms}, "sqlite")[0].subquery()


@lru_cache(maxsize=STATEMENTS_KEPT)
def _tiered_statements(filters: ProgrammeFilters, locale: str, shape: WordShape) -> tuple[Select, Select]:
    now = bindparam("now")
    title = sort_title(locale)
    listed = (*filter_conditions(filters, now), title.is_not(None))
    order = (code_point_order(title, "sqlite"), Programme.id)
    reach = bindparam("limit", type_=Integer) + bindparam("offset", type_=Integer)
    places, _ = shape
    (text_locale,) = {place_locale for _, locales in places for place_locale in locales}
    # One tier per place, in order of points (title, then text; exact, partial, typo): the look-ups skip the texts
    # an earlier one found (`word_parameters`), so each programme comes once, in the tier of its best place, and
    # the tiers one after the other are the order of score, title and id. Each tier sorts only as many rows as the
    # page reaches, and UNION ALL under a LIMIT stops reading tiers once the page is full.
    tiers = []
    for field in FIELDS:
        for kind, locales in places:
            if locales:
                hits = _hits(field, text_locale, bound_terms(0, field, kind, text_locale))
                tier = select(Programme.id).join(hits, hits.c.programme_id == Programme.id).where(*listed)
                tiers.append(select(tier.order_by(*order).limit(reach).subquery().c.id))
    everywhere = _hits(None, text_locale, bindparam(any_place_name(0, text_locale), type_=String))
    count = (
        select(func.count())
        .select_from(Programme)
        .join(everywhere, everywhere.c.programme_id == Programme.id)
        .where(*listed)
    )
    page = union_all(*tiers).subquery()
    total = count.scalar_subquery().label("total")
    window = select(page.c.id, total).limit(bindparam("limit", type_=Integer))
    return window.offset(bindparam("offset", type_=Integer)), count


def tiered_statements(filters: ProgrammeFilters, locale: str, words: list[QueryWord], dialect: str):
    """As `ranked_statements`, for a search that `one_place_per_text` takes once per programme (SQLite): a page of
    the ranked ids with the count of them all, and the count alone."""
    assert dialect == "sqlite", dialect
    return _tiered_statements(replace(filters, q=""), locale, word_shape(words[0]))
