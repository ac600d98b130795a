"""CSV export and all-or-nothing import of an organisation's programmes and sessions."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Programme, ProgrammeLanguage, Session
from portal.services.listings import csv_programme_import, csv_session_import, editing
from portal.services.listings.csv_export import export_programmes, export_sessions
from portal.services.listings.csv_format import PROGRAMME_COLUMNS, SESSION_COLUMNS
from portal.services.stored_text import strip_refused_characters
from portal.services.text_rules import bad_characters, cleaned
from tests.factories import LocationFactory, OrganisationFactory, ProgrammeFactory, SessionFactory, UserFactory

TODAY = date(2030, 1, 1)
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
FORMULA = '=HYPERLINK("http://evil","x")'
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# --- helpers ------------------------------------------------------------------------------------------------


def _editor(organisation):
    """The organisation's beweegmakelaar, who uploads the files (and is named in the history)."""
    return UserFactory(role="broker", organisation=organisation, display_name="Sanne (beweegmakelaar)")


def import_programmes(organisation, data: bytes, **options):
    """Import programmes as the organisation's beweegmakelaar."""
    return csv_programme_import.import_programmes(organisation, data, user=_editor(organisation), **options)


def import_sessions(organisation, data: bytes, **options):
    """Import sessions as the organisation's beweegmakelaar."""
    return csv_session_import.import_sessions(organisation, data, user=_editor(organisation), **options)


def _programme(organisation, location, slug, *, texts=None, languages=("nl",), **attributes):
    programme = ProgrammeFactory(slug=slug, organisation=organisation, location=location, texts=texts, **attributes)
    programme.languages.extend(ProgrammeLanguage(language=code) for code in languages)
    db.session.flush()
    return programme


def _session(programme, start: datetime, **attributes):
    return SessionFactory(programme=programme, starts_at=start, ends_at=start + timedelta(minutes=90), **attributes)


@pytest.fixture
def organisation(app):
    """An organisation with a location of its own, two programmes (one in two languages) and three sessions."""
    organisation = OrganisationFactory(slug="beweegmakelaars")
    location = LocationFactory(slug="buurthuis-de-dreef", organisation=organisation)
    walking = _programme(
        organisation,
        location,
        "wandelgroep",
        texts={"en": "Walking group"},
        languages=("nl", "en", "tr"),
        contact_name="Fatima",
        contact_phone="+31 30 123 4567",
        contact_email="fatima@example.org",
        cost_cents=250,
        referral_required=True,
    )
    chair = _programme(organisation, None, "stoelyoga", status="draft", category="gezondheid", languages=())
    chair.translations[0].description = "Regel een\nregel twee, met komma; en puntkomma"
    _session(walking, datetime(2030, 3, 5, 18, 30, tzinfo=UTC))
    _session(walking, datetime(2030, 7, 1, 17, 30, tzinfo=UTC), capacity=20, status="cancelled")
    _session(chair, datetime(2030, 2, 1, 9, 0, tzinfo=UTC), capacity=1)
    db.session.flush()
    return organisation


def dump(organisation) -> list:
    """Everything the CSV files carry, in a form that compares equal when nothing changed."""
    db.session.expire_all()
    result = []
    programmes = db.session.scalars(
        select(Programme).where(Programme.organisation_id == organisation.id).order_by(Programme.slug)
    )
    for p in programmes:
        result.append(
            (
                p.slug,
                p.status,
                p.category,
                p.cost_cents,
                p.referral_required,
                p.contact_name,
                p.contact_phone,
                p.contact_email,
                p.location.slug if p.location else None,
                sorted(a.audience for a in p.audiences),
                sorted(x.language for x in p.languages),
                sorted(
                    (t.locale, t.title, t.summary, t.description, t.search_title, t.search_body) for t in p.translations
                ),
                [
                    (s.starts_at, s.ends_at, s.capacity, s.status, s.booked, s.local_weekday, s.local_minute)
                    for s in p.sessions
                ],
            )
        )
    return result


