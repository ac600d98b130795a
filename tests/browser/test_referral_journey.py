"""Issue 15's journey: a GP refers a resident with low health literacy and low motivation through the route map
Meer Bewegen to the Beweegconsult; the beweegmakelaar accepts, writes in the handover thread and offers a slot; the
resident, reading Turkish, books it; the beweegmakelaar completes the referral and the GP sees the loop closed. A
second referral is declined for no capacity with the expected wait; a third goes overdue and the reminder reaches the
receiving team. The FHIR export of each validates."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache
from pathlib import Path

import pyotp
from babel.support import Translations
from fhir.resources.R4B.bundle import Bundle
from playwright.sync_api import expect
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import CareRelation, Organisation, Referral, User
from portal.models.base import utcnow
from portal.services import mail_outbox
from portal.services.accounts.passwords import hash_password
from portal.services.accounts.second_factor import new_totp_secret
from portal.services.referrals import followup
from tests.support.browser import click, go, submit
from tests.support.mail import body, code_in

PASSWORD = "een lange zin als wachtwoord 2026"
RESIDENT = "ayse.kaya@example.org"
GP = "dokter.zamenhof@example.org"
BROKER = "bram.beweegmakelaar@example.org"
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
NOTE = "Mevrouw wil graag meer bewegen, maar durft niet alleen. Ze leest Nederlands niet goed; graag in het Turks."
WELCOME = "Hoş geldiniz! Ik ben Bram. Past dinsdag u? Dan maken we kennis."


@cache
def _catalog(lang: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [lang])


def _(lang: str, message: str) -> str:
    return _catalog(lang).gettext(message)


def _people(app) -> dict:
    """A GP of the demo practice and a beweegmakelaar (authenticator app), and a Turkish-reading resident in the
    practice's care."""
    with app.app_context():
        practice = db.session.scalar(select(Organisation).where(Organisation.slug == "huisartsenpraktijk-zamenhof"))
        brokers = db.session.scalar(select(Organisation).where(Organisation.slug == "beweegmakelaars-overvecht"))
        secrets = {GP: new_totp_secret(), BROKER: new_totp_secret()}
        staff = ((GP, "Dokter Visser", "professional", practice), (BROKER, "Bram (beweegmakelaar)", "broker", brokers))
        for email, name, role, organisation in staff:
            db.session.add(_user(email, name, role, "nl", organisation=organisation, totp_secret=secrets[email]))
        resident = _user(RESIDENT, "Ayşe Kaya", "resident", "tr")
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
        db.session.commit()
        buurtteam = db.session.scalar(select(Organisation).where(Organisation.slug == "buurtteam-overvecht-sociaal"))
        return {"secrets": secrets, "brokers_mail": brokers.email, "buurtteam_mail": buurtteam.email}


def _user(email, name, role, locale, **fields) -> User:
    return User(
        email=email,
        password_hash=hash_password(PASSWORD),
        display_name=name,
        role=role,
        locale=locale,
        second_factor="totp" if role != "resident" else "email",
        email_confirmed_at=utcnow(),
        **fields,
    )


