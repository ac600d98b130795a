"""The funnel's figures cannot be set off against each other across views: every figure is a cell of one table."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.extensions import db
from portal.services.referrals.funnel import STAGES, build_funnel
from portal.services.referrals.funnel_filters import FunnelFilters, add_months, month_start, this_month
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


# A property test: random data, every view, every figure.

MAPS = (ROUTE, "vitale-kinderen", None)
OFFERS = ("Wandelen", "Fietsen", "Zwemmen", "Welzijn Noord")  # the last: the organisation, without a programme
STAGE_CELLS = r'<td data-stage="(\w+)">(.*?)</td>'


def random_referrals(rng: random.Random, months: list[date], ties: bool = False) -> dict[tuple, dict[str, set[int]]]:
    """200 referrals of 120 residents over `months`, skewed so that many cells are small; {row key: residents}.
    With `ties`, also a route map 'ties' whose first month has 6, 6 and 2 residents for the three programmes."""
    brokers = OrganisationFactory(name="Beweegmakelaars", kind="brokerage")
    world = {"practice": OrganisationFactory(name="Praktijk"), "other": OrganisationFactory(name=OFFERS[3])}
    english = ("A walk", "Z cycle", "M swim")  # another order than the Dutch titles
    offers = [
        ProgrammeFactory(organisation=brokers, texts={"nl": title, "en": english[i]})
        for i, title in enumerate(OFFERS[:3])
    ] + [False]
    people = residents(120)
    for offer, count in zip(offers, (6, 6, 2) if ties else (), strict=False):
        for person in residents(count):
            send(world, person, month_start(months[0]) + timedelta(days=3), offer=offer, route_map="ties")
    truth: dict[tuple, dict[str, set[int]]] = {}
    for _ in range(200):
        person, month = rng.choice(people), rng.choice(months)
        route_map = rng.choices(MAPS, weights=(6, 3, 1))[0]
        index = rng.choices(range(4), weights=(10, 5, 3, 1))[0]
        accepted = rng.random() < 0.7
        started = accepted and rng.random() < 0.6
        status = "completed" if started and rng.random() < 0.5 else "requested"
        if rng.random() < 0.05:
            status = "entered-in-error"
        sent = month_start(month) + timedelta(days=rng.randrange(27), hours=rng.randrange(24))
        send(
            world,
            person,
            sent,
            offer=offers[index],
            route_map=route_map,
            status=status,
            accepted=accepted,
            started=started,
            contact=rng.choice((None, 0, 1, 3, 8)),
        )
        if status == "entered-in-error":
            continue
        reached = {"requested": True, "accepted": accepted, "started": started, "completed": status == "completed"}
        cell = truth.setdefault(("row", route_map, OFFERS[index], month), {stage: set() for stage in STAGES})
        for stage in STAGES:
            if reached[stage]:
                cell[stage].add(person.id)
    db.session.commit()
    return truth


def covered(truth) -> dict[tuple, set[tuple]]:
    """{figure key: the row keys it counts over}, for the rows, the route maps' months and the months."""
    sets: dict[tuple, set[tuple]] = {}
    for key in truth:
        _kind, route_map, _offer, month = key
        sets[key] = {key}
        sets.setdefault(("route_map", route_map, "", month), set()).add(key)
        sets.setdefault(("month", None, "", month), set()).add(key)
    return sets


def page_figures(page: str) -> list[tuple[tuple, str, str]]:
    """(key, stage, text) of every figure in the tables and the chart of a funnel page."""
    found = []
    pattern = r'<tr data-kind="(\w+)"(?: data-route-map="([^"]*)")? data-month="([\d-]+)">(.*?)</tr>'
    for kind, slug, month, body in re.findall(pattern, page, re.S):
        offer = ""
        if kind == "row":
            header = re.search(r'<th scope="row">(.*?)</th>', body, re.S).group(1)
            offer = re.sub(r"<[^>]+>", "", header).split(" (")[0].strip()
        key = (kind, None if slug in ("", "none") else slug, offer, date.fromisoformat(f"{month}-01"))
        found += [(key, stage, text) for stage, text in re.findall(STAGE_CELLS, body, re.S) if stage in STAGES]
    chart = page.split('<svg role="img"')[1].split("</svg>")[0] if '<svg role="img"' in page else ""
    slug = re.search(r'<option value="([^"]*)" selected', page)
    for month, group in re.findall(r'<g data-month="([\d-]+)">(.*?)</g>', chart, re.S):
        texts = re.findall(r"<text [^>]*>(.*?)</text>", group)[2::2]
        route_map = slug.group(1) if slug else ""
        kind, route_map = ("route_map", None if route_map == "none" else route_map) if route_map else ("month", None)
        key = (kind, route_map, "", date.fromisoformat(f"{month}-01"))
        found += [(key, stage, text) for stage, text in zip(STAGES, texts, strict=True)]
    return found