def rows_of(text: str) -> list[list[str]]:
    """The records of an exported CSV text."""
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def programmes_csv(*rows: dict, delimiter: str = ",", columns=PROGRAMME_COLUMNS) -> bytes:
    """A programmes file with the given cells (others empty), as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row.get(column, "") for column in columns)
    return buffer.getvalue().encode("utf-8")


def sessions_csv(*rows: tuple) -> bytes:
    """A sessions file with the given rows, as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(SESSION_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def good_row(slug: str, **cells) -> dict:
    """A valid programmes row."""
    return {
        "slug": slug,
        "status": "published",
        "category": "bewegen",
        "audiences": "ouderen volwassenen",
        "languages": "nl",
        "cost_cents": "0",
        "referral_required": "nee",
        "title_nl": f"Titel {slug}",
        "summary_nl": "Kort",
    } | cells


def found(report) -> set[tuple[int, str]]:
    """The (line, field) of each problem, with every message rendered to a non-empty text."""
    with force_locale("en"):
        assert all(str(problem.message).strip() for problem in report.problems)
    return {(problem.line, problem.field) for problem in report.problems}


def messages(report) -> list[str]:
    """The problems' messages in English."""
    with force_locale("en"):
        return [str(problem.message) for problem in report.problems]


def programme_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Programme))


def session_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Session))


# --- export -------------------------------------------------------------------------------------------------


def test_export_programmes_has_a_bom_every_column_and_dutch_yes_no(organisation):
    text = export_programmes(organisation)
    rows = rows_of(text)
    assert rows[0] == list(PROGRAMME_COLUMNS)
    assert [row[0] for row in rows[1:]] == ["stoelyoga", "wandelgroep"]  # by slug
    walking = dict(zip(rows[0], rows[2], strict=True))
    assert walking["languages"] == "en nl tr"
    assert walking["audiences"] == "volwassenen"
    assert walking["referral_required"] == "ja"
    assert walking["location_slug"] == "buurthuis-de-dreef"
    assert walking["title_en"] == "Walking group"
    assert walking["contact_phone"] == "'+31 30 123 4567"  # neutralised: it starts with +
    assert walking["title_tr"] == walking["summary_ar"] == ""
    chair = dict(zip(rows[0], rows[1], strict=True))
    assert chair["referral_required"] == "nee"
    assert chair["location_slug"] == ""
    assert chair["description_nl"] == "Regel een\nregel twee, met komma; en puntkomma"


def test_export_sessions_in_local_time(organisation):
    rows = rows_of(export_sessions(organisation))
    assert rows == [
        list(SESSION_COLUMNS),
        ["stoelyoga", "2030-02-01 10:00", "2030-02-01 11:30", "1", "scheduled"],
        ["wandelgroep", "2030-03-05 19:30", "2030-03-05 21:00", "12", "scheduled"],
        ["wandelgroep", "2030-07-01 19:30", "2030-07-01 21:00", "20", "cancelled"],  # summer time: UTC+2
    ]


def test_export_shows_only_this_organisation(organisation):
    ProgrammeFactory(slug="van-een-ander")
    assert "van-een-ander" not in export_programmes(organisation)
    assert "van-een-ander" not in export_sessions(organisation)


# --- round trips --------------------------------------------------------------------------------------------


def test_round_trip_into_the_same_organisation_changes_nothing(organisation):
    before = dump(organisation)
    programmes = export_programmes(organisation).encode("utf-8")
    sessions = export_sessions(organisation).encode("utf-8")

    report = import_programmes(organisation, programmes, today=TODAY)
    assert (report.problems, report.created, report.updated) == ([], 0, 2)
    report = import_sessions(organisation, sessions, now=NOW)
    assert (report.problems, report.created, report.updated) == ([], 0, 3)
    assert dump(organisation) == before


def test_round_trip_after_deleting_the_programmes_recreates_them(organisation):
    before = dump(organisation)
    programmes = export_programmes(organisation).encode("utf-8")
    sessions = export_sessions(organisation).encode("utf-8")
    for programme in db.session.scalars(select(Programme).where(Programme.organisation_id == organisation.id)):
        db.session.delete(programme)
    db.session.flush()
    assert programme_count() == session_count() == 0

    report = import_programmes(organisation, programmes, today=TODAY)
    assert (report.problems, report.created, report.updated) == ([], 2, 0)
    report = import_sessions(organisation, sessions, now=NOW)
    assert (report.problems, report.created, report.updated) == ([], 3, 0)
    assert dump(organisation) == before
    assert {p.last_verified_on for p in db.session.scalars(select(Programme))} == {TODAY}


