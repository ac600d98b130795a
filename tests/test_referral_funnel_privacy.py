"""The funnel's figures cannot be set off against each other across views: every figure is a cell of one table."""

from __future__ import annotations

import csv
import io

import pytest

from portal.extensions import db
from tests.factories import OrganisationFactory, ProgrammeFactory
from tests.test_referral_funnel import at, residents, send

ROUTE = "meer-bewegen"


def csv_figures(client, query: str) -> dict[tuple[str, str, str, str], str]:
    """{(level, route_map, offer, month): requested} of the CSV for `query`."""
    response = client.get(f"/nl/admin/reports/referrals.csv?{query}")
    assert response.status_code == 200
    lines = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    return {(line["level"], line["route_map"], line["offer"], line["month"]): line["requested"] for line in lines}


@pytest.fixture
def three_months(app):
    """One offer of ROUTE: 9 residents in January 2026, 8 in February and 3 in March."""
    brokers = OrganisationFactory(kind="brokerage")
    world = {"practice": OrganisationFactory(), "a": ProgrammeFactory(organisation=brokers, texts={"nl": "Wandelen"})}
    for day, count in (("2026-01-10", 9), ("2026-02-10", 8), ("2026-03-10", 3)):
        for person in residents(count):
            send(world, person, at(day), route_map=ROUTE)
    db.session.commit()
    return world


def test_two_overlapping_month_ranges_do_not_give_away_a_hidden_month(three_months, client, login):
    login("admin")
    wide = csv_figures(client, f"route_map={ROUTE}&from=2026-01&to=2026-03")
    narrow = csv_figures(client, f"route_map={ROUTE}&from=2026-01&to=2026-02")
    assert wide[("row", ROUTE, "Wandelen", "2026-03")] == "<5"
    # The attack: a figure of January to March less a figure of January and February is March alone.
    shown = [int(value) for value in wide.values() if value != "<5"]
    less = [int(value) for value in narrow.values() if value != "<5"]
    assert 3 not in {a - b for a in shown for b in less}, (wide, narrow)
    assert 3 not in {a - sum(less) for a in shown}
    # And a figure under the same name is the same number in both views.
    assert all(wide[key] == narrow[key] for key in wide.keys() & narrow.keys())
