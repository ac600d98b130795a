"""programme texts: the readable text of each description beside the search columns, for search snippets

Adds programme_texts.description_text (the Markdown description rendered to plain text) and fills it with the code
of `flask search reindex` (portal/services/search_index/reindex.py), which keeps it in step from now on together
with the save hook of portal/models/programme_search.py.

Revision ID: b3d1f0c2a7e4
Revises: fed1779f09cd
Create Date: 2026-12-02 13:00:00

"""

import sqlalchemy as sa
from alembic import op

from portal.services.search_index.reindex import rebuild_index

# revision identifiers, used by Alembic.
revision = "b3d1f0c2a7e4"
down_revision = "fed1779f09cd"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases: a batch copy of the table on SQLite would drop its search triggers.
    op.add_column("programme_texts", sa.Column("description_text", sa.Text(), nullable=False, server_default=""))
    rebuild_index(op.get_bind())


def downgrade():
    # SQLite (3.35 and later) drops a column in place, so the table keeps its search triggers there too.
    op.execute("ALTER TABLE programme_texts DROP COLUMN description_text")
