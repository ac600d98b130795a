"""One policy per route, enforced for every role, with other people's object ids (IDOR) and CSRF on every POST."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.access import is_personal, policy_of
from portal.extensions import db
from portal.models import (
    Attachment,
    AuditEvent,
    AwayPeriod,
    Booking,
    CareRelation,
    Invitation,
    LoginSession,
    Message,
    Thread,
)
from portal.models.base import utcnow
from portal.services.health_check import checks, sharing
from portal.services.health_check.answers import Answers
from portal.services.messaging import attachments
from portal.services.policy import POLICIES
from portal.services.referrals.referrals import NewReferral, create
from portal.services.routekaarten.content import current_catalogue
from tests.factories import LocationFactory, OrganisationFactory, ProgrammeFactory, SessionFactory, UserFactory
from tests.support.accounts import sign_in
from tests.support.security_report import report

ROLES = ("anonymous", "resident_a", "resident_b", "professional", "broker", "coordinator")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
RESIDENTS = frozenset({"resident_a", "resident_b"})
COORDINATOR = frozenset({"coordinator"})
STAFF = frozenset({"professional", "broker", "coordinator"})
GUESTS = frozenset({"anonymous"})
OWNER_A = frozenset({"resident_a"})
CARE_TEAM = frozenset({"professional", "broker"})

# Who may open each route, written out by hand: a new route fails the test until it is added here.
EXPECTED = {
    "account.consent_choice": SIGNED_IN,
    "account.data": SIGNED_IN,
    "account.data_json": SIGNED_IN,
    "account.delete": RESIDENTS,
    "account.end_other_login": OWNER_A,  # the login belongs to resident A
    "account.index": SIGNED_IN,
    "account.language": SIGNED_IN,
    "account.new_recovery_codes": SIGNED_IN,
    "account.password": SIGNED_IN,
    "account.second_factor_page": SIGNED_IN,
    "account.setup_app": SIGNED_IN,
    "account.use_email_codes": RESIDENTS,
    "account.viewed_by": RESIDENTS,
    "admin.account": COORDINATOR,
    "admin.account_change": COORDINATOR,
    "admin.account_search": COORDINATOR,
    "admin.audit_export": COORDINATOR,
    "admin.audit_log": COORDINATOR,
    "admin.index": COORDINATOR,
    "admin.invitations": COORDINATOR,
    "admin.revoke_invitation": COORDINATOR,
    "api.calendar_feed": EVERYONE,  # the secret token is the key: an unknown one is a 404 for all
    "api.map_locations_feed": EVERYONE,
    "auth.check_mail": GUESTS,
    "booking.book": RESIDENTS,
    "booking.cancel": OWNER_A,  # the booking belongs to resident A
    "booking.detail": OWNER_A,
    "booking.download": OWNER_A,
    "booking.index": RESIDENTS,
    "booking.new_feed": RESIDENTS,
    "booking.stop_feed": RESIDENTS,
    "care_team.ask": RESIDENTS,
    "care_team.consult_consent": RESIDENTS,
    "care_team.end": OWNER_A,  # resident A's care relation
    "care_team.index": RESIDENTS,
    "care_team.join": RESIDENTS,
    "messages.attachment": OWNER_A,
    "messages.index": RESIDENTS,
    "messages.new": RESIDENTS,
    "messages.notices": RESIDENTS,
    "messages.reply": OWNER_A,  # resident A's thread with the other organisation
    "messages.thread": OWNER_A,
    "messages.updates": OWNER_A,
    "professional.attachment": frozenset(),
    "professional.away": CARE_TEAM,
    "professional.cancel_away": frozenset(),  # the other organisation's professional's away period
    "professional.change": frozenset(),  # resident A is in the care of the other organisation only
    "professional.consult": frozenset(),
    "professional.hand_over": frozenset(),
    "professional.inbox": CARE_TEAM,
    "professional.index": CARE_TEAM,
    "professional.invite": CARE_TEAM,
    "professional.relation": frozenset(),
    "professional.reply": frozenset(),
    "professional.reply_days": CARE_TEAM,
    "professional.referral": frozenset(),  # resident A's referral between two other organisations
    "professional.referral_agreement": frozenset(),
    "professional.referral_change": frozenset(),
    "professional.referral_fhir": frozenset(),
    "professional.referral_status": frozenset(),
    "professional.referral_write": frozenset(),
    "professional.referrals": CARE_TEAM,
    "professional.refer": CARE_TEAM,
    "professional.refer_start": CARE_TEAM,
    "referrals.agree_to": OWNER_A,
    "referrals.book": OWNER_A,
    "referrals.decline": OWNER_A,
    "referrals.detail": OWNER_A,
    "referrals.follow_up": OWNER_A,
    "referrals.index": RESIDENTS,
    "referrals.write": OWNER_A,
    "professional.resident": frozenset(),
    "professional.health_check": frozenset(),  # resident A shares her checks with the other organisation only
    "professional.health_check_estimate": frozenset(),
    "professional.residents": CARE_TEAM,
    "professional.thread": frozenset(),
    "professional.updates": frozenset(),
    "broker.cancel_session": COORDINATOR,  # objects of another organisation than the staff's
    "broker.edit_location": COORDINATOR,
    "broker.edit_programme": COORDINATOR,
    "broker.edit_session": COORDINATOR,
    "broker.export_csv": STAFF,
    "broker.export_hsds": STAFF,
    "broker.import_csv": STAFF,
    "broker.index": STAFF,
    "broker.location_list": STAFF,
    "broker.new_location": STAFF,
    "broker.new_programme": STAFF,
    "broker.new_sessions": COORDINATOR,
    "broker.participants": frozenset(),  # only the organising organisation, not even a coordinator
    "broker.preview": COORDINATOR,
    "broker.programme": COORDINATOR,
    "broker.programme_action": COORDINATOR,
    "broker.archive_programme": COORDINATOR,
    "auth.confirm": GUESTS,
    "auth.invitation": GUESTS,
    "auth.login": GUESTS,
    "auth.logout": EVERYONE,
    "auth.recovery": GUESTS,
    "auth.register": GUESTS,
    "auth.resend_code": GUESTS,
    "auth.reset": GUESTS,
    "auth.reset_request": GUESTS,
    "auth.setup": GUESTS,
    "auth.setup_app": GUESTS,
    "auth.unlock": GUESTS,
    "auth.verify": GUESTS,
    "health.healthz": EVERYONE,
    "health_check.create": RESIDENTS,
    "health_check.detail": OWNER_A,  # resident A's own check
    "health_check.index": RESIDENTS,
    "health_check.new": RESIDENTS,
    "health_check.reminder": RESIDENTS,
    "health_check_sharing.index": RESIDENTS,
    "health.livez": EVERYONE,
    "leaflet.static": EVERYONE,
    "main.home": EVERYONE,
    "map_init.script": EVERYONE,
    "markercluster.static": EVERYONE,
    "organisations.index": EVERYONE,
    "privacy.index": EVERYONE,
    "programmes.detail": EVERYONE,
    "programmes.index": EVERYONE,
    "reports.index": COORDINATOR,
    "reports.referrals_csv": COORDINATOR,
    "reports.health_check": COORDINATOR,
    "reports.health_check_csv": COORDINATOR,
    "root.robots": EVERYONE,
    "root.root": EVERYONE,
    "routekaarten.detail": EVERYONE,
    "routekaarten.index": EVERYONE,
    "social_map.index": EVERYONE,
    "static": EVERYONE,
}


@pytest.fixture
def people(make_app):
    """An app without CSRF (so the policy is what refuses) and a logged-in client per role."""
    app = make_app(None, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        organisation = OrganisationFactory()
        users = {
            "resident_a": UserFactory(role="resident", second_factor="email"),
            "resident_b": UserFactory(role="resident", second_factor="email"),
            "professional": UserFactory(role="professional", organisation=organisation),
            "broker": UserFactory(role="broker", organisation=organisation),
            "coordinator": UserFactory(role="admin", organisation=organisation),
        }
        db.session.commit()
        invitation = Invitation(
            email="new@example.org",
            role="broker",
            organisation_id=organisation.id,
            nonce_hash="x" * 64,
            expires_at=utcnow(),
        )
        db.session.add(invitation)
        db.session.commit()
        other = OrganisationFactory()
        programme = ProgrammeFactory(organisation=other, location=LocationFactory(organisation=other))
        session = SessionFactory(programme=programme)
        booking = Booking(session=session, user=users["resident_a"], status="confirmed", idempotency_key="k" * 22)
        session.booked = 1
        db.session.add(booking)
        users["organiser"] = UserFactory(role="broker", organisation=other)
        relation, thread, away = _messaging_of_resident_a(users["resident_a"], other, users["organiser"])
        referral = _referral_of_resident_a(users["resident_a"], users["organiser"], OrganisationFactory())
        check = _health_check_of_resident_a(users["resident_a"], other)
        db.session.commit()
        ids = {
            "relation": relation.id,
            "referral": referral.id,
            "check": check.id,
            "thread": thread.id,
            "away": away.id,
            "attachment": db.session.scalar(select(Attachment.id)),
            "other_org": other.id,
            "booking": booking.id,
            "invitation": invitation.id,
            "account": users["resident_a"].id,
            "org": organisation.id,
            "programme": programme.id,
            "session": session.id,
            "location": programme.location_id,
        }
        yield app, users, ids


def _messaging_of_resident_a(resident, organisation, organiser):
    """Resident A in the care of `organisation` only, with a thread there; the organiser's away period."""
    now = utcnow()
    relation = CareRelation(
        resident=resident, organisation=organisation, status="active", started_by="resident", active_since=now
    )
    thread = Thread(kind="team", resident=resident, organisation=organisation, subject="Vraag", last_message_at=now)
    db.session.add_all([relation, thread])
    db.session.flush()
    message = Message(thread_id=thread.id, author_id=resident.id, body="Hallo")
    db.session.add(message)
    db.session.flush()
    attachments.attach(message, attachments.check_all([attachments.Upload("foto.png", tiny_png())]))
    away = AwayPeriod(user_id=organiser.id, first_day=now.date(), last_day=now.date() + timedelta(days=3))
    db.session.add(away)
    return relation, thread, away


