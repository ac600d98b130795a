"""Driving the login forms the way a browser does: CSRF token from the page, then POST."""

from __future__ import annotations

import re
import time

import pyotp

from portal.auth_session import SESSION_TOKEN
from portal.extensions import db
from portal.services.accounts import login_sessions
from tests.factories import TEST_PASSWORD

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on `path`."""
    page = client.get(path).get_data(as_text=True)
    match = _TOKEN.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def post_form(client, path: str, data: dict, token_from: str | None = None):
    """POST `data` to `path` with the CSRF token of the page `token_from` (default: `path`)."""
    return client.post(path, data={"csrf_token": csrf_token(client, token_from or path), **data})


def password_step(client, email: str, password: str = TEST_PASSWORD):
    """Step 1 of logging in."""
    return post_form(client, "/nl/login", {"email": email, "password": password})


def totp_code(secret: str, offset_steps: int = 0) -> str:
    """The authenticator app's code, `offset_steps` periods of 30 s from now."""
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def sign_in(client, user):
    """Give `client` a complete login session of `user` (password and second factor done); returns the login."""
    login, _pending = login_sessions.start(user)
    token = login_sessions.complete(login)
    db.session.commit()
    with client.session_transaction() as session:
        session.clear()
        session[SESSION_TOKEN] = token
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return login
