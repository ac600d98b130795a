"""Sharing health checks with a team of the care team: the service, the resident's page, and its hostile input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, HealthCheckShare
from portal.models.base import MAX_ID
from portal.services.health_check import sharing
from portal.services.health_check.sharing import SharingError
from portal.services.messaging import care_relations
from tests.factories import OrganisationFactory, UserFactory
from tests.support.accounts import csrf_token, sign_in
from tests.support.care import in_care

PAGE = "/nl/health-check/sharing"


@pytest.fixture
def team(app):
    """A resident in the care of a GP practice (with its POH) and of the buurtteam; an organisation outside it."""
    practice = OrganisationFactory(name="Huisartsenpraktijk Overvecht", kind="practice")
    buurtteam = OrganisationFactory(name="Buurtteam Overvecht", kind="buurtteam")
    outside = OrganisationFactory(name="Fysio Elders", kind="practice")
    resident = UserFactory(role="resident", display_name="Fatma Yilmaz")
    poh = in_care(resident, practice, display_name="POH Ans")
    worker = in_care(resident, buurtteam, display_name="Buurtwerker Bas")
    db.session.commit()
    return {
        "resident": resident,
        "practice": practice,
        "buurtteam": buurtteam,
        "outside": outside,
        "poh": poh,
        "worker": worker,
    }


def _shares(resident) -> list[HealthCheckShare]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(HealthCheckShare).where(HealthCheckShare.resident_id == resident.id).order_by("id"))
    )


# The service


def test_sharing_twice_keeps_one_active_row_and_withdrawing_keeps_the_history(team):
    resident, practice = team["resident"], team["practice"]
    first = sharing.share(resident, practice)
    again = sharing.share(resident, practice)
    db.session.commit()
    assert first.id == again.id and len(_shares(resident)) == 1
    assert sharing.shared_organisations(resident) == [practice]
    withdrawn = sharing.withdraw(resident, practice.id)
    db.session.commit()
    assert withdrawn.withdrawn_at is not None
    assert sharing.withdraw(resident, practice.id) is None  # nothing left to withdraw
    sharing.share(resident, practice)
    db.session.commit()
    rows = _shares(resident)
    assert len(rows) == 2 and rows[0].withdrawn_at is not None and rows[1].withdrawn_at is None
    assert [row.id for row in sharing.history(resident)] == [rows[1].id, rows[0].id]  # newest first


def test_only_an_organisation_of_the_care_team_can_be_shared_with(team):
    with pytest.raises(SharingError) as error:
        sharing.share(team["resident"], team["outside"])
    assert error.value.code == "not_in_team"
    with pytest.raises(SharingError):  # a professional cannot share "their" checks
        sharing.share(team["poh"], team["practice"])
    assert _shares(team["resident"]) == []


def test_may_view_needs_an_active_relation_and_an_active_share_of_the_own_organisation(team):
    resident, poh, worker = team["resident"], team["poh"], team["worker"]
    assert not sharing.may_view(poh, resident.id)  # in care, not shared
    sharing.share(resident, team["practice"])
    db.session.commit()
    assert sharing.may_view(poh, resident.id)
    assert not sharing.may_view(worker, resident.id)  # the buurtteam is in care, but not shared with
    colleague = UserFactory(role="professional", organisation=team["practice"])
    assert sharing.may_view(colleague, resident.id)  # the share is with the team
    coordinator = UserFactory(role="admin", organisation=team["practice"])
    broker = UserFactory(role="broker", organisation=team["outside"])
    stranger = UserFactory(role="professional", organisation=team["outside"])
    for nobody in (coordinator, broker, stranger, resident, None):
        assert not sharing.may_view(nobody, resident.id)
    other_resident = UserFactory(role="resident")
    assert not sharing.may_view(poh, other_resident.id)
    sharing.withdraw(resident, team["practice"].id)
    db.session.commit()
    assert not sharing.may_view(poh, resident.id)


def test_when_the_care_relation_ends_the_share_is_withdrawn_and_a_new_relation_does_not_revive_it(team):
    resident, poh, practice = team["resident"], team["poh"], team["practice"]
    sharing.share(resident, practice)
    db.session.commit()
    relation = care_relations.active_relation(resident.id, practice.id)
    care_relations.end(poh, relation)
    db.session.commit()
    assert not sharing.may_view(poh, resident.id)
    assert _shares(resident)[0].withdrawn_at is not None  # withdrawn, not deleted
    assert sharing.shared_organisations(resident) == []
    _relation, code = care_relations.invite(poh)
    care_relations.accept_invitation(resident, code)
    db.session.commit()
    assert not sharing.may_view(poh, resident.id)  # the resident decides again
    with pytest.raises(SharingError):
        sharing.share(resident, team["outside"])


def test_a_relation_ended_by_other_means_still_stops_the_share(team):
    """Even a share row left active (say, by a status set directly) has no effect without an active relation."""
    resident, poh, practice = team["resident"], team["poh"], team["practice"]
    sharing.share(resident, practice)
    relation = care_relations.active_relation(resident.id, practice.id)
    relation.status = "ended"
    db.session.commit()
    assert _shares(resident)[0].withdrawn_at is None
    assert not sharing.may_view(poh, resident.id)
    assert sharing.shared_organisations(resident) == []


# The resident's page


def _post(client, data):
    return client.post(PAGE, data={"csrf_token": csrf_token(client, PAGE), **data})


def test_the_resident_shares_and_stops_through_the_page(client, team):
    resident, practice = team["resident"], team["practice"]
    sign_in(client, resident)
    page = client.get(PAGE)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Huisartsenpraktijk Overvecht" in body and "Buurtteam Overvecht" in body and "Fysio Elders" not in body
    assert body.count('value="share"') == 2 and 'value="stop"' not in body
    response = _post(client, {"organisation": practice.id, "choice": "share"})
    assert response.status_code == 303
    assert sharing.may_view(team["poh"], resident.id) and not sharing.may_view(team["worker"], resident.id)
    body = client.get(PAGE).get_data(as_text=True)
    assert body.count('value="stop"') == 1 and body.count('value="share"') == 1
    assert _post(client, {"organisation": practice.id, "choice": "share"}).status_code == 303  # twice: one row
    assert len(_shares(resident)) == 1
    assert _post(client, {"organisation": practice.id, "choice": "stop"}).status_code == 303
    assert not sharing.may_view(team["poh"], resident.id)
    rows = _shares(resident)
    assert len(rows) == 1 and rows[0].withdrawn_at is not None
    history = client.get(PAGE).get_data(as_text=True)
    assert history.count("<td>Huisartsenpraktijk Overvecht</td>") == 1
    changes = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "health_check_share")).all()
    assert [event.details for event in changes] == ["share_give", "share_give", "share_withdraw"]


@pytest.mark.parametrize(
    ("organisation", "choice", "status"),
    [
        ("outside", "share", 404),
        ("outside", "stop", 404),
        (MAX_ID, "share", 404),
        (0, "share", 400),
        (MAX_ID + 1, "share", 400),
        (2**63, "share", 400),
        ("abc", "share", 400),
        ("", "share", 400),
        ("practice", "everyone", 400),
        ("practice", "", 400),
        ("1\x00", "share", 400),
    ],
)
def test_hostile_organisation_ids_and_choices_are_refused(client, team, organisation, choice, status):
    sign_in(client, team["resident"])
    value = team[organisation].id if organisation in ("outside", "practice") else organisation
    response = _post(client, {"organisation": value, "choice": choice})
    assert response.status_code == status
    assert _shares(team["resident"]) == []


def test_without_csrf_token_nothing_is_shared(client, team):
    sign_in(client, team["resident"])
    response = client.post(PAGE, data={"organisation": team["practice"].id, "choice": "share"})
    assert response.status_code == 400 and _shares(team["resident"]) == []


def test_someone_elses_share_cannot_be_withdrawn(client, team):
    sharing.share(team["resident"], team["practice"])
    db.session.commit()
    other = UserFactory(role="resident")
    sign_in(client, other)
    assert _post(client, {"organisation": team["practice"].id, "choice": "stop"}).status_code == 404
    assert sharing.may_view(team["poh"], team["resident"].id)


@pytest.mark.parametrize("role", ["professional", "broker", "admin"])
def test_the_sharing_page_is_for_residents_only(client, team, role):
    sign_in(client, UserFactory(role=role, organisation=team["practice"]))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={}).status_code in (400, 403)


def test_anonymous_visitors_are_sent_to_log_in(client, team):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_resident_without_care_team_reads_what_to_do(client, app):
    sign_in(client, UserFactory(role="resident"))
    body = client.get("/en/health-check/sharing").get_data(as_text=True)
    assert "No organisation is in your care team yet" in body
