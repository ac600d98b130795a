"""Flask CLI commands: seeding, create-user and translate (send-reminders, send-mail, content: beside their code)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app

from portal.extensions import db
from portal.services.accounts.users import UserError, create_user
from portal.services.content_errors import ContentError
from portal.services.seed.bench import bench_data_present, seed_bench
from portal.services.seed.bench_messages import bench_messages_present, seed_bench_messages
from portal.services.seed.bench_referrals import bench_referrals_present, seed_bench_referrals
from portal.services.seed.demo import DEMO_PASSWORD, load_demo


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Also load the demo into a production database.")
def seed_demo(force: bool) -> None:
    """Load the demo neighbourhood Overvecht; running it again adds nothing twice."""
    if current_app.config["PORTAL_ENV"] == "production" and not force:
        raise click.ClickException("refusing to load demo data in production (use --force)")
    directory = Path(current_app.config["PORTAL_CONTENT_DIR"]) / "demo"
    try:
        report = load_demo(directory, date.today())
    except ContentError as error:
        raise click.ClickException(str(error)) from error
    added = ", ".join(f"{n} {what}" for what, n in sorted(report.added.items())) or "nothing new"
    click.echo(f"Demo neighbourhood loaded ({added}).")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email in report.users:
        click.echo(f"  {role:<13} {email}")


@click.command("seed-bench")
@click.option("--programmes", default=2000, show_default=True)
@click.option("--locations", default=500, show_default=True)
@click.option("--sessions", default=20000, show_default=True)
def seed_bench_command(programmes: int, locations: int, sessions: int) -> None:
    """Fill the database with the load-benchmark data set (never in production)."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("refusing to load benchmark data in production")
    if not (1 <= locations <= programmes <= sessions):
        raise click.ClickException("need 1 <= locations <= programmes <= sessions")
    if bench_data_present():
        click.echo("Benchmark data is loaded already; nothing added.")
        return
    counts = seed_bench(current_app.config["PORTAL_NEIGHBOURHOOD"], programmes, locations, sessions)
    click.echo("Benchmark data loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")


@click.command("seed-bench-messages")
@click.option("--threads", default=10_000, show_default=True)
@click.option("--messages", default=100_000, show_default=True)
@click.option("--residents", default=1000, show_default=True)
def seed_bench_messages_command(threads: int, messages: int, residents: int) -> None:
    """Fill the database with the messaging benchmark data set: one practice's inbox (never in production)."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("refusing to load benchmark data in production")
    if not (1 <= residents <= threads and 2 * threads <= messages):
        raise click.ClickException("need 1 <= residents <= threads and messages >= 2 x threads")
    if bench_messages_present():
        click.echo("Messaging benchmark data is loaded already; nothing added.")
        return
    counts = seed_bench_messages(current_app.config["PORTAL_NEIGHBOURHOOD"], threads, messages, residents)
    click.echo("Messaging benchmark data loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")


@click.command("seed-bench-referrals")
@click.option("--referrals", default=10_000, show_default=True)
def seed_bench_referrals_command(referrals: int) -> None:
    """Fill the database with the referral benchmark data set: a beweegmakelaars workspace (never in production)."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("refusing to load benchmark data in production")
    if not 10 <= referrals <= 1_000_000:
        raise click.ClickException("need 10 <= referrals <= 1,000,000")
    if bench_referrals_present():
        click.echo("Referral benchmark data is loaded already; nothing added.")
        return
    counts = seed_bench_referrals(current_app.config["PORTAL_NEIGHBOURHOOD"], referrals)
    click.echo("Referral benchmark data loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["resident", "professional", "broker", "admin"]))
@click.option("--organisation", "organisation", default=None, help="Organisation slug (staff).")
@click.option("--name", "display_name", default=None, help="Display name.")
@click.option("--locale", default="nl", type=click.Choice(["nl", "en", "tr", "ar"]))
@click.option(
    "--password",
    envvar="PORTAL_NEW_PASSWORD",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    show_envvar=True,
    help="Asked for at a prompt; scripts set PORTAL_NEW_PASSWORD.",
)
def create_user_command(email, role, organisation, display_name, locale, password) -> None:
    """Create an account; the password comes from a prompt or PORTAL_NEW_PASSWORD."""
    try:
        user = create_user(
            email, password, role, display_name=display_name, organisation_slug=organisation, locale=locale
        )
        db.session.commit()
    except UserError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role} account {user.email}.")


@click.command("translate")
@click.option("--no-update", is_flag=True, help="Only compile the catalogs.")
def translate(no_update: bool) -> None:
    """Extract the strings, update every catalog and compile them."""
    root = Path(current_app.root_path).parent
    pybabel = [sys.executable, "-m", "babel.messages.frontend"]
    steps = (
        []
        if no_update
        else [
            [
                *pybabel,
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "--no-location",
                "--add-comments",
                "i18n:",
                "--sort-output",
                "--project",
                "Wijkportaal",
                "-o",
                "translations/messages.pot",
                ".",
            ],
            [
                *pybabel,
                "update",
                "-i",
                "translations/messages.pot",
                "-d",
                "translations",
                "--no-fuzzy-matching",
                "--ignore-obsolete",
            ],
        ]
    )
    steps.append([*pybabel, "compile", "-d", "translations", "--statistics"])
    for step in steps:
        subprocess.run(step, cwd=root, check=True)


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""
    from portal.booking_cli import send_reminders
    from portal.content_cli import content
    from portal.health_check_cli import health_check
    from portal.mail_cli import send_mail_command
    from portal.messaging_cli import messages
    from portal.referrals_cli import referrals
    from portal.search_cli import search

    for command in (
        seed_demo,
        seed_bench_command,
        seed_bench_messages_command,
        seed_bench_referrals_command,
        create_user_command,
        translate,
        content,
        send_reminders,
        send_mail_command,
        messages,
        referrals,
        health_check,
        search,
    ):
        app.cli.add_command(command)
