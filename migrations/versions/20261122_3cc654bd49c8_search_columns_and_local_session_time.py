"""search columns and local session time

Folded (lowercase, accent-free) copies of programme titles and texts for search on SQLite and
PostgreSQL alike, and the local (Europe/Amsterdam) weekday and minute of each session start for the
day and part-of-day filters. Existing rows are filled in here.

Revision ID: 3cc654bd49c8
Revises: 4571fc26ea36
Create Date: 2026-11-22 04:42:02.830085

"""

import unicodedata
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3cc654bd49c8"
down_revision = "4571fc26ea36"
branch_labels = None
depends_on = None

# A frozen copy of portal.services.text_search.fold as it was when this migration was written.
_EXTRA = str.maketrans(
    {"ı": "i", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
     "ى": "ي", "ة": "ه", "ـ": ""}
)


def _fold(text):
    out = []
    for char in text or "":
        decomposed = unicodedata.normalize("NFKD", char.casefold().translate(_EXTRA))
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


def upgrade():
    with op.batch_alter_table("programme_texts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_title", sa.String(length=160), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("search_body", sa.Text(), nullable=False, server_default=""))

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("local_weekday", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("local_minute", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_sessions_upcoming", ["programme_id", "status", "starts_at"], unique=False)

    connection = op.get_bind()
    texts = sa.table(
        "programme_texts",
        sa.column("programme_id"), sa.column("locale"), sa.column("title"), sa.column("summary"),
        sa.column("description"), sa.column("search_title"), sa.column("search_body"),
    )
    for row in connection.execute(sa.select(texts)).mappings().all():
        connection.execute(
            texts.update()
            .where(texts.c.programme_id == row["programme_id"], texts.c.locale == row["locale"])
            .values(search_title=_fold(row["title"]), search_body=_fold(f"{row['summary']}\n{row['description']}"))
        )
    sessions = sa.table("sessions", sa.column("id"), sa.column("starts_at", sa.DateTime()),
                        sa.column("local_weekday"), sa.column("local_minute"))
    zone = ZoneInfo("Europe/Amsterdam")
    for row in connection.execute(sa.select(sessions.c.id, sessions.c.starts_at)).mappings().all():
        local = row["starts_at"].replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
        connection.execute(
            sessions.update().where(sessions.c.id == row["id"])
            .values(local_weekday=local.weekday(), local_minute=local.hour * 60 + local.minute)
        )

    with op.batch_alter_table("programme_texts", schema=None) as batch_op:
        batch_op.alter_column("search_title", server_default=None)
        batch_op.alter_column("search_body", server_default=None)
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.alter_column("local_weekday", server_default=None)
        batch_op.alter_column("local_minute", server_default=None)
        batch_op.create_check_constraint("weekday_range", "local_weekday BETWEEN 0 AND 6")
        batch_op.create_check_constraint("minute_range", "local_minute BETWEEN 0 AND 1439")


def downgrade():
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_constraint("weekday_range", type_="check")
        batch_op.drop_constraint("minute_range", type_="check")
        batch_op.drop_index("ix_sessions_upcoming")
        batch_op.drop_column("local_minute")
        batch_op.drop_column("local_weekday")

    with op.batch_alter_table("programme_texts", schema=None) as batch_op:
        batch_op.drop_column("search_body")
        batch_op.drop_column("search_title")
