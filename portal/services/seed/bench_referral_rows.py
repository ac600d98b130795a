"""The rows of one benchmark referral: a realistic path through the statuses, its history and handover thread."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from portal.services.referrals.statuses import CLOSED, OPEN

# How often each of the ten FHIR Task codes ends a referral, per 100 (most loops closed, a fifth still open).
STATUS_WEIGHTS = {
    "draft": 4,
    "requested": 6,
    "accepted": 6,
    "in-progress": 8,
    "on-hold": 3,
    "completed": 42,
    "rejected": 8,
    "cancelled": 11,
    "failed": 8,
    "entered-in-error": 4,
}
# The statuses a referral passed through after 'requested' on its way to each final one (steps, with the reason).
PATHS = {
    "draft": [],
    "requested": [],
    "accepted": [("accepted", None)],
    "in-progress": [("accepted", None), ("in-progress", None)],
    "on-hold": [("on-hold", "waiting_list")],
    "completed": [("accepted", None), ("in-progress", None), ("completed", "got_help")],
    "rejected": [("rejected", "no_capacity")],
    "cancelled": [("accepted", None), ("cancelled", "resident_declined")],
    "failed": [("accepted", None), ("failed", "did_not_attend")],
    "entered-in-error": [("entered-in-error", "made_by_mistake")],
}
NOTES = (
    "Mevrouw wil meer bewegen, maar durft niet alleen.",
    "Meneer is veel alleen thuis en zoekt contact in de buurt.",
    "Na de operatie wil mevrouw weer sterker worden; graag rustig beginnen.",
    "Meneer heeft vragen over geld en formulieren.",
    "Mevrouw slaapt slecht en wil iets doen met haar dagen.",
)
REPLIES = ("Dank u, ik bel deze week voor een kennismaking.", "Wanneer komt het u uit?", "Dinsdagochtend past goed.")
LEVELS = ("laag", "midden", "hoog", None)
DAY = timedelta(days=1)
MONTHS_18 = 540


def pick_status(rng: random.Random) -> str:
    """One final status, drawn with STATUS_WEIGHTS."""
    return rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]


def _steps(status: str, rng: random.Random) -> list[tuple[str, str | None, timedelta]]:
    """The steps after 'requested', each with the time it took."""
    gaps = {"accepted": (1, 10), "in-progress": (3, 20), "completed": (30, 120), "on-hold": (2, 15)}
    return [(to, reason, DAY * rng.uniform(*gaps.get(to, (2, 30)))) for to, reason in PATHS[status]]


def timeline(status: str, now: datetime, rng: random.Random) -> tuple[datetime, datetime, list]:
    """When the referral was made and sent, and its steps [(status, reason, moment)]; open loops changed in the
    last two months (about a third of them overdue), closed ones any time in the last 18 months."""
    steps = _steps(status, rng)
    to_send = DAY * rng.uniform(0, 3) if status != "draft" else timedelta(0)
    total = to_send + sum((gap for *_, gap in steps), timedelta(0))
    recent = status in OPEN or status == "draft"
    end = now - DAY * (rng.uniform(0.1, 60) if recent else rng.uniform(0, MONTHS_18 - total.days - 1))
    created = end - total
    moments, at = [], created + to_send
    for to, reason, gap in steps:
        at += gap
        moments.append((to, reason, at))
    return created, created + to_send, moments


def referral_row(spec: dict, status: str, now: datetime, rng: random.Random) -> tuple[dict, list]:
    """The referral's columns (without thread_id) and its steps."""
    created, requested, steps = timeline(status, now, rng)
    sent = status != "draft" and not (status == "entered-in-error" and rng.random() < 0.5)
    at = {to: moment for to, _, moment in steps}
    version = 1 + (2 if sent else 0) + len(steps)
    closing = steps[-1] if steps and steps[-1][0] in (CLOSED | {"on-hold"}) else None
    by_resident = rng.random() < 0.3
    row = {
        "resident_id": spec["resident_id"],
        "referrer_id": spec["referrer_id"],
        "referrer_organisation_id": spec["referrer_organisation_id"],
        "organisation_id": spec["organisation_id"],
        "programme_id": spec["programme_id"],
        "self_reliance": rng.choice(LEVELS),
        "health_literacy": rng.choice(LEVELS),
        "motivation": rng.choice(LEVELS),
        "note": rng.choice(NOTES),
        "status": status,
        "reason": closing[1] if closing else None,
        "expected_wait": rng.choice(("lt_1m", "1_3m")) if status == "on-hold" else None,
        "agreement": None if not sent else ("resident" if by_resident else "consultation"),
        "agreed_at": requested if sent else None,
        "agreement_recorded_by_id": spec["referrer_id"] if sent and not by_resident else None,
        "created_at": created,
        "requested_at": requested if sent else None,
        "accepted_at": at.get("accepted"),
        "first_contact_at": min(at["accepted"] + DAY * rng.uniform(0, 5), now) if "accepted" in at else None,
        "started_at": at.get("in-progress"),
        "completed_at": at.get("completed"),
        "changed_at": steps[-1][2] if steps else (requested if sent else created),
        "referrer_seen_version": version if rng.random() < 0.8 else version - 1,
        "version": version,
    }
    return row, steps


