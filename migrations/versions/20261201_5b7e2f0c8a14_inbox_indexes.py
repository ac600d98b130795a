"""inbox indexes: the team queue and its counts, and the in-care check

Revision ID: 5b7e2f0c8a14
Revises: 139219bdc3ba
Create Date: 2026-12-01 04:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b7e2f0c8a14'
down_revision = '139219bdc3ba'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_threads_team_queue',
        'threads',
        ['organisation_id', 'kind', 'status', 'assignee_id', 'reply_due_at', 'id', 'waiting_on', 'resident_id'],
    )
    op.create_index('ix_care_relations_in_care', 'care_relations', ['resident_id', 'organisation_id', 'status'])


def downgrade():
    op.drop_index('ix_care_relations_in_care', table_name='care_relations')
    op.drop_index('ix_threads_team_queue', table_name='threads')
