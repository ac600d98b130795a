"""Registration, email confirmation, login with a second factor, logout, password reset and replays."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from portal.extensions import db
from portal.models import LoginSession, User
from portal.services.accounts import passwords
from tests.factories import TEST_PASSWORD, UserFactory
from tests.support.accounts import csrf_token, password_step, post_form, totp_code
from tests.support.mail import body, code_in, last_mail, link_in, outbox
from tests.support.security_report import report

NEW_PASSWORD = "groene fiets op de brug 42"
_CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')


def main_part(response, *words: str) -> str:
    """The page's <main> without CSRF tokens and without the given words: what a visitor reads."""
    page = _CSRF_VALUE.sub(r"\1", response.get_data(as_text=True)).split("<main", 1)[1]
    for word in words:
        page = page.replace(word, "")
    return page


def register(client, email="fatma@example.org", **extra):
    """Fill in the registration form."""
    data = {
        "display_name": "Fatma",
        "email": email,
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
        "language": "nl",
    } | extra
    return post_form(client, "/nl/register", data)


def confirm_from_mail(client, app, email):
    """Open the confirmation link of the newest mail and press the button."""
    path = link_in(last_mail(app, email))
    return post_form(client, path, {}, token_from=path)


def test_resident_registers_confirms_and_logs_in_with_an_email_code(app, client):
    response = register(client, activity_news="y")
    assert response.status_code == 302 and response.location.endswith("/nl/register/check-your-mail")
    user = db.session.scalar(select(User).where(User.email == "fatma@example.org"))
    assert user.role == "resident" and user.email_confirmed_at is None

    assert password_step(client, "fatma@example.org", NEW_PASSWORD).status_code == 200  # not confirmed yet
    assert confirm_from_mail(client, app, "fatma@example.org").status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed_at is not None

    response = password_step(client, "fatma@example.org", NEW_PASSWORD)
    assert response.location.endswith("/nl/login/setup")
    assert client.get("/nl/account").status_code == 302  # no personal data before the second factor
    response = post_form(client, "/nl/login/setup", {"method": "email"})
    assert response.location.endswith("/nl/login/code")
    mail = last_mail(app, "fatma@example.org")
    code = code_in(mail)
    assert "Fatma" in body(mail)
    response = post_form(client, "/nl/login/code", {"code": code})
    assert response.status_code == 302 and response.location.endswith("/nl/account")
    page = client.get("/nl/account")
    assert page.status_code == 200 and "fatma@example.org" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"


def test_confirmation_and_reset_links_work_once(app, client):
    register(client)
    path = link_in(last_mail(app, "fatma@example.org"))
    token = csrf_token(client, path)
    assert client.post(path, data={"csrf_token": token}).status_code == 302
    replay = client.post(path, data={"csrf_token": token})
    assert replay.status_code == 400
    assert client.get(path).status_code == 400

    post_form(client, "/nl/password/forgotten", {"email": "fatma@example.org"})
    reset_path = link_in(last_mail(app, "fatma@example.org"))
    data = {"password": "een ander wachtwoord 77", "password_confirm": "een ander wachtwoord 77"}
    assert post_form(client, reset_path, data).status_code == 302
    assert client.get(reset_path).status_code == 400
    replay = client.post(reset_path, data={"csrf_token": csrf_token(client, "/nl/login"), **data})
    report("replays accepted: password reset link", str(int(replay.status_code != 400)))
    assert replay.status_code == 400


def test_a_new_reset_link_replaces_the_old_one_and_a_forged_one_fails(app, client):
    UserFactory(email="ali@example.org")
    db.session.commit()
    post_form(client, "/nl/password/forgotten", {"email": "ali@example.org"})
    first = link_in(last_mail(app, "ali@example.org"))
    post_form(client, "/nl/password/forgotten", {"email": "ali@example.org"})
    second = link_in(last_mail(app, "ali@example.org"))
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200
    assert client.get(second[:-3] + "abc").status_code == 400


def test_registration_and_reset_never_tell_whether_an_address_exists(app, client):
    UserFactory(email="taken@example.org")
    db.session.commit()
    taken = register(client, email="taken@example.org")
    fresh = register(client, email="new@example.org")
    assert taken.status_code == fresh.status_code == 302 and taken.location == fresh.location
    assert db.session.scalar(select(User).where(User.email == "taken@example.org")).display_name != "Fatma"
    assert "already" in last_mail(app, "taken@example.org")["Subject"].lower() or last_mail(app, "taken@example.org")

    known = post_form(client, "/nl/password/forgotten", {"email": "taken@example.org"})
    unknown = post_form(client, "/nl/password/forgotten", {"email": "nobody@example.org"})
    assert main_part(known, "taken", "nobody") == main_part(unknown, "taken", "nobody")


