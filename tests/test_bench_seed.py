"""The programme benchmark data set: its sessions, inserted as plain rows, are what the Session model would store."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from portal.config import TIMEZONE
from portal.extensions import db
from portal.models import Programme, ProgrammeText, Session
from portal.services.seed.bench import bench_data_present, seed_bench


def test_the_bench_data_set_has_every_session_with_its_local_time(app):
    assert not bench_data_present()
    counts = seed_bench("benchwijk", programmes=30, locations=5, sessions=301)
    assert counts == {"programmes": 30, "locations": 5, "sessions": 301, "organisations": 20}
    assert bench_data_present()
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 30
    per_programme = select(func.count().label("n")).select_from(Session).group_by(Session.programme_id).subquery()
    assert db.session.execute(select(func.min(per_programme.c.n), func.max(per_programme.c.n))).one() == (10, 11)
    zone = ZoneInfo(TIMEZONE)
    for session in db.session.scalars(select(Session)):
        local = session.starts_at.astimezone(zone)
        assert (session.local_weekday, session.local_minute) == (local.weekday(), local.hour * 60 + local.minute)
        assert session.status == "scheduled" and session.booked == 0 and session.is_demo
        assert (session.ends_at - session.starts_at).total_seconds() == 3600
    texts = db.session.scalars(select(ProgrammeText)).all()
    assert len(texts) == 120 and all(t.search_title and t.search_body for t in texts)
