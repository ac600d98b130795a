"""A large, deterministic data set for the load benchmark: 2,000 programmes, 500 locations, 20,000 sessions.

Programmes and their texts go through the ORM (so the texts' search columns are filled by their model events);
sessions, ten times as many, are inserted in batches of plain rows: 20,000 programmes with 200,000 sessions
load in about two minutes instead of ten."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from portal.config import TIMEZONE
from portal.extensions import db
from portal.models import (
    Location,
    Neighbourhood,
    Organisation,
    Programme,
    ProgrammeAudience,
    ProgrammeLanguage,
    ProgrammeText,
    Session,
)
from portal.models.neighbourhood import ORGANISATION_KINDS
from portal.models.programme import AUDIENCES, CATEGORIES

WORDS = {
    "nl": ["wandelen", "koken", "zwemmen", "dansen", "yoga", "fietsen", "tekenen", "zingen", "tuinieren", "praten"],
    "en": [
        "walking",
        "cooking",
        "swimming",
        "dancing",
        "yoga",
        "cycling",
        "drawing",
        "singing",
        "gardening",
        "talking",
    ],
    "tr": ["yürüyüş", "yemek", "yüzme", "dans", "yoga", "bisiklet", "resim", "şarkı", "bahçe", "sohbet"],
    "ar": ["المشي", "الطبخ", "السباحة", "الرقص", "اليوغا", "الدراجة", "الرسم", "الغناء", "البستنة", "الحديث"],
}
GROUP = {"nl": "groep", "en": "group", "tr": "grubu", "ar": "مجموعة"}
SPOKEN = ("nl", "en", "tr", "ar", "pl", "so")
BATCH = 500


def bench_data_present() -> bool:
    """True when the benchmark data set has been loaded already."""
    return db.session.scalar(select(func.count()).select_from(Programme).where(Programme.slug.like("bench-%"))) > 0


def _neighbourhood(slug: str) -> Neighbourhood:
    """The neighbourhood with this slug, or a new demo one named Benchwijk."""
    hood = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == slug))
    if hood is None:
        hood = Neighbourhood(
            slug=slug, name="Benchwijk", city="Utrecht", latitude=52.116, longitude=5.112, is_demo=True
        )
        db.session.add(hood)
    return hood


def _organisations(hood: Neighbourhood) -> list[Organisation]:
    """Twenty organisations of every kind in turn."""
    return [
        Organisation(
            slug=f"bench-org-{i:03d}",
            name=f"Organisatie {i:03d}",
            kind=ORGANISATION_KINDS[i % len(ORGANISATION_KINDS)],
            neighbourhood=hood,
            description={"nl": "Een organisatie voor de benchmark."},
            is_demo=True,
        )
        for i in range(20)
    ]


def _locations(hood: Neighbourhood, count: int, rng: random.Random) -> list[Location]:
    """`count` locations scattered over the neighbourhood, most of them wheelchair accessible."""
    return [
        Location(
            slug=f"bench-loc-{i:04d}",
            neighbourhood=hood,
            name=f"Buurtlocatie {i:04d}",
            street="Zamenhofdreef",
            house_number=str(i + 1),
            postcode=f"35{61 + i % 4} AB",
            city="Utrecht",
            latitude=52.100 + rng.random() * 0.03,
            longitude=5.095 + rng.random() * 0.04,
            wheelchair_accessible=rng.random() < 0.7,
            is_demo=True,
        )
        for i in range(count)
    ]


def _programme(i: int, organisation: Organisation, place: Location, rng: random.Random, today: date) -> Programme:
    """Programme number `i` with a text in every language, two audiences and a few spoken languages."""
    word = rng.randrange(len(WORDS["nl"]))
    programme = Programme(
        slug=f"bench-{i:04d}",
        organisation=organisation,
        location=place,
        category=CATEGORIES[i % len(CATEGORIES)],
        status="published",
        cost_cents=0 if rng.random() < 0.7 else 250,
        referral_required=rng.random() < 0.3,
        last_verified_on=today - timedelta(days=rng.randrange(200)),
        is_demo=True,
    )
    for lang in WORDS:
        title = f"{WORDS[lang][word].capitalize()} {GROUP[lang]} {i:04d}"
        programme.translations.append(
            ProgrammeText(
                locale=lang,
                title=title,
                summary=f"{title}: {WORDS[lang][(word + 1) % 10]} {WORDS[lang][(word + 2) % 10]}.",
                description=f"{title}. " + " ".join(rng.choice(WORDS[lang]) for _ in range(60)),
            )
        )
    programme.audiences = [ProgrammeAudience(audience=a) for a in rng.sample(AUDIENCES, 2)]
    programme.languages = [ProgrammeLanguage(language=x) for x in {"nl", *rng.sample(SPOKEN, 2)}]
    return programme


def _session_rows(programme_id: int, count: int, rng: random.Random, today: date) -> list[dict]:
    """`count` one-hour sessions at random days and times in the coming eight weeks, as rows of the sessions table.

    The local weekday and minute are worked out here, as the Session model's before_insert event does."""
    zone = ZoneInfo(TIMEZONE)
    rows = []
    for _ in range(count):
        day = today + timedelta(days=1 + rng.randrange(56))
        start = datetime.combine(day, time(rng.randrange(8, 21), rng.choice((0, 30))), tzinfo=zone)
        rows.append(
            {
                "programme_id": programme_id,
                "starts_at": start.astimezone(UTC),
                "ends_at": (start + timedelta(minutes=60)).astimezone(UTC),
                "capacity": rng.choice((1, 8, 12, 20)),
                "booked": 0,
                "status": "scheduled",
                "local_weekday": start.weekday(),
                "local_minute": start.hour * 60 + start.minute,
                "is_demo": True,
                "revision": 0,
            }
        )
    return rows


def seed_bench(
    neighbourhood_slug: str, programmes: int = 2000, locations: int = 500, sessions: int = 20000, seed: int = 7
) -> dict[str, int]:
    """Add the benchmark data set (marked as demo) and commit; the same seed gives the same data."""
    rng = random.Random(seed)  # noqa: S311  (made-up test data, not security)
    hood = _neighbourhood(neighbourhood_slug)
    organisations = _organisations(hood)
    places = _locations(hood, locations, rng)
    db.session.add_all(organisations + places)
    today = date.today()
    per_programme, extra = divmod(sessions, programmes)
    for first in range(0, programmes, BATCH):
        batch = [
            _programme(i, organisations[i % len(organisations)], places[i % len(places)], rng, today)
            for i in range(first, min(first + BATCH, programmes))
        ]
        db.session.add_all(batch)
        db.session.flush()  # the programmes' ids, for their sessions
        rows = [
            row
            for i, programme in enumerate(batch, start=first)
            for row in _session_rows(programme.id, per_programme + (1 if i < extra else 0), rng, today)
        ]
        db.session.execute(insert(Session.__table__), rows)
    db.session.commit()
    return {"programmes": programmes, "locations": locations, "sessions": sessions, "organisations": len(organisations)}