def _referral_of_resident_a(resident, referrer, receiver):
    """Resident A referred by the organisation whose care they are in, to a third organisation, and sent."""
    new = NewReferral(resident=resident, organisation=receiver, note="Graag contact.", agreed_in_consultation=True)
    return create(referrer, new, current_catalogue())


def _health_check_of_resident_a(resident, organisation):
    """A check of resident A, shared with the organisation whose care she is in."""
    answers = Answers(mark=6, domains={"body": 5, "mind": 6, "social": 7, "societal": 4})
    check = checks.record(resident, answers)
    sharing.share(resident, organisation)
    return check


def tiny_png() -> bytes:
    """A 2 x 2 PNG image."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, "PNG")
    return buffer.getvalue()


def client_for(app, role, users):
    """A test client logged in as `role` through a fresh, complete login session."""
    client = app.test_client()
    if role == "anonymous":
        return client, None
    return client, sign_in(client, users[role])


def url_for_rule(rule, ids, own_login_ids):
    """A concrete URL for a rule, naming objects of resident A."""
    values = {
        "lang": "nl",
        "slug": "does-not-exist",
        "token": "not-a-real-token",
        "purpose": "activity_news",
        "choice": "give",
        "change": {"professional.change": "claim", "professional.referral_change": "reopen"}.get(
            rule.endpoint, "deactivate"
        ),
        "referral_id": ids.get("referral", 1),
        "check_id": ids.get("check", 1),
        "filename": "css/portal.css" if rule.endpoint == "static" else "leaflet.js",
        "login_id": own_login_ids["resident_a"],
        "programme_id": ids.get("programme", 1),
        "session_id": ids.get("session", 1),
        "booking_id": ids.get("booking", 1),
        "location_id": ids.get("location", 1),
        "kind": "programmes",
        "action": "cancel" if rule.endpoint == "broker.cancel_session" else "archive",
        "invitation_id": ids["invitation"],
        "account_id": ids["account"],
        "thread_id": ids.get("thread", 1),
        "relation_id": ids.get("relation", 1),
        "resident_id": ids["account"],
        "organisation_id": ids.get("other_org", 1),
        "period_id": ids.get("away", 1),
        "attachment_id": ids.get("attachment", 1),
        "answer": "accept",
    }
    path = rule.rule
    for argument in rule.arguments:
        path = _substitute(path, argument, str(values[argument]))
    return path


def _substitute(path: str, name: str, value: str) -> str:
    import re

    return re.sub(r"<(?:[^:<>]+(?:\([^)]*\))?:)?" + re.escape(name) + ">", value, path)


def _is_login_redirect(response) -> bool:
    return response.status_code in (301, 302, 303) and "/login" in response.location


def test_every_route_declares_a_known_policy_and_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing_policy = sorted(e for e in endpoints if policy_of(app, e) not in POLICIES)
    assert missing_policy == []
    assert sorted(endpoints - EXPECTED.keys()) == [], "add new routes to EXPECTED"
    assert sorted(EXPECTED.keys() - endpoints) == []


def test_access_matrix(people):
    app, users, ids = people
    checked, denied_ok, problems = 0, 0, []
    rules = list(app.url_map.iter_rules())
    for role in ROLES:
        for rule in rules:
            client, login = client_for(app, role, users)
            own = {"resident_a": _login_of(users["resident_a"])}
            url = url_for_rule(rule, ids, own)
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(url, method=method)
            response.close()
            checked += 1
            allowed = role in EXPECTED[rule.endpoint]
            if allowed:
                if response.status_code in (401, 403) or (
                    _is_login_redirect(response) and rule.endpoint.split(".")[0] in ("account", "admin")
                ):
                    problems.append(f"{role} refused at {method} {url}: {response.status_code}")
            else:
                if 200 <= response.status_code < 300:
                    problems.append(f"{role} got {response.status_code} at {method} {url}")
                else:
                    denied_ok += 1
    routes = len({rule.endpoint for rule in rules})
    report("access matrix: routes covered / routes in the URL map", f"{len(EXPECTED)} / {routes}")
    report("access matrix: requests checked (routes x 6 roles)", str(checked))
    assert problems == []
    assert denied_ok > 0


def _login_of(user):
    """Resident A's newest login session id (the object resident B must not end)."""
    return (
        db.session.scalar(
            select(LoginSession.id).where(LoginSession.user_id == user.id).order_by(LoginSession.id.desc())
        )
        or 0
    )


