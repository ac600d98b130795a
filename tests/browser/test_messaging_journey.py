"""Issue 14's journey: a resident joins their GP practice with a printed code and, writing in Arabic, asks a
question with a photo; the POH takes it and answers in Dutch; the resident gets a mail without content, reads
the answer and sees their question was read. With the resident's consent the POH consults the buurtteam, whose
worker answers, and the resident reads the consultation. The POH goes away: a new message gets the automatic
reply, and the overdue reminder reaches the practice."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pyotp
from babel.support import Translations
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Organisation, Thread, User
from portal.models.base import utcnow
from portal.services.accounts.passwords import hash_password
from portal.services.accounts.second_factor import new_totp_secret
from portal.services.messaging import mail as message_mail
from tests.support.browser import click, go, submit
from tests.support.mail import body, code_in

PASSWORD = "een lange zin als wachtwoord 2026"
RESIDENT = "salma.haddad@example.org"
POH = "poh.zamenhof@example.org"
WORKER = "sanne.buurtteam@example.org"
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
QUESTION = "هل يمكنني ممارسة الرياضة مع هذا الطفح الجلدي؟"
ANSWER = "Ja, dat kan. Smeer de crème wel een uur van tevoren."


@cache
def _catalog(lang: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [lang])


def _(lang: str, message: str) -> str:
    return _catalog(lang).gettext(message)


def _people(app) -> dict:
    """The POH of the demo practice, a buurtteam worker (both with an authenticator app) and a new resident."""
    with app.app_context():
        practice = db.session.scalar(select(Organisation).where(Organisation.slug == "huisartsenpraktijk-zamenhof"))
        buurtteam = db.session.scalar(select(Organisation).where(Organisation.slug == "buurtteam-overvecht-sociaal"))
        secrets = {POH: new_totp_secret(), WORKER: new_totp_secret()}
        for email, name, organisation in ((POH, "Marloes (POH)", practice), (WORKER, "Sanne (buurtteam)", buurtteam)):
            db.session.add(
                User(
                    email=email,
                    password_hash=hash_password(PASSWORD),
                    display_name=name,
                    role="professional",
                    organisation=organisation,
                    locale="nl",
                    second_factor="totp",
                    totp_secret=secrets[email],
                    email_confirmed_at=utcnow(),
                )
            )
        db.session.add(
            User(
                email=RESIDENT,
                password_hash=hash_password(PASSWORD),
                display_name="Salma Haddad",
                role="resident",
                locale="ar",
                second_factor="email",
                email_confirmed_at=utcnow(),
            )
        )
        db.session.commit()
        return {"secrets": secrets, "practice_mail": practice.email}


def _staff_login(page, base, email, secret):
    go(page, base + "/nl/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    submit(page)
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    submit(page)
    expect(page).to_have_url(re.compile(r"/nl/professional/$"))


def _resident_login(page, base, live_mail):
    go(page, base + "/ar/login")
    page.locator("#email").fill(RESIDENT)
    page.locator("#password").fill(PASSWORD)
    submit(page)
    page.locator("#code").fill(code_in(live_mail(RESIDENT)))
    submit(page)


def _photo(tmp_path) -> Path:
    image = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    path = tmp_path / "طفح.jpg"
    path.write_bytes(buffer.getvalue())
    return path


def test_resident_practice_and_buurtteam_journey(
    page, browser, private_live_app, live_mail, assert_accessible, console_errors, tmp_path
):
    base, app = private_live_app
    people = _people(app)
    poh = browser.new_context().new_page()
    worker = browser.new_context().new_page()

    # The POH makes a code at the desk; the resident fills it in.
    _staff_login(poh, base, POH, people["secrets"][POH])
    assert_accessible(poh)
    go(poh, base + "/nl/professional/invite")
    submit(poh)
    code = poh.locator(".wp-code").inner_text()
    assert_accessible(poh)
    _resident_login(page, base, live_mail)
    go(page, base + "/ar/care-team/join")
    page.locator("#code").fill(code)
    submit(page)
    expect(page).to_have_url(re.compile(r"/ar/care-team$"))
    expect(page.locator("main")).to_contain_text("Huisartsenpraktijk Zamenhof")
    assert_accessible(page)

    # The resident asks a question in Arabic, with a photo.
    go(page, base + "/ar/messages/new")
    expect(page.locator("main")).to_contain_text("112")
    assert_accessible(page)
    page.locator("#subject").fill("سؤال عن الطفح الجلدي")
    page.locator("#body").fill(QUESTION)
    page.locator("#files").set_input_files(str(_photo(tmp_path)))
    submit(page)
    expect(page).to_have_url(re.compile(r"/ar/messages/\d+$"))
    expect(page.locator(".wp-message").first).to_contain_text(QUESTION)
    expect(page.locator(".wp-message__files a")).to_contain_text(".jpg")
    assert_accessible(page)
    thread_url = page.url.split("#")[0]

    # The POH takes the thread and answers in Dutch; opening it is a read receipt.
    go(poh, base + "/nl/professional/inbox")
    assert_accessible(poh)
    click(poh.get_by_role("link", name="سؤال عن الطفح الجلدي"))
    assert_accessible(poh)
    with poh.expect_download() as download:
        poh.locator(".wp-message__files a").first.click()
    with Image.open(download.value.path()) as image:
        assert image.size == (64, 48) and not image.getexif()
    click(poh.get_by_role("button", name=_("nl", "Take this thread")))
    expect(poh.locator(".wp-flash")).to_be_visible()
    poh.locator("#body").fill(ANSWER)
    submit(poh)
    expect(poh.locator(".wp-messages")).to_contain_text(ANSWER)

    # The resident's open page shows the answer without reloading (when she comes back to the tab).
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator(".wp-messages")).to_contain_text(ANSWER)
    assert page.url.split("#")[0] == thread_url
    # Her mail says only that there is a message; after a reload the page shows the receipt.
    notice = body(live_mail(RESIDENT))
    assert ANSWER not in notice and QUESTION not in notice and "crème" not in notice
    go(page, thread_url)
    expect(page.locator(".wp-messages")).to_contain_text(ANSWER)
    expect(page.locator(".wp-message--mine .wp-message__receipt").first).to_contain_text(_("ar", "Read by the team on"))

    # With her consent the POH consults the buurtteam.
    go(page, base + "/ar/care-team")
    page.locator("details.wp-details summary").click()
    page.locator("form", has_text="Buurtteam Overvecht Sociaal").get_by_role("button").click()
    expect(page.locator(".wp-flash")).to_be_visible()
    assert_accessible(page)
    go(poh, base + "/nl/professional/residents")
    click(poh.get_by_role("link", name="Salma Haddad"))
    click(poh.get_by_role("link", name=_("nl", "Start a consultation")))
    expect(poh.locator("main")).to_contain_text("Salma Haddad")
    poh.locator("#subject").fill("Hulp bij geldzaken?")
    poh.locator("#body").fill("Mevrouw Haddad heeft zorgen over geld. Kunnen jullie meedenken?")
    submit(poh)
    expect(poh.locator(".wp-alert[role=note]")).to_be_visible()
    assert_accessible(poh)

    _staff_login(worker, base, WORKER, people["secrets"][WORKER])
    go(worker, base + "/nl/professional/inbox?box=consultations")
    click(worker.get_by_role("link", name="Hulp bij geldzaken?"))
    worker.locator("#body").fill("Ja, ik bel haar deze week.")
    submit(worker)
    expect(worker.locator(".wp-messages")).to_contain_text("Ja, ik bel haar deze week.")

    go(page, base + "/ar/messages")
    click(page.get_by_role("link", name="Hulp bij geldzaken?"))
    expect(page.locator(".wp-messages")).to_contain_text("Ja, ik bel haar deze week.")
    assert_accessible(page)

    # The POH goes away for a few days; the resident's next message gets the automatic reply.
    go(poh, base + "/nl/professional/away")
    today = date.today()
    poh.locator("#first_day").fill(today.isoformat())
    poh.locator("#last_day").fill((today + timedelta(days=3)).isoformat())
    submit(poh)
    expect(poh.locator(".wp-flash")).to_be_visible()
    assert_accessible(poh)
    go(page, thread_url)
    page.locator("#body").fill("شكراً. ومتى أستطيع البدء؟")
    submit(page)
    expect(page.locator(".wp-message--auto")).to_contain_text("Marloes (POH)")

    # Nobody answers in time: the reminder goes to the practice.
    with app.app_context():
        salma = db.session.scalar(select(User.id).where(User.email == RESIDENT))
        thread = db.session.scalar(select(Thread).where(Thread.kind == "team", Thread.resident_id == salma))
        thread.reply_due_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        assert message_mail.remind_overdue() >= 1
    reminder = live_mail(people["practice_mail"])
    assert "inbox" in body(reminder) and QUESTION not in body(reminder)
    assert console_errors == []
    poh.context.close()
    worker.context.close()
