"""CLI commands: seed-demo (idempotent) and create-user."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Location, Organisation, Programme, ProgrammeText, Session, User
from portal.services.accounts.passwords import verify_password
from tests.factories import OrganisationFactory

MODELS = (Organisation, Location, Programme, ProgrammeText, Session, User)


def _counts() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in MODELS}


def test_seed_demo_loads_overvecht_and_prints_the_logins(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Overvecht-demo-2026" in result.output
    for role in ("resident", "professional", "broker", "admin"):
        assert role in result.output
    counts = _counts()
    assert counts["Programme"] >= 10 and counts["Session"] > 50 and counts["User"] == 4


def test_seed_demo_twice_adds_nothing_twice(runner):
    runner.invoke(args=["seed-demo"])
    before = _counts()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "nothing new" in result.output
    assert _counts() == before


def test_seed_demo_refuses_production(app, runner):
    app.config["PORTAL_ENV"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "production" in result.output
    assert _counts()["Programme"] == 0


def test_create_user_with_the_password_from_the_environment(runner):
    OrganisationFactory(slug="buurtteam-overvecht")
    db.session.commit()
    result = runner.invoke(
        args=["create-user", "Sanne@Example.org", "--role", "broker", "--organisation", "buurtteam-overvecht"],
        env={"PORTAL_NEW_PASSWORD": "a long enough password"},
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "sanne@example.org"
    assert user.role == "broker"
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, "a long enough password")


def test_create_user_with_the_password_from_a_prompt(runner):
    result = runner.invoke(
        args=["create-user", "admin@example.org", "--role", "admin"], input="prompted password\n" * 2
    )
    assert result.exit_code == 0, result.output
    assert "prompted password" not in result.output


def test_create_user_refuses_bad_input(runner):
    OrganisationFactory(slug="praktijk")
    db.session.commit()
    env = {"PORTAL_NEW_PASSWORD": "a long enough password"}
    cases = [
        (["create-user", "not-an-email", "--role", "resident"], env, "valid email"),
        (["create-user", "a@example.org", "--role", "superuser"], env, "superuser"),
        (["create-user", "a@example.org", "--role", "broker"], env, "--organisation"),
        (["create-user", "a@example.org", "--role", "broker", "--organisation", "nope"], env, "no organisation"),
        (["create-user", "a@example.org", "--role", "resident"], {"PORTAL_NEW_PASSWORD": "short"}, "12 characters"),
    ]
    for args, environment, message in cases:
        result = runner.invoke(args=args, env=environment)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
    assert _counts()["User"] == 0


def test_create_user_refuses_a_taken_email(runner):
    env = {"PORTAL_NEW_PASSWORD": "a long enough password"}
    assert runner.invoke(args=["create-user", "x@example.org", "--role", "resident"], env=env).exit_code == 0
    result = runner.invoke(args=["create-user", "X@example.org", "--role", "resident"], env=env)
    assert result.exit_code != 0 and "exists already" in result.output