def test_import_updates_and_adds(organisation):
    data = programmes_csv(
        good_row("wandelgroep", title_nl="Nieuwe titel", languages="nl ar", audiences="ouderen", cost_cents="0"),
        good_row("nieuw-programma", location_slug="buurthuis-de-dreef", title_en="New", summary_en="Short"),
    )
    report = import_programmes(organisation, data, today=TODAY)
    assert (report.problems, report.created, report.updated) == ([], 1, 1)
    walking = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep"))
    db.session.refresh(walking)
    assert walking.text("nl").title == "Nieuwe titel"
    assert walking.text("nl").search_title == "nieuwe titel"
    assert walking.text("en").title == "Nieuwe titel"  # the English text was emptied, so it is gone (falls back)
    assert {t.locale for t in walking.translations} == {"nl"}
    assert sorted(x.language for x in walking.languages) == ["ar", "nl"]
    assert [a.audience for a in walking.audiences] == ["ouderen"]
    assert walking.cost_cents == 0
    assert walking.referral_required is False
    assert walking.contact_name is None
    new = db.session.scalar(select(Programme).where(Programme.slug == "nieuw-programma"))
    assert new.organisation_id == organisation.id
    assert new.location.slug == "buurthuis-de-dreef"
    assert new.text("en").title == "New"
    assert new.text("nl").description == ""


def test_columns_left_out_keep_their_values(organisation):
    columns = ("slug", "status", "category", "title_nl", "summary_nl")
    data = programmes_csv(good_row("wandelgroep", title_nl="Anders"), columns=columns)
    report = import_programmes(organisation, data, today=TODAY)
    assert (report.problems, report.updated) == ([], 1)
    walking = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep"))
    assert walking.text("en").title == "Walking group"
    assert walking.contact_email == "fatima@example.org"
    assert walking.cost_cents == 250
    assert walking.text("nl").title == "Anders"


def _history(slug: str) -> list[tuple[str, str, str, str]]:
    """The programme's change history as (who, field, before, after), oldest first."""
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    return [(c.user_name, c.field, c.old_value, c.new_value) for c in reversed(editing.history(programme))]


def test_a_programmes_import_writes_who_changed_which_field(organisation):
    data = programmes_csv(good_row("wandelgroep", title_nl="Wandelen langs de Vecht"), good_row("nieuw"))
    assert import_programmes(organisation, data, today=TODAY).problems == []
    changes = _history("wandelgroep")
    assert ("Sanne (beweegmakelaar)", "title.nl", "Activiteit wandelgroep", "Wandelen langs de Vecht") in changes
    assert all(who == "Sanne (beweegmakelaar)" for who, *_ in changes)
    assert _history("nieuw") == [("Sanne (beweegmakelaar)", "created", "", "nieuw")]


def test_a_sessions_import_writes_its_changes_to_the_history(organisation):
    data = sessions_csv(
        ("wandelgroep", "2030-03-05 19:30", "2030-03-05 21:30", "30", "cancelled"),
        ("wandelgroep", "2030-03-12 19:30", "2030-03-12 21:00", "12", ""),
    )
    assert import_sessions(organisation, data, now=NOW).problems == []
    changes = [change[1:] for change in _history("wandelgroep")]
    assert changes == [
        ("session", "2030-03-05 19:30-21:00, 12", "2030-03-05 19:30-21:30, 30"),
        ("session.status", "2030-03-05 19:30-21:00, 12", "cancelled"),
        ("sessions.imported", "", "1"),
    ]