def csv_all(text: str) -> list[tuple[tuple, str, str]]:
    """(key, stage, text) of every figure of a funnel CSV."""
    found = []
    for line in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
        route_map = None if line["level"] == "month" else (line["route_map"] or None)
        key = (line["level"], route_map, line["offer"], date.fromisoformat(f"{line['month']}-01"))
        found += [(key, stage, line[stage]) for stage in STAGES]
    return found


def every_view(client, months: list[date]):
    """(query, figures) of the page and the CSV for every route map (and none) and every month range."""
    for route_map in ("", ROUTE, "vitale-kinderen", "none"):
        for i, first in enumerate(months):
            for last in months[i:]:
                query = f"route_map={route_map}&from={first:%Y-%m}&to={last:%Y-%m}"
                page = client.get(f"/nl/admin/reports/?{query}")
                export = client.get(f"/nl/admin/reports/referrals.csv?{query}")
                assert page.status_code == export.status_code == 200, query
                shown = page_figures(page.get_data(as_text=True)) + csv_all(export.get_data(as_text=True))
                yield query, shown


def test_no_view_and_no_two_views_give_away_a_small_number(app, client, login):
    months = [add_months(this_month(datetime.now(UTC)), offset) for offset in range(-5, 1)]
    truth = random_referrals(random.Random(16), months)
    sets = covered(truth)
    value = {
        (key, stage): len(set().union(*(truth[row][stage] for row in rows)))
        for key, rows in sets.items()
        for stage in STAGES
    }
    login("admin")
    seen: dict[tuple, set[str]] = {}
    for query, shown in every_view(client, months):
        for key, stage, text in shown:
            assert (key, stage) in value, (query, key)
            seen.setdefault((key, stage), set()).add(
                text.replace("&lt; ", "<").replace('<span class="wp-suppressed">', "").replace("</span>", "")
            )
    assert {key for key, _stage in seen} == set(sets)  # every cell of the table was shown in some view
    hidden = set()
    for (key, stage), texts in seen.items():
        assert len(texts) == 1, (key, stage, texts)  # (a) the same in every view, page and CSV
        text = texts.pop()
        if text == "<5":
            hidden.add((key, stage))
        else:
            assert int(text) == value[(key, stage)], (key, stage)  # a shown figure is the true one
    # (c) every small number is hidden, everywhere (it never stands for its cell in a page or a CSV)
    assert {(key, stage) for key, stage in value if 0 < value[(key, stage)] < 5} <= hidden
    assert sum(key[0] == "row" for key, _stage in hidden) > 40  # the data has many small cells
    # (b) no shown total less the shown figures within it leaves a single hidden cell
    for stage in STAGES:
        shown = [key for key in sets if (key, stage) not in hidden]
        for total in shown:
            inside = [key for key in shown if key != total and sets[key] < sets[total]]
            for part in inside:
                rest = sets[total] - sets[part]
                assert len(rest) != 1 or (next(iter(rest)), stage) not in hidden, (total, part, stage)
            left = sets[total] - set().union(*(sets[key] for key in inside))
            assert len({row for row in left if (row, stage) in hidden}) != 1, (total, stage, left)


def test_the_language_does_not_change_what_is_hidden(app):
    months = [add_months(this_month(datetime.now(UTC)), offset) for offset in range(-5, 1)]
    random_referrals(random.Random(7), months, ties=True)
    filters = FunnelFilters(months[0], months[-1], newest=months[-1])

    def pattern(lang):
        funnel = build_funnel(filters, lang)
        rows = funnel.rows + funnel.route_maps + funnel.months
        return {(r.kind, r.route_map, r.programme_id, r.month, s): r.cells[s].suppressed for r in rows for s in STAGES}

    dutch = pattern("nl")
    assert dutch == pattern("en") == pattern("ar") and any(dutch.values()) and not all(dutch.values())
