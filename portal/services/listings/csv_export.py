"""CSV export of one organisation's programmes and sessions, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.config import LANGUAGES
from portal.extensions import db
from portal.models import Organisation, Programme, Session
from portal.services.listings.csv_format import (
    LOCAL_FORMAT,
    PROGRAMME_COLUMNS,
    SESSION_COLUMNS,
    TEXT_FIELDS,
    ZONE,
    cell,
)


def _csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(cell(value) for value in row)
    return "\ufeff" + buffer.getvalue()


def _local(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime(LOCAL_FORMAT)


def _programme_row(programme: Programme) -> list[object]:
    texts = {text.locale: text for text in programme.translations}
    row: list[object] = [
        programme.slug,
        programme.status,
        programme.category,
        " ".join(sorted(a.audience for a in programme.audiences)),
        " ".join(sorted(x.language for x in programme.languages)),
        programme.cost_cents,
        "ja" if programme.referral_required else "nee",
        programme.contact_name,
        programme.contact_phone,
        programme.contact_email,
        programme.location.slug if programme.location is not None else "",
    ]
    for lang in LANGUAGES:
        text = texts.get(lang)
        row.extend(getattr(text, name) if text is not None else "" for name in TEXT_FIELDS)
    return row


def export_programmes(organisation: Organisation) -> str:
    """The organisation's programmes as CSV (UTF-8 BOM, one row each, by slug), safe to open in a spreadsheet."""
    programmes = db.session.scalars(
        select(Programme)
        .where(Programme.organisation_id == organisation.id)
        .options(
            selectinload(Programme.translations),
            selectinload(Programme.audiences),
            selectinload(Programme.languages),
            selectinload(Programme.location),
        )
        .order_by(Programme.slug)
    )
    return _csv(PROGRAMME_COLUMNS, (_programme_row(p) for p in programmes))


def export_sessions(organisation: Organisation) -> str:
    """The sessions of the organisation's programmes as CSV, in local time (YYYY-MM-DD HH:MM)."""
    rows = db.session.execute(
        select(Session, Programme.slug)
        .join(Session.programme)
        .where(Programme.organisation_id == organisation.id)
        .order_by(Programme.slug, Session.starts_at, Session.id)
    )
    return _csv(
        SESSION_COLUMNS,
        (
            (slug, _local(session.starts_at), _local(session.ends_at), session.capacity, session.status)
            for session, slug in rows
        ),
    )
