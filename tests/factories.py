"""factory_boy factories for the portal's models."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from portal.extensions import db
from portal.models import (
    Location,
    Neighbourhood,
    Organisation,
    Programme,
    ProgrammeAudience,
    ProgrammeText,
    Session,
    User,
)
from portal.services.accounts.passwords import hash_password

TEST_PASSWORD = "correct horse battery staple"
_HASH = hash_password(TEST_PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    """Adds objects to the Flask-SQLAlchemy session and flushes them."""

    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class NeighbourhoodFactory(BaseFactory):
    class Meta:
        model = Neighbourhood
        sqlalchemy_get_or_create = ("slug",)

    slug = "overvecht"
    name = "Overvecht"
    city = "Utrecht"
    latitude = 52.116
    longitude = 5.112
    zoom = 15


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"organisatie-{n}")
    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = "practice"
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    phone = "030 000 0000"
    email = factory.Sequence(lambda n: f"org{n}@example.org")
    street = "Zamenhofdreef"
    house_number = "1"
    postcode = "3562 JT"
    city = "Utrecht"
    description = factory.LazyFunction(lambda: {"nl": "Een organisatie in de wijk."})


class LocationFactory(BaseFactory):
    class Meta:
        model = Location

    slug = factory.Sequence(lambda n: f"locatie-{n}")
    name = factory.Sequence(lambda n: f"Buurthuis {n}")
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    street = "Zambesidreef"
    house_number = "2"
    postcode = "3564 AB"
    city = "Utrecht"
    latitude = 52.117
    longitude = 5.110
    wheelchair_accessible = True


class ProgrammeFactory(BaseFactory):
    class Meta:
        model = Programme

    slug = factory.Sequence(lambda n: f"programma-{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    location = factory.SubFactory(LocationFactory, neighbourhood=factory.SelfAttribute("..organisation.neighbourhood"))
    category = "bewegen"
    status = "published"
    cost_cents = 0
    last_verified_on = factory.LazyFunction(date.today)

    @factory.post_generation
    def texts(self, create, extracted, **kwargs):
        """Dutch texts always; pass texts={'en': 'Title', ...} for more languages."""
        titles = {"nl": f"Activiteit {self.slug}"} | (extracted or {})
        for locale, title in titles.items():
            self.translations.append(
                ProgrammeText(locale=locale, title=title, summary=f"{title} in het kort", description=f"Over {title}.")
            )
        self.audiences.append(ProgrammeAudience(audience="volwassenen"))
        db.session.flush()


class SessionFactory(BaseFactory):
    class Meta:
        model = Session

    programme = factory.SubFactory(ProgrammeFactory)
    starts_at = factory.LazyFunction(lambda: datetime.now(UTC).replace(microsecond=0) + timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    capacity = 12


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password_hash = _HASH
    display_name = factory.Sequence(lambda n: f"Gebruiker {n}")
    role = "resident"
    locale = "nl"
    email_confirmed_at = factory.LazyFunction(lambda: datetime.now(UTC))
    organisation = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role in {"professional", "broker"}),
        yes_declaration=factory.SubFactory(OrganisationFactory),
        no_declaration=None,
    )
