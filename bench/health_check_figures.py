"""Time the coordinator's health-check figures page over a data set of N checks (default 5,000) in a fresh database.

    .venv/bin/python -m bench.health_check_figures [--checks 5000] [--postgresql URL]

Seeds residents with 1 to 5 checks each over 40 months and referrals through the two route maps, signs a
coordinator in, and prints the server time of the page and the CSV (median of 7) and the time build_figures takes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from portal import create_app
from portal.extensions import db
from portal.models import HealthCheck
from portal.services.health_check.answers import Answers
from portal.services.health_check.figures import build_figures, parse_figure_filters
from tests.conftest import base_config
from tests.support.accounts import sign_in
from tests.support.databases import POSTGRESQL, SQLITE, fresh_database
from tests.test_referral_funnel import send


def seed(checks: int, rng: random.Random) -> None:
    """About `checks` checks of residents with 1 to 5 checks each; 45 % referred through one route map, 25 %
    through the other."""
    from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory

    brokers = OrganisationFactory(kind="brokerage")
    world = {"practice": OrganisationFactory(), "a": ProgrammeFactory(organisation=brokers)}
    now, made = datetime.now(UTC), 0
    while made < checks:
        person = UserFactory(role="resident")
        for route_map, chance in (("meer-bewegen", 0.45), ("vitale-kinderen", 0.25)):
            if rng.random() < chance:
                send(world, person, now - timedelta(days=rng.randrange(1, 1200)), route_map=route_map)
        for _ in range(rng.choice((1, 2, 3, 3, 4, 5))):
            marks = [rng.randint(1, 10) for _ in range(5)]
            moment = now - timedelta(days=rng.randrange(1, 1200), minutes=rng.randrange(1440))
            domains = dict(zip(("body", "mind", "social", "societal"), marks[1:], strict=True))
            answers = Answers(marks[0], domains).to_json()
            db.session.add(HealthCheck(resident_id=person.id, taken_at=moment, answers=answers))
            made += 1
        if made % 500 < 5:
            db.session.commit()
    db.session.commit()


def timed(call, times: int = 7) -> float:
    """The median of `times` runs of `call`, in milliseconds."""
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(spent), 1)


def main() -> None:
    """Seed, sign in, measure, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=5000)
    parser.add_argument("--postgresql", action="store_true", help="use TEST_DATABASE_URL (a schema of its own)")
    options = parser.parse_args()
    directory = Path(tempfile.mkdtemp())
    settings = fresh_database(POSTGRESQL if options.postgresql else SQLITE, directory, "bench_figures")
    app = create_app(base_config(directory) | settings)
    with app.app_context():
        db.create_all()
        seed(options.checks, random.Random(16))
        client = app.test_client()
        from portal.services.accounts.second_factor import new_totp_secret
        from tests.factories import UserFactory

        sign_in(client, UserFactory(role="admin", second_factor="totp", totp_secret=new_totp_secret()))
        filters, _ = parse_figure_filters({}, set(), datetime.now(UTC))
        print(f"checks: {db.session.query(HealthCheck).count()}")
        print(f"build_figures: {timed(lambda: build_figures(filters))} ms")
        print(f"page: {timed(lambda: client.get('/nl/admin/reports/health-check'))} ms")
        print(f"csv: {timed(lambda: client.get('/nl/admin/reports/health-check.csv'))} ms")


if __name__ == "__main__":
    main()
