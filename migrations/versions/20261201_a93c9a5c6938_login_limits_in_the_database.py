"""login limits in the database: auth_throttle, second_factor_attempts

Revision ID: a93c9a5c6938
Revises: 0907efe721d7
Create Date: 2026-12-01 01:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a93c9a5c6938'
down_revision = '0907efe721d7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('auth_throttle',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_auth_throttle'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('second_factor_attempts', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_column('second_factor_attempts')
    op.drop_table('auth_throttle')
