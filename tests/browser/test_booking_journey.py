"""Issue 7's journey, in Turkish: a new resident finds In Beweging on the map, books the last place of the next
Tuesday session (registering and logging in on the way), gets the confirmation mail with a calendar file,
and cancels, upon which the first on the waiting list gets the place and a mail in their own language."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.support import Translations
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Booking, Programme, Session, User
from portal.services.booking.places import book
from portal.template_helpers import day_time_pattern
from tests.support.browser import click, go, submit
from tests.support.mail import body, calendar_in, code_in

PASSWORD = "samen sporten in de gambiadreef 7"
RESIDENT = "elif.yildiz@example.org"
WAITING = "wachtende@example.org"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TITLE = "In Beweging"
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


@cache
def _catalog(lang: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [lang])


def _(lang: str, message: str, **values) -> str:
    """`message` as the portal shows it in `lang`: from the compiled catalog (English while untranslated)."""
    text = _catalog(lang).gettext(message)
    return text % values if values else text


def _n(lang: str, singular: str, plural: str, num: int) -> str:
    return _catalog(lang).ngettext(singular, plural, num) % {"num": num}


def _when(moment: datetime, lang: str) -> str:
    """The portal's `day_time` filter: 'Salı 1 Aralık, 10:00'."""
    return format_datetime(moment, day_time_pattern(lang), tzinfo=AMSTERDAM, locale=lang)


def _key() -> str:
    return secrets.token_urlsafe(16)


def _resident(email: str, name: str, locale: str = "nl") -> User:
    """A resident like the demo's: confirmed email, email codes, no usable password (never logs in here)."""
    return User(
        email=email,
        password_hash="!",
        display_name=name,
        role="resident",
        locale=locale,
        is_demo=True,
        email_confirmed_at=datetime.now(UTC),
        second_factor="email",
    )


def _fill_next_tuesday(app) -> tuple[int, datetime, int]:
    """Book 11 of the 12 places of the next Tuesday In Beweging session; returns (session id, start, waiting user id).

    The waiting resident is made now but books later: a waiting list only exists once the session is full."""
    with app.app_context():
        try:
            programme = db.session.scalar(select(Programme).where(Programme.slug == "in-beweging"))
            sessions = db.session.scalars(
                select(Session)
                .where(Session.programme_id == programme.id, Session.status == "scheduled")
                .order_by(Session.starts_at)
            )
            tuesday = next(s for s in sessions if s.starts_at.astimezone(AMSTERDAM).weekday() == 1)
            assert (tuesday.capacity, tuesday.booked) == (12, 0)
            others = [_resident(f"buurtbewoner{n}@example.org", f"Buurtbewoner {n}") for n in range(1, 12)]
            waiting = _resident(WAITING, "Wachtende", locale="ar")
            db.session.add_all([*others, waiting])
            db.session.commit()
            for user in others:
                assert book(user, tuesday.id, _key()).booking.status == "confirmed"
                db.session.commit()
            assert db.session.get(Session, tuesday.id).booked == 11
            return tuesday.id, tuesday.starts_at, waiting.id
        finally:
            db.session.remove()


def _join_waiting_list(app, session_id: int, user_id: int) -> None:
    with app.app_context():
        try:
            result = book(db.session.get(User, user_id), session_id, _key())
            db.session.commit()
            assert result.booking.status == "waitlisted"
        finally:
            db.session.remove()


def _language(message) -> str | None:
    """The mail's language: on the message, or (with attachments) on its text part, where `add_attachment` moves it."""
    return message["Content-Language"] or message.get_body(preferencelist=("plain",))["Content-Language"]


