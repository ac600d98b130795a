"""strip control characters from stored text (issue 13 point 2)

Text saved before the forms followed the text rule (portal/services/text_rules.py) may hold characters the
CSV import now refuses; stripping them lets every stored programme export and re-import unchanged.

Revision ID: 6a1f3c2d9e47
Revises: a93c9a5c6938
Create Date: 2026-12-01 01:30:00

"""
from alembic import op

from portal.services.stored_text import strip_refused_characters


# revision identifiers, used by Alembic.
revision = '6a1f3c2d9e47'
down_revision = 'a93c9a5c6938'
branch_labels = None
depends_on = None


def upgrade():
    strip_refused_characters(op.get_bind())


def downgrade():
    pass  # the stripped characters were never meant to be there; there is nothing to put back
