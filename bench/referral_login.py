"""Completed logins of the benchmark beweegmakelaar and GP as signed session cookies, a referral to read, and the
SQL statements each referral page sends (JSON on stdout).

Run with the environment the gunicorn app gets (same SECRET_KEY and DATABASE_URL) after `flask seed-bench-referrals`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.messaging_login import session_cookie  # noqa: E402
from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Message, Referral  # noqa: E402
from portal.services.seed.bench_messages import bench_professional  # noqa: E402
from portal.services.seed.bench_referrals import bench_broker  # noqa: E402

PAGES = {
    "referrals_received": ("broker", "/nl/professional/referrals"),
    "referrals_sent": ("gp", "/nl/professional/referrals?box=sent"),
    "referrals_closed": ("broker", "/nl/professional/referrals?state=closed"),
    "referral": ("broker", "/nl/professional/referrals/{referral_id}"),
}


def referral_to_read(broker) -> int:
    """An open referral to the broker's team with a handover thread of three messages."""
    statement = (
        select(Referral.id)
        .join(Message, Message.thread_id == Referral.thread_id)
        .where(Referral.organisation_id == broker.organisation_id, Referral.status == "in-progress")
        .group_by(Referral.id)
        .having(func.count() == 3)
        .order_by(Referral.id)
        .limit(1)
    )
    return db.session.scalar(statement)


def statement_counts(app, engine, cookies: dict, referral_id: int) -> dict[str, int]:
    """The SQL statements each page sends, served once before counting (as tests/test_referral_bench.py)."""
    counts = {}
    client = app.test_client(use_cookies=False)  # the Cookie header is the session, as wrk sends it
    for name, (who, template) in PAGES.items():
        path = template.format(referral_id=referral_id)
        headers = {"Cookie": cookies[who]}
        assert client.get(path, headers=headers).status_code == 200, path  # noqa: S101
        sent: list[str] = []

        def _count(conn, cursor, statement, *args, sent=sent):
            sent.append(statement)

        event.listen(engine, "before_cursor_execute", _count)
        try:
            status = client.get(path, headers=headers).status_code
        finally:
            event.remove(engine, "before_cursor_execute", _count)
        counts[name] = len(sent) if status == 200 else -status
    return counts


def main() -> int:
    """Print {"cookies": {"broker": ..., "gp": ...}, "referral_id": ..., "statements": {page: n}}."""
    app = create_app()
    with app.app_context():
        broker, gp = bench_broker(), bench_professional()
        if broker is None or gp is None:
            print("no benchmark broker: run `flask seed-bench-referrals` first", file=sys.stderr)
            return 1
        cookies = {"broker": session_cookie(app, broker), "gp": session_cookie(app, gp)}
        referral_id = referral_to_read(broker)
        engine = db.engine
    statements = statement_counts(app, engine, cookies, referral_id)  # each request in its own app context
    print(json.dumps({"cookies": cookies, "referral_id": referral_id, "statements": statements}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
