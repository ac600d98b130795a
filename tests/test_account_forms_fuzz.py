"""Random input to the account forms: never a 500, never an account with more rights than a resident."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import User
from tests.factories import UserFactory
from tests.support.accounts import sign_in

text = st.text(max_size=300) | st.sampled_from(["", " ", "admin", "a@b.co", "\x00", "x" * 5000, "=1+1", "<script>"])
FIELDS = ("display_name", "email", "password", "password_confirm", "language", "role", "organisation_id", "code")
form_data = st.dictionaries(st.sampled_from(FIELDS), text, max_size=len(FIELDS))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def loose_app(make_app):
    """The app without CSRF and rate limits, so random input reaches the form validation."""
    return make_app(None, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)


@pytest.mark.parametrize(
    "path",
    ["/nl/register", "/nl/login", "/nl/password/forgotten", "/nl/login/code", "/nl/login/setup", "/nl/confirm/x"],
)
def test_account_forms_never_fail_on_random_input(loose_app, path):
    client = loose_app.test_client()
    # Wrong logins are also counted in the database (auth_throttle), which holds without Flask-Limiter: a run that
    # tries one address often enough is refused with 429, as it should be.
    expected = (200, 302, 400, 413, 429) if path == "/nl/login" else (200, 302, 400, 413)

    @SETTINGS
    @given(data=form_data)
    def check(data):
        response = client.post(path, data=data)
        assert response.status_code < 500, (path, data, response.status_code)
        assert response.status_code in expected

    check()
    roles = set(db.session.scalars(select(User.role)))
    assert roles <= {"resident"}


def test_logged_in_forms_never_fail_on_random_input(loose_app):
    user = UserFactory(second_factor="email")
    client = loose_app.test_client()
    sign_in(client, user)

    @SETTINGS
    @given(data=form_data, path=st.sampled_from(["/nl/account/password", "/nl/account/language", "/nl/account/delete"]))
    def check(data, path):
        response = client.post(path, data=data)
        assert response.status_code in (200, 302), (path, data, response.status_code)

    check()
    db.session.expire_all()
    assert db.session.get(User, user.id).role == "resident"
