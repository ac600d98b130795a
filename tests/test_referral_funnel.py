"""The referral funnel for coordinators: counts, median, small-number suppression, filters, CSV and access."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.extensions import db
from portal.models import Referral
from portal.services.referrals.funnel import STAGES, build_funnel
from portal.services.referrals.funnel_csv import export_csv
from portal.services.referrals.funnel_filters import FunnelFilters, parse_filters
from portal.services.referrals.suppression import Cell, Line, primary, secondary
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory
from tests.support.queries import count_queries

MARCH = "from=2026-03&to=2026-04"
ROUTE = "meer-bewegen"


def at(day: str, hour: int = 10) -> datetime:
    """A UTC moment on `day` (YYYY-MM-DD)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def send(world, resident, requested_at, *, offer=None, route_map=ROUTE, status="requested", **stages):
    """A referral sent at `requested_at`; stages: accepted, started, contact (days to first contact)."""
    programme = offer if offer is not None else world["a"]
    referral = Referral(
        resident_id=resident.id,
        referrer_organisation_id=world["practice"].id,
        organisation_id=programme.organisation_id if programme is not False else world["other"].id,
        programme_id=programme.id if programme is not False else None,
        route_map=route_map,
        note="Graag.",
        status=status,
        agreement="consultation",
        agreed_at=requested_at,
        requested_at=requested_at,
    )
    if stages.get("accepted") or status == "completed":
        referral.accepted_at = requested_at + timedelta(hours=1)
    if stages.get("started") or status == "completed":
        referral.started_at = requested_at + timedelta(days=1)
    if stages.get("contact") is not None:
        referral.first_contact_at = requested_at + timedelta(days=stages["contact"], hours=3)
    db.session.add(referral)
    return referral


def residents(count):
    """`count` new residents."""
    return [UserFactory(role="resident") for _ in range(count)]


@pytest.fixture
def world(app):
    """Row A (programme a, March): 7 residents; B (programme b, March): 3; C (programme a, April): 9;
    D (no route map, organisation 'other', April): 5 residents, 4 with a first contact."""
    brokers = OrganisationFactory(name="Beweegmakelaars", kind="brokerage")
    world = {
        "practice": OrganisationFactory(name="Huisartsenpraktijk"),
        "other": OrganisationFactory(name='=HYPERLINK("http://x")', kind="welfare"),
        "a": ProgrammeFactory(organisation=brokers, texts={"nl": "Samen wandelen"}),
        "b": ProgrammeFactory(organisation=brokers, texts={"nl": "+Fit in de wijk"}),
    }
    a_people = residents(7)
    for person, days in zip(a_people, (2, 2, 3, 5, 8, 9, None), strict=True):
        send(world, person, at("2026-03-10"), status="completed", contact=days)
    send(world, a_people[0], at("2026-03-20"))  # a second referral of the same resident: counted once
    send(world, a_people[1], at("2026-03-12"), status="entered-in-error")  # voided: never counted
    send(world, residents(1)[0], at("2026-03-12"), status="draft").requested_at = None  # not sent: never counted
    for person in residents(3):
        send(world, person, at("2026-03-11"), offer=world["b"], accepted=True, contact=1)
    c_people = residents(9)
    send(
        world, c_people[0], at("2026-03-31", hour=22), accepted=True, started=True, contact=1
    )  # 00:00 on 1 April, local
    for person, days in zip(c_people[1:], (1, 4, 6, 20, None, None, None, None), strict=True):
        send(world, person, at("2026-04-03"), accepted=True, started=days == 1, contact=days)
    for person, days in zip(residents(5), (0, 1, 1, 2, None), strict=True):
        send(world, person, at("2026-04-05"), offer=False, route_map=None, accepted=True, contact=days)
    db.session.commit()
    world["b_people"] = 3
    return world


def funnel_of(query=MARCH, route_maps=(ROUTE, "vitale-kinderen")):
    args = dict(pair.split("=", 1) for pair in query.split("&") if pair)
    filters, problems = parse_filters(args, set(route_maps), datetime(2026, 6, 15, tzinfo=UTC))
    return build_funnel(filters, "nl"), problems


