"""A deterministic referral data set for the load benchmark: 10,000 referrals between realistic teams, most of
them to one beweegmakelaars team and from the benchmark GP practice, with their history and handover threads."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select, text

from portal.extensions import db
from portal.models import (
    CareRelation,
    Message,
    MessageReceipt,
    Organisation,
    Programme,
    ProgrammeText,
    Referral,
    ReferralEvent,
    Session,
    Thread,
    User,
)
from portal.models.base import utcnow
from portal.services.accounts.passwords import hash_password
from portal.services.accounts.second_factor import new_totp_secret
from portal.services.seed import bench_referral_rows as rows_of
from portal.services.seed.bench_messages import PRACTICE_SLUG, _batched, _practice
from portal.services.tokens import new_secret

BROKERS_SLUG = "bench-beweegmakelaars"
BROKER_EMAIL = "bench-broker@example.org"
CHUNK = 1000
THREAD_SHARE = 0.6  # the share of sent referrals with a handover thread in this data set
# Receiving teams (slug, name, kind, offers) and referring practices besides the benchmark practice.
TEAMS = (
    (BROKERS_SLUG, "Beweegmakelaars Bench", "brokerage", ("Beweegconsult", "Wandelgroep", "Valpreventie")),
    ("bench-welzijn", "Welzijn Bench", "welfare", ("Koffie-ochtend", "Formulierenhulp")),
    ("bench-fysio", "Fysiotherapie Bench", "physio", ("Sterker na de operatie",)),
    ("bench-buurtteam", "Buurtteam Bench", "buurtteam", ("Hulp thuis",)),
)
OTHER_PRACTICES = 3


def bench_referrals_present() -> bool:
    """True when the referral benchmark data set has been loaded already."""
    return db.session.scalar(select(Organisation.id).where(Organisation.slug == BROKERS_SLUG)) is not None


def bench_broker() -> User | None:
    """The beweegmakelaar of the benchmark's receiving team, if the data set is loaded."""
    return db.session.scalar(select(User).where(User.email == BROKER_EMAIL))


def _staff(organisation: Organisation, email: str, name: str, role: str = "professional") -> User:
    return User(
        email=email,
        password_hash=hash_password(new_secret()),
        display_name=name,
        role=role,
        organisation=organisation,
        is_demo=True,
        email_confirmed_at=utcnow(),
        second_factor="totp",
        totp_secret=new_totp_secret(),
    )


def _team(slug: str, name: str, kind: str, offers: tuple[str, ...], hood_id: int, now: datetime) -> dict:
    """A receiving team with two staff, its offers (Dutch and English texts) and coming sessions."""
    team = Organisation(slug=slug, name=name, kind=kind, neighbourhood_id=hood_id, email=f"{slug}@example.org",
                        description={"nl": f"{name}, voor de benchmark."}, is_demo=True)  # fmt: skip
    role = "broker" if kind == "brokerage" else "professional"
    first = BROKER_EMAIL if slug == BROKERS_SLUG else f"{slug}-1@example.org"
    staff = [_staff(team, first, f"{name} 1", role), _staff(team, f"{slug}-2@example.org", f"{name} 2", role)]
    programmes = []
    for n, title in enumerate(offers):
        programme = Programme(slug=f"{slug}-{n}", organisation=team, category="bewegen", status="published",
                              referral_required=True, is_demo=True)  # fmt: skip
        for locale, words in (("nl", title), ("en", f"{title} (en)")):
            programme.translations.append(ProgrammeText(locale=locale, title=words, summary=f"{words}."))
        for week in range(4):
            starts = now.replace(hour=9, minute=0) + timedelta(days=2 + 7 * week + n)
            programme.sessions.append(Session(starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=12,
                                              booked=week * 3, is_demo=True))  # fmt: skip
        programmes.append(programme)
    db.session.add_all([team, *staff, *programmes])
    db.session.flush()
    offered = [(p.id, title) for p, title in zip(programmes, offers, strict=True)]
    return {"id": team.id, "staff": [s.id for s in staff], "offers": offered}


def _residents(organisation_id: int, professional_id: int, prefix: str, count: int, now: datetime) -> list[int]:
    """`count` residents in the organisation's care; returns their ids."""
    password = hash_password(new_secret())
    users = [
        {
            "email": f"{prefix}-{i:05d}@example.org",
            "password_hash": password,
            "display_name": f"Bewoner {i:05d}",
            "role": "resident",
            "locale": "nl",
            "is_demo": True,
            "second_factor": "email",
            "email_confirmed_at": now,
            "created_at": now,
        }  # fmt: skip
        for i in range(count)
    ]
    ids = _batched(User, users, returning=True)
    relations = [
        {
            "resident_id": r,
            "organisation_id": organisation_id,
            "status": "active",
            "started_by": "professional",
            "invited_by_id": professional_id,
            "created_at": now,
            "active_since": now,
        }  # fmt: skip
        for r in ids
    ]
    _batched(CareRelation, relations)
    return ids


