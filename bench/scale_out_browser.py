"""The scale-out run's browser: form fields as a browser submits them, a staff login with TOTP, anonymous pages."""

from __future__ import annotations

import time

import pyotp
import requests

from tests.support.html_forms import post_forms

TIMEOUT = 60  # seconds, for each request


def form_fields(http: requests.Session, url: str, path: str) -> list[tuple[str, str]]:
    """GET `url` + `path` and return the POST form for `path` as (name, value) pairs, as a browser would send it."""
    response = http.get(url + path, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 200, f"GET {url}{path}: {response.status_code} {response.headers.get('Location')}"
    for action, fields in post_forms(path, response.text):
        if action == path:
            return [(name, value) for name, values in fields.items() for value in values]
    raise AssertionError(f"no POST form for {path} on {url}{path}")


def replaced(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The form's fields with `values` (keys with '-' written as '__') put in place of the defaults."""
    new = {name.replace("__", "-"): value for name, value in values.items()}
    return [(name, new.pop(name, value)) for name, value in fields] + list(new.items())


def log_in_staff(http: requests.Session, url: str, email: str, password: str, secret: str) -> None:
    """Log a staff account in on `url`: the password, then the code of its authenticator app."""
    fields = form_fields(http, url, "/nl/login")
    step = http.post(
        url + "/nl/login", data=replaced(fields, email=email, password=password), allow_redirects=False, timeout=TIMEOUT
    )
    assert step.status_code == 302 and "/login/code" in step.headers["Location"], f"password step: {step.status_code}"
    fields = form_fields(http, url, "/nl/login/code")
    done = http.post(
        url + "/nl/login/code",
        data=replaced(fields, code=pyotp.TOTP(secret).now()),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert done.status_code == 302 and "/login" not in done.headers["Location"], f"code step: {done.status_code}"


def public_page(url: str) -> tuple[str, float]:
    """An anonymous GET (no cookies, as a first-time visitor): the page's text and the milliseconds it took."""
    began = time.perf_counter()
    response = requests.get(url, timeout=TIMEOUT)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return response.text, round((time.perf_counter() - began) * 1000, 1)