def test_sessions_import_adds_and_updates_by_programme_and_start(organisation):
    data = sessions_csv(
        ("wandelgroep", "2030-03-05 19:30", "2030-03-05 21:30", "30", "cancelled"),
        ("wandelgroep", "2030-03-12 19:30", "2030-03-12 21:00", "12", ""),
    )
    report = import_sessions(organisation, data, now=NOW)
    assert (report.problems, report.created, report.updated) == ([], 1, 1)
    sessions = db.session.scalars(select(Session).join(Session.programme).where(Programme.slug == "wandelgroep"))
    by_start = {s.starts_at: s for s in sessions}
    changed = by_start[datetime(2030, 3, 5, 18, 30, tzinfo=UTC)]
    assert (changed.capacity, changed.status, changed.ends_at) == (
        30,
        "cancelled",
        datetime(2030, 3, 5, 20, 30, tzinfo=UTC),
    )
    added = by_start[datetime(2030, 3, 12, 18, 30, tzinfo=UTC)]
    assert (added.capacity, added.status, added.local_weekday, added.local_minute) == (12, "scheduled", 1, 19 * 60 + 30)


# --- formulas -----------------------------------------------------------------------------------------------


def test_a_formula_in_a_title_is_neutralised_on_export_and_comes_back_unchanged(organisation):
    walking = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep"))
    walking.text("nl").title = FORMULA
    walking.text("en").summary = "@SUM(A1)"
    walking.contact_name = "-Fatima"
    chair = db.session.scalar(select(Programme).where(Programme.slug == "stoelyoga"))
    chair.text("nl").title = "'=already quoted"
    db.session.flush()
    before = dump(organisation)

    rows = rows_of(export_programmes(organisation))
    cells = dict(zip(rows[0], rows[2], strict=True))
    assert cells["title_nl"] == "'" + FORMULA
    assert cells["summary_en"] == "'@SUM(A1)"
    assert cells["contact_name"] == "'-Fatima"
    assert dict(zip(rows[0], rows[1], strict=True))["title_nl"] == "''=already quoted"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    report = import_programmes(organisation, export_programmes(organisation).encode("utf-8"), today=TODAY)
    assert (report.problems, report.updated) == ([], 2)
    assert dump(organisation) == before
    assert walking.text("nl").title == FORMULA


def test_a_formula_typed_into_a_text_cell_is_kept_as_text_but_refused_as_a_slug_or_code(organisation):
    data = programmes_csv(
        good_row("formule", title_nl="=1+1", summary_nl="+31 30"),
        good_row("=1+1", category="=bewegen", cost_cents="+5"),
    )
    report = import_programmes(organisation, data, today=TODAY)
    assert found(report) == {(3, "slug"), (3, "category"), (3, "cost_cents")}
    report = import_programmes(organisation, programmes_csv(good_row("formule", title_nl="=1+1")), today=TODAY)
    assert report.problems == []
    assert db.session.scalar(select(Programme).where(Programme.slug == "formule")).text("nl").title == "=1+1"


# --- all or nothing -----------------------------------------------------------------------------------------


def test_one_bad_row_among_good_ones_saves_nothing_and_names_every_problem(organisation):
    before = dump(organisation)
    data = programmes_csv(
        good_row("goed-een"),
        good_row("fout-een", category="dansen", cost_cents="-5"),
        good_row("goed-twee"),
        good_row("fout-twee", title_nl=""),
        good_row("wandelgroep", title_nl="Dit zou een wijziging zijn"),
    )
    report = import_programmes(organisation, data, today=TODAY)
    assert found(report) == {(3, "category"), (3, "cost_cents"), (5, "title_nl")}
    assert len(report.problems) == 3
    assert (report.created, report.updated) == (0, 0)
    assert not report.ok
    assert dump(organisation) == before
    assert programme_count() == 2
    text = " | ".join(messages(report))
    assert "'dansen' is not allowed here" in text
    assert "from 0 to 100000" in text


