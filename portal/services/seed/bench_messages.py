"""A deterministic messaging data set for the load benchmark: one practice, 1,000 residents, 10,000 threads."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select, text

from portal.extensions import db
from portal.models import CareRelation, Message, MessageReceipt, Neighbourhood, Organisation, Thread, User
from portal.models.base import utcnow
from portal.services.accounts.passwords import hash_password
from portal.services.accounts.second_factor import new_totp_secret
from portal.services.tokens import new_secret

PRACTICE_SLUG = "bench-practice"
PROFESSIONAL_EMAIL = "bench-professional@example.org"
BATCH = 2000
BOXES = ("unassigned", "mine", "waiting", "closed")
WORDS = ("medicijnen", "afspraak", "uitslag", "recept", "verwijzing", "pijn", "slapen", "bewegen", "eten", "vraag")


def bench_messages_present() -> bool:
    """True when the messaging benchmark data set has been loaded already."""
    return db.session.scalar(select(Organisation.id).where(Organisation.slug == PRACTICE_SLUG)) is not None


def bench_professional() -> User | None:
    """The professional of the benchmark practice, if the data set is loaded."""
    return db.session.scalar(select(User).where(User.email == PROFESSIONAL_EMAIL))


def _batched(model, rows: list[dict], returning: bool = False) -> list[int]:
    """Insert `rows` of `model` in batches; with `returning`, the new ids in the order of the rows."""
    statement = insert(model)
    if returning:
        statement = statement.returning(model.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        result = db.session.execute(statement, rows[start : start + BATCH])
        if returning:
            ids.extend(result.scalars().all())
    return ids


def _practice(neighbourhood_slug: str) -> tuple[Organisation, User, User]:
    """The practice with the benchmark professional and one colleague (both with an authenticator app)."""
    hood = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == neighbourhood_slug))
    if hood is None:
        hood = Neighbourhood(
            slug=neighbourhood_slug, name="Benchwijk", city="Utrecht", latitude=52.116, longitude=5.112
        )
        db.session.add(hood)
    practice = Organisation(
        slug=PRACTICE_SLUG,
        name="Huisartsenpraktijk Bench",
        kind="practice",
        neighbourhood=hood,
        email="bench-practice@example.org",
        description={"nl": "Een huisartsenpraktijk voor de benchmark."},
        is_demo=True,
    )
    staff = [
        User(
            email=email,
            password_hash=hash_password(new_secret()),
            display_name=name,
            role="professional",
            organisation=practice,
            is_demo=True,
            email_confirmed_at=utcnow(),
            second_factor="totp",
            totp_secret=new_totp_secret(),
        )
        for email, name in ((PROFESSIONAL_EMAIL, "Bench Professional"), ("bench-colleague@example.org", "Collega"))
    ]
    db.session.add_all([practice, *staff])
    db.session.flush()
    return practice, staff[0], staff[1]


def _residents(practice: Organisation, professional: User, count: int, now: datetime) -> list[int]:
    """`count` residents, each in an active care relation with the practice; returns their ids."""
    password = hash_password(new_secret())
    rows = [
        {
            "email": f"bench-resident-{i:05d}@example.org",
            "password_hash": password,
            "display_name": f"Bewoner {i:05d}",
            "role": "resident",
            "locale": "nl",
            "is_demo": True,
            "second_factor": "email",
            "email_confirmed_at": now,
            "created_at": now,
        }
        for i in range(count)
    ]
    ids = _batched(User, rows, returning=True)
    relations = [
        {
            "resident_id": resident_id,
            "organisation_id": practice.id,
            "status": "active",
            "started_by": "professional",
            "invited_by_id": professional.id,
            "created_at": now,
            "active_since": now,
        }
        for resident_id in ids
    ]
    _batched(CareRelation, relations)
    return ids


def _message_counts(threads: int, messages: int) -> list[int]:
    """Messages per thread: around the average, odd for the boxes waiting on the team; summing to `messages`."""
    per, extra = divmod(messages, threads)
    shift = {0: 1, 1: -1, 2: 0, 3: 0}  # unassigned and mine end with the resident's message
    counts = [per + shift[i % 4] for i in range(threads)]
    if threads % 4 == 1:
        counts[-1] = per
    for i in range(extra):
        counts[(i * 4 + 2) % threads] += 1
    return counts


def _thread_row(i: int, box: str, ids: dict, count: int, rng: random.Random, now: datetime) -> dict:
    """One thread row in `box`, its messages to come `count` at a time from `started`."""
    started = now - timedelta(days=2 + rng.randrange(180), minutes=rng.randrange(1440))
    last = started + timedelta(hours=3 * (count - 1))
    waits_on_team = box in ("unassigned", "mine")
    return {
        "kind": "team",
        "resident_id": ids["residents"][i % len(ids["residents"])],
        "organisation_id": ids["practice"],
        "subject": f"{WORDS[rng.randrange(len(WORDS))].capitalize()} ({i:05d})",
        "status": "closed" if box == "closed" else "open",
        "waiting_on": "team" if waits_on_team else "resident",
        "assignee_id": None if box == "unassigned" else ids["professional" if box == "mine" or i % 3 else "colleague"],
        "created_by_id": ids["residents"][i % len(ids["residents"])],
        "created_at": started,
        "last_message_at": last,
        "reply_due_at": last + timedelta(days=rng.choice((-2, 1, 3))) if waits_on_team else None,
        "closed_at": last + timedelta(hours=1) if box == "closed" else None,
        "version": 1,
    }


def _messages(thread: dict, thread_id: int, count: int, ids: dict) -> list[dict]:
    """The thread's messages, alternating so that the last one is the resident's when the team is to answer."""
    resident_first = (count % 2 == 1) == (thread["waiting_on"] == "team")
    team_author = thread["assignee_id"] or ids["professional"]
    rows = []
    for j in range(count):
        by_resident = (j % 2 == 0) == resident_first
        rows.append(
            {
                "thread_id": thread_id,
                "author_id": thread["resident_id"] if by_resident else team_author,
                "author_organisation_id": None if by_resident else ids["practice"],
                "kind": "message",
                "body": f"Bericht {j + 1} over {thread['subject']}: "
                + ("graag een reactie." if by_resident else "dank u."),
                "created_at": thread["created_at"] + timedelta(hours=3 * j),
            }
        )
    return rows


def _receipts(messages: list[dict], message_ids: list[int], ids: dict, rng: random.Random) -> list[dict]:
    """The author's own receipt for every message, and the other side's for most (not the newest few)."""
    team = f"o{ids['practice']}"
    rows = []
    for message, message_id in zip(messages, message_ids, strict=True):
        own = "resident" if message["author_organisation_id"] is None else team
        read_at = message["created_at"] + timedelta(minutes=30)
        rows.append({"message_id": message_id, "party": own, "read_at": message["created_at"], "reader_id": None})
        if rng.random() < 0.85:
            other = team if own == "resident" else "resident"
            rows.append({"message_id": message_id, "party": other, "read_at": read_at, "reader_id": None})
    return rows


def seed_bench_messages(
    neighbourhood_slug: str, threads: int = 10_000, messages: int = 100_000, residents: int = 1000, seed: int = 42
) -> dict[str, int]:
    """Add the messaging benchmark data set (marked as demo) in bulk and commit; the same seed gives the same data."""
    rng = random.Random(seed)  # noqa: S311  (made-up test data, not security)
    now = utcnow().replace(microsecond=0)
    practice, professional, colleague = _practice(neighbourhood_slug)
    ids = {"practice": practice.id, "professional": professional.id, "colleague": colleague.id}
    ids["residents"] = _residents(practice, professional, residents, now)
    counts = _message_counts(threads, messages)
    receipts = 0
    for start in range(0, threads, BATCH // 4):
        numbers = range(start, min(start + BATCH // 4, threads))
        rows = [_thread_row(i, BOXES[i % 4], ids, counts[i], rng, now) for i in numbers]
        thread_ids = _batched(Thread, rows, returning=True)
        batch = [
            m
            for i, row, tid in zip(numbers, rows, thread_ids, strict=True)
            for m in _messages(row, tid, counts[i], ids)
        ]
        message_ids = _batched(Message, batch, returning=True)
        receipt_rows = _receipts(batch, message_ids, ids, rng)
        _batched(MessageReceipt, receipt_rows)
        receipts += len(receipt_rows)
    db.session.commit()
    # A database that grew over months has its planner statistics; after a bulk load they are made now
    # (as autovacuum would, later), or PostgreSQL plans the inbox for empty tables.
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return {"residents": residents, "threads": threads, "messages": sum(counts), "receipts": receipts}
