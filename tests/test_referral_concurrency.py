"""Eight people of the receiving team accept (or decline) the same referral at once through gunicorn: one wins."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Referral, ReferralEvent
from portal.services.accounts import login_sessions
from portal.services.messaging import care_relations
from portal.services.referrals.referrals import NewReferral, create
from portal.services.routekaarten.content import current_catalogue
from tests.factories import OrganisationFactory, UserFactory
from tests.support.security_report import report
from tests.support.served_portal import database_of, served_portal
from tests.test_booking_concurrency import TIMEOUT, WORKERS, HiddenInputs, Reply, at_once, cookie_for

RECEIVERS = 8


@pytest.fixture(scope="module")
def server(database, tmp_path_factory):
    """A fresh database of the run's backend, served by gunicorn with four workers."""
    with served_portal(database["backend"], tmp_path_factory, "referral_race", WORKERS) as served:
        yield served


def _sent_referral(server) -> tuple[int, list[requests.Session]]:
    """A referral sent to a team of RECEIVERS signed-in beweegmakelaars; returns its id and their browsers."""
    host = urlsplit(server.url).hostname
    browsers = []
    with database_of(server):
        practice, brokers = OrganisationFactory(kind="practice"), OrganisationFactory(kind="brokerage")
        resident = UserFactory(role="resident")
        gp = UserFactory(role="professional", organisation=practice)
        _relation, code = care_relations.invite(gp)
        care_relations.accept_invitation(resident, code)
        new = NewReferral(resident=resident, organisation=brokers, note="Graag.", agreed_in_consultation=True)
        referral = create(gp, new, current_catalogue())
        for _ in range(RECEIVERS):
            person = UserFactory(role="broker", organisation=brokers)
            login, _pending = login_sessions.start(person)
            token = login_sessions.complete(login)
            browser = requests.Session()
            cookie = cookie_for(server.app, person.id, token)
            browser.cookies.set(server.app.config["SESSION_COOKIE_NAME"], cookie, domain=host, path="/")
            browsers.append(browser)
        db.session.flush()
        return referral.id, browsers


def _change(server, browser: requests.Session, referral_id: int, fields: dict) -> Reply:
    response = browser.post(
        f"{server.url}/nl/professional/referrals/{referral_id}/status",
        data=fields,
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    return Reply(response.status_code, None)


def test_of_a_team_answering_a_referral_at_once_one_wins(server):
    referral_id, browsers = _sent_referral(server)
    forms = []
    for n, browser in enumerate(browsers):
        page = browser.get(f"{server.url}/nl/professional/referrals/{referral_id}", timeout=TIMEOUT)
        assert page.status_code == 200, page.status_code
        hidden = HiddenInputs()
        hidden.feed(page.text)
        answer = {"status": "accepted"} if n % 2 == 0 else {"status": "rejected", "reason": "not_eligible"}
        forms.append({"csrf_token": hidden.values["csrf_token"], "version": hidden.values["version"], **answer})
    burst = at_once([partial(_change, server, b, referral_id, f) for b, f in zip(browsers, forms, strict=True)])
    for browser in browsers:
        browser.close()
    with database_of(server):
        referral = db.session.get(Referral, referral_id)
        answers = db.session.scalar(
            select(func.count())
            .select_from(ReferralEvent)
            .where(ReferralEvent.referral_id == referral_id, ReferralEvent.actor_party == "receiver")
        )
        status, version = referral.status, referral.version
    statuses = dict(burst.statuses())
    report(
        f"referral answers at once ({server.backend})",
        f"attempts {RECEIVERS}, applied {answers}, stale {statuses.get(409, 0)}, 5xx {burst.server_errors()}",
    )
    assert burst.server_errors() == 0, statuses
    assert answers == 1 and status in ("accepted", "rejected")
    assert statuses.get(303) == 1 and statuses.get(409) == RECEIVERS - 1
    assert version == 4  # made 1, agreed 2, sent 3, answered 4