def test_another_residents_login_cannot_be_ended(people):
    app, users, _ids = people
    client_a, login_a = client_for(app, "resident_a", users)
    client_b, _ = client_for(app, "resident_b", users)
    assert client_b.post(f"/nl/account/logins/{login_a.id}/end").status_code == 404
    assert client_b.post("/nl/account/logins/999999/end").status_code == 404
    assert client_b.post("/nl/account/logins/-1/end").status_code == 404
    assert client_a.get("/nl/account").status_code == 200
    db.session.refresh(login_a)
    assert login_a.ended_at is None


def test_a_coordinator_cannot_manage_their_own_account_through_admin(people):
    app, users, _ids = people
    client, _ = client_for(app, "coordinator", users)
    assert client.get(f"/nl/admin/accounts/{users['coordinator'].id}").status_code == 404
    assert client.post(f"/nl/admin/accounts/{users['coordinator'].id}/deactivate").status_code == 404


def test_every_state_changing_route_needs_a_csrf_token(app, login):
    protected, changing = 0, []
    coordinator = login("admin")
    client = app.test_client()
    del coordinator
    for rule in app.url_map.iter_rules():
        if not rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            continue
        changing.append(rule.endpoint)
        url = url_for_rule(rule, {"invitation": 1, "account": 1}, {"resident_a": 1})
        response = client.post(url, data={"anything": "1"})
        if response.status_code == 400:
            protected += 1
    report("CSRF-protected state-changing routes / all", f"{protected} / {len(changing)}")
    assert protected == len(changing)
    for rule in app.url_map.iter_rules():
        assert not rule.methods & {"PUT", "PATCH", "DELETE"}, rule


