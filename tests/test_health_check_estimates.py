"""The professional's side: a resident's shared checks (audited), the team's one estimate beside each, access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, HealthCheckEstimate
from portal.models.base import utcnow
from portal.services.health_check import checks, estimates, sharing
from portal.services.health_check.answers import Answers
from portal.services.health_check.estimates import EstimateError
from portal.services.messaging import care_relations
from tests.factories import OrganisationFactory, UserFactory
from tests.support.accounts import csrf_token, sign_in
from tests.support.care import in_care

SECRET_TEXT = "Mijn knie doet pijn sinds de zomer"


def _answers(mark, body=5, mind=6, social=7, societal=4, **extra):
    domains = {"body": body, "mind": mind, "social": social, "societal": societal}
    return Answers(mark=mark, domains=domains, **extra)


@pytest.fixture
def care(app):
    """A resident who filled in two checks and shares them with her GP practice (POH Ans); others around her."""
    practice = OrganisationFactory(name="Huisartsenpraktijk Overvecht", kind="practice")
    buurtteam = OrganisationFactory(name="Buurtteam Overvecht", kind="buurtteam")
    resident = UserFactory(role="resident", display_name="Fatma Yilmaz")
    poh = in_care(resident, practice, display_name="POH Ans")
    worker = in_care(resident, buurtteam, display_name="Buurtwerker Bas")
    earlier = checks.record(resident, _answers(5), taken_at=utcnow() - timedelta(days=60))
    latest = checks.record(
        resident, _answers(7, body=6, texts={"higher": SECRET_TEXT}, talk=("body", "social")), key="latest-check-01"
    )
    sharing.share(resident, practice)
    db.session.commit()
    return {
        "resident": resident,
        "practice": practice,
        "buurtteam": buurtteam,
        "poh": poh,
        "worker": worker,
        "earlier": earlier,
        "latest": latest,
    }


def page_of(care):
    return f"/nl/professional/residents/{care['resident'].id}/health-check"


def estimate_path(care, check=None):
    check = check or care["latest"]
    return f"/nl/professional/residents/{care['resident'].id}/health-check/{check.id}/estimate"


def post_estimate(client, care, data, check=None, lang="nl"):
    token = csrf_token(client, f"/nl/professional/residents/{care['resident'].id}")
    path = estimate_path(care, check).replace("/nl/", f"/{lang}/")
    return client.post(path, data={"csrf_token": token, **data})


def estimate_rows():
    db.session.expire_all()
    return db.session.scalars(select(HealthCheckEstimate)).all()


# The service


def test_record_estimate_stores_one_sealed_estimate_per_check_and_team(care):
    estimate = estimates.record_estimate(care["poh"], care["latest"], "6", {"body": "5", "mind": ""})
    db.session.commit()
    assert estimate.organisation_id == care["practice"].id and estimate.professional_id == care["poh"].id
    found = estimates.estimates_for([care["latest"].id, care["earlier"].id])
    assert list(found) == [care["latest"].id]
    (only,) = found[care["latest"].id]
    assert (only.mark, only.domains, only.professional, only.organisation) == (
        6,
        {"body": 5},
        "POH Ans",
        "Huisartsenpraktijk Overvecht",
    )
    colleague = UserFactory(role="professional", organisation=care["practice"])
    with pytest.raises(EstimateError) as error:
        estimates.record_estimate(colleague, care["latest"], "3")
    assert error.value.code == "already"
    assert [row.marks for row in estimate_rows()] == [estimate.marks]  # the first stays
    assert estimates.estimates_for([]) == {}


@pytest.mark.parametrize(
    ("mark", "domains", "code", "field"),
    [
        ("0", {}, "out_of_range", "mark"),
        ("11", {}, "out_of_range", "mark"),
        ("-3", {}, "out_of_range", "mark"),
        ("abc", {}, "not_a_number", "mark"),
        ("5.5", {}, "not_a_number", "mark"),
        ("", {}, "missing", "mark"),
        (None, {}, "missing", "mark"),
        ("٥", {}, "not_a_number", "mark"),  # an Arabic-Indic 5: refused, as parse_mark does
        ("6", {"mind": "12"}, "out_of_range", "mind"),
        ("6", {"societal": "x"}, "not_a_number", "societal"),
    ],
)
def test_bad_marks_are_refused_with_a_code(care, mark, domains, code, field):
    with pytest.raises(EstimateError) as error:
        estimates.record_estimate(care["poh"], care["latest"], mark, domains)
    assert (error.value.code, error.value.field) == (code, field)
    assert estimate_rows() == []


def test_only_a_team_that_sees_the_checks_may_estimate(care):
    stranger = UserFactory(role="professional", organisation=OrganisationFactory())
    coordinator = UserFactory(role="admin", organisation=care["practice"])
    for nobody in (care["worker"], stranger, coordinator, care["resident"]):
        with pytest.raises(EstimateError) as error:
            estimates.record_estimate(nobody, care["latest"], "6")
        assert error.value.code == "not_allowed"
    assert estimate_rows() == []


# The page


def test_the_poh_sees_the_shared_checks_latest_first_with_the_change_and_the_view_is_audited(client, care):
    sign_in(client, care["poh"])
    response = client.get(page_of(care).replace("/nl/", "/en/"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.index("Latest check") < body.index("Check of")
    assert "2 points higher than on" in body and "+2" in body
    assert SECRET_TEXT in body
    assert "Body" in body and "People around you" in body
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "health_check")).all()
    assert len(events) == 1
    event = events[0]
    assert event.subject_user_id == care["resident"].id and event.actor_user_id == care["poh"].id
    assert event.action == "read" and event.details == ""
    assert "7" not in (event.details or "") and SECRET_TEXT not in repr(vars(event))
    sign_in(client, care["resident"])
    viewed = client.get("/en/account/viewed-by").get_data(as_text=True)
    assert "POH Ans" in viewed and "your health checks" in viewed


def test_the_overview_says_shared_with_the_latest_mark_or_not_shared_without_marks(client, care):
    sign_in(client, care["poh"])
    overview = client.get(f"/en/professional/residents/{care['resident'].id}").get_data(as_text=True)
    assert "Latest mark 7 on" in overview and page_of(care).replace("/nl/", "/en/") in overview
    sign_in(client, care["worker"])
    overview = client.get(f"/en/professional/residents/{care['resident'].id}").get_data(as_text=True)
    assert "Not shared" in overview and "Latest mark" not in overview and '/health-check"' not in overview


def test_the_poh_records_an_estimate_shown_beside_the_residents_mark(client, care):
    sign_in(client, care["poh"])
    response = post_estimate(client, care, {"mark": "6", "mind": "5"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#check-{care['latest'].id}")
    body = client.get(page_of(care).replace("/nl/", "/en/")).get_data(as_text=True)
    assert "Resident: 7 · Your estimate (POH Ans," in body and "): 6" in body
    assert body.count('name="mark"') == 1  # only the older check still has a form
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "health_check_estimate")).all()
    assert len(created) == 1 and created[0].details == "" and created[0].subject_user_id == care["resident"].id


def test_a_second_submit_is_refused_and_the_first_estimate_stays(client, care):
    sign_in(client, care["poh"])
    assert post_estimate(client, care, {"mark": "6"}).status_code == 303
    again = post_estimate(client, care, {"mark": "3"}, lang="en")
    assert again.status_code == 409
    assert "already recorded an estimate" in again.get_data(as_text=True)
    colleague = UserFactory(role="professional", organisation=care["practice"])
    sign_in(client, colleague)
    assert post_estimate(client, care, {"mark": "2"}).status_code == 409
    rows = estimate_rows()
    assert len(rows) == 1 and estimates.view(rows[0]).mark == 6


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"mark": "0"}, "mark"),
        ({"mark": "11"}, "mark"),
        ({"mark": "abc"}, "mark"),
        ({}, "mark"),
        ({"mark": " "}, "mark"),
        ({"mark": "99999999999999999999"}, "mark"),
        ({"mark": "6", "body": "0"}, "body"),
        ({"mark": "6", "social": "ten"}, "social"),
        ({"mark": "6\x00"}, "mark"),
    ],
)
def test_bad_marks_on_the_page_get_a_translated_message_and_store_nothing(client, care, data, field):
    sign_in(client, care["poh"])
    response = post_estimate(client, care, data, lang="en")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in body
    assert "Please choose a mark from 1 to 10" in body or "Please use only normal letters" in body
    assert f'id="estimate-{care["latest"].id}-{field}"' in body
    assert estimate_rows() == []


def test_someone_elses_check_id_is_not_found(client, care):
    other = UserFactory(role="resident")
    in_care(other, care["practice"])
    sharing.share(other, care["practice"])
    foreign = checks.record(other, _answers(3))
    db.session.commit()
    sign_in(client, care["poh"])
    assert post_estimate(client, care, {"mark": "6"}, check=foreign).status_code == 404
    assert client.post(estimate_path(care) + "x").status_code == 404
    assert estimate_rows() == []


def test_a_withdrawn_share_closes_the_page_and_the_estimate(client, care):
    sign_in(client, care["poh"])
    token = csrf_token(client, f"/nl/professional/residents/{care['resident'].id}")
    sharing.withdraw(care["resident"], care["practice"].id)
    db.session.commit()
    assert client.get(page_of(care)).status_code == 404
    response = client.post(estimate_path(care), data={"csrf_token": token, "mark": "6"})
    assert response.status_code == 404 and estimate_rows() == []


def test_an_ended_care_relation_closes_the_page(client, care):
    relation = care_relations.active_relation(care["resident"].id, care["practice"].id)
    care_relations.end(care["resident"], relation)
    db.session.commit()
    sign_in(client, care["poh"])
    assert client.get(page_of(care)).status_code == 404


def test_the_page_is_a_404_for_teams_without_share_or_relation(client, care):
    broker = UserFactory(role="broker", organisation=OrganisationFactory(kind="brokerage"))
    stranger = UserFactory(role="professional", organisation=OrganisationFactory())
    for user in (care["worker"], broker, stranger):
        sign_in(client, user)
        assert client.get(page_of(care)).status_code == 404, user.display_name
        token = csrf_token(client, "/nl/professional/")
        response = client.post(estimate_path(care), data={"csrf_token": token, "mark": "6"})
        assert response.status_code == 404
    unknown = f"/nl/professional/residents/{care['resident'].id + 999}/health-check"
    sign_in(client, care["poh"])
    assert client.get(unknown).status_code == 404
    assert estimate_rows() == []
    reads = select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "health_check")
    assert db.session.scalar(reads) == 0


@pytest.mark.parametrize("role", ["admin", "resident"])
def test_coordinators_and_residents_cannot_open_the_professional_page(client, care, role):
    user = care["resident"] if role == "resident" else UserFactory(role="admin", organisation=care["practice"])
    sign_in(client, user)
    assert client.get(page_of(care)).status_code == 403
    assert client.post(estimate_path(care), data={"mark": "6"}).status_code in (400, 403)
    assert estimate_rows() == []


def test_without_csrf_token_no_estimate_is_stored(client, care):
    sign_in(client, care["poh"])
    response = client.post(estimate_path(care), data={"mark": "6"})
    assert response.status_code == 400 and estimate_rows() == []


def test_a_broker_with_relation_and_share_may_estimate(client, care):
    brokers = OrganisationFactory(name="Beweegmakelaars", kind="brokerage")
    broker = in_care(care["resident"], brokers, role="broker")
    sharing.share(care["resident"], brokers)
    db.session.commit()
    sign_in(client, broker)
    assert client.get(page_of(care)).status_code == 200
    assert post_estimate(client, care, {"mark": "8"}).status_code == 303
    assert len(estimate_rows()) == 1


# The resident's side of the estimate


def test_the_resident_sees_the_teams_estimate_beside_her_own_mark(client, care):
    estimates.record_estimate(care["poh"], care["latest"], "5")
    db.session.commit()
    sign_in(client, care["resident"])
    overview = client.get("/en/health-check").get_data(as_text=True)
    assert "Huisartsenpraktijk Overvecht estimated your health at 5" in overview
    assert "Estimate of your care team" in overview
    detail = client.get(f"/en/health-check/{care['latest'].id}").get_data(as_text=True)
    assert "<td>7</td>" in detail and "<td>5</td>" in detail and "POH Ans" in detail
    earlier = client.get(f"/en/health-check/{care['earlier'].id}").get_data(as_text=True)
    assert "Your care team did not give an estimate for this check." in earlier


def test_the_overview_says_who_sees_the_checks(client, care):
    sign_in(client, care["resident"])
    page = client.get("/en/health-check").get_data(as_text=True)
    assert "These teams of your care team can see your checks:" in page
    assert "<li>Huisartsenpraktijk Overvecht</li>" in page and "Buurtteam Overvecht" not in page
    sharing.withdraw(care["resident"], care["practice"].id)
    db.session.commit()
    page = client.get("/en/health-check").get_data(as_text=True)
    assert "Only you can see your checks." in page and 'href="/en/health-check/sharing"' in page