def test_every_kind_of_programme_problem_is_reported_with_its_line_and_column(organisation):
    other = OrganisationFactory()
    LocationFactory(slug="van-een-ander", organisation=other)
    long_title = "x" * 161
    data = programmes_csv(
        good_row("Hoofdletters"),
        good_row("a" * 81),
        good_row("codes", status="klaar", audiences="ouderen baby's", languages="nl xx"),
        good_row("geld", cost_cents="100001", referral_required="misschien"),
        good_row("lengtes", title_nl=long_title, summary_nl="y" * 301, description_nl="z" * 20_001),
        good_row("contact", contact_name="n" * 121, contact_phone="1" * 41, contact_email="geen-adres"),
        good_row("plek", location_slug="van-een-ander"),
        good_row("talen", title_en="Only a title", description_tr="Alleen een beschrijving"),
        good_row("twee-keer"),
        good_row("twee-keer"),
        good_row("stuur", title_nl="Regel\neen"),
    )
    report = import_programmes(organisation, data, today=TODAY)
    assert found(report) == {
        (2, "slug"),
        (3, "slug"),
        (4, "status"),
        (4, "audiences"),
        (4, "languages"),
        (5, "cost_cents"),
        (5, "referral_required"),
        (6, "title_nl"),
        (6, "summary_nl"),
        (6, "description_nl"),
        (7, "contact_name"),
        (7, "contact_phone"),
        (7, "contact_email"),
        (8, "location_slug"),
        (9, "summary_en"),
        (9, "title_tr"),
        (9, "summary_tr"),
        (11, "slug"),
        (12, "title_nl"),
    }
    assert programme_count() == 2
    text = " | ".join(messages(report))
    assert "The slug 'twee-keer' is also on line 10." in text
    assert "There is no location 'van-een-ander' for your organisation." in text
    assert "'xx' is not a known language code" in text


def test_locations_the_organisation_may_use(organisation):
    LocationFactory(slug="gedeelde-sporthal", organisation=None)
    foreign = LocationFactory(slug="praktijk-van-een-ander", organisation=OrganisationFactory())
    walking = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep"))
    walking.location = foreign
    db.session.flush()
    data = programmes_csv(
        good_row("wandelgroep", location_slug="praktijk-van-een-ander"),  # its current place: may stay
        good_row("nieuw", location_slug="gedeelde-sporthal"),  # shared: no organisation
    )
    assert import_programmes(organisation, data, today=TODAY).problems == []
    data = programmes_csv(good_row("nog-een", location_slug="praktijk-van-een-ander"))
    assert found(import_programmes(organisation, data, today=TODAY)) == {(2, "location_slug")}


def test_another_organisations_slug_is_refused_and_left_alone(organisation):
    theirs = ProgrammeFactory(slug="van-hen", texts={"en": "Theirs"})
    report = import_programmes(organisation, programmes_csv(good_row("van-hen", title_nl="Overgenomen")), today=TODAY)
    assert found(report) == {(2, "slug")}
    assert messages(report) == ["Another organisation already uses this slug. Please choose another one."]
    db.session.refresh(theirs)
    assert theirs.organisation_id != organisation.id
    assert theirs.text("nl").title == "Activiteit van-hen"


def test_sessions_of_another_organisations_programme_are_refused(organisation):
    ProgrammeFactory(slug="van-hen")
    report = import_sessions(
        organisation, sessions_csv(("van-hen", "2030-03-05 10:00", "2030-03-05 11:00", "5", "")), now=NOW
    )
    assert found(report) == {(2, "programme_slug")}
    assert messages(report) == ["There is no programme 'van-hen' in your organisation."]


@pytest.mark.parametrize("capacity", ["0", "10000", "501", "-1", "1.5", "tien", ""])
def test_capacity_outside_1_to_500_is_refused(organisation, capacity):
    before = session_count()
    report = import_sessions(
        organisation, sessions_csv(("wandelgroep", "2030-03-06 10:00", "2030-03-06 11:00", capacity, "")), now=NOW
    )
    assert found(report) == {(2, "capacity")}
    assert messages(report) == ["Fill in a whole number from 1 to 500."]
    assert session_count() == before


@pytest.mark.parametrize("capacity", ["1", "500"])
def test_capacity_1_and_500_are_accepted(organisation, capacity):
    report = import_sessions(
        organisation, sessions_csv(("wandelgroep", "2030-03-06 10:00", "2030-03-06 11:00", capacity, "")), now=NOW
    )
    assert (report.problems, report.created) == ([], 1)


def test_a_new_session_in_the_past_is_refused_but_a_past_one_may_be_updated(organisation):
    walking = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep"))
    _session(walking, datetime(2029, 12, 1, 9, 0, tzinfo=UTC))
    past = ("wandelgroep", "2029-12-24 10:00", "2029-12-24 11:00", "10", "")
    report = import_sessions(organisation, sessions_csv(past), now=NOW)
    assert found(report) == {(2, "starts_at")}
    assert messages(report) == ["This session starts in the past. You can only add sessions in the future."]
    report = import_sessions(
        organisation, sessions_csv(("wandelgroep", "2029-12-01 10:00", "2029-12-01 11:30", "8", "cancelled")), now=NOW
    )
    assert (report.problems, report.created, report.updated) == ([], 0, 1)


