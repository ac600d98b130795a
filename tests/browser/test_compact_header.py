"""The compact header: at 390 px the menu folds into a <details> that opens without JavaScript; wide screens show it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

NARROW = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}


def _main_top(page) -> float:
    return page.evaluate("document.querySelector('main').getBoundingClientRect().top")


def _no_horizontal_scroll(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"horizontal scroll: {widths}"


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_narrow_header_is_compact_and_its_menu_opens_without_javascript(browser, live_server, lang, axe):
    context = browser.new_context(viewport=NARROW, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/{lang}/")
    assert _main_top(page) <= 160, f"{lang}: main starts at {_main_top(page)} px"
    _no_horizontal_scroll(page)
    menu_link = page.locator("nav.wp-nav a").nth(1)
    expect(menu_link).to_be_hidden()
    expect(page.locator(".wp-language-nav a").first).to_be_visible()

    toggle = page.locator("summary.wp-menu__toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.wp-menu")).to_have_attribute("open", "")
    expect(menu_link).to_be_visible()
    expect(page.locator(".wp-account-nav a").first).to_be_visible()
    _no_horizontal_scroll(page)
    if lang == "ar":  # right to left: the menu button sits at the left edge, the logo at the right
        box, logo = toggle.bounding_box(), page.locator(".wp-logo").bounding_box()
        assert box["x"] < logo["x"]
    href = menu_link.get_attribute("href")
    menu_link.click()
    assert page.url == live_server + href
    expect(page.locator("h1")).to_be_visible()
    context.close()


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_narrow_header_open_and_closed_is_accessible(browser, live_server, lang, assert_accessible):
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    page.goto(f"{live_server}/{lang}/programmes")
    assert _main_top(page) <= 160
    assert_accessible(page)
    page.locator("summary.wp-menu__toggle").click()
    expect(page.locator("nav.wp-nav a[aria-current='page']")).to_be_visible()
    assert_accessible(page)
    _no_horizontal_scroll(page)
    context.close()


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_wide_header_shows_the_menu_without_a_button(browser, live_server, lang, assert_accessible):
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    page.goto(f"{live_server}/{lang}/")
    expect(page.locator("summary.wp-menu__toggle")).to_be_hidden()
    for link in page.locator("nav.wp-nav a, .wp-account-nav a").all():
        expect(link).to_be_visible()
    assert _main_top(page) <= 160
    _no_horizontal_scroll(page)
    assert_accessible(page)
    context.close()
