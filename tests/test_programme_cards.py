"""A page of programme cards in one statement: texts in the page's language and Dutch, place, and next start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.extensions import db
from portal.services.social_map.programmes import cards
from tests.factories import ProgrammeFactory, SessionFactory
from tests.support.queries import count_queries


def test_cards_hold_what_a_card_shows_in_one_statement(app):
    now = datetime.now(UTC).replace(microsecond=0)
    translated = ProgrammeFactory(texts={"en": "Walking", "tr": "Yürüyüş"}, cost_cents=250)
    dutch_only = ProgrammeFactory(location=None)
    SessionFactory(programme=translated, starts_at=now + timedelta(days=3))
    SessionFactory(programme=translated, starts_at=now + timedelta(days=1))
    SessionFactory(programme=translated, starts_at=now + timedelta(hours=2), status="cancelled")
    SessionFactory(programme=translated, starts_at=now - timedelta(days=1))
    db.session.commit()
    ids = [translated.id, dutch_only.id] + list(range(10_000, 10_020))  # ids of no programme are left out

    with count_queries() as statements:
        found = cards(ids, "en", now)
    assert len(statements) == 1
    assert set(found) == {translated.id, dutch_only.id}
    card, plain = found[translated.id], found[dutch_only.id]
    assert set(card.texts) == {"en", "nl"}  # not Turkish: the page shows its own language or Dutch
    assert (card.text("en").title, card.text("en").description_text) == ("Walking", None)
    assert (plain.text("en").locale, plain.text("en").title) == ("nl", f"Activiteit {dutch_only.slug}")
    assert (card.slug, card.category, card.cost_cents, card.is_free) == (translated.slug, "bewegen", 250, False)
    assert (card.location_name, plain.location_name, plain.is_free) == (translated.location.name, None, True)
    assert card.next_start == now + timedelta(days=1)  # the first scheduled one after now, not the past one
    assert plain.next_start is None
    assert cards(ids, "en", now, descriptions=True)[translated.id].text("en").description_text == "Over Walking."
