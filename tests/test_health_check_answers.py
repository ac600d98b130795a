"""The health check's answers: marks parsed and refused, texts bounded, stored once, sealed, read back in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Text, select, type_coerce
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.models import HealthCheck
from portal.services.health_check import checks
from portal.services.health_check.answers import AnswerError, Answers, from_form, parse_mark
from tests.factories import UserFactory


def _form(**overrides) -> MultiDict:
    values = {"mark": "6", "body": "5", "mind": "7", "social": "8", "societal": "4"}
    values.update(overrides)
    talk = values.pop("talk", [])
    form = MultiDict(values)
    for domain in talk:
        form.add("talk", domain)
    return form


@pytest.mark.parametrize("text, mark", [("1", 1), ("10", 10), (" 7 ", 7), ("07", 7)])
def test_a_whole_mark_from_one_to_ten_is_read(text, mark):
    assert parse_mark(text, "mark") == mark


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "missing"),
        (None, "missing"),
        ("0", "out_of_range"),
        ("11", "out_of_range"),
        ("-1", "out_of_range"),
        ("100", "out_of_range"),
        ("abc", "not_a_number"),
        ("7.5", "not_a_number"),
        ("٧", "not_a_number"),  # an Arabic-Indic digit: isdigit() is true, but it is not what the form sends
        ("1e1", "not_a_number"),
        ("99999999999999999999", "out_of_range"),
    ],
)
def test_a_bad_mark_is_refused_with_its_reason(text, problem):
    with pytest.raises(AnswerError) as raised:
        parse_mark(text, "body")
    assert (raised.value.code, raised.value.problem) == ("body", problem)


def test_an_optional_mark_may_be_empty():
    assert parse_mark("", "estimate", required=False) is None


def test_the_form_gives_marks_texts_and_the_domains_to_talk_about():
    answers = from_form(_form(higher="Meer wandelen met de buurvrouw.", keeps=" ", talk=["social", "body"]))
    assert answers.mark == 6
    assert answers.domains == {"body": 5, "mind": 7, "social": 8, "societal": 4}
    assert answers.texts == {"higher": "Meer wandelen met de buurvrouw."}
    assert answers.talk == ("body", "social")  # in the order of the check, whatever the order sent


@pytest.mark.parametrize(
    "overrides, code, problem",
    [
        ({"mind": ""}, "mind", "missing"),
        ({"societal": "12"}, "societal", "out_of_range"),
        ({"higher": "x" * 1001}, "higher", "too_long"),
        ({"not_lower": "nul\x00teken"}, "not_lower", "bad_characters"),
        ({"talk": ["body", "money"]}, "talk", "unknown"),
    ],
)
def test_a_bad_form_names_the_field(overrides, code, problem):
    with pytest.raises(AnswerError) as raised:
        from_form(_form(**overrides))
    assert (raised.value.code, raised.value.problem) == (code, problem)


def test_a_thousand_characters_and_line_breaks_are_accepted():
    answers = from_form(_form(keeps="a\nb" + "c" * 997))
    assert len(answers.texts["keeps"]) == 1000


def test_answers_survive_their_json_and_say_what_changed():
    first = Answers(mark=4, domains={"body": 3, "mind": 5, "social": 4, "societal": 6})
    second = Answers.from_json(
        Answers(mark=6, domains={"body": 5, "mind": 5, "social": 2, "societal": 6}, texts={"keeps": "é"}).to_json()
    )
    assert second.texts == {"keeps": "é"}
    assert second.change_from(first) == {"mark": 2, "body": 2, "mind": 0, "social": -2, "societal": 0}
    assert first.change_from(None) == dict.fromkeys(("mark", "body", "mind", "social", "societal"))


def test_a_check_is_stored_once_per_submission_and_sealed(app):
    with app.app_context():
        resident = UserFactory()
        answers = from_form(_form(keeps="Mijn kleinkinderen."))
        first = checks.record(resident, answers, key="k1")
        again = checks.record(resident, answers, key="k1")
        db.session.commit()
        assert first.id == again.id
        assert db.session.query(HealthCheck).count() == 1
        raw = db.session.scalar(select(type_coerce(HealthCheck.answers, Text)))
        assert "kleinkinderen" not in raw and '"mark"' not in raw
        assert checks.history(resident.id)[0].answers.texts == {"keeps": "Mijn kleinkinderen."}


def test_two_residents_may_use_the_same_key(app):
    with app.app_context():
        one, two = UserFactory(), UserFactory()
        checks.record(one, from_form(_form()), key="same")
        checks.record(two, from_form(_form()), key="same")
        db.session.commit()
        assert db.session.query(HealthCheck).count() == 2


def test_history_is_oldest_first_with_the_change_since_the_check_before(app):
    with app.app_context():
        resident = UserFactory()
        now = datetime.now(UTC)
        checks.record(resident, from_form(_form(mark="6")), taken_at=now - timedelta(days=10))
        checks.record(resident, from_form(_form(mark="4")), taken_at=now - timedelta(days=60))
        checks.record(resident, from_form(_form(mark="7")), taken_at=now)
        db.session.commit()
        entries = checks.history(resident.id)
        assert [entry.answers.mark for entry in entries] == [4, 6, 7]
        assert [entry.change["mark"] for entry in entries] == [None, 2, 1]


def test_someone_elses_check_reads_as_unknown(app):
    with app.app_context():
        owner, other = UserFactory(), UserFactory()
        check = checks.record(owner, from_form(_form()))
        db.session.commit()
        assert checks.owned_check(owner.id, check.id) is not None
        assert checks.owned_check(other.id, check.id) is None
