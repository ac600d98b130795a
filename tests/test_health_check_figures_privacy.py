"""No resident's mark can be picked out of the health-check figures: small cells and all-same means are hidden,
and no shown figures, of one view or of two overlapping views, let a hidden one be worked out."""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from portal.extensions import db
from portal.services.health_check import figures_privacy
from portal.services.health_check.figures import KEYS
from tests.test_health_check_figures import (
    CSV,
    OTHER,
    PAGE,
    ROUTE,
    cells_of,
    figures_of,
    measured,
    months_ago,
    on,
    refer,
    take,
    world_of,
)
from tests.test_referral_funnel import residents

HIDDEN = {"<10", "hidden"}


def csv_cells(text: str) -> dict[tuple, dict[str, str]]:
    """{(kind, group or month, measurement): {key: text}} of a CSV export, as cells_of reads the page."""
    found = {}
    for line in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
        key = (line["table"], line["group"] or line["month"], line["measurement"] or None)
        texts = {"residents": line["residents"]} | {k: line[f"mean_{k}"] for k in KEYS}
        found[key] = {k: v.replace(",", ".") for k, v in texts.items()}
    return found


def page_cells(page: str) -> dict[tuple, dict[str, str]]:
    """cells_of, with Dutch decimal commas as points and the hidden texts as in the CSV."""
    return {
        key: {k: v.replace(",", ".").replace("verborgen", "hidden").replace("—", "") for k, v in texts.items()}
        for key, texts in cells_of(page).items()
    }


def views(client, query: str) -> list[dict[tuple, dict[str, str]]]:
    """The page's and the CSV's cells for `query`."""
    page, export = client.get(f"{PAGE}?{query}"), client.get(f"{CSV}?{query}")
    assert page.status_code == export.status_code == 200, query
    return [page_cells(page.get_data(as_text=True)), csv_cells(export.get_data(as_text=True))]


def test_a_cell_of_fewer_than_10_residents_is_hidden_whole(app, client, login):
    world = world_of()
    for i, person in enumerate(residents(9)):
        refer(world, person, OTHER)
        take(person, on(months_ago(1)), 2 + i % 5)
    db.session.commit()
    login("admin")
    for cells in views(client, f"route_map={OTHER}"):
        assert set(cells[("measurement", OTHER, "1")].values()) <= HIDDEN
        assert cells[("measurement", OTHER, "1")]["residents"] == "<10"
        assert set(cells[("measurement", "all", "1")].values()) <= HIDDEN  # all residents are the same 9
        assert set(cells[("month", months_ago(1).strftime("%Y-%m"), None)].values()) <= HIDDEN
    page = client.get(f"{PAGE}?route_map={OTHER}").get_data(as_text=True)
    assert "&lt; 10" in page and 'data-suppressed="true"' in page
    assert not re.findall(r'data-key="residents">9<', page)


def test_a_mean_where_every_resident_gave_the_same_mark_is_hidden(app, client, login):
    for i, person in enumerate(residents(10)):
        take(person, on(months_ago(1)), 7, {"body": 7, "mind": 3 + i % 4, "social": 8, "societal": 1 + i % 2})
    db.session.commit()
    figures, _ = figures_of()
    cell = measured(figures, None, 1)
    assert cell.totals.count == 10 and not cell.count.suppressed
    assert cell.mean_hidden("mark") and cell.mean_hidden("body") and cell.mean_hidden("social")
    assert cell.mean("mind") is not None and cell.mean("societal") == Decimal("1.5")
    login("admin")
    for cells in views(client, ""):
        shown = cells[("measurement", "all", "1")]
        assert shown["residents"] == "10" and shown["mark"] == "hidden" and shown["societal"] == "1.5"


