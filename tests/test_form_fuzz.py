"""Every POST form of the app, every field, with control characters, blanks and huge ids: never a 5xx, nothing saved.

The forms are found, not listed: each POST rule of the url_map is matched with the forms on the pages its role can
open (every GET rule, ids filled in with the role's own records). CSRF and rate limits are off so input reaches the
forms. A refused character must change no row (all tables fingerprinted, volatile login columns left out); blanks
and huge ids must never give a 5xx (a blank optional field may be a valid save). The counts go to the terminal.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Booking
from portal.services.accounts.invitations import invite
from portal.services.messaging import away, care_relations, consultations, threads
from portal.services.referrals.referrals import NewReferral, create
from portal.services.routekaarten.content import current_catalogue
from tests.factories import (
    TEST_PASSWORD,
    LocationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SessionFactory,
    UserFactory,
)
from tests.support.accounts import sign_in
from tests.support.html_forms import post_forms
from tests.support.security_report import report

CHARACTERS = ("\x00", "a\x00b", "\x01", "\x1b[31m", "\x7f", "\x85", "\uffff")
OTHER = ("", " ", "\t", str(2**31), str(2**63), "-1")
VOLATILE = {"last_seen_at", "last_used_at", "last_login_at"}
# A refused answer shows the thread again: that read is logged and marks the messages read, as any read does.
READS = {"audit_events", "message_receipts"}
ROLE_OF = {"auth": "anonymous", "account": "resident", "booking": "resident", "broker": "broker", "admin": "admin"}
ROLE_OF |= {"messages": "resident", "care_team": "resident", "professional": "professional", "referrals": "resident"}
COUNTS: Counter = Counter()
COVERED: dict[str, list[str]] = {"fuzzed": [], "no form field": []}


@pytest.fixture
def loose_app(make_app):
    """The app without CSRF and rate limits, so every value reaches the form."""
    return make_app(None, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)


@pytest.fixture
def world(app):
    """A broker's organisation with a location, programme and session; a resident who booked it; a coordinator
    who invited a new broker."""
    organisation = OrganisationFactory(kind="brokerage")
    location = LocationFactory(organisation=organisation)
    programme = ProgrammeFactory(organisation=organisation, location=location)
    session = SessionFactory(programme=programme)  # open: its booking form is on the programme's page
    booked = SessionFactory(programme=programme)
    users = {
        role: UserFactory(role=role, second_factor="totp", totp_secret="JBSWY3DPEHPK3PXP")
        for role in ("broker", "admin")
    }
    users["broker"].organisation = organisation
    users["resident"] = UserFactory(second_factor="email")
    booking = Booking(session=booked, user=users["resident"], status="confirmed", idempotency_key="k" * 22)
    db.session.add(booking)
    _invitation, token = invite(app.config["SECRET_KEY"], users["admin"], "nieuw@example.org", "broker", organisation)
    messaging = _care_team(users)
    db.session.commit()
    ids = {"programme_id": programme.id, "location_id": location.id, "session_id": session.id, "booking_id": booking.id}
    ids |= {"account_id": users["resident"].id, "token": token} | messaging
    return {"users": users, "ids": ids, "slug": programme.slug}


def _care_team(users: dict) -> dict:
    """A POH whose practice has the resident in its care, a thread and a consent to consult the buurtteam."""
    practice, buurtteam = OrganisationFactory(kind="practice"), OrganisationFactory(kind="buurtteam")
    poh = UserFactory(role="professional", organisation=practice, second_factor="totp", totp_secret="JBSWY3DPEHPK3PXP")
    UserFactory(role="professional", organisation=practice)  # a colleague to hand over to
    users["professional"] = poh
    _relation, code = care_relations.invite(poh)
    relation = care_relations.accept_invitation(users["resident"], code)
    consultations.give(users["resident"], buurtteam)
    thread = threads.start_thread(users["resident"], practice, "Vraag", "Tekst", "fuzz-thread-key-0001")
    period = away.set_away(poh, away.today() + timedelta(days=30), away.today() + timedelta(days=31), None)
    new = NewReferral(resident=users["resident"], organisation=buurtteam, note="Graag.", agreed_in_consultation=True)
    referral = create(poh, new, current_catalogue())
    return {
        "referral_id": referral.id,
        "thread_id": thread.id,
        "resident_id": users["resident"].id,
        "relation_id": relation.id,
        "organisation_id": buurtteam.id,
        "period_id": period.id,
    }


def _url(rule, ids: dict, slug: str, login_id: int) -> str:
    path = rule.rule.replace("<lang:lang>", "nl")
    path = re.sub(r"<any\(([^)]*)\):\w+>", lambda m: m.group(1).split(",")[0].strip().strip("'\""), path)
    path = path.replace("<int:login_id>", str(login_id))
    path = re.sub(r"<int:(\w+)>", lambda m: str(ids.get(m.group(1), 1)), path)
    path = re.sub(r"<slug:\w+>", slug, path).replace("<purpose>", "activity_news")
    path = path.replace("<token>", ids["token"] if rule.endpoint == "auth.invitation" else "x")
    if rule.endpoint == "professional.refer":  # the form needs an offer; without one it sends you to choose it
        path += f"?organisation={ids['organisation_id']}"
    return re.sub(r"<(?:\w+:)?\w+>", "x", path)


def _fingerprint() -> dict[str, list]:
    db.session.expire_all()
    prints = {}
    for table in db.metadata.sorted_tables:
        if table.name in READS:
            continue
        columns = [column for column in table.columns if column.name not in VOLATILE]
        rows = db.session.execute(select(*columns)).all()
        prints[table.name] = sorted(repr(tuple(row)) for row in rows)
    return prints


def _changed(before: dict, after: dict) -> int:
    return sum(len(set(before[name]) ^ set(after[name])) for name in before)


def _forms_by_action(client, app, ids, slug, login_id) -> dict[str, dict]:
    forms: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/static", "/api")) or "logout" in rule.rule:
            continue
        path = _url(rule, ids, slug, login_id)
        response = client.get(path)
        COUNTS["pages read"] += 1
        if response.status_code == 200 and response.mimetype == "text/html":
            for action, fields in post_forms(path, response.get_data(as_text=True)):
                forms.setdefault(action, fields)
    return forms


def _client(app, users: dict, role: str):
    """A test client of `role`: anonymous, halfway a login (password given, code not yet), or signed in."""
    client = app.test_client()
    if role == "anonymous":
        return client, 1
    if role == "pending":
        response = client.post("/nl/login", data={"email": users["resident"].email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.status_code
        return client, 1
    return client, sign_in(client, users[role]).id


def _fuzz_form(client, path: str, fields: dict, failures: list) -> None:
    names = [name for name in fields if name and name != "csrf_token"]
    base = {name: values for name, values in fields.items() if values}
    before = _fingerprint()
    for name in names:
        for value in CHARACTERS:
            status = client.post(path, data=base | {name: [value]}).status_code
            COUNTS["requests"] += 1
            if status >= 500:
                failures.append(f"{path} {name}={value!r}: {status}")
    changed = _changed(before, _fingerprint())
    COUNTS["changed records"] += changed
    if changed:
        failures.append(f"{path}: {changed} records changed by refused characters")
    for name in names:
        for value in OTHER:
            status = client.post(path, data=base | {name: [value]}).status_code
            COUNTS["requests"] += 1
            if status >= 500:
                failures.append(f"{path} {name}={value!r}: {status}")


def test_every_post_form_survives_bad_input(loose_app, world, capsys):
    failures: list[str] = []
    COUNTS.clear()
    COVERED.update({"fuzzed": [], "no form field": []})
    done: set[str] = set()
    for role in ("anonymous", "pending", "resident", "broker", "admin", "professional"):
        client, login_id = _client(loose_app, world["users"], role)
        forms = _forms_by_action(client, loose_app, world["ids"], world["slug"], login_id)
        for rule in loose_app.url_map.iter_rules():
            wanted = {role, "anonymous"} if role == "pending" else {role}
            if (
                "POST" not in rule.methods
                or rule.endpoint in done
                or ROLE_OF.get(rule.endpoint.split(".")[0]) not in wanted
            ):
                continue
            path = _url(rule, world["ids"], world["slug"], login_id)
            fields = forms.get(path.split("?")[0])  # a form posts to its page's URL, query string and all
            if not fields or not [name for name in fields if name != "csrf_token"]:
                continue
            done.add(rule.endpoint)
            COUNTS["forms fuzzed"] += 1
            COVERED["fuzzed"].append(rule.endpoint)
            _fuzz_form(client, path, fields, failures)
    COVERED["no form field"] = sorted(
        rule.endpoint for rule in loose_app.url_map.iter_rules() if "POST" in rule.methods and rule.endpoint not in done
    )
    COUNTS["POST rules without a form field on a page"] = len(COVERED["no form field"])
    COUNTS["5xx"] = sum(1 for failure in failures if failure.rsplit(": ", 1)[-1].isdigit())
    backend = "postgresql" if loose_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "sqlite"
    report(f"form fuzz [{backend}]", ", ".join(f"{key}: {value}" for key, value in sorted(COUNTS.items())))
    with capsys.disabled():
        print("\nform fuzz:", ", ".join(f"{key}: {value}" for key, value in sorted(COUNTS.items())))
        print("fuzzed:", " ".join(COVERED["fuzzed"]), "\nno form field found:", " ".join(COVERED["no form field"]))
    assert COUNTS["forms fuzzed"] >= 10, COUNTS
    assert failures == []