def test_every_kind_of_session_problem_is_reported(organisation):
    walking = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep"))
    _session(walking, datetime(2030, 4, 1, 9, 0, tzinfo=UTC), capacity=10, booked=6)
    before = dump(organisation)
    data = sessions_csv(
        ("wandelgroep", "5-3-2030 19:30", "2030-03-05 21:00", "10", ""),
        ("wandelgroep", "2030-02-30 19:30", "2030-03-05 25:00", "10", ""),
        ("wandelgroep", "2030-03-07 19:30", "2030-03-07 19:30", "10", "gepland"),
        ("wandelgroep", "2030-03-31 02:30", "2030-03-31 04:00", "10", ""),  # the clocks go forward
        ("wandelgroep", "2030-04-01 11:00", "2030-04-01 12:00", "5", ""),  # 6 places booked
        ("", "2030-03-08 10:00", "2030-03-08 11:00", "10", ""),
        ("wandelgroep", "2030-03-09 10:00", "2030-03-09 11:00", "10", ""),
        ("wandelgroep", "2030-03-09 10:00", "2030-03-09 12:00", "10", ""),
    )
    report = import_sessions(organisation, data, now=NOW)
    assert found(report) == {
        (2, "starts_at"),
        (3, "starts_at"),
        (3, "ends_at"),
        (4, "ends_at"),
        (4, "status"),
        (5, "starts_at"),
        (6, "capacity"),
        (7, "programme_slug"),
        (9, "starts_at"),
    }
    text = " | ".join(messages(report))
    assert "6 places are booked already" in text
    assert "This session is also on line 8." in text
    assert dump(organisation) == before


# --- the file itself ----------------------------------------------------------------------------------------


def test_a_semicolon_file_from_dutch_excel_is_accepted(organisation):
    data = programmes_csv(good_row("puntkomma", description_nl="Met; puntkomma, en komma"), delimiter=";")
    report = import_programmes(organisation, b"\xef\xbb\xbf" + data, today=TODAY)
    assert (report.problems, report.created) == ([], 1)
    programme = db.session.scalar(select(Programme).where(Programme.slug == "puntkomma"))
    assert programme.text("nl").description == "Met; puntkomma, en komma"
    data = b"programme_slug;starts_at;ends_at;capacity;status\r\npuntkomma;2030-05-01 10:00;2030-05-01 11:00;8;\r\n"
    assert import_sessions(organisation, data, now=NOW).created == 1


def test_a_tab_separated_file_is_refused_clearly(organisation):
    data = programmes_csv(good_row("tabs"), delimiter="\t")
    report = import_programmes(organisation, data, today=TODAY)
    assert found(report) == {(1, "header")}
    assert messages(report) == ["Separate the columns with commas or semicolons."]


def test_a_wrong_header_names_the_missing_and_unknown_columns(organisation):
    columns = ("slug", "titel", "status", "status", "category", "title_nl")
    report = import_programmes(organisation, programmes_csv(good_row("kop"), columns=columns), today=TODAY)
    assert found(report) == {(1, "header")}
    assert messages(report) == [
        "These columns appear more than once: status.",
        "These columns are missing: summary_nl.",
        "These columns are unknown: titel.",
    ]
    report = import_sessions(organisation, b"programma,start\nwandelgroep,2030-03-05 19:30\n", now=NOW)
    assert "These columns are missing: capacity, ends_at, programme_slug, starts_at." in messages(report)


def test_one_language_column_needs_its_title_and_summary_columns(organisation):
    columns = (*sorted({"slug", "status", "category", "title_nl", "summary_nl"}), "description_en")
    report = import_programmes(organisation, programmes_csv(good_row("taal"), columns=columns), today=TODAY)
    assert messages(report) == ["These columns are missing: summary_en, title_en."]


