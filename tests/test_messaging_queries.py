"""The team inbox and a thread page send as many SQL statements for 5 threads as for 40: no N+1."""

from __future__ import annotations

from datetime import timedelta
from itertools import cycle

import pytest

from portal.extensions import db
from portal.models import (
    Attachment,
    CareRelation,
    InvolvementConsent,
    Message,
    MessageReceipt,
    Thread,
    ThreadEvent,
)
from portal.models.base import utcnow
from portal.services.messaging.inbox import BOXES
from tests.factories import OrganisationFactory, UserFactory
from tests.support.accounts import sign_in
from tests.support.queries import count_queries

SMALL = (5, 3)  # threads, messages per thread
LARGE = (40, 12)


def _in_care(resident, organisation) -> None:
    db.session.add(
        CareRelation(
            resident=resident, organisation=organisation, status="active", started_by="resident", active_since=utcnow()
        )
    )


def _messages(thread: Thread, count: int, resident, team: list) -> None:
    """`count` messages alternating resident and team (several team members); every third with a file."""
    for j in range(count):
        author = resident if j % 2 == 0 else team[j % len(team)]
        message = Message(
            thread_id=thread.id,
            author_id=author.id,
            author_organisation_id=None if author is resident else author.organisation_id,
            body=f"Bericht {j}",
            created_at=utcnow() - timedelta(hours=count - j),
        )
        db.session.add(message)
        db.session.flush()
        party = "resident" if author is resident else f"o{author.organisation_id}"
        db.session.add(MessageReceipt(message_id=message.id, party=party, reader_id=author.id))
        if j % 3 == 1:
            for n in range(1 + j % 2):
                db.session.add(
                    Attachment(
                        message_id=message.id,
                        filename=f"foto-{n}.jpg",
                        kind="jpeg",
                        size=2048,
                        storage_key=f"k{message.id}x{n}",
                    )
                )


def _thread(organisation, resident, number: int, professional, colleagues, **values) -> Thread:
    thread = Thread(
        resident_id=resident.id,
        organisation_id=organisation.id,
        subject=f"Vraag {number}",
        last_message_at=utcnow() - timedelta(minutes=number),
        reply_due_at=utcnow() + timedelta(days=(number % 5) - 2),
        created_by_id=resident.id,
        **values,
    )
    db.session.add(thread)
    db.session.flush()
    db.session.add(ThreadEvent(thread_id=thread.id, actor_id=professional.id, kind="claimed"))
    db.session.add(
        ThreadEvent(thread_id=thread.id, actor_id=colleagues[number % len(colleagues)].id, kind="handed_over",
                    target_id=professional.id, note="Neem jij dit over?")
    )  # fmt: skip
    return thread


def build_team(size: tuple[int, int]):
    """A practice: a professional, colleagues, residents in care, threads in every box, consultations both ways."""
    threads, per_thread = size
    practice = OrganisationFactory(kind="practice")
    partner = OrganisationFactory(kind="practice")
    professional = UserFactory(role="professional", organisation=practice, second_factor="totp", totp_secret="A" * 32)
    colleagues = [UserFactory(role="professional", organisation=practice) for _ in range(1 + threads // 10)]
    outsider = UserFactory(role="professional", organisation=partner)
    residents = [UserFactory(role="resident") for _ in range(max(2, threads // 2))]
    for resident in residents:
        _in_care(resident, practice)
        db.session.add(InvolvementConsent(resident_id=resident.id, organisation_id=partner.id))
    kinds = cycle(
        [
            {"status": "open", "waiting_on": "team"},
            {"status": "open", "waiting_on": "team", "assignee_id": professional.id},
            {"status": "open", "waiting_on": "resident", "assignee_id": None},
            {"status": "closed", "closed_at": utcnow()},
        ]
    )
    team = [professional, *colleagues]
    biggest = None
    for number in range(threads):
        resident = residents[number % len(residents)]
        values = next(kinds)
        if values["status"] == "open" and values.get("assignee_id", 0) is None:
            values = values | {"assignee_id": colleagues[number % len(colleagues)].id}
        thread = _thread(practice, resident, number, professional, colleagues, **values)
        _messages(thread, per_thread, resident, team)
        biggest = biggest or thread
    for number in range(max(2, threads // 4)):  # consultations both ways
        resident = residents[number % len(residents)]
        ours = number % 2 == 0
        thread = _thread(
            practice if ours else partner, resident, number, professional, colleagues, kind="consultation",
            partner_organisation_id=(partner if ours else practice).id,
        )  # fmt: skip
        _messages(thread, per_thread, resident, [professional, outsider])
    db.session.commit()
    return professional, biggest


def page_counts(client, user, thread: Thread) -> dict[str, int]:
    """Statements sent for each box of the inbox and for the thread page, each page served once before counting."""
    sign_in(client, user)
    paths = {box: f"/nl/professional/inbox?box={box}" for box in BOXES}
    paths["thread"] = f"/nl/professional/threads/{thread.id}"
    counts = {}
    for name, path in paths.items():
        assert client.get(path).status_code == 200, path  # warm up: the first request fills caches
        with count_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        counts[name] = len(statements)
    return counts


@pytest.fixture
def sizes(app, client):
    """Statement counts per page for the small and the large team."""
    small = page_counts(client, *build_team(SMALL))
    large = page_counts(client, *build_team(LARGE))
    return small, large


def test_every_page_sends_as_many_statements_for_40_threads_as_for_5(sizes):
    small, large = sizes
    print(f"statements per page: {small}")
    assert small == large
    # a box: the session and user, the page with its people and unread flags, the counts, the audit record with
    # the user's team; no second load of the user after the commit (it comes after the page is made)
    assert max(count for name, count in small.items() if name != "thread") <= 6  # was 11 or 12, then 8
    # the thread: no second load of the user and the thread after the commit, no savepoint around the receipts
    assert small["thread"] <= 13  # was 21, then 18: message authors, their teams and offers now joined


def test_the_pages_show_the_data(app, client):
    professional, thread = build_team(LARGE)
    sign_in(client, professional)
    inbox = client.get("/nl/professional/inbox?box=mine").get_data(as_text=True)
    assert "Vraag 1" in inbox
    page = client.get(f"/nl/professional/threads/{thread.id}").get_data(as_text=True)
    assert page.count('class="wp-message') >= 12 and "foto-1.jpg" in page and "Neem jij dit over?" in page
