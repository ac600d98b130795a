"""A completed referral invites the resident (content-free mail, and on the referral page) to a new health check."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMail
from portal.models.base import utcnow
from portal.services.referrals import changes
from portal.services.referrals.referrals import NewReferral, create
from portal.services.routekaarten.content import current_catalogue
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory
from tests.support.accounts import sign_in
from tests.support.care import in_care


@pytest.fixture
def referral(app):
    """A referral of Ayşe (Turkish) by her GP practice to the beweegmakelaars' Beweegconsult, accepted."""
    practice = OrganisationFactory(name="Huisartsenpraktijk Overvecht", kind="practice")
    brokers = OrganisationFactory(name="Beweegmakelaars Overvecht", kind="brokerage")
    resident = UserFactory(role="resident", display_name="Ayse", locale="tr")
    gp = in_care(resident, practice)
    broker = UserFactory(role="broker", organisation=brokers)
    programme = ProgrammeFactory(organisation=brokers, status="published", slug="beweegconsult")
    new = NewReferral(resident=resident, programme=programme, note="Wil meer bewegen", agreed_in_consultation=True)
    made = create(gp, new, current_catalogue())
    changes.change_status(broker, made, "accepted", made.version)
    db.session.commit()
    made.broker = broker
    return made


def invitations() -> list[OutboxMail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.template == "health_check_invitation")))


def test_completing_a_referral_invites_the_resident_in_her_language_without_details(referral):
    assert invitations() == []
    changes.change_status(referral.broker, referral, "completed", referral.version, reason="got_help")
    db.session.commit()
    (mail,) = invitations()
    assert mail.recipient == referral.resident.email and mail.locale == "tr"
    assert "/tr/health-check/new" in mail.body
    for detail in ("Beweeg", "Huisartsenpraktijk", "Ayse", "bewegen"):
        assert detail not in mail.body and detail not in mail.subject


@pytest.mark.parametrize(("target", "reason"), [("in-progress", None), ("failed", "other"), ("on-hold", "other")])
def test_other_changes_invite_nobody(referral, target, reason):
    changes.change_status(referral.broker, referral, target, referral.version, reason=reason, note="Reden")
    db.session.commit()
    assert invitations() == []


def test_a_resident_whose_account_is_gone_is_not_mailed(referral):
    referral.resident.deleted_at = utcnow()
    changes.change_status(referral.broker, referral, "completed", referral.version, reason="got_help")
    db.session.commit()
    assert invitations() == [] and referral.status == "completed"


def test_a_refused_completion_invites_nobody(referral):
    from portal.services.referrals.referrals import ReferralError

    with pytest.raises(ReferralError):
        changes.change_status(referral.broker, referral, "completed", referral.version + 1, reason="got_help")
    db.session.rollback()
    assert invitations() == []


def test_the_completed_referral_page_links_to_a_new_check_in_the_page_language(client, referral):
    sign_in(client, referral.resident)
    page = f"/ar/referrals/{referral.id}"
    assert "/ar/health-check/new" not in client.get(page).get_data(as_text=True)  # accepted: not yet
    changes.change_status(referral.broker, referral, "completed", referral.version, reason="got_help")
    db.session.commit()
    body = client.get(page).get_data(as_text=True)
    assert 'href="/ar/health-check/new"' in body and 'id="new-check"' in body
    assert 'href="/en/health-check/new"' in client.get(f"/en/referrals/{referral.id}").get_data(as_text=True)