def test_a_coordinator_cannot_ask_for_one_resident(app, client, login):
    world = world_of()
    people = residents(12)
    for i, person in enumerate(people):
        take(person, on(months_ago(2)), 3 + i % 6)
    refer(world, people[0], OTHER)  # the only one referred through OTHER
    db.session.commit()
    login("admin")
    plain = cells_of(client.get(PAGE).get_data(as_text=True))
    assert cells_of(client.get(f"{PAGE}?resident={people[0].id}").get_data(as_text=True)) == plain  # no such filter
    assert client.get(f"{CSV}?resident={people[0].id}").data == client.get(CSV).data
    for cells in views(client, f"route_map={OTHER}"):
        assert set(cells[("measurement", OTHER, "1")].values()) <= HIDDEN
        # and "all residents" less "residents referred through OTHER" would be the other 11: not shown either
        everyone = cells[("measurement", "all", "1")]
        assert everyone["residents"] == "12"


# The differencing attack, and the naive implementation it beats.


def rounded(total: int, count: int) -> Decimal:
    return (Decimal(total) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def marks_between(big: tuple[int, Decimal], small: tuple[int, Decimal]) -> set[int]:
    """The marks one resident can have when `big` (count, mean) is `small` plus that one resident."""
    (big_n, big_mean), (small_n, small_mean) = big, small
    assert big_n == small_n + 1
    return {
        mark
        for total in range(small_n, 10 * small_n + 1)
        if rounded(total, small_n) == small_mean
        for mark in range(1, 11)
        if rounded(total + mark, big_n) == big_mean
    }


def attack(figures: list[tuple[frozenset, int, Decimal]]) -> dict[frozenset, set[int]]:
    """Every pair of figures (what they cover, count, mean) where one covers the other and one more resident:
    {what that resident is: the marks they can have}. A set of one mark gives the resident's mark away."""
    found = {}
    for big_cover, big_n, big_mean in figures:
        for small_cover, small_n, small_mean in figures:
            if small_cover < big_cover and big_n == small_n + 1:
                found[big_cover - small_cover] = marks_between((big_n, big_mean), (small_n, small_mean))
    return found


def shown_figures(cells: dict[tuple, dict[str, str]]) -> list[tuple[frozenset, int, Decimal]]:
    """The figures of a view as the attacker reads them: a month covers that month; 'all' at a measurement covers
    every group of it, a route map only its own."""
    figures = []
    for (kind, label, measurement), texts in cells.items():
        if texts["residents"] in HIDDEN or texts["mark"] in HIDDEN | {"—", ""}:
            continue
        if kind == "month":
            cover = frozenset({label})
        else:
            cover = frozenset({(measurement, "rest")} | ({(measurement, label)} if label != "all" else set()))
            cover = cover | ({(measurement, g) for g in (ROUTE, OTHER)} if label == "all" else set())
        figures.append((cover, int(texts["residents"]), Decimal(texts["mark"])))
    return figures


@pytest.fixture
def target(app):
    """10 residents referred through ROUTE, each with one check in January (marks 5 and 7: mean 6.0), and the
    target: one check in March, mark 10, not referred. (January is three months ago, March one.)"""
    world = world_of()
    months = [months_ago(3), months_ago(2), months_ago(1)]
    for i, person in enumerate(residents(10)):
        refer(world, person)
        take(person, on(months[0], day=3 + i), 5 if i % 2 else 7)
    take(residents(1)[0], on(months[2], day=5), 10)
    db.session.commit()
    return months


def naive_total(chosen: list[date], checks: list[tuple[date, int]]) -> tuple[frozenset, int, Decimal]:
    """What a naive page would show for a month range: one total over the chosen months."""
    marks = [mark for month, mark in checks if month in chosen]
    return frozenset(f"{month:%Y-%m}" for month in chosen), len(marks), rounded(sum(marks), len(marks))


def test_two_overlapping_month_ranges_do_not_give_away_the_march_resident(target, client, login):
    january, february, march = target
    checks = [(january, 5), (january, 7)] * 5 + [(march, 10)]
    # Against a naive page (a total over the chosen months) January–March less January–February is March: 10.
    naive = [naive_total([january, february, march], checks), naive_total([january, february], checks)]
    assert attack(naive) == {frozenset({f"{march:%Y-%m}"}): {10}}
    login("admin")
    shown = []
    for query in (f"from={january:%Y-%m}&to={march:%Y-%m}", f"from={january:%Y-%m}&to={february:%Y-%m}"):
        for cells in views(client, query):
            shown += shown_figures(cells)
            assert set(cells.get(("month", f"{march:%Y-%m}", None), {"": "<10"}).values()) <= HIDDEN
    assert shown and all(marks != {10} for marks in attack(shown).values()), attack(shown)


def test_all_residents_less_a_route_map_does_not_give_away_the_resident_outside_it(target, client, login, monkeypatch):
    login("admin")
    # Without the complementary suppression, "all residents" (11) less "referred through ROUTE" (10) at the 1st
    # check is the target alone.
    monkeypatch.setattr(figures_privacy, "hide_until_safe", lambda *args, **kwargs: 0)
    naive = [figure for cells in views(client, f"route_map={ROUTE}") for figure in shown_figures(cells)]
    assert {10} in attack(naive).values()
    monkeypatch.undo()
    shown = [figure for cells in views(client, f"route_map={ROUTE}") for figure in shown_figures(cells)]
    shown += [figure for cells in views(client, "") for figure in shown_figures(cells)]
    assert shown and all(marks != {10} for marks in attack(shown).values()), attack(shown)


# The exact check: no hidden figure and no single check is a combination of the shown figures.


@dataclass
class Truth:
    """What the test put in: every check (resident, moment, marks) and the route maps each resident was referred
    through; from it, independently of the service, the checks each cell sums."""

    checks: list[tuple[int, datetime, dict[str, int]]]
    referred: dict[int, set[str]]

    def cells(self, window: list[date]) -> dict[tuple, list[int]]:
        """{(kind, group or month, measurement): indexes into `checks`} for every cell of the fixed table."""
        found: dict[tuple, list[int]] = {}
        by_resident: dict[int, list[int]] = {}
        for index, (resident, _moment, _marks) in enumerate(self.checks):
            by_resident.setdefault(resident, []).append(index)
        for resident, indexes in by_resident.items():
            indexes.sort(key=lambda i: self.checks[i][1])
            local = [this_local_month(self.checks[i][1]) for i in indexes]
            for position, index in enumerate(indexes):
                if position < 3:
                    for group in ["all", *sorted(self.referred.get(resident, ()))]:
                        found.setdefault(("measurement", group, str(position + 1)), []).append(index)
                last = position + 1 == len(indexes) or local[position + 1] != local[position]
                if last and local[position] in window:
                    found.setdefault(("month", f"{local[position]:%Y-%m}", None), []).append(index)
        return found


def this_local_month(moment: datetime) -> date:
    local = moment.astimezone(ZoneInfo("Europe/Amsterdam"))
    return date(local.year, local.month, 1)


def reduced(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """The reduced row echelon form of `rows`: (pivot column, row) pairs, exact."""
    basis: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        row = list(row)
        for column, other in basis:
            if row[column]:
                factor = row[column]
                row = [a - factor * b for a, b in zip(row, other, strict=True)]
        pivot = next((i for i, value in enumerate(row) if value), None)
        if pivot is None:
            continue
        row = [value / row[pivot] for value in row]
        basis = [(c, [a - o[pivot] * b for a, b in zip(o, row, strict=True)]) for c, o in basis]
        basis.append((pivot, row))
    return basis


def in_span(basis: list[tuple[int, list[Fraction]]], target: list[Fraction]) -> bool:
    left = list(target)
    for column, row in basis:
        if left[column]:
            factor = left[column]
            left = [a - factor * b for a, b in zip(left, row, strict=True)]
    return not any(left)


def leaks(shown: dict[tuple, dict[str, str]], sets: dict[tuple, list[int]], size: int) -> list[str]:
    """What the shown figures give away: hidden cells or single checks that are combinations of shown cells."""

    def vector(members) -> list[Fraction]:
        values = [Fraction(0)] * size
        for index in members:
            values[index] = Fraction(1)
        return values

    found = []
    counted = [key for key, texts in shown.items() if texts["residents"] not in HIDDEN and sets.get(key)]
    basis = reduced([vector(sets[key]) for key in counted])
    found += [f"check {i}" for _c, row in basis if sum(1 for v in row if v) == 1 for i in [row.index(Fraction(1))]]
    found += [
        f"cell {key}"
        for key, texts in shown.items()
        if texts["residents"] == "<10" and in_span(basis, vector(sets[key]))
    ]
    for mark in KEYS:
        meant = [key for key in counted if shown[key][mark] not in HIDDEN]
        basis = reduced([vector(sets[key]) for key in meant])
        hidden = [key for key in counted if shown[key][mark] == "hidden"]
        found += [f"{mark} of {key}" for key in hidden if in_span(basis, vector(sets[key]))]
    return found


def small_groups(sets: dict[tuple, list[int]], size: int) -> dict[str, set[int]]:
    """Groups of 1 to 9 checks a difference of two cells would give: all residents less one route map at a
    measurement, the checks after the 3rd, and the checks in no month."""
    groups = {}
    for key, members in sets.items():
        if key[0] == "measurement" and key[1] != "all":
            groups[f"{key[2]} without {key[1]}"] = set(sets[("measurement", "all", key[2])]) - set(members)
    measured = {i for key, members in sets.items() if key[0] == "measurement" for i in members}
    in_months = {i for key, members in sets.items() if key[0] == "month" for i in members}
    groups |= {"later": set(range(size)) - measured, "no month": set(range(size)) - in_months}
    return {name: members for name, members in groups.items() if 0 < len(members) < 10}


def collect(client, queries: list[str]) -> dict[tuple, dict[str, str]]:
    """Every cell shown by the page and the CSV of every query; a cell must read the same in all of them."""
    seen: dict[tuple, dict[str, str]] = {}
    for query in queries:
        for cells in views(client, query):
            for key, texts in cells.items():
                assert seen.setdefault(key, texts) == texts, (query, key, texts, seen[key])
    return seen


def check_truth(seen, sets, truth: Truth) -> None:
    """Shown figures are the true ones; small cells and all-same means are hidden."""
    for key, texts in seen.items():
        members = sets.get(key, [])
        marks = {mark: [truth.checks[i][2][mark] for i in members] for mark in KEYS}
        if 0 < len(members) < 10:
            assert set(texts.values()) <= HIDDEN, (key, texts)
        if texts["residents"] not in HIDDEN:
            assert int(texts["residents"]) == len(members), key
        for mark in KEYS:
            if texts[mark] not in HIDDEN | {"—", ""}:
                assert Decimal(texts[mark]) == rounded(sum(marks[mark]), len(members)), (key, mark)
            if members and len(set(marks[mark])) == 1:
                assert texts[mark] in HIDDEN, (key, mark)


def random_truth(rng: random.Random, months: list[date], young: bool, count: int = 45) -> Truth:
    """`count` residents with checks over six `months`, skewed so that some months are small, and referrals through
    ROUTE and OTHER (overlapping; some voided). A `young` portal: 1 to 3 checks each, in different months, so the
    months add up to the measurements exactly; otherwise 1 to 5, a few 40 months ago, some two in a month."""
    world = world_of()
    truth = Truth([], {})
    weights = (10, 8, 1, 6, 5, 6)
    for person in residents(count):
        for route_map, chance in ((ROUTE, 0.45), (OTHER, 0.3)):
            if rng.random() < chance:
                voided = rng.random() < 0.1
                refer(world, person, route_map, status="entered-in-error" if voided else "requested")
                if not voided:
                    truth.referred.setdefault(person.id, set()).add(route_map)
        moments: dict[datetime, None] = {}
        wanted = rng.choices((1, 2, 3) if young else (1, 2, 3, 4, 5), weights=(3, 3, 3) if young else (3, 3, 3, 2, 1))
        while len(moments) < wanted[0]:
            month = rng.choices(months, weights=weights)[0] if young or rng.random() > 0.05 else months_ago(40)
            if young and month in {this_local_month(moment) for moment in moments}:
                continue
            moments[on(month, day=1 + rng.randrange(27), hour=rng.randrange(24))] = None
        for moment in sorted(moments):
            base = rng.choice((3, 5, 6, 7, 8))
            marks = {mark: max(1, min(10, base + rng.choice((-2, -1, 0, 0, 1, 2)))) for mark in KEYS}
            take(person, moment, marks["mark"], {k: v for k, v in marks.items() if k != "mark"})
            truth.checks.append((person.id, moment, marks))
    db.session.commit()
    return truth


def every_query(months: list[date]) -> list[str]:
    return [
        f"route_map={route_map}&from={first:%Y-%m}&to={last:%Y-%m}"
        for route_map in ("", ROUTE, OTHER)
        for i, first in enumerate(months)
        for last in months[i:]
    ]


@pytest.mark.parametrize(("seed", "young"), [(16, True), (6, True), (2026, False)])
def test_no_view_and_no_set_of_views_lets_a_hidden_figure_be_worked_out(app, client, login, monkeypatch, seed, young):
    months = [months_ago(ago) for ago in range(5, -1, -1)]
    truth = random_truth(random.Random(seed), months, young)
    sets = truth.cells([months_ago(ago) for ago in range(35, -1, -1)])
    login("admin")
    if young:  # the months add up to the measurements: without the audit a small month can be worked out
        monkeypatch.setattr(figures_privacy, "hide_until_safe", lambda *args, **kwargs: 0)
        assert leaks(collect(client, every_query(months)), sets, len(truth.checks))
        monkeypatch.undo()
    seen = collect(client, every_query(months))
    assert {key for key in sets if key[0] == "measurement"} <= set(seen)
    check_truth(seen, sets, truth)
    assert leaks(seen, sets, len(truth.checks)) == []
    hidden = [key for key, texts in seen.items() if texts["residents"] == "<10"]
    assert hidden and len(hidden) < len(seen) - 3  # the data has hidden and shown cells
    assert not young or any(len(sets[key]) >= 10 for key in hidden)  # and a complement was hidden


def test_a_chain_through_months_and_measurements_is_cut(app, client, login, monkeypatch):
    """12 residents referred through ROUTE (checks 5, 3 and 1 months ago), 10 not referred (checks 5 and 2 months
    ago), and one, not referred, with four checks: 5, 3, 2 and 1 months ago. Their 4th check is in no measurement
    cell, but month(1) - all(3rd) + month(2) - all(2nd) + month(3) is that check alone."""
    world = world_of()
    truth = Truth([], {})

    def add(person, ago, mark, day):
        moment = on(months_ago(ago), day=day)
        domains = dict(zip(KEYS[1:], (mark, 11 - mark, 1 + mark % 10, 5), strict=True))
        take(person, moment, mark, domains)
        truth.checks.append((person.id, moment, {"mark": mark} | domains))

    for i, person in enumerate(residents(12)):
        refer(world, person)
        truth.referred[person.id] = {ROUTE}
        for ago in (5, 3, 1):
            add(person, ago, 3 + (i + ago) % 6, 2 + i)
    for i, person in enumerate(residents(10)):
        for ago in (5, 2):
            add(person, ago, 2 + (i * ago) % 8, 2 + i)
    lone = residents(1)[0]
    for ago, mark in ((5, 4), (3, 6), (2, 7), (1, 10)):
        add(lone, ago, mark, 20)
    db.session.commit()
    months = [months_ago(ago) for ago in range(5, -1, -1)]
    sets = truth.cells([months_ago(ago) for ago in range(35, -1, -1)])
    login("admin")
    monkeypatch.setattr(figures_privacy, "hide_until_safe", lambda *args, **kwargs: 0)
    naive = collect(client, every_query(months))
    assert leaks(naive, sets, len(truth.checks))  # without the audit the 4th check can be worked out
    monkeypatch.undo()
    seen = collect(client, every_query(months))
    check_truth(seen, sets, truth)
    assert leaks(seen, sets, len(truth.checks)) == []