def test_personal_data_routes_write_an_audit_record(people):
    app, users, ids = people
    personal = [rule for rule in app.url_map.iter_rules() if is_personal(app, rule.endpoint)]
    audited = 0
    for rule in personal:
        # Who booked a session, and a resident's messages, are for the organisation in charge (the organiser's);
        # the rest are coordinator pages.
        in_charge = rule.endpoint == "broker.participants" or rule.endpoint.startswith("professional.")
        reader = "organiser" if in_charge else "coordinator"
        client, _ = client_for(app, reader, users)
        url = url_for_rule(rule, ids, {"resident_a": 1})
        if rule.endpoint == "admin.account_search":
            url += "?q=" + users["resident_a"].email.split("@")[0]
        if rule.endpoint == "professional.refer":
            url += f"?organisation={ids['org']}"  # without an offer the form first sends one to choose it
        method = "GET" if "GET" in rule.methods else "POST"
        data = {"mark": "5"} if rule.endpoint == "professional.health_check_estimate" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code < 400, (url, response.status_code)
        request_id = response.headers["X-Request-ID"]
        count = db.session.scalar(select(func.count()).where(AuditEvent.request_id == request_id))
        if count:
            audited += 1
    report("personal-data endpoints writing an audit record / all", f"{audited} / {len(personal)}")
    assert personal and audited == len(personal)
