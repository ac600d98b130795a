"""The scale-out run's rows, made and counted in the database directly by the app in this process."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import func, select

from bench.messaging_login import session_cookie
from bench.scale_out_cluster import Cluster
from portal.extensions import db
from portal.models import Booking, Programme, Session, User
from portal.models.base import utcnow
from portal.services.accounts.passwords import hash_password
from portal.services.accounts.second_factor import new_totp_secret
from portal.services.accounts.users import find_user_by_email

DEMO_BROKER = "beweegmakelaar@demo.wijkportaal.nl"


def broker_programme(cluster: Cluster) -> tuple[int, str, str]:
    """A published demo programme of the demo beweegmakelaar's organisation: its id, slug and Dutch title."""
    with cluster.app.app_context():
        broker = find_user_by_email(DEMO_BROKER)
        programme = db.session.scalars(
            select(Programme)
            .where(Programme.organisation_id == broker.organisation_id, Programme.status == "published")
            .order_by(Programme.slug)
        ).first()
        return programme.id, programme.slug, programme.text("nl").title


def give_authenticator_app(cluster: Cluster, email: str) -> str:
    """Set up an authenticator app (TOTP) for the account, as its first login would; returns the secret."""
    with cluster.app.app_context():
        user = find_user_by_email(email)
        user.second_factor, user.totp_secret = "totp", new_totp_secret()
        db.session.commit()
        return user.totp_secret


def new_residents(cluster: Cluster, prefix: str, count: int) -> list[tuple[int, str]]:
    """`count` confirmed resident accounts (codes by mail), committed: their ids and email addresses."""
    with cluster.app.app_context():
        password_hash = hash_password(secrets.token_urlsafe(16))
        users = [
            User(
                email=f"{prefix}-{i:03d}@example.org",
                password_hash=password_hash,
                display_name=f"Bewoner {i}",
                role="resident",
                locale="nl",
                second_factor="email",
                email_confirmed_at=utcnow(),
            )
            for i in range(count)
        ]
        db.session.add_all(users)
        db.session.commit()
        return [(user.id, user.email) for user in users]


def signed_in_browsers(cluster: Cluster, user_ids: list[int]) -> list[requests.Session]:
    """One browser per resident, each with its own completed login session (made in the database, signed with the
    shared SECRET_KEY): the cookie any server accepts."""
    browsers = []
    with cluster.app.app_context():
        for user_id in user_ids:
            name, _equals, value = session_cookie(cluster.app, db.session.get(User, user_id)).partition("=")
            browser = requests.Session()
            browser.cookies.set(name, value, domain="127.0.0.1", path="/")
            browsers.append(browser)
    return browsers


def session_with_places(cluster: Cluster, programme_id: int, capacity: int) -> int:
    """A new session of the programme in two days with `capacity` places; returns its id."""
    with cluster.app.app_context():
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
        session = Session(
            programme_id=programme_id, starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=capacity
        )
        db.session.add(session)
        db.session.commit()
        return session.id


def booking_rows(cluster: Cluster, session_id: int) -> tuple[Counter, int, int]:
    """The session's bookings by status, how many residents have one, and the session's booked-places counter."""
    with cluster.app.app_context():
        statuses = Counter(dict(db.session.execute(
            select(Booking.status, func.count()).where(Booking.session_id == session_id).group_by(Booking.status)
        ).all()))  # fmt: skip
        people = db.session.scalar(
            select(func.count(func.distinct(Booking.user_id))).where(Booking.session_id == session_id)
        )
        booked = db.session.scalar(select(Session.booked).where(Session.id == session_id))
        db.session.remove()
        return statuses, people, booked
