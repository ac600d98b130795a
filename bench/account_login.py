"""A resident with bookings and a beweegmakelaar of the organisation of the measured programme, signed in (JSON on
stdout): the cookies for "my bookings" and the broker dashboard, and the broker's programme to edit.

Run with the environment the gunicorn app gets (same SECRET_KEY and DATABASE_URL) after `flask seed-bench`; running it
again reuses the accounts it made."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.messaging_login import session_cookie  # noqa: E402
from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Programme, Session, User  # noqa: E402
from portal.models.base import utcnow  # noqa: E402
from portal.services.accounts.passwords import hash_password  # noqa: E402
from portal.services.booking import places  # noqa: E402
from portal.services.tokens import new_secret  # noqa: E402

RESIDENT_EMAIL = "bench-resident@example.org"
BROKER_EMAIL = "bench-org-broker@example.org"
PROGRAMME_SLUG = "bench-0042"  # the programme page the benchmark measures
BOOKINGS = 12


def _user(email: str, role: str, organisation_id: int | None = None) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, password_hash=hash_password(new_secret()), display_name=f"Bench {role}", role=role,
                    organisation_id=organisation_id, is_demo=True, email_confirmed_at=utcnow())  # fmt: skip
        db.session.add(user)
        db.session.flush()
    return user


def _book(resident: User, count: int) -> int:
    """Book `count` coming sessions of different programmes (once: a repeated key returns the same booking)."""
    sessions = db.session.scalars(
        select(Session.id).where(Session.status == "scheduled", Session.starts_at > utcnow(), Session.capacity > 1)
        .order_by(Session.programme_id, Session.id).limit(count * 20)
    ).all()  # fmt: skip
    for number, session_id in enumerate(sessions[::20]):
        places.book(resident, session_id, f"bench-resident-{number:04d}")
    return len(sessions[::20])


def main() -> int:
    """Print {"cookies": {"resident": ..., "broker": ...}, "programme_id": ..., "bookings": n}."""
    app = create_app()
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.slug == PROGRAMME_SLUG))
        if programme is None:
            print("no benchmark programmes: run `flask seed-bench` first", file=sys.stderr)
            return 1
        resident = _user(RESIDENT_EMAIL, "resident")
        broker = _user(BROKER_EMAIL, "broker", programme.organisation_id)
        booked = _book(resident, BOOKINGS)
        db.session.commit()
        cookies = {"resident": session_cookie(app, resident), "broker": session_cookie(app, broker)}
        print(json.dumps({"cookies": cookies, "programme_id": programme.id, "bookings": booked}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
