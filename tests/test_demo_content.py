"""The shipped demo neighbourhood is valid; a broken file is refused with file, item and field."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Location, Programme, Session
from portal.services.content_errors import ContentError
from portal.services.seed.demo import load_demo
from portal.services.seed.demo_sessions import session_times

DEMO = Path(__file__).resolve().parent.parent / "content" / "demo"
TODAY = date(2026, 11, 22)


def _write(directory: Path, mutate) -> Path:
    data = yaml.safe_load((DEMO / "overvecht.yaml").read_text(encoding="utf-8"))
    mutate(data)
    (directory / "overvecht.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (directory / "users.yaml").write_text((DEMO / "users.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return directory


def test_demo_loads_with_every_language_and_eight_weeks_of_sessions(app):
    report = load_demo(DEMO, TODAY)
    assert report.added["programmes"] >= 12
    programmes = db.session.scalars(select(Programme)).all()
    for programme in programmes:
        assert {t.locale for t in programme.translations} == {"nl", "en", "tr", "ar"}, programme.slug
        assert programme.is_demo and programme.status == "published"
    first, last = db.session.execute(select(func.min(Session.starts_at), func.max(Session.starts_at))).one()
    local = ZoneInfo("Europe/Amsterdam")
    assert first.astimezone(local).date() > TODAY
    assert last.astimezone(local).date() <= TODAY + timedelta(weeks=8)
    for location in db.session.scalars(select(Location)):
        assert 52.10 < location.latitude < 52.13 and 5.09 < location.longitude < 5.14, location.slug


def test_sessions_keep_local_time_across_the_summer_time_change():
    slots = [(6, time(10, 0), 60, 5)]  # Sundays 10:00 local; summer time ends on Sunday 25 October 2026
    times = list(session_times(slots, date(2026, 10, 10), weeks=3))
    local = ZoneInfo("Europe/Amsterdam")
    assert [start.astimezone(local).hour for start, *_ in times] == [10, 10, 10]
    assert [start.hour for start, *_ in times] == [8, 8, 9]  # UTC+2 in summer time, UTC+1 after


def test_each_weekly_slot_is_one_series_across_loads(app):
    load_demo(DEMO, TODAY)
    load_demo(DEMO, TODAY + timedelta(days=7))
    programme = db.session.scalar(select(Programme).where(Programme.slug == "in-beweging"))
    local = ZoneInfo("Europe/Amsterdam")
    series = {}
    for session in programme.sessions:
        start = session.starts_at.astimezone(local)
        series.setdefault(session.series_id, set()).add((start.weekday(), start.time()))
    assert None not in series
    assert all(len(slots) == 1 for slots in series.values())  # one weekday and time per series


def test_loading_the_same_day_twice_adds_nothing(app):
    load_demo(DEMO, TODAY)
    assert load_demo(DEMO, TODAY).added == {}


def test_a_day_later_adds_only_the_new_days_sessions(app):
    load_demo(DEMO, TODAY)
    later = load_demo(DEMO, TODAY + timedelta(days=1))
    assert set(later.added) == {"sessions"}


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d["programmes"][0]["texts"].pop("nl"), "programmes[0].texts.nl"),
        (lambda d: d["programmes"][1].update(organisation="bestaat-niet"), "programmes[1].organisation"),
        (lambda d: d["programmes"][2].update(category="toveren"), "programmes[2].category"),
        (lambda d: d["programmes"][3]["schedule"][0].update(weekday="zondag"), "programmes[3].schedule[0].weekday"),
        (lambda d: d["programmes"][3]["schedule"][0].update(capacity=0), "programmes[3].schedule[0].capacity"),
        (lambda d: d["programmes"][3]["schedule"][0].update(start="25:00"), "programmes[3].schedule[0].start"),
        (lambda d: d["locations"][0].update(postcode="12345"), "locations[0].postcode"),
        (lambda d: d["locations"][0].update(latitude=200), "locations[0].latitude"),
        (lambda d: d["organisations"][0].update(kind="bakery"), "organisations[0].kind"),
        (lambda d: d["programmes"].append(dict(d["programmes"][0])), "slug"),
        (lambda d: d["neighbourhood"].pop("name"), "neighbourhood.name"),
    ],
)
def test_a_broken_file_names_file_item_and_field_and_saves_nothing(app, tmp_path, mutate, where):
    directory = _write(tmp_path, mutate)
    with pytest.raises(ContentError) as caught:
        load_demo(directory, TODAY)
    assert caught.value.file == "overvecht.yaml"
    assert where in caught.value.where
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 0


def test_invalid_yaml_is_refused_with_the_file_name(app, tmp_path):
    (tmp_path / "overvecht.yaml").write_text("programmes: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError, match="overvecht.yaml"):
        load_demo(tmp_path, TODAY)
