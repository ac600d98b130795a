"""Issue 16, for the neighbourhood: a coordinator opens the health-check figures and sees the means of all residents
at their 1st, 2nd and 3rd check with the count beside each, the small group of one route map hidden, a chart and a
CSV; a resident's id in the address changes nothing; axe finds nothing in any language."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Organisation, Referral
from portal.models.base import utcnow
from portal.services.accounts.second_factor import new_totp_secret
from portal.services.health_check import checks
from portal.services.health_check.answers import Answers
from tests.support.browser import click, go
from tests.support.browser_people import person, said, staff_login

COORDINATOR = "coordinator.mila@example.org"
ROUTE_MAP = "meer-bewegen"
LANGUAGES = ("nl", "en", "tr", "ar")
# Twelve residents' marks at their 1st, 2nd and 3rd check: the shape of the Nivel figure (4.7, 5.7, 6.1).
MARKS = ((4, 6, 6), (5, 5, 6), (5, 6, 7), (4, 6, 6), (5, 5, 6), (5, 6, 6))


def _neighbourhood(app) -> dict:
    """A coordinator; twelve residents with three checks each; three of them referred through one route map."""
    with app.app_context():
        practice = db.session.scalar(select(Organisation).where(Organisation.slug == "huisartsenpraktijk-zamenhof"))
        secret = new_totp_secret()
        db.session.add(person(COORDINATOR, "Mila", "admin", "nl", organisation=practice, totp_secret=secret))
        now = utcnow()
        first = None
        for i in range(12):
            resident = person(f"bewoner{i}@example.org", f"Bewoner {i}", "resident", "nl")
            db.session.add(resident)
            db.session.flush()
            first = first or resident
            for measurement, mark in enumerate(MARKS[i % len(MARKS)]):
                answers = Answers(mark=mark, domains={"body": mark, "mind": 6, "social": 5 + i % 3, "societal": 4})
                checks.record(resident, answers, taken_at=now - timedelta(days=120 - 50 * measurement))
            if i < 3:
                db.session.add(
                    Referral(
                        resident_id=resident.id,
                        referrer_organisation_id=practice.id,
                        organisation_id=practice.id,
                        route_map=ROUTE_MAP,
                        note="Graag.",
                        status="requested",
                        agreement="consultation",
                        agreed_at=now,
                        requested_at=now,
                    )
                )
        db.session.commit()
        return {"secret": secret, "resident_id": first.id}


def test_the_coordinator_sees_the_neighbourhoods_means_with_small_groups_hidden(
    page, private_live_app, assert_accessible, console_errors
):
    base, app = private_live_app
    people = _neighbourhood(app)
    staff_login(page, base, COORDINATOR, people["secret"])

    go(page, base + "/nl/admin/reports/")
    click(
        page.locator("main").get_by_role(
            "link", name=said("nl", "Health check figures: the mean mark for health per check, route map and month")
        )
    )
    expect(page).to_have_url(re.compile(r"/nl/admin/reports/health-check$"))
    everyone = page.locator("#hc-measurements tr[data-group=all]")
    expect(everyone).to_have_count(3)
    for row in range(3):
        residents = everyone.nth(row).locator("td[data-key=residents]").inner_text()
        assert int(residents) >= 12  # the twelve, and any demo resident of the live app
        expect(everyone.nth(row).locator("td[data-key=mark]")).to_have_text(re.compile(r"^\d+,\d$"))
    referred = page.locator(f"#hc-measurements tr[data-group={ROUTE_MAP}] td[data-key=residents]")
    expect(referred.first).to_have_text("< 10")
    expect(page.locator("main svg[role=img]").first).to_be_visible()
    assert_accessible(page)

    # The CSV holds the same cells; asking for one resident changes nothing.
    csv = page.request.get(base + "/nl/admin/reports/health-check.csv")
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "<10" in csv.text()
    go(page, base + f"/nl/admin/reports/health-check?resident={people['resident_id']}")
    expect(page.locator(f"#hc-measurements tr[data-group={ROUTE_MAP}] td[data-key=residents]").first).to_have_text(
        "< 10"
    )

    for lang in LANGUAGES[1:]:
        go(page, base + f"/{lang}/admin/reports/health-check")
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
        assert_accessible(page)
    assert console_errors == []