def _assert_one_event(calendar: Calendar, starts_at: datetime) -> None:
    """One VEVENT for the session, at 10:00 on the Tuesday in Amsterdam time, with its VTIMEZONE: it imports."""
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    start = events[0]["DTSTART"]
    assert start.params["TZID"] == "Europe/Amsterdam"
    assert start.dt == starts_at
    assert (start.dt.weekday(), start.dt.hour, start.dt.minute) == (1, 10, 0)  # in its own zone, Amsterdam
    assert str(events[0]["SUMMARY"]) == TITLE
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]


def test_new_resident_books_the_last_place_in_turkish_and_cancels_for_the_waiting_list(
    page, private_live_app, live_mail, assert_accessible, console_errors
):
    live_server, app = private_live_app
    session_id, starts_at, waiting_id = _fill_next_tuesday(app)
    when_tr = _when(starts_at, "tr")

    # The map, the list beside it, the programme page.
    go(page, live_server + "/tr/map")
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    page.locator(".wp-map").scroll_into_view_if_needed()
    expect(page.locator(".wp-map")).to_have_attribute("data-map-ready", "true")
    click(page.locator(".wp-map-list").get_by_role("link", name=TITLE, exact=True))
    expect(page).to_have_url(f"{live_server}/tr/programmes/in-beweging")
    expect(page.locator("h1")).to_contain_text(TITLE)
    tuesday = page.locator("li.wp-sessions__item").filter(has=page.locator("time", has_text=when_tr))
    expect(tuesday).to_have_count(1)
    expect(tuesday.locator(".wp-sessions__places")).to_have_text(
        _n("tr", "%(num)s place free", "%(num)s places free", 1)
    )
    booking_link = tuesday.locator("a.wp-sessions__book")
    expect(booking_link).to_have_attribute("href", f"/tr/bookings/book/{session_id}")
    page.locator(".wp-map--small").scroll_into_view_if_needed()  # let the small map load before we go on
    expect(page.locator(".wp-map--small")).to_have_attribute("data-map-ready", "true")
    assert_accessible(page)
    click(booking_link)

    # Not logged in: log in first; no account yet: register, confirm, choose email codes, log in.
    expect(page).to_have_url(re.compile(r"/tr/login\?next="))
    click(page.locator("main").get_by_role("link", name=_("tr", "Make an account")))
    expect(page).to_have_url(f"{live_server}/tr/register")
    page.locator("#display_name").fill("Elif")
    page.locator("#email").fill(RESIDENT)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    page.locator("#language").select_option("tr")
    submit(page)
    expect(page).to_have_url(f"{live_server}/tr/register/check-your-mail")

    confirmation = live_mail(RESIDENT)
    assert _language(confirmation) == "tr"
    go(page, re.search(r"https?://\S+", body(confirmation)).group(0))
    expect(page).to_have_url(re.compile(r"/tr/confirm/"))
    click(page.locator("main").get_by_role("button"))
    expect(page).to_have_url(f"{live_server}/tr/login")
    page.locator("#email").fill(RESIDENT)
    page.locator("#password").fill(PASSWORD)
    submit(page)
    expect(page).to_have_url(f"{live_server}/tr/login/setup")
    page.locator("input[value='email']").check()
    click(page.locator("main").get_by_role("button"))
    expect(page).to_have_url(f"{live_server}/tr/login/code")
    page.locator("#code").fill(code_in(live_mail(RESIDENT)))
    click(page.locator("main form.wp-form").get_by_role("button"))

    # Requirement: after the login and its second factor, back to the same session's booking page.
    expect(page).to_have_url(f"{live_server}/tr/bookings/book/{session_id}")
    main = page.locator("main")
    expect(main.locator("time").first).to_have_text(when_tr)
    expect(main).to_contain_text(_n("tr", "There is %(num)s place free.", "There are %(num)s places free.", 1))
    assert_accessible(page)
    click(main.get_by_role("button", name=_("tr", "Book my place")))

    expect(page).to_have_url(re.compile(r"/tr/bookings/\d+$"))
    booking_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator(".wp-flash")).to_contain_text(_("tr", "We have sent you an email with the details."))
    expect(main.locator(".wp-page-narrow > .wp-alert--ok")).to_contain_text(_("tr", "You have a place."))
    expect(main.locator("time").first).to_have_text(when_tr)
    assert_accessible(page)

    # The mail: in Turkish, with the appointment as a calendar file.
    confirmed = live_mail(RESIDENT)
    assert _language(confirmed) == "tr"
    assert confirmed["Subject"] == _("tr", "Your place is booked: %(title)s", title=TITLE)
    assert when_tr in body(confirmed)
    _assert_one_event(calendar_in(confirmed), starts_at)
    download = page.request.get(
        live_server + main.get_by_role("link", name=_("tr", "Add to my calendar (.ics file)")).get_attribute("href")
    )
    assert download.ok and download.headers["content-type"].startswith("text/calendar")
    _assert_one_event(Calendar.from_ical(download.body()), starts_at)

    # The session is full now: the waiting resident joins the waiting list (through the service).
    _join_waiting_list(app, session_id, waiting_id)

    # The booking and My appointments once in Arabic: right to left, accessible.
    go(page, f"{live_server}/ar/bookings/{booking_id}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main .wp-page-narrow > .wp-alert--ok")).to_contain_text(_("ar", "You have a place."))
    assert_accessible(page)
    click(page.locator("header").get_by_role("link", name=_("ar", "My appointments")))
    expect(page).to_have_url(f"{live_server}/ar/bookings")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(f"main a[href='/ar/bookings/{booking_id}']")).to_be_visible()
    assert_accessible(page)

    # Back in Turkish: My appointments, the booking, cancel it.
    click(page.locator(".wp-language-nav a[hreflang=tr]"))
    expect(page).to_have_url(f"{live_server}/tr/bookings")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    row = page.locator("#upcoming-heading ~ .wp-table-wrapper tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("time")).to_have_text(when_tr)
    expect(row.locator("td").last).to_have_text(_("tr", "Booked"))
    assert_accessible(page)
    click(row.get_by_role("link", name=TITLE))
    expect(page).to_have_url(f"{live_server}/tr/bookings/{booking_id}")
    click(page.locator("main").get_by_role("button", name=_("tr", "Cancel my booking")))

    expect(page).to_have_url(f"{live_server}/tr/bookings")
    expect(page.locator(".wp-flash")).to_contain_text(_("tr", "Your booking is cancelled."))
    expect(page.locator("main")).to_contain_text(_("tr", "You have no appointments coming up."))
    past = page.locator("#past-heading ~ .wp-table-wrapper tbody tr")
    expect(past).to_have_count(1)
    expect(past.locator("td").last).to_have_text(_("tr", "Cancelled"))
    assert_accessible(page)
    page.wait_for_load_state("load")

    # The freed place went to the waiting resident, who got a mail in Arabic with the calendar file.
    with app.app_context():
        try:
            bookings = {
                b.user_id: b.status for b in db.session.scalars(select(Booking).where(Booking.session_id == session_id))
            }
            resident_id = db.session.scalar(select(User.id).where(User.email == RESIDENT))
            assert bookings[resident_id] == "cancelled"
            assert bookings[waiting_id] == "confirmed"
            assert list(bookings.values()).count("confirmed") == 12
            assert db.session.get(Session, session_id).booked == 12
        finally:
            db.session.remove()
    cancelled = live_mail(RESIDENT)
    assert cancelled["Subject"] == _("tr", "Your booking is cancelled: %(title)s", title=TITLE)
    assert str(calendar_in(cancelled)["METHOD"]) == "CANCEL"
    promoted = live_mail(WAITING)
    assert _language(promoted) == "ar"
    assert promoted["Subject"] == _("ar", "Good news: you have a place for %(title)s", title=TITLE)
    assert _when(starts_at, "ar") in body(promoted)
    _assert_one_event(calendar_in(promoted), starts_at)
    assert console_errors == []
