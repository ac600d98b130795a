"""The password policy: length, the shipped common-password list, simple patterns and personal details."""

from __future__ import annotations

import string

import pytest
from flask_babel import force_locale
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from portal.services.accounts import users
from portal.services.accounts.password_policy import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    common_passwords,
    password_problems,
)
from portal.services.seed.demo import DEMO_PASSWORD
from tests.factories import TEST_PASSWORD

TOO_SHORT = "Use at least 12 characters."
TOO_LONG = "Use at most 128 characters."
COMMON = "This password is used by many people. Choose another one."
SIMPLE = "This password is too easy to guess. Do not use a row such as 123456 or abcdef, or one character many times."
PERSONAL = "Do not use your name or email address in your password."


def rendered(password: str, **details) -> list[str]:
    """The problems with `password`, rendered in English."""
    with force_locale("en"):
        return [str(problem) for problem in password_problems(password, **details)]


@pytest.mark.parametrize(
    "password",
    [
        DEMO_PASSWORD,
        TEST_PASSWORD,
        "a long enough password",
        "Fietsen-langs-de-Vecht-7",
        "x7Kq2mW9pLr4",
        "mijn kat slaapt op de bank",
        "é" * 3 + "Zomer aan zee",
    ],
)
def test_good_passwords_pass(app, password):
    assert rendered(password) == []


def test_the_demo_password_passes_for_every_demo_account(app):
    accounts = {
        "bewoner@demo.wijkportaal.nl": "Fatima (demo-bewoner)",
        "huisarts@demo.wijkportaal.nl": "Dokter Jansen (demo-huisarts)",
        "beweegmakelaar@demo.wijkportaal.nl": "Samira (demo-beweegmakelaar)",
        "coordinator@demo.wijkportaal.nl": "Coördinator (demo)",
    }
    for email, name in accounts.items():
        assert rendered(DEMO_PASSWORD, email=email, display_name=name) == []


def test_too_short_names_the_minimum(app):
    assert rendered("Kx7#pQ2!") == [TOO_SHORT]
    assert rendered("Kx7#pQ2!mW9") == [TOO_SHORT]
    assert rendered("Kx7#pQ2!mW9z") == []
    assert rendered("") == [TOO_SHORT]


def test_too_long(app):
    assert rendered("Kx7#pQ2!mW9z" * 11) == [TOO_LONG]
    assert len("Kx7#pQ2!mW9z" * 11) > MAX_PASSWORD_LENGTH
    assert rendered(("Kx7#pQ2!mW9z" * 11)[:MAX_PASSWORD_LENGTH]) == []


@pytest.mark.parametrize(
    "password",
    [
        "password123456",
        "Password123456",
        "  password123456  ",
        "Welkom2024!!!!",
        "wachtwoord!!!!",
        "welkomwelkom",
        "WelkomWelkomWelkom",
        "iloveyouiloveyou",
    ],
)
def test_common_passwords_are_refused(app, password):
    assert rendered(password) == [COMMON]


def test_a_short_common_password_gets_both_messages(app):
    assert rendered("qwertyuiop") == [TOO_SHORT, COMMON]


def test_a_short_leftover_after_stripping_digits_is_not_checked(app):
    # "abc" is common, but after stripping the digits it is shorter than six characters
    assert "abc" in common_passwords()
    assert rendered("abc-Kx7#pQ2!mW9z") == []


@pytest.mark.parametrize(
    "password",
    [
        "zzzzzzzzzzzzzz",
        "%%%%%%%%%%%%",
        "            ",
        "121212121212",
        "123456789012",
        "abcdefghijkl",
        "ZYXWVUTSRQPO",
        "ghijklmnopqrs",
        "qwertyuiopasdf",
    ],
)
def test_repeats_and_rows_are_refused(app, password):
    assert password.lower().strip() not in common_passwords()
    assert rendered(password) == [SIMPLE]


def test_the_email_local_part_is_refused(app):
    assert rendered("Sanne-fietst-graag", email="sanne@example.org") == [PERSONAL]
    assert rendered("SANNE-fietst-graag", email="Sanne@Example.org") == [PERSONAL]
    # local parts under four characters are not checked
    assert rendered("Jan-fietst-graag-7", email="jan@example.org") == []


def test_the_display_name_is_refused(app):
    assert rendered("Ik ben Fatima Yilmaz!", display_name="fatima yilmaz") == [PERSONAL]
    assert rendered("Bo-fietst-graag-7", display_name="Bo") == []


def test_several_problems_are_all_listed(app):
    assert rendered("sanne", email="sanne@example.org") == [TOO_SHORT, PERSONAL]


def test_the_list_is_really_loaded():
    common = common_passwords()
    assert isinstance(common, frozenset)
    assert len(common) >= 10_000
    assert "qwertyuiop" in common
    assert "wachtwoord" in common
    assert "groene kikker danst op een blauwe fiets" not in common
    assert common_passwords() is common  # read once per process


def test_create_user_applies_the_policy(app):
    with pytest.raises(users.UserError, match="many people"):
        users.create_user("a@example.org", "password123456", "resident")
    with pytest.raises(users.UserError, match="name or email"):
        users.create_user("annemarie@example.org", "annemarie-2026-lente", "resident")
    with pytest.raises(users.UserError, match="12 characters"):
        users.create_user("a@example.org", "short", "resident")
    with pytest.raises(users.UserError, match="12 characters"), force_locale("nl"):
        users.create_user("a@example.org", "short", "resident")  # the command line stays English
    assert users.create_user("a@example.org", "groene kikker op een fiets", "resident").id is not None


def test_min_length_is_still_importable_from_users():
    assert users.MIN_PASSWORD_LENGTH == MIN_PASSWORD_LENGTH == 12


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.none() | st.text(max_size=80), st.none() | st.text(max_size=80))
def test_any_text_gives_a_list(password, email, display_name):
    problems = password_problems(password, email=email, display_name=display_name)
    assert isinstance(problems, list)
    with force_locale("en"):
        assert all(isinstance(str(problem), str) for problem in problems)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=20, max_size=40))
def test_random_letters_and_digits_pass(password):
    assume(len(set(password)) >= 12)  # high entropy: no long runs of one character
    assert password_problems(password) == []
