"""People for the browser journeys: accounts with a known password, their logins, and the catalogs' words."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyotp
from babel.support import Translations
from playwright.sync_api import expect

from portal.models import User
from portal.models.base import utcnow
from portal.services.accounts.passwords import hash_password
from tests.support.browser import go, submit
from tests.support.mail import code_in

PASSWORD = "een lange zin als wachtwoord 2026"
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


@cache
def _catalog(lang: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [lang])


def said(lang: str, message: str, **values) -> str:
    """`message` as the `lang` catalog says it, with `values` filled in."""
    text = _catalog(lang).gettext(message)
    return text % values if values else text


def person(email: str, name: str, role: str, locale: str, **fields) -> User:
    """A confirmed account with PASSWORD: residents get codes by mail, staff an authenticator app (`totp_secret`)."""
    return User(
        email=email,
        password_hash=hash_password(PASSWORD),
        display_name=name,
        role=role,
        locale=locale,
        second_factor="email" if role == "resident" else "totp",
        email_confirmed_at=utcnow(),
        **fields,
    )


def staff_login(page, base: str, email: str, secret: str) -> None:
    """Log in a staff account with its password and a code from its authenticator app."""
    go(page, base + "/nl/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    submit(page)
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    submit(page)
    expect(page).not_to_have_url(re.compile(r"/login"))


def resident_login(page, base: str, live_mail, email: str, lang: str = "nl") -> None:
    """Log in a resident with their password and the code mailed to them."""
    go(page, f"{base}/{lang}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    submit(page)
    page.locator("#code").fill(code_in(live_mail(email)))
    submit(page)
    expect(page).not_to_have_url(re.compile(r"/login"))
