"""Booking under load (issue 7): simultaneous requests to real gunicorn workers, then the database's counts.

Every scenario uses a fresh session with 10 places and new residents. Their login sessions are made in
the database and their session cookies signed with the app's key, so no login form is involved; each
client opens the booking form first for its CSRF token (bound to the cookie) and idempotency key. All
requests of a burst are released together by a barrier, one thread per request."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from portal.auth_session import SESSION_TOKEN
from portal.extensions import db
from portal.models import Booking, Session
from portal.services.accounts import login_sessions
from tests.factories import SessionFactory, UserFactory
from tests.support.security_report import report
from tests.support.served_portal import Server, database_of, served_portal

CAPACITY = 10
WORKERS = 4
TIMEOUT = 30  # seconds, for every request and for the barrier
BOOKING_PATH = re.compile(r"^/nl/bookings/(\d+)$")


@dataclass
class Resident:
    """A signed-in resident: their user id, their browser, and what their booking form gave them."""

    user_id: int
    http: requests.Session
    csrf: str = ""
    key: str = ""


@dataclass
class Reply:
    """One response: its status and, for a redirect to a booking, the booking's id."""

    status: int
    booking_id: int | None


@dataclass
class Burst:
    """The replies of simultaneous requests, in the order of the calls, and the seconds they took together."""

    replies: list[Reply]
    seconds: float

    def statuses(self) -> Counter:
        """How many replies had each status code."""
        return Counter(reply.status for reply in self.replies)

    def server_errors(self) -> int:
        """How many replies were a 5xx."""
        return sum(reply.status >= 500 for reply in self.replies)


@dataclass
class Row:
    """One booking as the database has it."""

    id: int
    user_id: int
    status: str
    created_at: datetime


# --- the server and the database ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(database, tmp_path_factory) -> Iterator[Server]:
    """A fresh database of the run's backend with the schema, served by gunicorn with four workers."""
    with served_portal(database["backend"], tmp_path_factory, "concurrency", WORKERS) as served:
        yield served


@pytest.fixture
def browsers() -> Iterator[Callable[[], requests.Session]]:
    """browsers() gives a new requests.Session; all are closed after the test."""
    made: list[requests.Session] = []

    def _new() -> requests.Session:
        made.append(requests.Session())
        return made[-1]

    yield _new
    for browser in made:
        browser.close()


def new_session(server: Server) -> int:
    """A published programme's session with CAPACITY places, two days ahead; returns its id."""
    with database_of(server):
        session = SessionFactory(capacity=CAPACITY)
        db.session.flush()
        return session.id


def cookie_for(app: Flask, user_id: int, token: str) -> str:
    """The signed Flask session cookie of a completed login, as finish_login and Flask-Login would write it."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({SESSION_TOKEN: token, "_user_id": str(user_id), "_fresh": True})


def sign_up(server: Server, browsers: Callable[[], requests.Session], count: int) -> list[Resident]:
    """`count` new residents with a completed login, each with a browser that carries its session cookie."""
    host = urlsplit(server.url).hostname
    residents = []
    with database_of(server):
        for _ in range(count):
            user = UserFactory(role="resident", second_factor="email")
            login, _pending = login_sessions.start(user)
            token = login_sessions.complete(login)
            browser = browsers()
            browser.cookies.set(
                server.app.config["SESSION_COOKIE_NAME"], cookie_for(server.app, user.id, token), domain=host, path="/"
            )
            residents.append(Resident(user.id, browser))
    return residents


def bookings_of(server: Server, session_id: int) -> list[Row]:
    """Every booking of the session, in queue order (created_at, id)."""
    with database_of(server):
        found = db.session.scalars(
            select(Booking).where(Booking.session_id == session_id).order_by(Booking.created_at, Booking.id)
        )
        return [Row(b.id, b.user_id, b.status, b.created_at) for b in found]


def places_booked(server: Server, session_id: int) -> int:
    """The session's counter of booked places."""
    with database_of(server):
        return db.session.scalar(select(Session.booked).where(Session.id == session_id))