def test_latin1_bytes_give_the_utf8_problem(organisation):
    data = "slug,status,category,title_nl,summary_nl\ncafé,published,bewegen,Café,Koffie\n".encode("latin-1")
    report = import_programmes(organisation, data, today=TODAY)
    assert found(report) == {(0, "file")}
    assert messages(report) == ["The file is not UTF-8 text. In Excel choose 'CSV UTF-8'."]


def test_an_empty_file_and_a_header_alone(organisation):
    assert found(import_programmes(organisation, b"", today=TODAY)) == {(0, "file")}
    report = import_programmes(organisation, programmes_csv(), today=TODAY)
    assert (report.problems, report.created, report.updated) == ([], 0, 0)


def test_blank_lines_and_trailing_empty_cells_are_ignored_but_extra_cells_are_not(organisation):
    header = "slug,status,category,title_nl,summary_nl"
    data = f"{header}\r\n\r\nblank,published,bewegen,Titel,Kort,,\r\n,,,,\r\nextra,published,bewegen,T,K,meer\r\n"
    report = import_programmes(organisation, data.encode(), today=TODAY)
    assert found(report) == {(5, "row")}


def test_an_open_quote_is_reported_not_raised(organisation):
    data = b'slug,status,category,title_nl,summary_nl\r\nquote,published,bewegen,"Titel,Kort\r\n' + b"x" * 200_000
    report = import_programmes(organisation, data, today=TODAY)
    assert report.problems
    assert programme_count() == 2


def test_more_than_5000_rows_is_refused(organisation):
    header = "programme_slug,starts_at,ends_at,capacity,status\n"
    row = "wandelgroep,2030-03-05 19:30,2030-03-05 21:00,0,\n"
    report = import_sessions(organisation, (header + row * 5001).encode(), now=NOW)
    assert found(report) == {(0, "file")}
    assert messages(report) == ["The file has more than 5000 rows. Please split it into smaller files."]
    report = import_sessions(organisation, (header + row * 5000).encode(), now=NOW)
    assert (0, "file") not in found(report)
    assert len(report.problems) == 5000 + 4999  # capacity 0 on each line; the same session again on all but one


def test_a_file_over_2_mb_is_refused(organisation):
    data = programmes_csv(good_row("groot", description_nl="x" * (2 * 1024 * 1024)))
    report = import_programmes(organisation, data, today=TODAY)
    assert found(report) == {(0, "file")}
    assert messages(report) == ["The file is larger than 2 MB. Please split it into smaller files."]


# --- random input -------------------------------------------------------------------------------------------

CELLS = st.sampled_from(
    ["", "published", "draft", "bewegen", "ouderen", "nl en", "0", "500", "ja", "x", "=1+1", "'=x", "\x00", "a-b"]
) | st.text(max_size=12)


def _random_programmes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("slug", "status", "category", "audiences", "title_nl", "summary_nl", "cost_cents"))
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_random_bytes_never_raise_and_never_save(organisation):
    db.session.commit()
    before = dump(organisation)

    @SETTINGS
    @given(
        data=st.binary(max_size=400) | st.binary(max_size=200).map(lambda b: b"programme_slug,starts_at,ends_at\n" + b)
    )
    def check(data):
        for report in (
            import_programmes(organisation, data, today=TODAY),
            import_sessions(organisation, data, now=NOW),
        ):
            assert report.problems or (report.created, report.updated) == (0, 0)
        db.session.rollback()
        assert dump(organisation) == before

    check()


def test_random_rows_save_only_when_the_whole_file_is_valid(organisation):
    db.session.commit()
    before = dump(organisation)
    outcomes = set()

    @SETTINGS
    @given(rows=st.lists(st.lists(CELLS, min_size=6, max_size=8), max_size=4))
    @example(rows=[["x", "published", "bewegen", "ouderen", "=1+1", "'=x", "500"]])
    @example(rows=[["x", "published", "bewegen", "ouderen", "T", "S", "0"], ["a-b", "draft"] + ["x"] * 5])
    def check(rows):
        report = import_programmes(organisation, _random_programmes(rows), today=TODAY)
        outcomes.add(report.ok)
        if report.problems:
            assert (report.created, report.updated) == (0, 0)
            assert not db.session.new and not db.session.dirty
            assert dump(organisation) == before
        else:
            assert report.created + report.updated == len([r for r in rows if any(c.strip() for c in r)])
            again = import_programmes(organisation, export_programmes(organisation).encode("utf-8"), today=TODAY)
            assert again.problems == [] and again.created == 0
        db.session.rollback()

    check()
    assert outcomes == {True, False}  # the explicit examples make sure both ways are taken


