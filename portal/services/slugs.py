"""Slugs: the URL names of programmes, locations, organisations and route maps."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from portal.extensions import db

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str, max_length: int = 80) -> str:
    """A URL name from a title: 'Wandelen in het Park' -> 'wandelen-in-het-park'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "programma"


def free_slug(model, wanted: str) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`… when a row of `model` has it already."""
    taken = set(db.session.scalars(select(model.slug).where(model.slug.like(f"{wanted}%"))))
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted[:75]}-{number}" in taken:
        number += 1
    return f"{wanted[:75]}-{number}"
