"""Two (or eight) professionals take the same thread at the same moment through real gunicorn workers: one wins."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Thread, ThreadEvent
from portal.services.accounts import login_sessions
from portal.services.messaging import care_relations, threads
from tests.factories import OrganisationFactory, UserFactory
from tests.support.security_report import report
from tests.support.served_portal import database_of, served_portal
from tests.test_booking_concurrency import TIMEOUT, WORKERS, HiddenInputs, Reply, at_once, cookie_for

TAKERS = 8


@pytest.fixture(scope="module")
def server(database, tmp_path_factory):
    """A fresh database of the run's backend, served by gunicorn with four workers."""
    with served_portal(database["backend"], tmp_path_factory, "claims", WORKERS) as served:
        yield served


def _team_with_thread(server) -> tuple[int, list[requests.Session]]:
    """A practice with TAKERS signed-in professionals and one unassigned thread; returns its id and the browsers."""
    host = urlsplit(server.url).hostname
    browsers = []
    with database_of(server):
        practice = OrganisationFactory()
        resident = UserFactory(role="resident")
        people = [UserFactory(role="professional", organisation=practice) for _ in range(TAKERS)]
        _relation, code = care_relations.invite(people[0])
        care_relations.accept_invitation(resident, code)
        thread = threads.start_thread(resident, practice, "Vraag", "Wie helpt mij?", "claim-race-key-00001")
        for person in people:
            login, _pending = login_sessions.start(person)
            token = login_sessions.complete(login)
            browser = requests.Session()
            cookie = cookie_for(server.app, person.id, token)
            browser.cookies.set(server.app.config["SESSION_COOKIE_NAME"], cookie, domain=host, path="/")
            browsers.append(browser)
        db.session.flush()
        return thread.id, browsers


def _claim(server, browser: requests.Session, thread_id: int, fields: dict) -> Reply:
    response = browser.post(
        f"{server.url}/nl/professional/threads/{thread_id}/claim", data=fields, allow_redirects=False, timeout=TIMEOUT
    )
    return Reply(response.status_code, None)


def test_of_professionals_taking_a_thread_at_once_one_wins(server):
    thread_id, browsers = _team_with_thread(server)
    forms = []
    for browser in browsers:
        page = browser.get(f"{server.url}/nl/professional/threads/{thread_id}", timeout=TIMEOUT)
        assert page.status_code == 200, page.status_code
        hidden = HiddenInputs()
        hidden.feed(page.text)
        forms.append({"csrf_token": hidden.values["csrf_token"], "version": hidden.values["version"]})
    burst = at_once([partial(_claim, server, b, thread_id, f) for b, f in zip(browsers, forms, strict=True)])
    for browser in browsers:
        browser.close()
    with database_of(server):
        thread = db.session.get(Thread, thread_id)
        claims = db.session.scalar(
            select(func.count()).select_from(ThreadEvent).where(ThreadEvent.thread_id == thread_id)
        )
        assignee, version = thread.assignee_id, thread.version
    report(
        f"thread claims at once ({server.backend})",
        f"attempts {TAKERS}, taken {claims}, 5xx {burst.server_errors()}, {burst.seconds:.2f} s",
    )
    assert burst.server_errors() == 0, dict(burst.statuses())
    assert claims == 1 and assignee is not None and version == 2
