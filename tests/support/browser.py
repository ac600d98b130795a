"""Steps shared by the browser journeys: leave a page only once it has loaded."""

from __future__ import annotations


def go(page, url: str) -> None:
    """Navigate once the current page has fully loaded.

    Leaving earlier makes chromium drop the page's last requests (the favicon, an image), which the
    console_errors fixture reports as failed."""
    page.wait_for_load_state("load")
    page.goto(url)


def click(locator) -> None:
    """Click a link or button that leads to another page, once the current page has fully loaded."""
    locator.page.wait_for_load_state("load")
    locator.click()


def submit(page) -> None:
    """Press the first button of the page's main form."""
    click(page.locator("main form.wp-form button[type=submit]").first)
