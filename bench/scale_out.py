"""Scale-out on one machine with the real parts: two gunicorn app servers (2 workers each) behind nginx, one
PostgreSQL database, one Redis. Three checks, each asserting and returning its figures:

1. an edit a beweegmakelaar makes through server A shows on server B and through nginx at the next request;
2. login limits hold across both servers: wrong passwords spread over A and B are refused at the same count as
   on one server (the database's limit per account and address, and Flask-Limiter's per address in Redis);
3. the 50-way booking race through nginx: 50 residents, 10 places, exactly 10 confirmed and no 5xx.

Run: `make scale-out` (or `.venv/bin/python bench/scale_out.py --help`). Creates and drops its own database
on the PostgreSQL server of --postgres and empties the Redis database of --redis (FLUSHDB) before and after."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from markupsafe import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_out_browser import TIMEOUT, form_fields, log_in_staff, public_page, replaced  # noqa: E402
from bench.scale_out_cluster import Cluster, started  # noqa: E402
from bench.scale_out_data import (  # noqa: E402
    DEMO_BROKER,
    booking_rows,
    broker_programme,
    give_authenticator_app,
    new_residents,
    session_with_places,
    signed_in_browsers,
)
from portal.services.accounts import login_limits  # noqa: E402
from portal.services.seed.demo import DEMO_PASSWORD  # noqa: E402

LOGIN_PER_ADDRESS = 30  # Flask-Limiter on POST /<lang>/login: "30 per minute; 300 per hour" (routes/auth/login.py)
WRONG_PASSWORD = "not the password at all"  # noqa: S105
TOO_MANY_HERE = "You typed a wrong password too often"  # login_limits.Refusal.PAIR, on the English login page
RESIDENTS = 50
CAPACITY = 10
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"


# --- check 1: an edit on one server, seen on the other ----------------------------------------------------------


def check_edit_seen_everywhere(cluster: Cluster) -> dict:
    """The demo beweegmakelaar logs in on server A (password and TOTP) and renames a programme with the edit form;
    the public page on server B and through nginx (both upstreams) shows the new title at the next request."""
    server_a, server_b = cluster.servers
    programme_id, slug, old_title = broker_programme(cluster)
    page = f"/nl/programmes/{slug}"
    for url in (server_b, cluster.proxy.url, cluster.proxy.url):  # warm the shared page cache with the old title
        assert str(escape(old_title)) in public_page(url + page)[0], f"old title missing on {url}{page}"

    secret = give_authenticator_app(cluster, DEMO_BROKER)
    new_title = f"{old_title} (scale-out {secrets.token_hex(3)})"
    with requests.Session() as broker:
        log_in_staff(broker, server_a, DEMO_BROKER, DEMO_PASSWORD, secret)
        edit = f"/nl/broker/programmes/{programme_id}/edit"
        fields = replaced(form_fields(broker, server_a, edit), nl__title=new_title)
        saved = broker.post(server_a + edit, data=fields, allow_redirects=False, timeout=TIMEOUT)
    assert saved.status_code == 302, f"edit on A: {saved.status_code} (the form was refused)\n{cluster.log_tails()}"

    text_b, ms_b = public_page(server_b + page)
    mark = len(cluster.proxy.lines())
    through_proxy = [public_page(cluster.proxy.url + page) for _ in range(2)]
    upstreams = cluster.proxy.upstreams("GET", page, mark, expected=2)
    assert str(escape(new_title)) in text_b, "server B still shows the old title"
    for text, _ms in through_proxy:
        assert str(escape(new_title)) in text, "nginx served the old title"
    assert sorted(upstreams.values()) == [1, 1], f"the two requests through nginx went to {dict(upstreams)}"
    return {
        "programme": slug,
        "edited on": "server A (broker's edit form, after password + TOTP)",
        "server B, next request": f"new title, {ms_b} ms",
        "nginx, next 2 requests": f"new title from both upstreams ({', '.join(sorted(upstreams))}), "
        f"{', '.join(str(ms) for _text, ms in through_proxy)} ms",
    }


# --- check 2: login limits across both servers ------------------------------------------------------------------


def _wrong_passwords(servers: list[str], emails: list[str], address: str) -> list[tuple[int, str]]:
    """One wrong password per email, in turn to each of `servers`, from client `address`: (status, page) each."""
    replies = []
    with requests.Session() as browser:
        fields = form_fields(browser, servers[0], "/en/login")  # the CSRF token holds on every server
        for i, email in enumerate(emails):
            response = browser.post(
                servers[i % len(servers)] + "/en/login",
                data=replaced(fields, email=email, password=WRONG_PASSWORD),
                headers={"X-Forwarded-For": address},  # as nginx sends it; the servers trust one proxy
                allow_redirects=False,
                timeout=TIMEOUT,
            )
            replies.append((response.status_code, response.text))
    return replies


def _let_through(replies: list[tuple[int, str]]) -> int:
    """How many replies came before the first 429."""
    statuses = [status for status, _page in replies]
    return statuses.index(429) if 429 in statuses else len(statuses)


def check_login_limits(cluster: Cluster) -> dict:
    """Wrong passwords spread alternately over A and B are refused after the same count as on A alone: the
    database's limit per account and address, and Flask-Limiter's per address (counted in Redis)."""
    server_a, server_b = cluster.servers
    (_one_id, one), (_two_id, two) = new_residents(cluster, "limit-target", 2)
    pair = login_limits.PAIR.attempts
    tries = pair + 2
    alone = _wrong_passwords([server_a], [one] * tries, "198.51.100.1")
    spread = _wrong_passwords([server_a, server_b], [two] * tries, "198.51.100.2")
    for name, replies in (("A alone", alone), ("A and B", spread)):
        assert [status for status, _page in replies] == [200] * pair + [429, 429], f"{name}: {replies!r:.300}"
        assert all(TOO_MANY_HERE in page for _status, page in replies[pair:]), f"{name}: no locked message"

    unknown = [f"nobody-{i}-{secrets.token_hex(3)}@example.org" for i in range(LOGIN_PER_ADDRESS + 2)]
    floods: dict[str, int] = {}
    for name, servers, address in (
        ("A alone", [server_a], "198.51.100.3"),
        ("A and B", [server_a, server_b], "198.51.100.4"),
    ):
        began = time.monotonic()
        replies = _wrong_passwords(servers, unknown, address)
        statuses = [status for status, _page in replies]
        took = f"{time.monotonic() - began:.0f} s (the window: 60 s from the first)"
        assert statuses == [200] * LOGIN_PER_ADDRESS + [429, 429], f"{name}: {Counter(statuses)} in {took}"
        floods[name] = _let_through(replies)
    return {
        "one account, one address (limit 5 per 15 min, database)": f"A alone: {_let_through(alone)} let through; "
        f"A/B alternating: {_let_through(spread)} let through, then 429 + locked message on B and on A",
        "one address, many accounts (limit 30 per minute, Flask-Limiter in Redis)": f"A alone: {floods['A alone']} "
        f"let through; A/B alternating: {floods['A and B']} let through, then 429 on A and on B "
        "(per-process counting would let 4 x 30 through)",
    }


# --- check 3: the 50-way booking race through nginx ---------------------------------------------------------------


def check_booking_race(cluster: Cluster, residents: int = RESIDENTS, capacity: int = CAPACITY) -> dict:
    """`residents` residents, each with their own login session, book one session with `capacity` places at the
    same moment through nginx (round robin over A and B): exactly `capacity` confirmed, the rest waitlisted, no 5xx."""
    programme_id, _slug, _title = broker_programme(cluster)
    session_id = session_with_places(cluster, programme_id, capacity)
    people = new_residents(cluster, f"race-{secrets.token_hex(2)}", residents)
    browsers = signed_in_browsers(cluster, [user_id for user_id, _email in people])
    path = f"/nl/bookings/book/{session_id}"
    try:
        forms = [form_fields(browser, cluster.proxy.url, path) for browser in browsers]  # CSRF token, key
        mark = len(cluster.proxy.lines())
        released: list[float] = []
        barrier = threading.Barrier(residents, action=lambda: released.append(time.monotonic()))

        def book(browser: requests.Session, fields: list[tuple[str, str]]) -> int:
            barrier.wait(timeout=TIMEOUT)
            reply = browser.post(cluster.proxy.url + path, data=fields, allow_redirects=False, timeout=TIMEOUT)
            return reply.status_code

        with ThreadPoolExecutor(max_workers=residents) as pool:
            statuses = Counter(pool.map(book, browsers, forms))
        seconds = time.monotonic() - released[0]
    finally:
        for browser in browsers:
            browser.close()
    rows, booking_people, booked = booking_rows(cluster, session_id)
    upstreams = cluster.proxy.upstreams("POST", path, mark, expected=residents)
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    assert server_errors == 0, f"{server_errors} responses 5xx: {dict(statuses)}\n{cluster.log_tails()}"
    assert statuses == {303: residents}, f"statuses {dict(statuses)}\n{cluster.log_tails()}"
    assert rows["confirmed"] == capacity == booked, f"confirmed {rows['confirmed']}, counter {booked}"
    assert rows["waitlisted"] == residents - capacity, f"{dict(rows)}"
    assert booking_people == residents, f"{booking_people} residents have a booking, not {residents}"
    assert len(upstreams) == 2, f"the bookings went to {dict(upstreams)}: round robin over A and B expected"
    return {
        "residents at once, places": f"{residents}, {capacity}",
        "status codes": ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items())),
        "5xx": server_errors,
        "database": f"confirmed {rows['confirmed']}, waitlisted {rows['waitlisted']}, booked counter {booked}",
        "per app server (nginx log)": ", ".join(f"{address}: {n}" for address, n in sorted(upstreams.items())),
        "wall time s": round(seconds, 2),
    }


CHECKS = {
    "1. edit on A, seen on B and through nginx": check_edit_seen_everywhere,
    "2. login limits across A and B": check_login_limits,
    "3. 50-way booking race through nginx": check_booking_race,
}


def main() -> int:
    """Start the setup, run the checks, print their figures, tear down; exit 1 when a check fails."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("SCALE_OUT_POSTGRES", DEFAULT_POSTGRES),
                        help="any database URL on the PostgreSQL server to use (default %(default)s)")  # fmt: skip
    parser.add_argument("--database", default="portal_scale_out", help="the database made and dropped")
    parser.add_argument("--redis", default=os.environ.get("SCALE_OUT_REDIS_URL", DEFAULT_REDIS),
                        help="a Redis database this run may empty (default %(default)s)")  # fmt: skip
    args = parser.parse_args()
    failures = 0
    began = time.perf_counter()
    with started(args.postgres, args.database, args.redis) as cluster:
        print(f"app servers {', '.join(cluster.servers)} (2 workers each), nginx {cluster.proxy.url}", flush=True)
        print("setup: " + ", ".join(f"{step} {value}" for step, value in cluster.timings.items()), flush=True)
        for name, check in CHECKS.items():
            print(f"\n{name}", flush=True)
            check_began = time.perf_counter()
            try:
                figures = check(cluster)
            except AssertionError as error:
                failures += 1
                print(f"  FAILED: {error}", flush=True)
                continue
            for key, value in figures.items():
                print(f"  {key}: {value}", flush=True)
            print(f"  (check took {time.perf_counter() - check_began:.1f} s)", flush=True)
    print(f"\n{len(CHECKS) - failures} of {len(CHECKS)} checks held; {time.perf_counter() - began:.0f} s in all")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
