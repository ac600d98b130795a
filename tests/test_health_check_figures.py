"""The neighbourhood's health-check figures for coordinators: means, counts, measurement order, months, route-map
groups, statements, CSV, SVG chart, filters and access."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.models import HealthCheck
from portal.models.health_check import DOMAINS
from portal.services.health_check.answers import Answers
from portal.services.health_check.figures import KEYS, build_figures, parse_figure_filters
from portal.services.health_check.figures_csv import COLUMNS, export_csv
from portal.services.referrals.funnel_filters import add_months, month_start, this_month
from tests.factories import OrganisationFactory, ProgrammeFactory
from tests.support.queries import count_queries
from tests.test_referral_funnel import residents, send

ROUTE = "meer-bewegen"
OTHER = "vitale-kinderen"
PAGE = "/nl/admin/reports/health-check"
CSV = "/nl/admin/reports/health-check.csv"
# The Nivel shape: the mark at the 1st, 2nd and 3rd check of 12 residents (means 4.7, 5.7, 6.1).
NIVEL = (
    (4, 5, 5, 4, 5, 5, 4, 5, 5, 4, 6, 4),
    (6, 5, 6, 6, 5, 6, 6, 5, 6, 6, 5, 6),
    (6, 6, 7, 6, 6, 6, 6, 6, 6, 6, 7, 5),
)


def months_ago(count: int, now: datetime | None = None) -> date:
    """The first day of the local month `count` months before this one."""
    return add_months(this_month(now or datetime.now(UTC)), -count)


def on(month: date, day: int = 10, hour: int = 10) -> datetime:
    """A moment in the local `month`."""
    return month_start(month) + timedelta(days=day - 1, hours=hour)


def take(resident, taken_at: datetime, mark: int, domains: dict[str, int] | None = None) -> HealthCheck:
    """A check of `resident` at `taken_at`: `mark`, and domain marks (by default body mark, mind mark+1, social
    mark-1, societal mark)."""
    values = domains or dict(zip(DOMAINS, (mark, min(mark + 1, 10), max(mark - 1, 1), mark), strict=True))
    check = HealthCheck(resident_id=resident.id, taken_at=taken_at, answers=Answers(mark, values).to_json())
    db.session.add(check)
    return check


def world_of():
    """The organisations and offer a referral needs (as the funnel tests make them)."""
    brokers = OrganisationFactory(name="Beweegmakelaars", kind="brokerage")
    return {"practice": OrganisationFactory(name="Praktijk"), "a": ProgrammeFactory(organisation=brokers)}


def refer(world, resident, route_map=ROUTE, status="requested", when=None):
    """A sent referral of `resident` through `route_map` (status as given)."""
    return send(world, resident, when or on(months_ago(6)), route_map=route_map, status=status)


@pytest.fixture
def nivel(app):
    """12 residents referred through ROUTE with three checks each (5, 3 and 1 months ago; the Nivel marks); 11
    residents not referred, with a 1st check 5 months ago and 10 of them a 2nd 2 months ago."""
    world = world_of()
    referred = residents(12)
    for person in referred:
        refer(world, person)
    for measurement, (marks, ago) in enumerate(zip(NIVEL, (5, 3, 1), strict=True)):
        for i, (person, mark) in enumerate(zip(referred, marks, strict=True)):
            take(person, on(months_ago(ago), day=2 + i, hour=measurement + 8), mark)
    others = residents(11)
    for i, person in enumerate(others):
        take(person, on(months_ago(5), day=3 + i), 5 + i % 4)
        if i < 10:
            take(person, on(months_ago(2), day=3 + i), 6 + i % 3)
    db.session.commit()
    return {"world": world, "referred": referred, "others": others}


def figures_of(query: str = "", now: datetime | None = None, route_maps=(ROUTE, OTHER)):
    args = dict(pair.split("=", 1) for pair in query.split("&") if pair)
    filters, problems = parse_figure_filters(args, set(route_maps), now or datetime.now(UTC))
    return build_figures(filters), problems


def measured(figures, group, measurement):
    return next(cell for g, cells in figures.groups if g == group for cell in cells if cell.measurement == measurement)


def month_cell(figures, month):
    return next(cell for cell in figures.months if cell.month == month)


def test_the_mean_mark_at_the_1st_2nd_and_3rd_check_has_the_nivel_shape(nivel):
    figures, problems = figures_of(f"route_map={ROUTE}")
    assert problems == []
    route = [measured(figures, ROUTE, m) for m in (1, 2, 3)]
    assert [cell.totals.count for cell in route] == [12, 12, 12]
    assert [cell.mean("mark") for cell in route] == [Decimal("4.7"), Decimal("5.7"), Decimal("6.1")]
    assert [route[0].mean(domain) for domain in DOMAINS] == [Decimal(v) for v in ("4.7", "5.7", "3.7", "4.7")]
    everyone = [measured(figures, None, m) for m in (1, 2, 3)]
    assert [cell.totals.count for cell in everyone] == [23, 22, 12]
    others_first = sum(5 + i % 4 for i in range(11))
    assert everyone[0].mean("mark") == Decimal(round((sum(NIVEL[0]) + others_first) / 23 + 1e-9, 1)).quantize(
        Decimal("0.1")
    )
    assert not any(cell.count.suppressed for cell in route + everyone)


def test_measurement_order_follows_the_moment_not_the_id(app):
    world = world_of()
    people = residents(10)
    for i, person in enumerate(people):
        refer(world, person)
        take(person, on(months_ago(1)), 8 if i % 2 else 9)  # stored first, taken last: the 2nd check
        take(person, on(months_ago(4)), 3 if i % 2 else 2)  # stored last, taken first: the 1st check
    db.session.commit()
    figures, _ = figures_of()
    first, second = measured(figures, None, 1), measured(figures, None, 2)
    assert (first.mean("mark"), second.mean("mark")) == (Decimal("2.5"), Decimal("8.5"))
    assert measured(figures, None, 3).totals.count == 0 and measured(figures, None, 3).mean("mark") is None


def test_a_resident_with_two_checks_in_a_month_counts_once_with_the_last(app):
    people = residents(10)
    month = months_ago(2)
    for i, person in enumerate(people):
        take(person, on(month, day=3), 2)
        take(person, on(month, day=20), 7 + i % 2)
    take(people[0], on(months_ago(40)), 5)  # outside the 36 months: in no month, but it is their 1st check
    db.session.commit()
    figures, _ = figures_of(f"from={month:%Y-%m}&to={month:%Y-%m}")
    cell = month_cell(figures, month)
    assert cell.totals.count == 10 and cell.mean("mark") == Decimal("7.5")
    assert [c.month for c in figures.months] == [month]  # the filter chooses the months shown


def test_a_check_at_local_midnight_counts_in_the_local_month(app):
    people = residents(10)
    month = months_ago(3)
    for person in people:
        take(person, month_start(month) + timedelta(minutes=5), 6)  # 00:05 local on the 1st: this month
        take(person, month_start(month) - timedelta(minutes=5), 4)  # 23:55 local the day before: last month
    db.session.commit()
    figures, _ = figures_of(f"from={add_months(month, -1):%Y-%m}&to={month:%Y-%m}")
    assert [(c.totals.count, c.mean_hidden("mark")) for c in figures.months] == [(10, True), (10, True)]


def test_route_map_groups_count_sent_referrals_only(app):
    world = world_of()
    people = residents(14)
    for i, person in enumerate(people):
        take(person, on(months_ago(3)), 4 + i % 5)
        refer(world, person, OTHER)
    refer(world, people[0], ROUTE, status="entered-in-error")  # voided: not referred through ROUTE
    send(world, people[1], on(months_ago(4)), route_map=ROUTE, status="draft").requested_at = None  # not sent
    for person in people[2:12]:
        refer(world, person, ROUTE, status="cancelled")  # sent, later cancelled: referred all the same
    db.session.commit()
    figures, _ = figures_of()
    assert measured(figures, ROUTE, 1).totals.count == 10
    assert measured(figures, OTHER, 1).totals.count == 14
    assert [group for group, _cells in figures.groups] == [None, ROUTE, OTHER]
    figures, _ = figures_of(f"route_map={OTHER}")
    assert [group for group, _cells in figures.groups] == [None, OTHER]
    assert figures.chart_group()[0].group == OTHER


def test_checks_that_cannot_be_opened_are_left_out(app):
    people = residents(11)
    for i, person in enumerate(people):
        take(person, on(months_ago(1)), 3 + i % 3)
    db.session.flush()
    db.session.execute(
        HealthCheck.__table__.update().where(HealthCheck.resident_id == people[0].id).values(answers="not-a-token")
    )
    db.session.commit()
    figures, _ = figures_of()
    assert measured(figures, None, 1).totals.count == 10


def test_the_number_of_statements_does_not_grow_with_the_checks(nivel, client, login):
    login("admin")
    client.get(PAGE)

    def statements():
        with count_queries() as sent:
            assert client.get(PAGE).status_code == 200
        return len(sent)

    before = statements()
    for i, person in enumerate(residents(40)):
        refer(nivel["world"], person, OTHER)
        for ago in (4, 2, 1, 0):
            take(person, on(months_ago(ago), day=1 + i % 20), 1 + (i + ago) % 10)
    db.session.commit()
    assert statements() == before


def cells_of(page: str) -> dict[tuple, dict[str, str]]:
    """{(kind, group or month, measurement): {key: text}} of the page's tables."""
    found = {}
    for attributes, body in re.findall(r'<tr data-kind="([^>]*)">(.*?)</tr>', page, re.S):
        values = dict(re.findall(r'data-([a-z]+)="([^"]*)"', 'data-kind="' + attributes + '"'))
        key = (values["kind"], values.get("group") or values.get("month"), values.get("measurement"))
        texts = dict(re.findall(r'<td data-key="(\w+)">(.*?)</td>', body, re.S))
        found[key] = {k: re.sub(r"<[^>]+>", "", v).replace("&lt; ", "<") for k, v in texts.items()}
    return found


