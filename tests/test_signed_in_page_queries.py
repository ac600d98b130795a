"""My appointments and the broker dashboard cost the same SQL with few and with four times as many bookings or
programmes: the same statements and the same rows read, as both show a page at a time.

Both data sets are larger than a page of every list, so a page reads the same rows; an N+1 query shows as more
statements, a page that loads every booking or programme as more rows. Each page's own statements are counted too:
the dashboard reads the organisation's name with its figures, and my appointments both lists and the feed at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.models import Booking, CalendarFeed
from portal.services.booking import my_bookings
from portal.services.listings import dashboard
from tests.factories import OrganisationFactory, ProgrammeFactory, SessionFactory
from tests.support.queries import count_queries, count_rows

GROWTH = 4


def _measure(client, page: str) -> dict:
    client.get(page)  # the first request of a client may do one-off work (the login's last-seen time)
    db.session.expire_all()
    with count_rows() as counts:
        response = client.get(page)
    assert response.status_code == 200
    return dict(counts)


def _book(resident, count: int, start: int) -> None:
    """`count` coming and `count` past bookings of the resident, each of another programme's session."""
    now = datetime.now(UTC).replace(microsecond=0)
    for number in range(start, start + count):
        for days in (number + 1, -number - 1):
            session = SessionFactory(starts_at=now + timedelta(days=days))
            key = f"bench-{number:04d}-{days:+05d}-0123456789"
            db.session.add(Booking(session=session, user=resident, status="confirmed", idempotency_key=key))
    db.session.commit()


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_my_appointments_cost_the_same_with_four_times_as_many_bookings(client, login, lang):
    resident = login("resident")
    base = my_bookings.PAGE_SIZE + 1
    _book(resident, base, 0)
    pages = [f"/{lang}/bookings", f"/{lang}/bookings?past=1"]
    before = {page: _measure(client, page) for page in pages}
    _book(resident, base * (GROWTH - 1), base)
    after = {page: _measure(client, page) for page in pages}
    assert after == before


def test_the_broker_dashboard_costs_the_same_with_four_times_as_many_programmes(client, login):
    organisation = OrganisationFactory(kind="brokerage")
    login("broker", organisation=organisation)

    def add(count: int) -> None:
        for _ in range(count):
            SessionFactory(programme=ProgrammeFactory(organisation=organisation), booked=1)
        ProgrammeFactory(organisation=OrganisationFactory())  # another organisation's: not counted
        db.session.commit()

    add(dashboard.PAGE_SIZE + 1)
    pages = ["/nl/broker/"]
    before = {page: _measure(client, page) for page in pages}
    add((dashboard.PAGE_SIZE + 1) * (GROWTH - 1))
    after = {page: _measure(client, page) for page in pages}
    assert after == before


def _statements(client, page: str) -> tuple[str, list[str]]:
    """The page's text and the statements it sent (after a first request, as in _measure)."""
    client.get(page)
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(page)
    assert response.status_code == 200
    return response.get_data(as_text=True), statements


def test_the_dashboard_sends_three_statements_of_its_own_and_never_loads_the_organisation(client, login):
    organisation = OrganisationFactory(kind="brokerage", name="Buurtsport Noord")
    login("broker", organisation=organisation)
    SessionFactory(programme=ProgrammeFactory(organisation=organisation), booked=1)
    db.session.commit()
    page, statements = _statements(client, "/nl/broker/")
    assert "Mijn activiteiten · Buurtsport Noord" in page
    assert len([s for s in statements if "programmes" in s]) == 3  # summary (with the name), page, next sessions
    assert not [s for s in statements if s.lstrip().startswith("SELECT organisations.")]


def test_my_appointments_send_one_statement_of_their_own(client, login):
    resident = login("resident")
    _book(resident, 2, 0)
    page, statements = _statements(client, "/nl/bookings")
    assert len([s for s in statements if "bookings" in s or "calendar_feeds" in s]) == 1  # both lists and the feed
    assert "/bookings/calendar-feed/stop" not in page
    db.session.add(CalendarFeed(user_id=resident.id, token_hash="0" * 64, created_at=datetime.now(UTC)))
    db.session.commit()
    page, statements = _statements(client, "/nl/bookings")
    assert len([s for s in statements if "bookings" in s or "calendar_feeds" in s]) == 1
    assert "/bookings/calendar-feed/stop" in page