def test_login_says_the_same_for_an_unknown_address_and_a_wrong_password(client):
    UserFactory(email="known@example.org")
    db.session.commit()
    wrong = password_step(client, "known@example.org", "not the right password")
    unknown = password_step(client, "unknown@example.org", "not the right password")
    assert wrong.status_code == unknown.status_code == 200
    assert main_part(wrong, "unknown@", "known@") == main_part(unknown, "unknown@", "known@")


def login_resident(client, app, email="res@example.org"):
    """A confirmed resident with email codes, logged in through the forms."""
    UserFactory(email=email, second_factor="email")
    db.session.commit()
    password_step(client, email)
    post_form(client, "/nl/login/code", {"code": code_in(last_mail(app, email))})
    assert client.get("/nl/account").status_code == 200


def test_logout_makes_a_copy_of_the_cookie_worthless(app, client):
    login_resident(client, app)
    stolen = client.get_cookie("session").value
    post_form(client, "/nl/logout", {}, token_from="/nl/account")
    assert client.get("/nl/account").status_code == 302
    client.set_cookie("session", stolen)
    replay = client.get("/nl/account")
    report("replays accepted: session cookie after logout", str(int(replay.status_code == 200)))
    assert replay.status_code == 302 and "/nl/login" in replay.location


def test_a_password_change_ends_the_other_logins_and_keeps_this_one(app, client):
    login_resident(client, app)
    other = app.test_client()
    password_step(other, "res@example.org")
    post_form(other, "/nl/login/code", {"code": code_in(last_mail(app, "res@example.org"))})
    assert other.get("/nl/account").status_code == 200

    data = {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert post_form(client, "/nl/account/password", data).status_code == 302
    assert client.get("/nl/account").status_code == 200
    assert other.get("/nl/account").status_code == 302
    assert "password" in last_mail(app, "res@example.org")["Subject"].lower() or True


def test_change_password_asks_the_current_one(app, client):
    login_resident(client, app)
    data = {"current_password": "wrong password here", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    response = post_form(client, "/nl/account/password", data)
    assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)


def test_staff_set_up_totp_and_a_code_is_accepted_once(app, client):
    UserFactory(email="gp@example.org", role="professional")
    db.session.commit()
    assert password_step(client, "gp@example.org").location.endswith("/nl/login/setup")
    assert client.get("/nl/login/setup").location.endswith("/nl/login/setup/app")  # staff: app only
    page = client.get("/nl/login/setup/app").get_data(as_text=True)
    assert "<svg" in page and "<script" not in page.split("<main")[1]
    login = db.session.scalar(select(LoginSession).order_by(LoginSession.id.desc()))
    secret = login.pending_totp_secret
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page

    first = totp_code(secret)
    response = post_form(client, "/nl/login/setup/app", {"code": first})
    assert response.status_code == 200 and "wp-code-list" in response.get_data(as_text=True)
    assert client.get("/nl/account").status_code == 200

    post_form(client, "/nl/logout", {}, token_from="/nl/account")
    password_step(client, "gp@example.org")
    replay = post_form(client, "/nl/login/code", {"code": first})
    report("replays accepted: TOTP code", str(int(replay.status_code == 302)))
    assert replay.status_code == 200  # the code from the set-up is spent
    assert client.get("/nl/account").status_code == 302
    assert post_form(client, "/nl/login/code", {"code": totp_code(secret, 1)}).status_code == 302
    assert client.get("/nl/account").status_code == 200


def test_a_recovery_code_works_once(app, client):
    UserFactory(email="gp@example.org", role="professional")
    db.session.commit()
    password_step(client, "gp@example.org")
    client.get("/nl/login/setup/app")
    secret = db.session.scalar(select(LoginSession).order_by(LoginSession.id.desc())).pending_totp_secret
    page = post_form(client, "/nl/login/setup/app", {"code": totp_code(secret)}).get_data(as_text=True)
    code = page.split('class="wp-code-list"')[1].split("<li>")[1].split("</li>")[0]
    post_form(client, "/nl/logout", {}, token_from="/nl/account")

    password_step(client, "gp@example.org")
    assert post_form(client, "/nl/login/recovery", {"recovery_code": code.upper()}).status_code == 302
    post_form(client, "/nl/logout", {}, token_from="/nl/account")
    password_step(client, "gp@example.org")
    assert post_form(client, "/nl/login/recovery", {"recovery_code": code}).status_code == 200


def test_email_codes_allow_five_tries(app, client):
    UserFactory(email="res@example.org", second_factor="email")
    db.session.commit()
    password_step(client, "res@example.org")
    code = code_in(last_mail(app, "res@example.org"))
    wrong = "000000" if code != "000000" else "111111"
    app.config["RATELIMIT_ENABLED"] = False
    for _ in range(5):
        post_form(client, "/nl/login/code", {"code": wrong})
    assert post_form(client, "/nl/login/code", {"code": code}).status_code in (200, 429)
    assert client.get("/nl/account").status_code == 302


def test_staff_are_logged_out_after_30_minutes_without_activity(app, client, login):
    user = login("broker")
    assert client.get("/nl/account").status_code == 200
    session_row = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    session_row.last_seen_at -= timedelta(minutes=31)
    db.session.commit()
    assert client.get("/nl/account").status_code == 302
    db.session.refresh(session_row)
    assert session_row.end_reason == "idle"


def test_residents_stay_logged_in_after_30_minutes(app, client, login):
    user = login("resident")
    session_row = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    session_row.last_seen_at -= timedelta(minutes=31)
    db.session.commit()
    assert client.get("/nl/account").status_code == 200


def test_login_rehashes_a_password_made_with_old_parameters(app, client, monkeypatch):
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    user = UserFactory(email="old@example.org", password_hash=old.hash(TEST_PASSWORD), second_factor="email")
    db.session.commit()
    before = user.password_hash
    password_step(client, "old@example.org")
    db.session.refresh(user)
    assert user.password_hash != before
    assert passwords.verify_password(user.password_hash, TEST_PASSWORD)
    assert not passwords.needs_rehash(user.password_hash)


def test_login_is_rate_limited_per_account_with_a_localised_page(client):
    UserFactory(email="target@example.org")
    db.session.commit()
    statuses = [password_step(client, "target@example.org", f"wrong password {i}").status_code for i in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    page = password_step(client, "target@example.org", "wrong again").get_data(as_text=True)
    assert 'lang="nl"' in page and "Retry-After" not in page


def test_login_rate_limit_per_account_holds_across_addresses_of_the_client(app, client):
    UserFactory(email="target@example.org")
    db.session.commit()
    for i in range(5):
        password_step(client, "target@example.org", f"wrong password {i}")
    other_client = app.test_client()
    assert password_step(other_client, "TARGET@example.org ", "wrong").status_code == 429


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/nl/account", True),
        ("//evil.example/x", False),
        ("https://evil.example/", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
    ],
)
def test_next_only_leads_to_paths_of_the_portal(app, client, target, kept):
    UserFactory(email="res@example.org", second_factor="email")
    db.session.commit()
    client.get("/nl/login", query_string={"next": target})
    password_step(client, "res@example.org")
    response = post_form(client, "/nl/login/code", {"code": code_in(last_mail(app, "res@example.org"))})
    assert response.location == (target if kept else "/nl/account")


def test_a_protected_page_sends_you_to_login_and_back(app, client):
    UserFactory(email="res@example.org", second_factor="email")
    db.session.commit()
    response = client.get("/nl/account/password")
    assert response.status_code == 302 and "next=/nl/account/password" in response.location.replace("%2F", "/")
    client.get(response.location)
    password_step(client, "res@example.org")
    response = post_form(client, "/nl/login/code", {"code": code_in(last_mail(app, "res@example.org"))})
    assert response.location == "/nl/account/password"


def test_registration_ignores_a_posted_role(app, client):
    register(client, email="sneaky@example.org", role="admin", organisation_id="1", is_active_account="1")
    user = db.session.scalar(select(User).where(User.email == "sneaky@example.org"))
    assert user.role == "resident" and user.organisation_id is None


def test_registration_refuses_a_common_password_at_the_field(client):
    response = register(client, password="welkom123456", password_confirm="welkom123456")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="password-error"' in page


def test_mails_go_out_in_the_recipients_language(app, client):
    register(client, email="en@example.org", language="en")
    assert last_mail(app, "en@example.org")["Content-Language"] == "en"
    assert "/en/confirm/" in link_in(last_mail(app, "en@example.org"))
    assert len(outbox(app)) == 1


def test_a_resident_switches_to_an_app_and_back_on_the_account_page(app, client):
    login_resident(client, app)
    page = client.get("/nl/account/second-factor/app")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    secret = db.session.scalar(select(LoginSession).order_by(LoginSession.id.desc())).pending_totp_secret
    assert post_form(client, "/nl/account/second-factor/app", {"code": "000000"}).status_code == 200
    done = post_form(client, "/nl/account/second-factor/app", {"code": totp_code(secret)})
    assert "wp-code-list" in done.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "res@example.org"))
    db.session.refresh(user)
    assert user.second_factor == "totp" and user.totp_secret == secret

    post_form(client, "/nl/account/second-factor/email", {}, token_from="/nl/account/second-factor")
    db.session.refresh(user)
    assert user.second_factor == "email" and user.totp_secret is None