def _gp_practice(neighbourhood_slug: str, now: datetime) -> dict:
    """The benchmark GP practice and its residents in care: the messaging benchmark's, or made here."""
    practice = db.session.scalar(select(Organisation).where(Organisation.slug == PRACTICE_SLUG))
    if practice is None:
        practice, professional, _colleague = _practice(neighbourhood_slug)
        _residents(practice.id, professional.id, "bench-resident", 1000, now)
    else:
        professional = db.session.scalar(select(User).where(User.organisation_id == practice.id).order_by(User.id))
    residents = db.session.scalars(
        select(CareRelation.resident_id).where(
            CareRelation.organisation_id == practice.id, CareRelation.status == "active"
        )
    ).all()
    hood_id = practice.neighbourhood_id
    return {"id": practice.id, "staff": [professional.id], "residents": list(residents), "hood": hood_id}


def _parties(neighbourhood_slug: str, now: datetime) -> tuple[dict, list[dict], list[dict]]:
    """The benchmark practice, the receiving teams (beweegmakelaars first) and the other practices."""
    gp = _gp_practice(neighbourhood_slug, now)
    teams = [_team(*team, gp["hood"], now) for team in TEAMS]
    practices = []
    for n in range(OTHER_PRACTICES):
        slug = f"bench-practice-{n + 2}"
        practice = _team(slug, f"Huisartsenpraktijk Bench {n + 2}", "practice", (), gp["hood"], now)
        practice["residents"] = _residents(practice["id"], practice["staff"][0], f"{slug}-resident", 400, now)
        practices.append(practice)
    return gp, teams, practices


def _spec(i: int, total: int, gp: dict, teams: list[dict], practices: list[dict], rng: random.Random) -> dict:
    """Who refers whom to what: 60 % to the beweegmakelaars (a third of those from the benchmark practice),
    10 % from the benchmark practice to other teams, the rest between other practices and teams."""
    share = i / total
    from_gp = share < 0.2 or 0.6 <= share < 0.7
    source = gp if from_gp else practices[i % len(practices)]
    target = teams[0] if share < 0.6 else teams[1 + i % (len(teams) - 1)]
    programme_id, subject = rng.choice(target["offers"])
    return {
        "resident_id": rng.choice(source["residents"]),
        "referrer_id": source["staff"][0],
        "referrer_organisation_id": source["id"],
        "organisation_id": target["id"],
        "programme_id": programme_id,
        "subject": subject,
        "receiver_id": target["staff"][i % 2],
    }


def _threads(found: list[tuple[dict, dict, list]], rng: random.Random) -> tuple[int, int]:
    """Handover threads with one to three messages for a share of the sent referrals; sets their thread_id."""
    chosen = [(row, spec) for row, spec, _ in found if row["requested_at"] and rng.random() < THREAD_SHARE]
    sizes = [rng.choice((1, 2, 2, 3)) for _ in chosen]
    thread_ids = _batched(
        Thread, [rows_of.thread_row(r, s, n) for (r, s), n in zip(chosen, sizes, strict=True)], returning=True
    )
    messages = []
    for (row, spec), thread_id, size in zip(chosen, thread_ids, sizes, strict=True):
        row["thread_id"] = thread_id
        messages += rows_of.message_rows(thread_id, row, spec, size)
    message_ids = _batched(Message, messages, returning=True)
    _batched(MessageReceipt, rows_of.receipt_rows(messages, message_ids))
    return len(chosen), len(messages)


def seed_bench_referrals(neighbourhood_slug: str, referrals: int = 10_000, seed: int = 11) -> dict[str, int]:
    """Add the referral benchmark data set (marked as demo) in bulk and commit; the same seed gives the same data."""
    rng = random.Random(seed)  # noqa: S311  (made-up test data, not security)
    now = utcnow().replace(microsecond=0)
    gp, teams, practices = _parties(neighbourhood_slug, now)
    counts = {"referrals": referrals, "events": 0, "threads": 0, "messages": 0}
    for start in range(0, referrals, CHUNK):
        found = []
        for i in range(start, min(start + CHUNK, referrals)):
            spec = _spec(i, referrals, gp, teams, practices, rng)
            row, steps = rows_of.referral_row(spec, rows_of.pick_status(rng), now, rng)
            found.append((row | {"thread_id": None}, spec, steps))
        threads, messages = _threads(found, rng)
        ids = _batched(Referral, [row for row, _, _ in found], returning=True)
        events = [
            e for (row, spec, steps), i in zip(found, ids, strict=True) for e in rows_of.event_rows(i, row, steps, spec)
        ]
        _batched(ReferralEvent, events)
        counts["events"] += len(events)
        counts["threads"] += threads
        counts["messages"] += messages
    db.session.commit()
    db.session.execute(text("ANALYZE"))  # planner statistics after a bulk load, as in bench_messages
    db.session.commit()
    return counts