def _staff_login(page, base, email, secret):
    go(page, base + "/nl/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    submit(page)
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    submit(page)
    expect(page).not_to_have_url(re.compile(r"/login"))


def _resident_login(page, base, live_mail):
    go(page, base + "/tr/login")
    page.locator("#email").fill(RESIDENT)
    page.locator("#password").fill(PASSWORD)
    submit(page)
    page.locator("#code").fill(code_in(live_mail(RESIDENT)))
    submit(page)


def _refer_from_route_map(gp, base, programme_title: str, note: str) -> str:
    """The GP refers Ayşe from the offer step of Meer Bewegen, levels low; returns the referral page's URL."""
    go(gp, base + "/nl/routekaarten/meer-bewegen?gezondheidsvaardigheden=laag&motivatie=laag#step-aanbod")
    card = gp.locator(".wp-offer", has_text=programme_title)
    click(card.get_by_role("link", name=_("nl", "Refer a resident to this offer")))
    expect(gp.locator("#gezondheidsvaardigheden-1")).to_be_checked()  # the selector's levels came along
    return _fill_referral(gp, note)


def _fill_referral(gp, note: str) -> str:
    """Choose Ayşe, write the note, record her agreement and send; returns the referral page's URL."""
    gp.locator("#resident").select_option(label="Ayşe Kaya")
    gp.locator("#note").fill(note)
    gp.locator("#agreement-0").check()  # agreed in the consultation
    submit(gp)
    expect(gp).to_have_url(re.compile(r"/nl/professional/referrals/\d+$"))
    return gp.url


def _status(page, action: str, reason: str | None = None, wait: str | None = None) -> None:
    """Open the status change `action` (its button text), choose the reason and wait, and send it."""
    details = page.locator("details.wp-details", has=page.locator("summary", has_text=action))
    details.locator("summary").click()
    if reason:
        details.locator("select[name=reason]").select_option(value=reason)
    if wait:
        details.locator("select[name=wait]").select_option(value=wait)
    click(details.get_by_role("button", name=action))
    expect(page.locator(".wp-flash")).to_be_visible()


def _fhir_validates(page, url: str) -> dict:
    response = page.request.get(url.replace("/nl/professional/referrals/", "/nl/professional/referrals/") + "/fhir")
    assert response.status == 200 and response.headers["content-type"].startswith("application/fhir+json")
    data = response.json()
    Bundle.model_validate(data)
    return {entry["resource"]["resourceType"]: entry["resource"] for entry in data["entry"]}


def test_gp_refers_broker_accepts_resident_books_loop_closes(
    page, browser, private_live_app, live_mail, assert_accessible, console_errors
):
    base, app = private_live_app
    people = _people(app)
    gp = browser.new_context().new_page()
    broker = browser.new_context().new_page()

    # The GP refers Ayşe, low health literacy and low motivation, through Meer Bewegen to the Beweegconsult.
    _staff_login(gp, base, GP, people["secrets"][GP])
    referral_url = _refer_from_route_map(gp, base, "Beweegconsult", NOTE)
    expect(gp.locator(".wp-status")).to_contain_text(_("nl", "Sent, not yet answered"))
    assert_accessible(gp)

    # The beweegmakelaar finds it, accepts, writes in the handover thread and offers a slot.
    _staff_login(broker, base, BROKER, people["secrets"][BROKER])
    assert "Ayşe" not in body(live_mail(people["brokers_mail"]))  # the team's notice says nothing about her
    go(broker, base + "/nl/professional/referrals")
    assert_accessible(broker)
    click(broker.get_by_role("link", name="Ayşe Kaya"))
    expect(broker.locator("main")).to_contain_text(NOTE)
    expect(broker.locator("main")).to_contain_text(_("nl", "Health literacy") + ": " + _("nl", "Low"))
    _status(broker, _("nl", "Accept"))
    broker.locator("#body").fill(WELCOME)
    broker.locator("#slot").select_option(index=1)
    click(broker.locator("main form.wp-form", has=broker.locator("#body")).get_by_role("button"))
    expect(broker.locator(".wp-messages")).to_contain_text(WELCOME)
    assert_accessible(broker)

    # Ayşe reads it in Turkish and books the offered slot with one click.
    _resident_login(page, base, live_mail)
    go(page, base + "/tr/referrals")
    assert_accessible(page)
    click(page.get_by_role("link", name="Beweegconsult"))
    expect(page.locator("main")).to_contain_text(NOTE)
    expect(page.locator(".wp-status")).to_contain_text(
        _("tr", "The team has said yes. You will make an appointment together.")
    )
    expect(page.locator(".wp-messages")).to_contain_text(WELCOME)
    assert_accessible(page)
    click(page.get_by_role("button", name=_("tr", "Book this appointment")))
    expect(page).to_have_url(re.compile(r"/tr/bookings/\d+$"))
    with app.app_context():
        referral = db.session.scalar(select(Referral).order_by(Referral.id.desc()))
        assert referral.booking_id is not None and referral.booking.status == "confirmed"

    # A month after the team said yes, Ayşe is asked how it goes; she answers, and the GP reads it.
    first_id = referral.id
    with app.app_context():
        db.session.execute(
            update(Referral).where(Referral.id == first_id).values(accepted_at=utcnow() - timedelta(days=31))
        )
        db.session.commit()
        assert followup.ask_residents() == 1
        mail_outbox.deliver_committed()
    question = body(live_mail(RESIDENT))
    assert f"/tr/referrals/{first_id}" in question and "Beweegconsult" not in question
    go(page, base + f"/tr/referrals/{first_id}")
    section = page.locator("#follow-up")
    section.locator("input[name=going][value=yes]").check()
    section.locator("input[name=helps][value=a_little]").check()
    section.locator("#follow-up-note").fill("Çok güzel, ama dizim biraz ağrıyor.")
    click(section.get_by_role("button", name=_("tr", "Send my answer")))
    expect(page.locator(".wp-flash")).to_be_visible()
    assert_accessible(page)
    go(page, base + f"/ar/referrals/{first_id}")  # the same page, right to left
    assert_accessible(page)

    # The beweegmakelaar completes it; the GP sees the loop closed, with Ayşe's answer.
    go(broker, referral_url)
    _status(broker, _("nl", "Complete"), reason="got_help")
    go(gp, base + "/nl/professional/referrals?box=sent&state=closed")
    expect(gp.locator("tbody")).to_contain_text("Ayşe Kaya")
    assert_accessible(gp)
    go(gp, referral_url)
    expect(gp.locator("main")).to_contain_text(_("nl", "Loop closed"))
    expect(gp.locator("main")).to_contain_text(_("nl", "Got help"))
    expect(gp.locator("main")).to_contain_text("dizim biraz ağrıyor")
    resources = _fhir_validates(gp, referral_url)
    assert resources["Task"]["status"] == "completed" and resources["ServiceRequest"]["status"] == "completed"

    # A second referral, from the programme page of In Beweging, is declined for no capacity, with the wait.
    go(gp, base + "/nl/programmes/in-beweging")
    click(gp.get_by_role("link", name=_("nl", "Refer a resident to this offer")))
    expect(gp.locator("main")).to_contain_text(_("nl", "Is there room?"))
    second_url = _fill_referral(gp, "Graag in een groep met vrouwen uit de buurt.")
    go(broker, second_url)
    _status(broker, _("nl", "Decline"), reason="no_capacity", wait="1_3m")
    go(gp, second_url)
    expect(gp.locator("main")).to_contain_text(_("nl", "No place now"))
    expect(gp.locator("main")).to_contain_text(_("nl", "1 to 3 months"))
    assert_accessible(gp)
    resources = _fhir_validates(gp, second_url)
    assert resources["Task"]["status"] == "rejected"

    # A third, from the organisations page to the buurtteam, goes overdue: nobody answers for three weeks, and the
    # reminder reaches the buurtteam.
    go(gp, base + "/nl/organisations")
    organisation_link = _("nl", "Refer a resident to %(name)s") % {"name": "Buurtteam Overvecht Sociaal"}
    click(gp.get_by_role("link", name=organisation_link))
    third_url = _fill_referral(gp, "Mevrouw heeft zorgen over geld. Kunnen jullie met haar meedenken?")
    third_id = int(third_url.rsplit("/", 1)[1])
    with app.app_context():
        db.session.execute(
            update(Referral).where(Referral.id == third_id).values(changed_at=utcnow() - timedelta(days=21))
        )
        db.session.commit()
        assert followup.remind_receivers() == 1
        mail_outbox.deliver_committed()
    reminder = live_mail(people["buurtteam_mail"])
    assert f"/professional/referrals/{third_id}" in body(reminder) and "Ayşe" not in body(reminder)
    go(gp, base + "/nl/professional/referrals?box=sent")
    expect(gp.locator("tr.wp-row--overdue")).to_contain_text("Ayşe Kaya")
    resources = _fhir_validates(gp, third_url)
    assert resources["Task"]["status"] == "requested"
    assert console_errors == []
    gp.context.close()
    broker.context.close()