def row(funnel, offer, month):
    return next(r for r in funnel.rows if r.offer == offer and r.month == month)


def test_counts_distinct_residents_per_route_map_offer_and_local_month(world):
    funnel, problems = funnel_of()
    assert problems == []
    a = row(funnel, "Samen wandelen", date(2026, 3, 1))
    assert {stage: a.cells[stage].value for stage in STAGES} == {
        "requested": 7,
        "accepted": 7,
        "started": 7,
        "completed": 7,
    }
    c = row(funnel, "Samen wandelen", date(2026, 4, 1))
    assert c.cells["requested"].value == 9 and c.cells["accepted"].value == 9 and c.cells["completed"].value == 0
    assert c.cells["started"].value == 2  # one of them the referral sent at 00:00 local on 1 April
    d = row(funnel, world["other"].name, date(2026, 4, 1))
    assert d.route_map is None and d.programme_id is None and d.cells["requested"].value == 5
    assert [t.cells["requested"].value for t in funnel.months] == [7 + 3, 9 + 5]  # a_people[0] twice: once
    assert [(t.route_map, t.month) for t in funnel.route_maps] == [
        (ROUTE, date(2026, 3, 1)),
        (ROUTE, date(2026, 4, 1)),
        (None, date(2026, 4, 1)),
    ]
    assert [t.month for t in funnel.months] == [date(2026, 3, 1), date(2026, 4, 1)]


def test_the_median_counts_whole_days_over_the_referrals_with_a_first_contact(world):
    funnel, _ = funnel_of()
    a = row(funnel, "Samen wandelen", date(2026, 3, 1))
    assert a.median_days == 4.0 and not a.median_suppressed  # 2 2 3 | 5 8 9
    c = row(funnel, "Samen wandelen", date(2026, 4, 1))
    assert c.median_days == 4.0 and not c.median_suppressed  # 1 1 4 6 20
    d = row(funnel, world["other"].name, date(2026, 4, 1))
    assert d.median_days == 1.0 and d.median_suppressed  # only 4 residents had a first contact


def test_small_cells_are_suppressed_and_cannot_be_worked_out(world):
    funnel, _ = funnel_of()
    b = row(funnel, "+Fit in de wijk", date(2026, 3, 1))
    assert b.cells["requested"].value == world["b_people"]
    assert all(b.cells[stage].suppressed for stage in STAGES) and b.median_suppressed
    # The route map's total of March (10 residents) is shown, so the other row of that month is hidden too.
    total = next(t for t in funnel.route_maps if t.route_map == ROUTE and t.month == date(2026, 3, 1))
    assert not total.cells["requested"].suppressed and total.cells["requested"].value == 10
    members = [r for r in funnel.rows if r.route_map == ROUTE and r.month == date(2026, 3, 1)]
    assert sum(r.cells["requested"].suppressed for r in members) == 2
    assert_no_line_with_one_hidden_cell(funnel)


def assert_no_line_with_one_hidden_cell(funnel):
    """No total shown beside exactly one hidden row, and no row or total with exactly one hidden stage."""
    groups = [
        (t, [r for r in funnel.rows if (r.route_map, r.month) == (t.route_map, t.month)]) for t in funnel.route_maps
    ]
    groups += [(t, [r for r in funnel.rows if r.month == t.month]) for t in funnel.months]
    groups += [(t, [r for r in funnel.route_maps if r.month == t.month]) for t in funnel.months]
    for total, members in groups:
        for stage in STAGES:
            hidden = sum(m.cells[stage].suppressed for m in members) + total.cells[stage].suppressed
            assert hidden != 1, (total.kind, total.route_map, total.month, stage)
    for line in funnel.rows + funnel.route_maps + funnel.months:
        assert sum(line.cells[stage].suppressed for stage in STAGES) != 1


