"""search index: stemmed terms per text, word list, FTS5 (SQLite) / tsvector, GIN and pg_trgm (PostgreSQL)

Adds programme_texts.title_terms and body_terms (folded Snowball stems, computed in Python) and the word list
search_words, then builds each database's structures and fills them (portal/services/search_index/reindex.py,
the same code as `flask search reindex`).

Revision ID: 5e4c0a7b31d2
Revises: 97faef00d002
Create Date: 2026-12-01 17:30:00

"""
import sqlalchemy as sa
from alembic import op

from portal.models.search import DROP_TEXT_INDEX_DDL, DROP_WORD_INDEX_DDL
from portal.services.search_index.reindex import rebuild_index


# revision identifiers, used by Alembic.
revision = '5e4c0a7b31d2'
down_revision = '97faef00d002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programme_texts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_terms', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('body_terms', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('programme_texts', schema=None) as batch_op:
        batch_op.alter_column('title_terms', server_default=None)
        batch_op.alter_column('body_terms', server_default=None)
        batch_op.create_index('ix_programme_texts_sort_title', ['programme_id', 'locale', 'search_title'], unique=False)
    op.create_table(
        'search_words',
        sa.Column('locale', sa.String(length=5), nullable=False),
        sa.Column('word', sa.String(length=64), nullable=False),
        sa.Column('term', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('locale', 'word', name=op.f('pk_search_words')),
    )
    with op.batch_alter_table('search_words', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_words_term'), ['term'], unique=False)
    rebuild_index(op.get_bind())


def downgrade():
    bind = op.get_bind()
    for statement in DROP_WORD_INDEX_DDL[bind.dialect.name] + DROP_TEXT_INDEX_DDL[bind.dialect.name]:
        op.execute(statement)
    with op.batch_alter_table('search_words', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_words_term'))
    op.drop_table('search_words')
    with op.batch_alter_table('programme_texts', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_texts_sort_title')
        batch_op.drop_column('body_terms')
        batch_op.drop_column('title_terms')