def with_status(rows: list[Row], status: str) -> list[Row]:
    """The rows with that status, in queue order."""
    return [row for row in rows if row.status == status]


# --- the browser side ----------------------------------------------------------------------------------------


class HiddenInputs(HTMLParser):
    """Collects the first value of each named hidden input on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note a hidden input's name and value."""
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values.setdefault(found["name"], found.get("value") or "")


def open_form(server: Server, resident: Resident, session_id: int) -> None:
    """GET the booking form, as a browser does: keep its CSRF token and idempotency key (and the new cookie)."""
    response = resident.http.get(f"{server.url}/nl/bookings/book/{session_id}", allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 200, f"booking form: {response.status_code} {response.headers.get('Location')}"
    page = HiddenInputs()
    page.feed(response.text)
    resident.csrf, resident.key = page.values["csrf_token"], page.values["key"]


def clone(resident: Resident, browsers: Callable[[], requests.Session]) -> requests.Session:
    """Another browser with the resident's cookies (another tab, for requests from several threads)."""
    browser = browsers()
    browser.cookies.update(resident.http.cookies)
    return browser


def reply_of(response: requests.Response) -> Reply:
    """The status, and the booking id when the response redirects to /nl/bookings/<id>."""
    match = BOOKING_PATH.match(urlsplit(response.headers.get("Location", "")).path)
    return Reply(response.status_code, int(match.group(1)) if match else None)


def book(server: Server, resident: Resident, session_id: int, key: str = "", browser=None) -> Reply:
    """POST the booking form (with the form's key unless `key` is given), not following the redirect."""
    response = (browser or resident.http).post(
        f"{server.url}/nl/bookings/book/{session_id}",
        data={"csrf_token": resident.csrf, "key": key or resident.key},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    return reply_of(response)


def cancel(server: Server, resident: Resident, booking_id: int) -> Reply:
    """POST the cancel button of a booking, not following the redirect."""
    response = resident.http.post(
        f"{server.url}/nl/bookings/{booking_id}/cancel",
        data={"csrf_token": resident.csrf},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    return reply_of(response)


def at_once(calls: list[Callable[[], Reply]]) -> Burst:
    """Run each call in its own thread, all released together by a barrier; their replies, and how long it took."""
    released: list[float] = []
    barrier = threading.Barrier(len(calls), action=lambda: released.append(time.monotonic()))

    def run(call: Callable[[], Reply]) -> Reply:
        barrier.wait(timeout=TIMEOUT)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        replies = [future.result(timeout=2 * TIMEOUT) for future in futures]
    return Burst(replies, time.monotonic() - released[0])


def record(server: Server, scenario: str, burst: Burst, rows: list[Row]) -> None:
    """Put the scenario's figures in the end-of-run report."""
    report(
        f"booking concurrency ({server.backend}): {scenario}",
        f"attempts {len(burst.replies)}, confirmed {len(with_status(rows, 'confirmed'))}, "
        f"waitlisted {len(with_status(rows, 'waitlisted'))}, 5xx {burst.server_errors()}, {burst.seconds:.2f} s",
    )


def trouble(server: Server, burst: Burst) -> str:
    """The status codes of a burst and the tail of the server's log, for a failing assertion."""
    lines = server.log.read_text(errors="replace").splitlines()[-60:] if server.log.exists() else []
    return f"statuses {dict(burst.statuses())}; gunicorn log:\n" + "\n".join(lines)


def book_all(server: Server, residents: list[Resident], session_id: int) -> Burst:
    """Every resident opens the booking form, then all post it at once."""
    for resident in residents:
        open_form(server, resident, session_id)
    return at_once([partial(book, server, resident, session_id) for resident in residents])


# --- the scenarios -------------------------------------------------------------------------------------------


def test_fifty_residents_book_ten_places(server, browsers):
    session_id = new_session(server)
    residents = sign_up(server, browsers, 50)

    burst = book_all(server, residents, session_id)

    rows = bookings_of(server, session_id)
    record(server, "50 residents, 10 places", burst, rows)
    assert burst.statuses() == {303: 50}, trouble(server, burst)
    assert sorted(reply.booking_id for reply in burst.replies) == sorted(row.id for row in rows)
    assert len(with_status(rows, "confirmed")) == CAPACITY
    assert len(with_status(rows, "waitlisted")) == 50 - CAPACITY
    assert places_booked(server, session_id) == CAPACITY
    assert len({row.user_id for row in rows}) == 50


def test_one_resident_twenty_requests_books_once(server, browsers):
    session_id = new_session(server)
    [resident] = sign_up(server, browsers, 1)
    open_form(server, resident, session_id)
    tabs = [clone(resident, browsers) for _ in range(20)]

    burst = at_once([partial(book, server, resident, session_id, secrets.token_urlsafe(16), tab) for tab in tabs])

    rows = bookings_of(server, session_id)
    record(server, "one resident, 20 requests", burst, rows)
    assert burst.server_errors() == 0, trouble(server, burst)
    assert [row.user_id for row in rows if row.status != "cancelled"] == [resident.user_id]
    assert len(rows) == 1
    assert burst.statuses() == {303: 20}, trouble(server, burst)
    assert {reply.booking_id for reply in burst.replies} == {rows[0].id}
    assert places_booked(server, session_id) == 1


def test_same_key_ten_times_books_once(server, browsers):
    session_id = new_session(server)
    [resident] = sign_up(server, browsers, 1)
    open_form(server, resident, session_id)
    tabs = [clone(resident, browsers) for _ in range(10)]

    burst = at_once([partial(book, server, resident, session_id, resident.key, tab) for tab in tabs])

    rows = bookings_of(server, session_id)
    record(server, "one resident, same key 10 times", burst, rows)
    assert burst.statuses() == {303: 10}, trouble(server, burst)
    assert [(row.user_id, row.status) for row in rows] == [(resident.user_id, "confirmed")]
    assert {reply.booking_id for reply in burst.replies} == {rows[0].id}
    assert places_booked(server, session_id) == 1


def test_cancellations_promote_the_queue_while_others_book(server, browsers):
    session_id = new_session(server)
    first = sign_up(server, browsers, 30)
    burst = book_all(server, first, session_id)
    assert burst.statuses() == {303: 30}, trouble(server, burst)
    before = bookings_of(server, session_id)
    assert (len(with_status(before, "confirmed")), len(with_status(before, "waitlisted"))) == (10, 20)
    holders = {row.user_id: row.id for row in with_status(before, "confirmed")}
    next_in_queue = {row.id for row in with_status(before, "waitlisted")[:CAPACITY]}
    newcomers = sign_up(server, browsers, 10)
    for resident in newcomers:
        open_form(server, resident, session_id)

    leaving = [partial(cancel, server, r, holders[r.user_id]) for r in first if r.user_id in holders]
    joining = [partial(book, server, r, session_id) for r in newcomers]
    burst = at_once(leaving + joining)

    rows = bookings_of(server, session_id)
    record(server, "10 cancel while 10 book (10 places, 20 waiting)", burst, rows)
    assert burst.statuses() == {303: 20}, trouble(server, burst)
    confirmed = {row.id for row in with_status(rows, "confirmed")}
    cancelled = {row.id for row in with_status(rows, "cancelled")}
    assert cancelled == set(holders.values())
    assert not confirmed & cancelled
    assert len(confirmed) == CAPACITY == places_booked(server, session_id)
    assert confirmed == next_in_queue, "the first 10 of the waiting list get the freed places"
    queue = [row.user_id for row in with_status(rows, "waitlisted")]
    newcomer_ids = {resident.user_id for resident in newcomers}
    assert set(queue[CAPACITY:]) == newcomer_ids, "newcomers queue behind those who waited"
    active = [row.user_id for row in rows if row.status != "cancelled"]
    assert len(active) == len(set(active)) == 30
