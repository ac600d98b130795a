"""The shipped demo neighbourhood is valid; a broken file is refused with file, item and field."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Location, Programme, Session
from portal.services.accounts.users import find_user_by_email
from portal.services.content_errors import ContentError
from portal.services.health_check import checks, estimates, sharing
from portal.services.listings import editing
from portal.services.listings.public_holidays import public_holidays_among
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


def _programme(slug: str) -> Programme:
    return db.session.scalar(select(Programme).where(Programme.slug == slug))


def test_loading_again_keeps_what_a_beweegmakelaar_changed(app):
    load_demo(DEMO, TODAY)
    broker = find_user_by_email("beweegmakelaar@demo.wijkportaal.nl")
    programme = _programme("in-beweging")
    data = editing.data_of(programme)
    data.texts["nl"]["summary"] = "Door de beweegmakelaar herschreven."
    data.cost_cents = 250
    data.audiences = ["ouderen"]
    editing.update_programme(programme, data, broker, TODAY + timedelta(days=3))
    programme.organisation.phone = "030 000 00 00"
    programme.location.name = "Nieuwe zaal"
    first = min(programme.sessions, key=lambda s: s.starts_at)
    first.status = "cancelled"
    db.session.commit()
    db.session.expire_all()

    load_demo(DEMO, TODAY + timedelta(days=5))
    db.session.expire_all()
    programme = _programme("in-beweging")
    assert programme.text("nl").summary == "Door de beweegmakelaar herschreven."
    assert programme.cost_cents == 250
    assert [a.audience for a in programme.audiences] == ["ouderen"]
    assert programme.last_verified_on == TODAY + timedelta(days=3)
    assert programme.organisation.phone == "030 000 00 00"
    assert programme.location.name == "Nieuwe zaal"
    assert db.session.get(Session, first.id).status == "cancelled"
    assert [s.starts_at for s in programme.sessions].count(first.starts_at) == 1


def test_loading_again_brings_back_no_session_that_was_deleted_or_archived(app):
    load_demo(DEMO, TODAY)
    broker = find_user_by_email("beweegmakelaar@demo.wijkportaal.nl")
    programme = _programme("lessen-in-geluk")
    first = min(programme.sessions, key=lambda s: s.starts_at)
    starts_at = first.starts_at
    db.session.delete(first)
    archived = _programme("in-beeld")
    editing.set_status(archived, "archived", broker, TODAY)
    count = len(archived.sessions)
    db.session.commit()
    report = load_demo(DEMO, TODAY + timedelta(days=7))
    db.session.expire_all()
    assert starts_at not in [s.starts_at for s in _programme("lessen-in-geluk").sessions]
    assert len(_programme("in-beeld").sessions) == count
    assert _programme("in-beeld").status == "archived"
    assert report.added.get("programmes") is None


_WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_STATED = re.compile(r"\b(?:elke|iedere|op)\s+(" + "|".join(_WEEKDAYS_NL) + r")", re.IGNORECASE)


def _stated_weekdays(programme: Programme) -> set[int]:
    """The weekdays a programme's Dutch text promises ("elke donderdag", "op zaterdagochtend")."""
    text = programme.text("nl")
    words = " ".join((text.title, text.summary, text.description or ""))
    return {_WEEKDAYS_NL.index(day.lower()) for day in _STATED.findall(words)}


def test_stating_a_weekday_is_recognised():
    class Text:
        title, summary, description = "Wandelen", "Elke donderdagochtend. Meld u uiterlijk dinsdag aan.", ""

    class Shown:
        def text(self, locale):
            return Text

    assert _stated_weekdays(Shown()) == {3}


@pytest.mark.parametrize("today", [TODAY, date(2027, 3, 20)])  # Christmas and New Year; Easter, Koningsdag
def test_every_demo_programme_meets_on_the_weekdays_its_text_states_and_never_on_a_holiday(app, today):
    load_demo(DEMO, today)
    local = ZoneInfo("Europe/Amsterdam")
    checked = 0
    for programme in db.session.scalars(select(Programme)):
        days = {s.starts_at.astimezone(local).date() for s in programme.sessions}
        assert days, programme.slug
        holidays = public_holidays_among(days)
        assert not holidays, (programme.slug, holidays)
        stated = _stated_weekdays(programme)
        if stated:
            checked += 1
            assert {day.weekday() for day in days} == stated, programme.slug
    assert checked >= 5
    gagel = _programme("wandelgroep-park-de-gagel")
    assert {s.starts_at.astimezone(local).weekday() for s in gagel.sessions} == {3}


def test_in_beweging_skips_christmas_and_new_year(app):
    load_demo(DEMO, TODAY)
    local = ZoneInfo("Europe/Amsterdam")
    days = {s.starts_at.astimezone(local).date() for s in _programme("in-beweging").sessions}
    assert date(2026, 12, 18) in days and date(2027, 1, 8) in days  # the Fridays around them
    assert date(2026, 12, 25) not in days and date(2027, 1, 1) not in days


def test_the_demo_resident_has_three_health_checks_shared_with_her_practice(app):
    load_demo(DEMO, TODAY)
    resident = find_user_by_email("bewoner@demo.wijkportaal.nl")
    history = checks.history(resident.id)
    assert [entry.answers.mark for entry in history] == [5, 6, 7]
    assert [entry.change["mark"] for entry in history] == [None, 1, 1]
    assert [organisation.slug for organisation in sharing.shared_organisations(resident)] == [
        "huisartsenpraktijk-zamenhof"
    ]
    gp = find_user_by_email("huisarts@demo.wijkportaal.nl")
    assert sharing.may_view(gp, resident.id)
    found = estimates.estimates_for([history[-1].check.id])[history[-1].check.id]
    assert [(estimate.mark, estimate.professional) for estimate in found] == [(6, gp.display_name)]
    assert load_demo(DEMO, TODAY + timedelta(days=1)).added.get("residents with health checks") is None
    assert len(checks.history(resident.id)) == 3


@pytest.mark.parametrize(
    "mutate, where",
    [
        (lambda d: d["health_checks"][0]["checks"][0].update(mark=11), "health_checks[0].checks[0].mark"),
        (lambda d: d["health_checks"][0]["checks"][1]["domains"].pop("mind"), "health_checks[0].checks[1].mind"),
        (lambda d: d["health_checks"][0].update(share_with=["no-such-team"]), "health_checks[0].share_with"),
        (lambda d: d["health_checks"][0]["checks"][2]["estimate"].update(mark="x"), "checks[2].estimate"),
    ],
)
def test_a_broken_health_check_file_names_the_field_and_saves_nothing(app, tmp_path, mutate, where):
    for name in ("overvecht.yaml", "users.yaml", "care.yaml"):
        (tmp_path / name).write_text((DEMO / name).read_text(encoding="utf-8"), encoding="utf-8")
    data = yaml.safe_load((DEMO / "health_checks.yaml").read_text(encoding="utf-8"))
    mutate(data)
    (tmp_path / "health_checks.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_demo(tmp_path, TODAY)
    assert caught.value.file == "health_checks.yaml" and where in caught.value.where
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 0
