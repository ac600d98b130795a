"""A completed login of the benchmark professional as a signed session cookie, and a thread to read (JSON on stdout).

Run with the environment the gunicorn app gets (same SECRET_KEY and DATABASE_URL) after `flask seed-bench-messages`."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app  # noqa: E402
from portal.auth_session import SESSION_TOKEN  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Message, Thread  # noqa: E402
from portal.services.accounts import login_sessions  # noqa: E402
from portal.services.seed.bench_messages import bench_professional  # noqa: E402


def session_cookie(app, user) -> str:
    """The Cookie header value of a signed Flask session holding a completed login of `user`."""
    login, _pending = login_sessions.start(user, "bench")
    token = login_sessions.complete(login)
    db.session.commit()
    # As a browser holds it after its first page: Flask-WTF's CSRF token is in the session (the logout form of
    # every signed-in page puts it there), so the app does not add it, and sign a new cookie, on every request.
    session = {
        SESSION_TOKEN: token,
        "_user_id": str(user.id),
        "_fresh": True,
        "csrf_token": hashlib.sha1(os.urandom(64)).hexdigest(),  # noqa: S324  (Flask-WTF's own recipe)
    }
    signed = app.session_interface.get_signing_serializer(app).dumps(session)
    return f"{app.config['SESSION_COOKIE_NAME']}={signed}"


def thread_to_read(user) -> tuple[int, int]:
    """An open thread of the professional's team waiting on the resident, and its number of messages."""
    counted = (
        select(Message.thread_id, func.count().label("n"))
        .join(Thread, Thread.id == Message.thread_id)
        .where(Thread.organisation_id == user.organisation_id, Thread.status == "open", Thread.waiting_on == "resident")
        .group_by(Message.thread_id)
        .order_by(func.abs(func.count() - 10), Message.thread_id)
        .limit(1)
    )
    return tuple(db.session.execute(counted).one())


def main() -> int:
    """Print {"cookie": ..., "thread_id": ..., "thread_messages": ...}."""
    app = create_app()
    with app.app_context():
        user = bench_professional()
        if user is None:
            print("no benchmark professional: run `flask seed-bench-messages` first", file=sys.stderr)
            return 1
        thread_id, count = thread_to_read(user)
        print(json.dumps({"cookie": session_cookie(app, user), "thread_id": thread_id, "thread_messages": count}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
