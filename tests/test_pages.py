"""Home, the programme list and page, and the organisations page, in every language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from tests.factories import OrganisationFactory, ProgrammeFactory, SessionFactory
from tests.support.queries import count_queries

LANGUAGES = ("nl", "en", "tr", "ar")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_top_level_pages_answer_in_every_language(client, lang):
    programme = ProgrammeFactory(slug="in-beweging", texts={"en": "In Beweging EN"})
    OrganisationFactory(neighbourhood=programme.organisation.neighbourhood, kind="buurtteam")
    db.session.commit()
    for path in ("", "programmes", "programmes/in-beweging", "organisations"):
        response = client.get(f"/{lang}/{path}")
        assert response.status_code == 200, path


def test_programme_page_shows_text_in_the_language_or_dutch(client):
    ProgrammeFactory(slug="in-beweging", texts={"en": "Moving together"})
    db.session.commit()
    assert "Moving together" in client.get("/en/programmes/in-beweging").get_data(as_text=True)
    turkish = client.get("/tr/programmes/in-beweging").get_data(as_text=True)
    assert "Activiteit in-beweging" in turkish
    assert 'lang="nl"' in turkish  # the Dutch fallback is marked for screen readers


def test_programme_page_lists_audiences_and_languages_in_code_order_in_few_statements(client):
    from portal.models import ProgrammeAudience, ProgrammeLanguage

    programme = ProgrammeFactory(slug="lijsten")
    programme.audiences = [ProgrammeAudience(audience=code) for code in ("ouderen", "kinderen", "volwassenen")]
    programme.languages = [ProgrammeLanguage(language=code) for code in ("tr", "ar", "nl")]
    db.session.commit()
    assert client.get("/nl/programmes/lijsten").status_code == 200  # templates compiled (another page to cache)
    with count_queries() as statements:
        html = client.get("/en/programmes/lijsten").get_data(as_text=True)
    audiences = html.split("For whom")[1].split("</dd>")[0]
    assert audiences.index("Children") < audiences.index("Older people") < audiences.index("Adults")
    spoken = html.split("Languages spoken")[1].split("</dd>")[0]
    assert spoken.index("Arabic") < spoken.index("Dutch") < spoken.index("Turkish")
    # The programme with its place, organisation and both short lists; its texts; its sessions; the neighbourhood.
    assert len(statements) == 4, statements


def test_programme_page_lists_upcoming_sessions_with_free_places(client):
    session = SessionFactory(capacity=12, booked=5)
    SessionFactory(programme=session.programme, starts_at=datetime.now(UTC) - timedelta(days=1))
    db.session.commit()
    html = client.get(f"/nl/programmes/{session.programme.slug}").get_data(as_text=True)
    assert "7 plaatsen vrij" in html
    assert html.count('class="wp-sessions__item"') == 1


def test_unknown_and_unpublished_programmes_are_404(client):
    ProgrammeFactory(slug="concept-x7", status="draft")
    ProgrammeFactory(slug="archief-x8", status="archived")
    db.session.commit()
    for slug in ("concept-x7", "archief-x8", "bestaat-niet", "%3Cscript%3E"):
        assert client.get(f"/nl/programmes/{slug}").status_code == 404
    listing = client.get("/nl/programmes").get_data(as_text=True)
    assert "x7" not in listing and "x8" not in listing


def test_description_markdown_is_sanitised(client):
    programme = ProgrammeFactory(slug="xss")
    programme.text("nl").description = "**Welkom**<script>alert(1)</script>"
    db.session.commit()
    html = client.get("/nl/programmes/xss").get_data(as_text=True)
    assert "<strong>Welkom</strong>" in html and "<script>alert" not in html


@pytest.mark.parametrize("page", ["0", "-1", "abc", "", "99999999999", "1.5"])
def test_odd_page_numbers_show_page_one_or_the_last(client, page):
    ProgrammeFactory()
    db.session.commit()
    response = client.get(f"/nl/programmes?page={page}")
    assert response.status_code == 200


def test_pagination_splits_the_list(client):
    for n in range(25):
        ProgrammeFactory(slug=f"p-{n:02d}")
    db.session.commit()
    first = client.get("/nl/programmes").get_data(as_text=True)
    second = client.get("/nl/programmes?page=2").get_data(as_text=True)
    assert first.count('class="wp-card"') == 20
    assert second.count('class="wp-card"') == 5
    assert "25 activiteiten" in first
    past = client.get("/nl/programmes?page=3").get_data(as_text=True)  # past the last: the last page, counted
    assert past.count('class="wp-card"') == 5 and "25 activiteiten" in past


def test_sql_statements_do_not_grow_with_the_number_of_programmes(client):
    def statements_for(extra: int) -> int:
        for _ in range(extra):
            SessionFactory()
        db.session.commit()
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get("/nl/programmes").status_code == 200
        return len(statements)

    few = statements_for(2)
    many = statements_for(15)
    assert few == many, (few, many)


def test_organisations_page_shows_each_organisation_with_its_contacts_and_links(client, login):
    gp = OrganisationFactory(name="Huisartsen Zamenhof", kind="practice", website="https://zamenhof.example.org")
    team = OrganisationFactory(name="Buurtteam", kind="buurtteam", phone=None, description={"nl": "", "en": "Team"})
    db.session.commit()
    html = client.get("/nl/organisations").get_data(as_text=True)
    assert html.count('class="wp-card"') == 2
    assert f'href="/nl/care-team/ask/{gp.id}">Vraag Huisartsen Zamenhof om hulp</a>' in html
    assert f'href="/nl/care-team/ask/{team.id}">Vraag Buurtteam om hulp</a>' in html
    assert '<a href="tel:0300000000" dir="ltr">030 000 0000</a>' in html and html.count("<dt>Telefoon</dt>") == 1
    assert '<a href="https://zamenhof.example.org" dir="ltr">' in html and "<dt>Adres</dt>" in html
    english = client.get("/en/organisations").get_data(as_text=True)
    assert "<p>Team</p>" in english and '<p lang="nl">Een organisatie in de wijk.</p>' in english
    login("professional")
    signed_in = client.get("/nl/organisations").get_data(as_text=True)
    assert (
        f'href="/nl/professional/referrals/new?organisation={gp.id}">Een bewoner verwijzen naar Huisartsen' in signed_in
    )
    assert "/care-team/ask/" not in signed_in