def event_rows(referral_id: int, row: dict, steps: list, spec: dict) -> list[dict]:
    """Two to four history lines: made as a draft, agreed and sent, and the last status changes."""
    base = {"referral_id": referral_id, "note": None, "detail": None, "reason": None, "from_status": None}
    made = base | {"actor_id": spec["referrer_id"], "actor_party": "referrer", "kind": "status"}
    events = [made | {"to_status": "draft", "created_at": row["created_at"]}]
    if row["requested_at"] is None:
        last = steps[-1] if steps else ("cancelled", None, row["created_at"] + DAY)
        if not steps:  # a draft: the reminder to the referrer that the resident has not agreed yet
            events.append(base | {"actor_id": None, "actor_party": "system", "kind": "reminded", "to_status": None,
                                  "created_at": row["created_at"] + DAY * 3})  # fmt: skip
        else:
            events.append(made | {"from_status": "draft", "to_status": last[0], "reason": last[1],
                                  "note": "Verkeerde bewoner gekozen.", "created_at": last[2]})  # fmt: skip
        return events
    party = "resident" if row["agreement"] == "resident" else "referrer"
    agreer = spec["resident_id"] if party == "resident" else spec["referrer_id"]
    events.append(base | {"actor_id": agreer, "actor_party": party, "kind": "agreed", "to_status": None,
                          "detail": row["agreement"], "created_at": row["requested_at"]})  # fmt: skip
    previous = "requested"
    moves = []
    for to, reason, moment in steps:
        voided = to == "entered-in-error"
        actor, side = (spec["referrer_id"], "referrer") if voided else (spec["receiver_id"], "receiver")
        moves.append(base | {"actor_id": actor, "actor_party": side, "kind": "status", "from_status": previous,
                             "to_status": to, "reason": reason, "created_at": moment})  # fmt: skip
        previous = to
    if not moves:
        moves.append(base | {"actor_id": None, "actor_party": "system", "kind": "status", "from_status": "draft",
                             "to_status": "requested", "created_at": row["requested_at"]})  # fmt: skip
    return events + moves[-2:]


def thread_row(row: dict, spec: dict, messages: int) -> dict:
    """The handover thread ('referral') opened when the referral was sent, shared by the two teams."""
    closed = row["status"] in CLOSED
    return {
        "kind": "referral",
        "resident_id": row["resident_id"],
        "organisation_id": row["organisation_id"],
        "partner_organisation_id": row["referrer_organisation_id"],
        "subject": spec["subject"],
        "status": "closed" if closed else "open",
        "waiting_on": "team" if messages % 2 == 1 else "resident",
        "created_by_id": row["referrer_id"],
        "created_at": row["requested_at"],
        "last_message_at": row["requested_at"] + timedelta(hours=20 * (messages - 1)),
        "closed_at": row["changed_at"] if closed else None,
        "version": 1,
    }


def message_rows(thread_id: int, row: dict, spec: dict, count: int) -> list[dict]:
    """The note as the referrer's first message, then the receiving team and the resident in turn."""
    authors = [
        (row["referrer_id"], row["referrer_organisation_id"]),
        (spec["receiver_id"], row["organisation_id"]),
        (row["resident_id"], None),
    ]
    return [
        {
            "thread_id": thread_id,
            "author_id": authors[j][0],
            "author_organisation_id": authors[j][1],
            "kind": "message",
            "body": row["note"] if j == 0 else REPLIES[j - 1],
            "created_at": row["requested_at"] + timedelta(hours=20 * j),
        }
        for j in range(count)
    ]


def receipt_rows(messages: list[dict], message_ids: list[int]) -> list[dict]:
    """The author's own receipt for every message."""
    return [
        {
            "message_id": message_id,
            "party": f"o{message['author_organisation_id']}" if message["author_organisation_id"] else "resident",
            "read_at": message["created_at"],
            "reader_id": message["author_id"],
        }
        for message, message_id in zip(messages, message_ids, strict=True)
    ]
