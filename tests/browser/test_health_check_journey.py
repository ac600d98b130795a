"""Issue 16, the resident's side: a resident reading Arabic fills in the health check on top of two earlier checks,
has a question read aloud (by a stand-in for the browser's speech), sees the change and the right-to-left chart,
and opens one check; every page passes axe in all four languages; without JavaScript the form still works and the
read-aloud buttons stay hidden."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from portal.extensions import db
from portal.models.base import utcnow
from portal.services.health_check import checks
from portal.services.health_check.answers import Answers
from tests.support.browser import click, go, submit
from tests.support.browser_people import person, resident_login, said

RESIDENT = "layla.haddad@example.org"
NO_SCRIPT_RESIDENT = "joost.de.vries@example.org"
LANGUAGES = ("nl", "en", "tr", "ar")

# A stand-in for window.speechSynthesis: its voices arrive late (as in real browsers, with `voiceschanged`), one of
# them Arabic; what is spoken is recorded in window.spoken.
FAKE_SPEECH = """
(() => {
  window.spoken = [];
  const voices = [];
  const listeners = [];
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; this.voice = null; };
  const synth = {
    getVoices: () => voices.slice(),
    speak: (utterance) => window.spoken.push({ text: utterance.text, lang: utterance.lang }),
    cancel: () => {},
    addEventListener: (type, listener) => { if (type === "voiceschanged") { listeners.push(listener); } },
    removeEventListener: () => {},
  };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  setTimeout(() => {
    voices.push({ lang: "nl-NL", name: "Dutch" }, { lang: "ar-SA", name: "Arabic" });
    listeners.forEach((listener) => listener(new Event("voiceschanged")));
  }, 200);
})();
"""


_ = said


def _marks(mark: int, body: int) -> Answers:
    return Answers(mark=mark, domains={"body": body, "mind": 6, "social": 7, "societal": 5})


def _resident(app, email: str, locale: str, earlier: bool) -> None:
    """A resident with email codes; with `earlier`, two checks 8 and 4 weeks ago (marks 5 and 6)."""
    with app.app_context():
        user = person(email, "Layla" if earlier else "Joost", "resident", locale)
        db.session.add(user)
        db.session.flush()
        if earlier:
            checks.record(user, _marks(5, 4), key="earlier-check-0001", taken_at=utcnow() - timedelta(weeks=8))
            checks.record(user, _marks(6, 5), key="earlier-check-0002", taken_at=utcnow() - timedelta(weeks=4))
        db.session.commit()


def _choose(page, key: str, mark: int) -> None:
    page.locator(f"label[for='{key}-{mark}']").click()


def test_resident_fills_in_the_health_check_in_arabic_hears_a_question_and_sees_the_change(
    page, private_live_app, live_mail, assert_accessible, console_errors
):
    base, app = private_live_app
    _resident(app, RESIDENT, "ar", earlier=True)
    page.add_init_script(FAKE_SPEECH)
    resident_login(page, base, live_mail, RESIDENT, "ar")

    # The overview: two earlier checks as a chart, right to left, with a table.
    click(page.locator("nav").get_by_role("link", name=_("ar", "My health check")))
    expect(page).to_have_url(f"{base}/ar/health-check")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("svg[role=img]")).to_have_count(5)
    expect(page.locator(".wp-hc-table tbody tr")).to_have_count(2)
    assert_accessible(page)

    # The form: each question can be read aloud once the Arabic voice has loaded.
    click(page.locator("main").get_by_role("link", name=_("ar", "Fill in the health check")))
    expect(page).to_have_url(f"{base}/ar/health-check/new")
    read_aloud = page.locator("button.wp-read-aloud")
    expect(read_aloud).to_have_count(8)
    expect(read_aloud.first).to_be_visible()
    assert_accessible(page)
    read_aloud.first.click()
    spoken = page.evaluate("window.spoken")
    question = _("ar", "What mark from 1 to 10 do you give your health?")
    assert len(spoken) == 1 and spoken[0]["lang"].startswith("ar") and spoken[0]["text"] == question

    _choose(page, "mark", 8)
    for key, mark in (("body", 5), ("mind", 6), ("social", 9), ("societal", 3)):
        _choose(page, key, mark)
    page.locator("#talk-societal").check()
    page.locator("#higher").fill("أريد أن أنام بشكل أفضل")
    submit(page)

    # Back on the overview: saved, the change since the check before, a third point on the chart's left.
    expect(page).to_have_url(f"{base}/ar/health-check")
    expect(page.locator(".wp-flash")).to_contain_text(_("ar", "Thank you. Your health check is saved."))
    latest = page.locator("section[aria-labelledby=latest-heading] li")
    expect(latest.nth(0)).to_contain_text("+2")
    expect(latest.nth(1)).to_contain_text(_("ar", "the same"))
    expect(latest.nth(4)).to_contain_text("\u22122")
    points = page.locator("#chart-mark-title ~ g.wp-hc-chart__point circle")
    expect(points).to_have_count(3)
    xs = [float(x) for x in points.evaluate_all("(circles) => circles.map((c) => c.getAttribute('cx'))")]
    assert xs[0] > xs[1] > xs[2]  # the oldest check on the right
    expect(page.locator(".wp-hc-table tbody tr")).to_have_count(3)
    assert_accessible(page)

    # One check in full.
    click(page.locator(".wp-hc-table tbody tr").first.get_by_role("link"))
    expect(page).to_have_url(re.compile(rf"{base}/ar/health-check/\d+$"))
    expect(page.locator("main")).to_contain_text("أريد أن أنام بشكل أفضل")
    expect(page.locator("main")).to_contain_text(_("ar", "You want to talk about this with your care provider."))
    assert_accessible(page)
    check_path = page.url.removeprefix(base + "/ar")

    # The same pages in the other languages.
    for lang in LANGUAGES[:3]:
        for path in ("/health-check", "/health-check/new", check_path):
            go(page, f"{base}/{lang}{path}")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            assert_accessible(page)
    assert console_errors == []


def test_without_javascript_the_form_works_and_read_aloud_stays_hidden(browser, private_live_app, live_mail):
    base, app = private_live_app
    _resident(app, NO_SCRIPT_RESIDENT, "nl", earlier=False)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.add_init_script(FAKE_SPEECH)  # a voice would be there: the buttons stay hidden anyway without scripts
    resident_login(page, base, live_mail, NO_SCRIPT_RESIDENT, "nl")
    go(page, f"{base}/nl/health-check")
    expect(page.locator(".wp-hc-empty")).to_be_visible()
    go(page, f"{base}/nl/health-check/new")
    expect(page.locator("button.wp-read-aloud")).to_have_count(8)
    for index in range(8):
        expect(page.locator("button.wp-read-aloud").nth(index)).to_be_hidden()
    for key in ("mark", "body", "mind", "social", "societal"):
        _choose(page, key, 7)
    submit(page)
    expect(page).to_have_url(f"{base}/nl/health-check")
    expect(page.locator(".wp-flash")).to_contain_text(_("nl", "Thank you. Your health check is saved."))
    expect(page.locator(".wp-hc-table tbody tr")).to_have_count(1)
    expect(page.locator("svg[role=img]")).to_have_count(5)
    context.close()