def test_the_page_shows_counts_beside_every_mean_and_an_accessible_chart(nivel, client, login):
    login("admin")
    response = client.get(f"{PAGE}?route_map={ROUTE}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    cells = cells_of(page)
    assert cells[("measurement", ROUTE, "1")] == {
        "residents": "12",
        "mark": "4,7",
        "body": "4,7",
        "mind": "5,7",
        "social": "3,7",
        "societal": "4,7",
    }
    assert cells[("measurement", ROUTE, "3")]["mark"] == "6,1"
    assert all("residents" in texts for texts in cells.values())
    chart = page.split('<svg role="img"')[1].split("</svg>")[0]
    assert 'aria-labelledby="hc-chart-title"' in page and 'aria-describedby="hc-chart-desc hc-chart-note"' in page
    assert '<title id="hc-chart-title">' in chart and '<desc id="hc-chart-desc">' in chart
    desc = re.search(r'<desc id="hc-chart-desc">(.*?)</desc>', chart, re.S).group(1)
    assert "4,7" in desc and "5,7" in desc and "6,1" in desc and "12" in desc
    assert re.findall(r'data-mean="([\d.]+)"', chart) == ["4.7", "5.7", "6.1"]
    assert "<script" not in chart and "<caption>" in page and 'scope="col"' in page
    assert 'href="/nl/admin/reports/health-check.csv?' in page


def bars(page: str) -> list[tuple[int, int]]:
    """(x, width) of the chart's drawn bars."""
    drawn = re.findall(r'<rect x="(-?\d+)" y="\d+" width="(\d+)" height="28" fill="#', page)
    return [(int(x), int(w)) for x, w in drawn]


def test_the_chart_grows_from_the_right_in_arabic(nivel, client, login):
    login("admin")
    left = client.get(f"{PAGE}?route_map={ROUTE}").get_data(as_text=True)
    right = client.get(f"/ar/admin/reports/health-check?route_map={ROUTE}").get_data(as_text=True)
    assert 'direction="rtl"' in right and 'direction="ltr"' in left
    ltr, rtl = bars(left), bars(right)
    assert len(ltr) == len(rtl) == 3 and {x for x, _w in ltr} == {130}
    assert all(x + w == 640 - 130 for x, w in rtl)
    assert [w for _x, w in ltr] == [155, 188, 201]  # 4.7, 5.7 and 6.1 of 10 on a scale of 330


def test_the_csv_has_a_bom_the_same_cells_and_no_formulas(nivel, client, login):
    login("admin")
    response = client.get(f"{CSV}?route_map={ROUTE}")
    assert response.status_code == 200 and response.content_type == "text/csv; charset=utf-8"
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    assert f'filename="wijkportaal-cijfer-gezondheid-{stamp}.csv"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    lines = list(csv.DictReader(io.StringIO(text[1:])))
    assert tuple(lines[0]) == COLUMNS
    route = [line for line in lines if line["group"] == ROUTE]
    assert [(line["measurement"], line["residents"], line["mean_mark"]) for line in route] == [
        ("1", "12", "4.7"),
        ("2", "12", "5.7"),
        ("3", "12", "6.1"),
    ]
    assert {line["table"] for line in lines} == {"measurement", "month"}
    assert all(line["month"] for line in lines if line["table"] == "month")


def test_a_route_map_slug_that_looks_like_a_formula_is_neutralised(app):
    world = world_of()
    for i, person in enumerate(residents(10)):
        refer(world, person, "=cmd|x")
        take(person, on(months_ago(1)), 4 + i % 3)
    db.session.commit()
    figures, _ = figures_of(route_maps=(ROUTE,))
    assert "'=cmd|x" in export_csv(figures)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("route_map=bestaat-niet", ["bad_route_map"]),
        ("route_map=none", ["bad_route_map"]),
        ("route_map=%3Cscript%3E", ["bad_route_map"]),
        ("from=abc&to=2026-13", ["bad_from", "bad_to"]),
        ("from=2026-05&to=2026-01", ["reversed"]),
        ("from=2023-08&to=2026-12", ["too_long"]),
        ("from=2020-01&to=2026-01", ["too_old"]),
    ],
)
def test_bad_filter_values_are_left_out_with_a_message(nivel, client, login, query, codes):
    args = dict(pair.split("=", 1) for pair in query.split("&"))
    args = {k: v.replace("%3C", "<").replace("%3E", ">") for k, v in args.items()}
    filters, problems = parse_figure_filters(args, {ROUTE}, datetime(2026, 6, 15, tzinfo=UTC))
    assert problems == codes and (filters.route_map is None or "bad_route_map" not in codes)
    login("admin")
    assert client.get(f"{CSV}?{query}").status_code == 200
    response = client.get(f"{PAGE}?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="wp-alert wp-alert--error" role="alert"' in page
    assert "<script>" not in page.split("<main")[-1]


def test_a_nul_byte_is_refused(nivel, client, login):
    login("admin")
    for path in (PAGE, CSV):
        assert client.get(f"{path}?from=%00").status_code == 400


@pytest.mark.parametrize("role", ["resident", "professional", "broker"])
def test_only_coordinators_open_the_figures(app, client, login, role):
    login(role)
    for path in (PAGE, CSV):
        assert client.get(path).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client):
    for path in (PAGE, CSV):
        response = client.get(path)
        assert response.status_code == 302 and "/nl/login" in response.headers["Location"]