def test_complementary_suppression_picks_the_smallest_visible_cell_and_repeats():
    small, low, high, total = Cell(3), Cell(7), Cell(9), Cell(19)
    primary({"requested": small}, "requested")
    assert small.suppressed
    hidden = secondary([Line([high, small, low], total)])
    assert hidden == 1 and low.suppressed and not high.suppressed and not total.suppressed
    # A second line that now has one hidden cell (low) hides its smallest other cell, and so on.
    other, zero = Cell(12), Cell(0)
    assert secondary([Line([low, zero, other]), Line([high, small, low], total)]) == 1 and other.suppressed
    assert not zero.suppressed
    # With no visible member left above 0, the total goes.
    alone, nothing, its_total = Cell(2, suppressed=True), Cell(0), Cell(6)
    secondary([Line([alone, nothing], its_total)])
    assert its_total.suppressed
    # Ties: the first of the equal cells.
    first, second = Cell(6), Cell(6)
    secondary([Line([Cell(1, suppressed=True), first, second])])
    assert first.suppressed and not second.suppressed


def test_primary_hides_the_whole_row_when_requested_is_small():
    stages = {"requested": Cell(4), "accepted": Cell(4), "started": Cell(0), "completed": Cell(0)}
    assert primary(stages, "requested") is True
    assert all(cell.suppressed for cell in stages.values())
    shown = {"requested": Cell(5), "accepted": Cell(0), "started": Cell(5), "completed": Cell(1)}
    assert primary(shown, "requested") is False
    assert [cell.suppressed for cell in shown.values()] == [False, False, False, True]


def cells_of(page: str) -> list[tuple[str, str, dict[str, str]]]:
    """(kind, row header, {stage: text}) for every row of the funnel tables."""
    found = []
    for kind, body in re.findall(r'<tr data-kind="(\w+)"[^>]*>(.*?)</tr>', page, re.S):
        header = re.search(r'<th scope="row"[^>]*>(.*?)</th>', body, re.S).group(1)
        stages = dict(re.findall(r'<td data-stage="(\w+)">(.*?)</td>', body, re.S))
        found.append((kind, re.sub(r"<[^>]+>", "", header).strip(), stages))
    return found


