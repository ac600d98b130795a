"""First check that the fixtures work on every backend."""

from portal.extensions import db
from portal.models import Programme
from tests.factories import ProgrammeFactory


def test_factory_creates_programme(app):
    ProgrammeFactory(texts={"en": "Walking"})
    db.session.commit()
    programme = db.session.query(Programme).one()
    assert programme.text("en").title == "Walking"
    assert programme.text("tr").locale == "nl"


def test_tables_are_empty_for_each_test(app):
    assert db.session.query(Programme).count() == 0
