"""Accounts in a real browser: a resident registers and logs in with an email code; a broker sets up TOTP."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from portal.services.seed.demo import DEMO_PASSWORD
from tests.support.mail import body, code_in

PASSWORD = "rustig wandelen langs de vecht 9"


def test_resident_registers_confirms_and_logs_in_with_an_email_code(
    page, live_server, live_mail, assert_accessible, console_errors
):
    page.goto(live_server + "/nl/")
    page.get_by_role("link", name="Maak een account").first.click()
    expect(page).to_have_url(re.compile(r"/nl/register$"))
    assert_accessible(page)

    submit = page.locator("main form.wp-form button[type=submit]")
    submit.click()  # empty form: messages at the fields
    expect(page.locator(".wp-error-summary, .wp-alert--error").first).to_be_visible()
    expect(page.locator("#email-error")).to_be_visible()
    assert_accessible(page)

    page.locator("#display_name").fill("Ayşe")
    page.locator("#email").fill("ayse@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    submit.click()
    expect(page).to_have_url(re.compile(r"/nl/register/check-your-mail$"))
    page.wait_for_load_state("load")  # let the favicon finish before we navigate away

    link = re.search(r"https?://\S+", body(live_mail("ayse@example.org"))).group(0)
    page.goto(link)
    assert_accessible(page)
    page.locator("main").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/nl/login$"))

    page.locator("#email").fill("ayse@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form.wp-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/nl/login/setup$"))
    assert_accessible(page)
    page.locator("input[value='email']").check()
    page.locator("main").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/nl/login/code$"))
    assert_accessible(page)
    page.locator("#code").fill(code_in(live_mail("ayse@example.org")))
    page.locator("main form.wp-form").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/nl/account$"))
    expect(page.locator("main")).to_contain_text("ayse@example.org")
    assert_accessible(page)

    page.locator("header").get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/nl/$"))
    page.wait_for_load_state("load")
    page.goto(live_server + "/nl/account")
    expect(page).to_have_url(re.compile(r"/nl/login\?next="))
    assert console_errors == []


def test_broker_sets_up_the_authenticator_app_in_arabic(page, live_server, assert_accessible, console_errors):
    page.goto(live_server + "/ar/login")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("#email").fill("beweegmakelaar@demo.wijkportaal.nl")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form.wp-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/ar/login/setup/app$"))
    expect(page.locator(".wp-qr svg")).to_be_visible()
    assert_accessible(page)

    secret = page.locator(".wp-secret").inner_text().replace(" ", "")
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main form.wp-form button[type=submit]").click()
    expect(page.locator(".wp-code-list li")).to_have_count(10)
    assert_accessible(page)
    page.locator("main a.wp-button").click()
    expect(page).to_have_url(re.compile(r"/ar/account$"))
    assert console_errors == []
