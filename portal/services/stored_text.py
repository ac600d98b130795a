"""Bring text stored before the text rule in line with it: strip refused characters (run once, by a migration)."""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal.services.text_rules import bad_characters, cleaned

# table -> (single-line columns, multi-line columns): every column a person types into, in the schema of 2026-12.
STORED_TEXT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "programme_texts": (("title", "summary", "referral", "search_title"), ("description", "search_body")),
    "programmes": (("contact_name", "contact_phone", "contact_email"), ()),
    "locations": (("name", "street", "house_number", "postcode", "city"), ()),
    "organisations": (("name", "phone", "email", "website", "street", "house_number", "postcode", "city"), ()),
    "neighbourhoods": (("name", "city"), ()),
    "users": (("display_name",), ()),
}


def strip_refused_characters(connection: Connection) -> int:
    """Remove refused characters from every stored text column (TAB/LF/CR in a single-line one become a space);
    returns how many rows changed."""
    changed = 0
    inspector = sa.inspect(connection)
    for name, (single, multi) in STORED_TEXT.items():
        if not inspector.has_table(name):
            continue
        with warnings.catch_warnings():  # SQLite cannot reflect an index on an expression (lower(name)); not needed
            warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
        keys = list(table.primary_key.columns)
        columns = [(table.c[column], False) for column in single] + [(table.c[column], True) for column in multi]
        for row in connection.execute(sa.select(*keys, *(column for column, _ in columns))).mappings():
            values = {}
            for column, multiline in columns:
                text = row[column.name]
                if isinstance(text, str) and bad_characters(text, multiline=multiline):
                    values[column.name] = cleaned(text, multiline=multiline).strip()
            if values:
                where = sa.and_(*(key == row[key.name] for key in keys))
                connection.execute(sa.update(table).where(where).values(**values))
                changed += 1
    return changed
