"""The team inbox on the bench data. On SQLite with planner statistics, a page of an inbox box walks the box's own
index and the box counts read the covering team-queue index: neither starts from every thread of the team's
residents (ix_threads_resident), which cost 20 ms each at 10,000 threads. The tabs count to 99, the overview all."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.services.messaging import inbox
from portal.services.seed.bench_messages import bench_professional, seed_bench_messages
from tests.support.accounts import sign_in
from tests.support.queries import sent_statements


def _plans(work) -> list[tuple[str, str]]:
    """Each SELECT `work` sends on threads, with SQLite's query plan of it as one string."""
    with sent_statements() as sent:
        work()
    connection = db.session.connection()
    plans = []
    for statement, parameters in sent:
        if statement.startswith("SELECT") and "FROM threads" in statement:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            plans.append((statement, " | ".join(str(row[-1]) for row in rows)))
    return plans


@pytest.mark.parametrize("box", ["unassigned", "mine"])
def test_a_box_page_and_the_counts_read_the_team_queue_index(app, box):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query planner")
    seed_bench_messages("benchwijk", threads=600, messages=1200, residents=300)  # runs ANALYZE, as the bench does
    db.session.execute(text("ANALYZE"))
    user = bench_professional()
    plans = _plans(lambda: (inbox.team_box(user, box, 1), inbox.box_counts(user), inbox.box_counts(user, overdue=True)))
    assert len(plans) == 3
    for statement, plan in plans:
        assert "ix_threads_team_queue" in plan, (statement, plan)
        assert "ix_threads_resident" not in plan, (statement, plan)


def test_the_tabs_count_to_99_and_the_overview_counts_all(app, client):
    seed_bench_messages("benchwijk", threads=600, messages=1200, residents=300)
    db.session.commit()
    user = bench_professional()
    exact = inbox.box_counts(user, overdue=True)
    assert exact["unassigned"] > inbox.TAB_COUNT_CAP, exact  # the seed gives the team a backlog
    tabs = inbox.box_counts(user)
    assert tabs["unassigned"] == inbox.TAB_COUNT_CAP + 1
    assert tabs["mine"] == min(exact["mine"], inbox.TAB_COUNT_CAP + 1)
    sign_in(client, user)
    page = client.get("/nl/professional/inbox?box=mine").get_data(as_text=True)
    assert f"({inbox.TAB_COUNT_CAP}+)" in page and f"({exact['unassigned']})" not in page
    overview = client.get("/nl/professional/").get_data(as_text=True)
    assert f"{exact['unassigned']} open" in overview


def test_the_unassigned_box_page_walks_its_own_index_on_postgresql(app):
    """PostgreSQL takes `assignee_id IS NULL` as no equality: with the team-queue index alone it read every open
    unassigned thread of the team and sorted them for one page (4 of 6 ms at 2,500 such threads)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's query planner")
    seed_bench_messages("benchwijk", threads=600, messages=1200, residents=300)
    db.session.execute(text("ANALYZE threads"))
    user = bench_professional()
    with sent_statements() as sent:
        inbox.team_box(user, "unassigned", 1)
    statement, parameters = next((s, p) for s, p in sent if s.startswith("SELECT threads.id"))
    plan = " | ".join(row[0] for row in db.session.connection().exec_driver_sql("EXPLAIN " + statement, parameters))
    assert "ix_threads_unassigned_queue" in plan, plan