# --- the text rule (issue 13 point 2) ----------------------------------------------------------------------

ODD_TEXTS = (
    "Wandelen\tin het park",
    "المشي في \u2068Park de Gagel\u2069 \u200fكل أسبوع",
    "Yürüyüş 🚶‍♀️🌳 emoji",
    "\"Aanhalingstekens\" en 'enkele'; puntkomma; komma,",
    "=1+1",
    "+31 bellen",
    "-min",
    "@iedereen",
    "'=al met apostrof",
    "\u2028scheiding",
)
_ALLOWED = st.characters(blacklist_categories=("Cs",)).filter(lambda ch: not bad_characters(ch, multiline=True))


def _set_texts(programme, title: str, summary: str, description: str, contact: str) -> None:
    programme.text("nl").title = title
    programme.text("en").summary = summary
    programme.text("nl").description = description
    programme.contact_name = contact
    db.session.flush()


def _exports_and_reimports_unchanged(organisation) -> None:
    before = dump(organisation)
    report = import_programmes(organisation, export_programmes(organisation).encode("utf-8"), today=TODAY)
    assert report.problems == []
    assert dump(organisation) == before


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_odd_but_allowed_text_round_trips_unchanged(organisation, text):
    walking = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep"))
    single = text.replace("\t", " ").strip()
    _set_texts(walking, single[:160], single, f"Eerste regel\n{text}\r\n\tnog een regel met\ttab", single[:120])
    _exports_and_reimports_unchanged(organisation)


@SETTINGS
@given(
    title=st.text(_ALLOWED, min_size=1, max_size=160),
    description=st.text(_ALLOWED, max_size=400),
)
def test_any_text_the_rule_allows_round_trips_unchanged(organisation, title, description):
    title = cleaned(title).strip() or "x"
    walking = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep"))
    _set_texts(walking, title, title, description.strip(), title[:120])
    _exports_and_reimports_unchanged(organisation)


def test_refused_characters_are_shown_escaped_in_the_problem_report(organisation):
    data = programmes_csv(good_row("nieuw", title_nl="a\x01b", summary_nl="x\x00y", description_nl="ok\tok\x1b"))
    report = import_programmes(organisation, data, today=TODAY)
    assert found(report) == {(2, "title_nl"), (2, "summary_nl"), (2, "description_nl")}
    text = " ".join(messages(report))
    assert "Not allowed: \\x01" in text and "\\x00" in text and "\\x1b" in text
    assert not bad_characters(text, multiline=True)
    assert programme_count() == 2


def test_a_refused_character_in_a_code_cell_is_quoted_escaped(organisation):
    report = import_programmes(organisation, programmes_csv(good_row("nieuw", languages="nl x\x7fy")), today=TODAY)
    assert any("x\\x7fy" in message for message in messages(report))
    assert not bad_characters(" ".join(messages(report)), multiline=True)


def test_text_stored_before_the_rule_is_stripped_and_then_round_trips(organisation):
    walking = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep"))
    # PostgreSQL cannot store NUL at all; other control characters could be saved before the rule
    _set_texts(walking, "Wandel\x01groep", "Samen\x1b[31m lopen\x7f", "Regel\x02 een\n\tregel\x85 twee", "Fati\tma")
    report = import_programmes(organisation, export_programmes(organisation).encode("utf-8"), today=TODAY)
    assert {field for _line, field in found(report)} == {"title_nl", "summary_en", "description_nl", "contact_name"}

    assert strip_refused_characters(db.session.connection()) == 3  # the programme, its Dutch and English texts
    db.session.expire_all()
    walking = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep"))
    assert (walking.text("nl").title, walking.text("en").summary) == ("Wandelgroep", "Samen[31m lopen")
    assert (walking.text("nl").description, walking.contact_name) == ("Regel een\n\tregel twee", "Fati ma")
    _exports_and_reimports_unchanged(organisation)