def test_coordinators_open_them_and_find_them_from_the_reports(app, client, login):
    login("admin")
    for path in (PAGE, CSV, "/ar/admin/reports/health-check", "/en/admin/reports/health-check.csv"):
        assert client.get(path).status_code == 200, path
    assert 'href="/nl/admin/reports/health-check"' in client.get("/nl/admin/reports/").get_data(as_text=True)
    assert 'href="/nl/admin/reports/health-check"' in client.get("/nl/admin/").get_data(as_text=True)


def test_an_empty_table_and_its_export(app):
    figures, _ = figures_of()
    assert [group for group, _cells in figures.groups] == [None]
    assert all(cell.totals.count == 0 and cell.mean("mark") is None for cell in figures.cells())
    assert export_csv(figures).splitlines()[0] == "\ufeff" + ",".join(COLUMNS)
    assert ("mark", *DOMAINS) == KEYS


def test_a_route_map_nobody_was_referred_through_shows_empty_cells(nivel, client, login):
    login("admin")
    page = client.get(f"{PAGE}?route_map={OTHER}").get_data(as_text=True)
    assert cells_of(page)[("measurement", OTHER, "2")] == {"residents": "0"} | dict.fromkeys(KEYS, "—")
    chart = page.split('<svg role="img"')[1].split("</svg>")[0]
    assert "data-suppressed" not in chart and "data-mean" not in chart and "— (" in chart
