"""The programmes' sort titles follow their texts on every flush, and give the list its order in each language."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import Programme, ProgrammeText
from tests.factories import ProgrammeFactory
from tests.support.queries import count_queries


def _titles(programme: Programme) -> dict[str, str | None]:
    db.session.expire(programme)
    return {locale: getattr(programme, f"sort_title_{locale}") for locale in ("nl", "en", "tr", "ar")}


def _listed(client, lang: str) -> list[str]:
    html = client.get(f"/{lang}/programmes").get_data(as_text=True)
    return re.findall(r'href="/\w\w/programmes/([a-z0-9-]+)"', html)


def test_new_programme_gets_folded_titles_with_dutch_for_untranslated_languages(app):
    programme = ProgrammeFactory(texts={"nl": "Çay İçin Ölçü", "tr": "Çay saati"})
    db.session.commit()
    assert _titles(programme) == {
        "nl": "cay icin olcu",
        "en": "cay icin olcu",
        "tr": "cay saati",
        "ar": "cay icin olcu",
    }


def test_editing_adding_and_removing_texts_updates_the_sort_titles(app):
    programme = ProgrammeFactory(texts={"nl": "Wandelen"})
    db.session.commit()
    programme.text("nl").title = "Zwemmen"
    db.session.commit()
    assert _titles(programme)["en"] == "zwemmen"
    programme.translations.append(ProgrammeText(locale="en", title="Swimming", summary="s", description=""))
    db.session.commit()
    assert _titles(programme) == {"nl": "zwemmen", "en": "swimming", "tr": "zwemmen", "ar": "zwemmen"}
    programme.translations.remove(programme.text("en"))
    db.session.commit()
    assert _titles(programme)["en"] == "zwemmen"


def test_a_text_changed_on_its_own_or_added_by_id_updates_its_programme(app):
    programme = ProgrammeFactory(texts={"nl": "Koken"})
    db.session.commit()
    programme_id = programme.id
    db.session.expunge_all()
    text = db.session.get(ProgrammeText, (programme_id, "nl"))
    text.title = "Bakken"
    db.session.add(ProgrammeText(programme_id=programme_id, locale="ar", title="الخبز", summary="s", description=""))
    db.session.commit()
    stored = db.session.get(Programme, programme_id)
    assert _titles(stored) == {"nl": "bakken", "en": "bakken", "tr": "bakken", "ar": "الخبز"}


def test_a_programme_without_dutch_text_has_no_sort_title_and_is_not_listed(app, client):
    shown = ProgrammeFactory(slug="met-nederlands")
    hidden = ProgrammeFactory(slug="zonder-nederlands", texts={"en": "English only"})
    db.session.commit()
    hidden.translations.remove(hidden.text("nl"))
    db.session.commit()
    assert set(_titles(hidden).values()) == {None}
    assert _listed(client, "en") == [shown.slug]
    assert "1 activity found" in client.get("/en/programmes").get_data(as_text=True)


def test_the_list_is_ordered_by_the_title_in_the_visitors_language_with_dutch_in_between(client):
    ProgrammeFactory(slug="b", texts={"nl": "Bakken", "en": "Zumba"})
    ProgrammeFactory(slug="c", texts={"nl": "Clubavond"})
    ProgrammeFactory(slug="a", texts={"nl": "Atelier", "en": "Drawing"})
    db.session.commit()
    assert _listed(client, "nl") == ["a", "b", "c"]
    assert _listed(client, "en") == ["c", "a", "b"]  # Clubavond (Dutch), Drawing, Zumba


def test_a_change_that_touches_no_text_reads_no_texts(app):
    ProgrammeFactory(texts={"nl": "Dansen"})
    db.session.commit()
    db.session.expunge_all()
    programme = db.session.scalars(select(Programme)).one()
    programme.cost_cents = 100
    with count_queries() as statements:
        db.session.flush()
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("UPDATE PROGRAMMES")
    assert programme.sort_title_nl == "dansen"
