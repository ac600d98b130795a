"""Issue 6's journey: a new beweegmakelaar is invited, logs in with TOTP, adds 'Wandelen in het Park' with a
weekly Tuesday session for eight weeks, places it on the map, publishes, and finds it on the list and map; and
the demo beweegmakelaar changes the rest of a weekly series, cancels its last weeks after a check, and archives
the programme after a page that names its bookings and route maps."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pyotp
from playwright.sync_api import expect

from portal.services.seed.demo import DEMO_PASSWORD
from tests.support.browser import go, submit
from tests.support.mail import body

PASSWORD = "fietsen langs de vecht 2026"


def _set_up_totp(page) -> None:
    """On the app set-up page: read the key shown as text, type the current code, go on."""
    secret = page.locator(".wp-secret").inner_text().replace(" ", "")
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    submit(page)
    expect(page.locator(".wp-code-list li")).to_have_count(10)
    page.locator("main a.wp-button").click()


def _log_in(page, live_server, email, password):
    go(page, live_server + "/nl/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    submit(page)


def test_new_broker_publishes_wandelen_in_het_park(
    page, private_live_server, live_mail, assert_accessible, console_errors
):
    live_server = private_live_server
    _log_in(page, live_server, "coordinator@demo.wijkportaal.nl", DEMO_PASSWORD)
    _set_up_totp(page)
    go(page, live_server + "/nl/admin/invitations")
    assert_accessible(page)
    page.locator("#email").fill("nieuwe.makelaar@example.org")
    page.locator("#role").select_option("broker")
    page.locator("#organisation").select_option(label="Beweegmakelaars Overvecht (volwassenen)")
    submit(page)
    expect(page.locator(".wp-flash")).to_contain_text("nieuwe.makelaar@example.org")
    page.locator("header button.wp-link-button").click()

    link = re.search(r"https?://\S+", body(live_mail("nieuwe.makelaar@example.org"))).group(0)
    go(page, link)
    page.locator("#display_name").fill("Bram (beweegmakelaar)")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    submit(page)
    _log_in(page, live_server, "nieuwe.makelaar@example.org", PASSWORD)
    expect(page).to_have_url(re.compile(r"/nl/login/setup/app$"))
    _set_up_totp(page)

    go(page, live_server + "/nl/broker/")
    assert_accessible(page)
    go(page, live_server + "/nl/broker/locations/new")
    page.locator("#name").fill("Park de Gagel, ingang Gageldijk")
    page.locator("#street").fill("Gageldijk")
    page.locator("#house_number").fill("2")
    page.locator("#postcode").fill("3566MJ")
    page.locator("#city").fill("Utrecht")
    picker = page.locator("[data-location-picker]")
    expect(picker.locator(".leaflet-tile-pane")).to_be_attached()
    picker.click(position={"x": 200, "y": 120})
    expect(page.locator("#latitude")).not_to_have_value("")
    assert_accessible(page)
    submit(page)
    expect(page).to_have_url(re.compile(r"/nl/broker/locations$"))

    go(page, live_server + "/nl/broker/programmes/new")
    page.locator("#nl-title").fill("Wandelen in het Park")
    page.locator("#nl-summary").fill("Elke dinsdag samen wandelen in Park de Gagel, in uw eigen tempo.")
    page.locator("#nl-description").fill("Een uur wandelen met de beweegmakelaar. **Gratis**, zonder opgeven vooraf.")
    page.locator("#category").select_option("bewegen")
    page.locator("input[name=audiences][value=volwassenen]").check()
    page.locator("#location").select_option(label="Park de Gagel, ingang Gageldijk, Gageldijk 2")
    assert_accessible(page)
    submit(page)
    expect(page).to_have_url(re.compile(r"/nl/broker/programmes/\d+$"))

    page.locator("a[href$='/sessions/new']").click()
    today = date.today()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    page.locator("#first_day").fill(tuesday.isoformat())
    page.locator("#start").fill("10:00")
    page.locator("#weeks").fill("8")
    page.locator("#on_holidays").check()  # eight sessions whatever the date
    submit(page)
    expect(page.locator("main table").first.locator("tbody tr")).to_have_count(8)
    page.locator("form[action$='/publish'] button").click()
    expect(page.locator(".wp-flash")).to_be_visible()

    go(page, live_server + "/nl/programmes?q=Wandelen+in+het+Park")
    expect(page.locator("main")).to_contain_text("Wandelen in het Park")
    go(page, live_server + "/nl/map?q=Wandelen+in+het+Park")
    expect(page.locator("main")).to_contain_text("Park de Gagel")
    assert console_errors == []


def test_broker_changes_and_cancels_the_rest_of_a_series(page, private_live_server, assert_accessible, console_errors):
    """The demo beweegmakelaar moves a weekly series half an hour, then cancels its last weeks after a check."""
    live_server = private_live_server
    _log_in(page, live_server, "beweegmakelaar@demo.wijkportaal.nl", DEMO_PASSWORD)
    _set_up_totp(page)
    go(page, live_server + "/nl/broker/")
    page.get_by_role("link", name="In Beweging", exact=True).click()
    rows = page.locator("main table").first.locator("tbody tr")
    weekday = rows.first.locator("td").first.inner_text().split()[0]
    series = rows.filter(has_text=weekday)
    weeks = series.count()
    assert weeks > 2

    rows.first.get_by_role("link", name=re.compile("^Veranderen")).click()
    page.locator("#start").fill("10:30")
    page.locator("#end").fill("11:30")
    page.get_by_label("Deze bijeenkomst en alle latere in de reeks").check()
    assert_accessible(page)
    submit(page)
    expect(page.locator(".wp-flash")).to_contain_text(f"{weeks} bijeenkomsten veranderd")
    expect(series.filter(has_text="10:30–11:30")).to_have_count(weeks)

    series.nth(weeks - 2).get_by_role("link", name=re.compile("^Deze en alle latere afzeggen")).click()
    expect(page.locator("main li time")).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("button", name="Ja, afzeggen").click()
    expect(page.locator(".wp-flash").first).to_contain_text("2 bijeenkomsten afgezegd")
    expect(series.filter(has_text="afgezegd")).to_have_count(2)

    page.get_by_role("link", name="Archiveren", exact=True).click()
    expect(page.locator("h1")).to_contain_text("In Beweging archiveren")
    expect(page.locator("main")).to_contain_text("Deze routekaarten noemen dit programma")
    expect(page.locator("main a[href$='/routekaarten/meer-bewegen']")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("button", name="Ja, archiveren").click()
    expect(page.locator(".wp-flash").first).to_contain_text("Het programma is gearchiveerd")
    expect(page.get_by_role("link", name="Archiveren", exact=True)).to_have_count(0)
    assert page.request.get(live_server + "/nl/programmes/in-beweging").status == 404
    assert console_errors == []