def test_the_page_shows_the_figures_and_hides_small_numbers(world, client, login):
    login("admin")
    response = client.get(f"/nl/admin/reports/?{MARCH}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = cells_of(page)
    b = next(stages for kind, header, stages in rows if header.startswith("+Fit in de wijk"))
    assert set(b.values()) == {'<span class="wp-suppressed">&lt; 5</span>'}
    assert all(str(world["b_people"]) not in text for text in b.values())
    months = [stages["requested"] for kind, header, stages in rows if kind == "month"]
    assert months == ["10", "14"]
    assert not [kind for kind, _header, _stages in rows if kind == "all"]  # no total over the chosen months
    assert "&lt; 5" in page
    assert 'role="img"' in page and 'aria-labelledby="funnel-chart-title"' in page
    assert '<title id="funnel-chart-title">' in page and '<desc id="funnel-chart-desc">' in page
    assert 'aria-describedby="funnel-chart-desc funnel-chart-note"' in page
    assert "<caption>" in page and '<th scope="col">' in page
    assert "<script" not in page.split('<svg role="img"')[1].split("</svg>")[0]


def bars(page: str) -> list[tuple[int, int]]:
    """(x, width) of every drawn bar of the chart."""
    return [
        (int(x), int(w)) for x, w in re.findall(r'<rect x="(-?\d+)" y="\d+" width="(\d+)" height="22" fill="#', page)
    ]


def test_the_chart_grows_from_the_right_in_arabic(world, client, login):
    login("admin")
    left = client.get(f"/nl/admin/reports/?{MARCH}").get_data(as_text=True)
    right = client.get(f"/ar/admin/reports/?{MARCH}").get_data(as_text=True)
    assert 'dir="rtl"' in right and 'direction="rtl"' in right and 'direction="ltr"' in left
    ltr, rtl = bars(left), bars(right)
    assert ltr and len(ltr) == len(rtl)
    assert {x for x, _w in ltr} == {150}
    assert all(x + w == 640 - 150 for x, w in rtl)


def test_a_hidden_total_is_drawn_as_a_hatched_marker_not_a_bar(world, client, login):
    for person, started in zip(residents(6), (True, True, False, False, False, False), strict=True):
        send(world, person, at("2026-03-05"), route_map="vitale-kinderen", accepted=True, started=started)
    db.session.commit()
    login("admin")
    page = client.get(f"/nl/admin/reports/?{MARCH}&route_map=vitale-kinderen").get_data(as_text=True)
    chart = page.split('<svg role="img"')[1].split("</svg>")[0]
    assert chart.count('data-suppressed="true"') == 2  # started (2 residents) and, as its complement, accepted
    assert (
        'data-stage="started"' not in chart
        and 'data-stage="accepted"' not in chart
        and 'fill="url(#funnel-hatch)"' in chart
    )
    assert ">2<" not in chart and "&lt; 5" in chart


def test_the_csv_says_less_than_5_and_neutralises_formulas(world, client, login):
    login("admin")
    response = client.get(f"/nl/admin/reports/referrals.csv?{MARCH}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.content_type == "text/csv; charset=utf-8"
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    assert f'filename="wijkportaal-verwijzingen-{stamp}.csv"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    lines = list(csv.DictReader(io.StringIO(text[1:])))
    b = next(line for line in lines if line["offer"].endswith("Fit in de wijk"))
    assert b["offer"] == "'+Fit in de wijk"
    assert [b[stage] for stage in STAGES] == ["<5"] * 4 and b["median_days_to_first_contact"] == "<5"
    d = next(line for line in lines if line["level"] == "row" and line["route_map"] == "")
    assert d["offer"] == '\'=HYPERLINK("http://x")' and d["organisation"].startswith("'=")
    a = next(line for line in lines if line["offer"] == "Samen wandelen" and line["month"] == "2026-03")
    assert a["median_days_to_first_contact"] in ("4", "<5")
    assert [line["requested"] for line in lines if line["level"] == "month"] == ["10", "14"]
    assert {line["level"] for line in lines} == {"row", "route_map", "month"}
    assert all(line["month"] for line in lines)  # every figure is of one month


def test_filters_by_route_map_and_months(world):
    funnel, _ = funnel_of(f"{MARCH}&route_map=none")
    assert [r.route_map for r in funnel.rows] == [None] and funnel.months == []
    assert [t.cells["requested"].value for t in funnel.route_maps] == [5]
    funnel, _ = funnel_of(f"{MARCH}&route_map={ROUTE}")
    assert {r.route_map for r in funnel.rows} == {ROUTE}
    funnel, _ = funnel_of("from=2026-04&to=2026-04")
    assert {r.month for r in funnel.rows} == {date(2026, 4, 1)}
    funnel, _ = funnel_of("from=2026-01&to=2026-02")
    assert funnel.rows == [] and funnel.route_maps == [] and funnel.months == []


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("route_map=bestaat-niet", ["bad_route_map"]),
        ("route_map=%3Cscript%3E", ["bad_route_map"]),
        ("from=abc&to=2026-13", ["bad_from", "bad_to"]),
        ("from=1999-12", ["bad_from"]),
        ("from=2026-05&to=2026-01", ["reversed"]),
        ("from=2023-08&to=2026-12", ["too_long"]),
        ("from=2020-01&to=2026-01", ["too_old"]),
        ("from=2020-01&to=2020-06", ["too_old"]),
        ("from=%00&to=2026-04-01", ["bad_from", "bad_to"]),
    ],
)
def test_bad_filter_values_are_ignored_with_a_message(world, client, login, query, codes):
    args = {"from": None, "to": None, "route_map": None}
    for pair in query.split("&"):
        name, value = pair.split("=", 1)
        args[name] = value.replace("%3C", "<").replace("%3E", ">").replace("%00", "\x00")
    filters, problems = parse_filters({k: v for k, v in args.items() if v}, {ROUTE}, datetime(2026, 6, 15, tzinfo=UTC))
    assert problems == codes
    assert filters.route_map is None or "bad_route_map" not in codes
    if codes in (["reversed"], ["too_long"]) or codes == ["bad_from", "bad_to"]:
        assert (filters.first, filters.last) == (date(2025, 7, 1), date(2026, 6, 1))
    if codes == ["too_old"]:  # the figures go back 36 months from June 2026: to July 2023
        assert filters.first == date(2023, 7, 1) and filters.last >= filters.first
    login("admin")
    for path in ("/nl/admin/reports/", "/nl/admin/reports/referrals.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == (400 if "%00" in query else 200), path  # the input guard refuses NUL
    if "%00" in query:
        return
    page = client.get(f"/nl/admin/reports/?{query}").get_data(as_text=True)
    assert 'class="wp-alert wp-alert--error" role="alert"' in page and "<script>" not in page.split("<main")[-1]


def test_the_default_range_is_the_last_12_months():
    filters, problems = parse_filters({}, set(), datetime(2026, 1, 1, 0, 30, tzinfo=UTC))
    assert problems == [] and (filters.first, filters.last) == (date(2025, 2, 1), date(2026, 1, 1))
    filters, _ = parse_filters({}, set(), datetime(2025, 12, 31, 23, 30, tzinfo=UTC))  # 00:30 local, 1 January
    assert filters.last == date(2026, 1, 1)
    filters, _ = parse_filters({"from": "2025-03"}, set(), datetime(2026, 6, 1, tzinfo=UTC))
    assert (filters.first, filters.last) == (date(2025, 3, 1), date(2026, 2, 1))
    assert FunnelFilters(date(2025, 11, 1), date(2026, 2, 1)).months()[-2:] == [date(2026, 1, 1), date(2026, 2, 1)]


@pytest.mark.parametrize("role", ["resident", "professional", "broker"])
def test_only_coordinators_open_the_funnel(app, client, login, role):
    login(role)
    for path in ("/nl/admin/reports/", "/nl/admin/reports/referrals.csv"):
        assert client.get(path).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client):
    for path in ("/nl/admin/reports/", "/nl/admin/reports/referrals.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/nl/login" in response.headers["Location"]


def test_the_admin_start_page_links_to_the_funnel(app, client, login):
    login("admin")
    assert 'href="/nl/admin/reports/"' in client.get("/nl/admin/").get_data(as_text=True)


def test_the_number_of_statements_does_not_grow_with_the_referrals(world, client, login):
    login("admin")
    client.get(f"/nl/admin/reports/?{MARCH}")  # warm up: the login and the content

    def statements():
        with count_queries() as sent:
            assert client.get(f"/nl/admin/reports/?{MARCH}").status_code == 200
        return len(sent)

    before = statements()
    for person in residents(30):
        send(world, person, at("2026-03-15"), offer=world["b"], accepted=True, contact=3)
        send(world, person, at("2026-04-15"), contact=2)
    db.session.commit()
    assert statements() == before


def test_an_empty_funnel_and_the_export_of_it(app):
    funnel, _ = funnel_of()
    assert funnel.rows == [] and funnel.months == []
    assert export_csv(funnel).splitlines()[0].startswith("\ufefflevel,route_map,offer")


@pytest.mark.parametrize(
    ("after", "days"),
    [
        (timedelta(days=1), 1.0),
        (timedelta(days=1, seconds=-1), 0.0),
        (timedelta(days=1, microseconds=-1), 1.0),  # both moments are cut to the second first
        (timedelta(days=30, hours=23), 30.0),
        (timedelta(hours=-5), 0.0),  # a first contact before the request counts as the same day
    ],
)
def test_whole_days_to_first_contact_are_the_same_on_every_database(app, after, days):
    brokers = OrganisationFactory(kind="brokerage")
    world = {"practice": OrganisationFactory(), "a": ProgrammeFactory(organisation=brokers)}
    sent = datetime(2026, 3, 10, 9, 15, 30, 500000, tzinfo=UTC)
    referral = send(world, residents(1)[0], sent)
    referral.first_contact_at = sent + after
    db.session.commit()
    funnel, _ = funnel_of()
    assert funnel.rows[0].median_days == days and funnel.rows[0].median_suppressed
