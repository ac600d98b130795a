"""public pages at scale: sort titles per language with list indexes; spoken language, weekday and place indexes

Revision ID: e7a41c9b2d55
Revises: 5e4c0a7b31d2
Create Date: 2026-12-01 17:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e7a41c9b2d55"
down_revision = "5e4c0a7b31d2"
branch_labels = None
depends_on = None

LOCALES = ("nl", "en", "tr", "ar")
texts = sa.table("programme_texts", sa.column("programme_id"), sa.column("locale"), sa.column("search_title"))


def _sort_title(programmes, locale: str):
    """The folded title in `locale` (search_title holds exactly that), Dutch where untranslated, NULL without
    a Dutch text: what portal/models/programme_order.py keeps from now on."""
    dutch, own = texts.alias("dutch"), texts.alias("own")
    return (
        sa.select(sa.func.coalesce(own.c.search_title, dutch.c.search_title))
        .select_from(dutch.outerjoin(own, sa.and_(own.c.programme_id == dutch.c.programme_id, own.c.locale == locale)))
        .where(dutch.c.programme_id == programmes.c.id, dutch.c.locale == "nl")
        .scalar_subquery()
    )


def upgrade():
    for locale in LOCALES:
        op.add_column("programmes", sa.Column(f"sort_title_{locale}", sa.String(length=160), nullable=True))
        column = sa.column(f"sort_title_{locale}")
        programmes = sa.table("programmes", sa.column("id"), column)
        op.execute(programmes.update().values({column: _sort_title(programmes, locale)}))
        op.create_index(f"ix_programmes_list_{locale}", "programmes", [f"sort_title_{locale}", "id", "status"])
    filtered = ["category", "cost_cents", "referral_required"]
    op.create_index("ix_programmes_filters", "programmes", [*filtered, "location_id", "status", "sort_title_nl"])
    op.create_index("ix_programmes_at_location", "programmes", ["location_id", *filtered, "status", "sort_title_nl"])
    op.drop_index("ix_programmes_location_id", table_name="programmes")  # the one above starts with location_id
    op.create_index("ix_programme_languages_language", "programme_languages", ["language", "programme_id"])
    op.create_index("ix_locations_by_name", "locations", [sa.text("lower(name)"), "id"])
    op.create_index(
        "ix_sessions_weekday_time", "sessions", ["programme_id", "status", "local_weekday", "local_minute", "starts_at"]
    )


def downgrade():
    op.drop_index("ix_sessions_weekday_time", table_name="sessions")
    op.drop_index("ix_locations_by_name", table_name="locations")
    op.drop_index("ix_programme_languages_language", table_name="programme_languages")
    op.create_index("ix_programmes_location_id", "programmes", ["location_id"])
    op.drop_index("ix_programmes_at_location", table_name="programmes")
    op.drop_index("ix_programmes_filters", table_name="programmes")
    for locale in reversed(LOCALES):
        op.drop_index(f"ix_programmes_list_{locale}", table_name="programmes")
        with op.batch_alter_table("programmes") as batch_op:
            batch_op.drop_column(f"sort_title_{locale}")
