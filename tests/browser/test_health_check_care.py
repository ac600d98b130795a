"""Issue 16, with the care team: a resident shares her health checks with her GP practice on the sharing page; the
POH of that practice opens her overview, sees the shared checks and records an estimate with her, shown beside her
own mark. axe finds nothing on the sharing page and the professional's page in every language."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import CareRelation, HealthCheck, HealthCheckEstimate, Organisation
from portal.models.base import utcnow
from portal.services.accounts.second_factor import new_totp_secret
from portal.services.health_check import checks
from portal.services.health_check.answers import Answers
from tests.support.browser import click, go
from tests.support.browser_people import person, resident_login, said, staff_login

RESIDENT = "samira.haddad@example.org"
POH = "poh.ans@example.org"
LANGUAGES = ("nl", "ar", "en", "tr")
WORDS = "Wandelen met mijn buurvrouw houdt mij op de been."
_ = said


def _people(app) -> dict:
    """The POH of the demo GP practice (authenticator app) and Samira in its care, with two checks filled in."""
    with app.app_context():
        practice = db.session.scalar(select(Organisation).where(Organisation.slug == "huisartsenpraktijk-zamenhof"))
        secret = new_totp_secret()
        db.session.add(person(POH, "POH Ans", "professional", "nl", organisation=practice, totp_secret=secret))
        resident = person(RESIDENT, "Samira Haddad", "resident", "ar")
        db.session.add(resident)
        db.session.flush()
        db.session.add(
            CareRelation(
                resident_id=resident.id,
                organisation_id=practice.id,
                status="active",
                started_by="professional",
                active_since=utcnow(),
            )
        )
        domains = {"body": 5, "mind": 6, "social": 7, "societal": 5}
        checks.record(resident, Answers(mark=5, domains=domains), taken_at=utcnow() - timedelta(days=42))
        latest = Answers(mark=7, domains=domains | {"body": 6}, texts={"keeps": WORDS}, talk=("mind",))
        checks.record(resident, latest, taken_at=utcnow() - timedelta(days=1))
        db.session.commit()
        return {"secret": secret, "resident_id": resident.id, "practice": practice.name}


def test_resident_shares_with_her_practice_and_the_poh_records_an_estimate_beside_her_mark(
    page, browser, private_live_app, live_mail, assert_accessible, console_errors
):
    base, app = private_live_app
    people = _people(app)

    # Samira shares her checks with her GP practice: one button, in plain words what it means.
    resident_login(page, base, live_mail, RESIDENT)
    go(page, base + "/nl/health-check/sharing")
    team = page.locator("main li", has_text=people["practice"])
    expect(team).to_contain_text(_("nl", "not shared: this team cannot see your marks and answers."))
    assert_accessible(page)
    click(team.get_by_role("button", name=re.compile(_("nl", "Share"))))
    expect(page.locator(".wp-flash")).to_be_visible()
    expect(team).to_contain_text(_("nl", "shared: this team can see your marks and answers."))
    expect(team.get_by_role("button", name=re.compile(_("nl", "Stop sharing")))).to_be_visible()
    expect(page.locator("main table")).to_contain_text(people["practice"])
    assert_accessible(page)
    for lang in LANGUAGES[1:]:
        go(page, base + f"/{lang}/health-check/sharing")
        if lang == "ar":
            assert page.locator("html").get_attribute("dir") == "rtl"
        assert_accessible(page)

    # The POH opens Samira's overview before the conversation and sees that she shares, with the latest mark.
    poh = browser.new_context().new_page()
    staff_login(poh, base, POH, people["secret"])
    go(poh, base + "/nl/professional/residents")
    click(poh.get_by_role("link", name="Samira Haddad"))
    section = poh.locator("section[aria-labelledby=health-check-heading]")
    expect(section).to_contain_text("7")
    click(section.get_by_role("link"))
    expect(poh).to_have_url(re.compile(rf"/nl/professional/residents/{people['resident_id']}/health-check$"))
    main = poh.locator("main")
    expect(main).to_contain_text(WORDS)
    latest = main.locator("section").first
    expect(latest.locator("h2")).to_contain_text(_("nl", "Latest check, %(day)s").split("%")[0].strip())
    assert_accessible(poh)

    # With Samira, the POH records her own estimate of the mark: a 6 beside Samira's 7.
    latest.locator("input[name=mark]").fill("6")
    latest.locator("input[name=mind]").fill("5")
    click(latest.get_by_role("button", name=_("nl", "Save the estimate")))
    expect(poh.locator(".wp-flash")).to_be_visible()
    latest = poh.locator("main section").first
    expect(latest).to_contain_text("POH Ans")
    side_by_side = latest.locator("p", has_text="POH Ans").last
    expect(side_by_side).to_contain_text("7")
    expect(side_by_side).to_contain_text("6")
    expect(latest.locator("input[name=mark]")).to_have_count(0)  # one estimate per check and team
    assert_accessible(poh)
    with app.app_context():
        of_samira = select(db.func.count(HealthCheckEstimate.id)).join(HealthCheckEstimate.check)
        assert db.session.scalar(of_samira.where(HealthCheck.resident_id == people["resident_id"])) == 1
    for lang in LANGUAGES[1:]:
        go(poh, base + f"/{lang}/professional/residents/{people['resident_id']}/health-check")
        assert_accessible(poh)

    # Samira sees on her own page who looked at her health checks.
    go(page, base + "/nl/account/viewed-by")
    expect(page.locator("main table")).to_contain_text("POH Ans")
    assert console_errors == []
