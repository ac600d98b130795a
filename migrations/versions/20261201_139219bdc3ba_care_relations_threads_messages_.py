"""care relations, threads, messages, receipts, away periods

Revision ID: 139219bdc3ba
Revises: 6a1f3c2d9e47
Create Date: 2026-12-01 03:59:31.465801

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '139219bdc3ba'
down_revision = '6a1f3c2d9e47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('away_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('cover_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_away_periods_days_in_order')),
    sa.ForeignKeyConstraint(['cover_id'], ['users.id'], name=op.f('fk_away_periods_cover_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_away_periods_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_away_periods'))
    )
    with op.batch_alter_table('away_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_away_periods_user_id'), ['user_id'], unique=False)

    op.create_table('care_relations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('started_by', sa.String(length=12), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('invited_email', sa.String(length=254), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('active_since', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ended_by', sa.String(length=12), nullable=True),
    sa.CheckConstraint("started_by IN ('professional', 'resident')", name=op.f('ck_care_relations_started_by_known')),
    sa.CheckConstraint("status <> 'active' OR active_since IS NOT NULL", name=op.f('ck_care_relations_active_has_time')),
    sa.CheckConstraint("status = 'invited' OR resident_id IS NOT NULL", name=op.f('ck_care_relations_has_resident')),
    sa.CheckConstraint("status IN ('invited', 'requested', 'active', 'ended', 'declined')", name=op.f('ck_care_relations_status_known')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_care_relations_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_care_relations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_care_relations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['resident_id'], ['users.id'], name=op.f('fk_care_relations_resident_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_relations')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_care_relations_code_hash'))
    )
    with op.batch_alter_table('care_relations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_relations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_relations_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index('uq_care_relations_open_pair', ['resident_id', 'organisation_id'], unique=True, sqlite_where=sa.text("status IN ('requested', 'active')"), postgresql_where=sa.text("status IN ('requested', 'active')"))

    op.create_table('involvement_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('given_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_involvement_consents_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['resident_id'], ['users.id'], name=op.f('fk_involvement_consents_resident_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_involvement_consents'))
    )
    with op.batch_alter_table('involvement_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_involvement_consents_resident_id'), ['resident_id'], unique=False)

    op.create_table('threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('partner_organisation_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('waiting_on', sa.String(length=10), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('returned_from_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_message_at', sa.DateTime(), nullable=False),
    sa.Column('reply_due_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(kind = 'team') = (partner_organisation_id IS NULL)", name=op.f('ck_threads_consultation_has_partner')),
    sa.CheckConstraint("kind IN ('team', 'consultation')", name=op.f('ck_threads_kind_known')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_threads_status_known')),
    sa.CheckConstraint("waiting_on IN ('team', 'resident')", name=op.f('ck_threads_waiting_on_known')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_threads_assignee_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_threads_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_threads_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['partner_organisation_id'], ['organisations.id'], name=op.f('fk_threads_partner_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['resident_id'], ['users.id'], name=op.f('fk_threads_resident_id_users')),
    sa.ForeignKeyConstraint(['returned_from_id'], ['users.id'], name=op.f('fk_threads_returned_from_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_threads'))
    )
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.create_index('ix_threads_assignee', ['assignee_id', 'status'], unique=False)
        batch_op.create_index('ix_threads_inbox', ['organisation_id', 'status', 'last_message_at', 'id'], unique=False)
        batch_op.create_index('ix_threads_partner_inbox', ['partner_organisation_id', 'status', 'last_message_at'], unique=False)
        batch_op.create_index('ix_threads_resident', ['resident_id', 'last_message_at'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_organisation_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('notified_at', sa.DateTime(), nullable=True),
    sa.Column('offered_session_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('message', 'auto_reply', 'note')", name=op.f('ck_messages_kind_known')),
    sa.ForeignKeyConstraint(['offered_session_id'], ['sessions.id'], name=op.f('fk_messages_offered_session_id_sessions')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_messages_author_id_users')),
    sa.ForeignKeyConstraint(['author_organisation_id'], ['organisations.id'], name=op.f('fk_messages_author_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_messages_thread_id_threads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('thread_id', 'idempotency_key', name='uq_messages_thread_id_idempotency_key')
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_thread', ['thread_id', 'id'], unique=False)

    op.create_table('thread_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_thread_events_actor_id_users')),
    sa.ForeignKeyConstraint(['target_id'], ['users.id'], name=op.f('fk_thread_events_target_id_users')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_events_thread_id_threads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_events'))
    )
    with op.batch_alter_table('thread_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_events_thread_id'), ['thread_id'], unique=False)

    op.create_table('message_receipts',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=16), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.Column('reader_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_receipts_message_id_messages')),
    sa.ForeignKeyConstraint(['reader_id'], ['users.id'], name=op.f('fk_message_receipts_reader_id_users')),
    sa.PrimaryKeyConstraint('message_id', 'party', name=op.f('pk_message_receipts'))
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('pdf', 'jpeg', 'png')", name=op.f('ck_attachments_kind_known')),
    sa.CheckConstraint('size > 0', name=op.f('ck_attachments_size_positive')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_attachments_message_id_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_attachments_storage_key'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_message_id'), ['message_id'], unique=False)

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_days', sa.Integer(), server_default='3', nullable=False))
        batch_op.create_check_constraint('reply_days_range', 'reply_days BETWEEN 1 AND 10')

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_programmes_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', "status IN ('draft', 'published', 'care_team', 'archived')")

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_notice', sa.String(length=10), server_default='instant', nullable=False))
        batch_op.create_check_constraint('message_notice_known', "message_notice IN ('instant', 'daily', 'none')")



def downgrade():
    op.execute("UPDATE programmes SET status = 'draft' WHERE status = 'care_team'")
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_programmes_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', "status IN ('draft', 'published', 'archived')")

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_message_notice_known'), type_='check')
        batch_op.drop_column('message_notice')

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organisations_reply_days_range'), type_='check')
        batch_op.drop_column('reply_days')

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_message_id'))

    op.drop_table('attachments')
    op.drop_table('message_receipts')
    with op.batch_alter_table('thread_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thread_events_thread_id'))

    op.drop_table('thread_events')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_thread')

    op.drop_table('messages')
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_resident')
        batch_op.drop_index('ix_threads_partner_inbox')
        batch_op.drop_index('ix_threads_inbox')
        batch_op.drop_index('ix_threads_assignee')

    op.drop_table('threads')
    with op.batch_alter_table('involvement_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_involvement_consents_resident_id'))

    op.drop_table('involvement_consents')
    with op.batch_alter_table('care_relations', schema=None) as batch_op:
        batch_op.drop_index('uq_care_relations_open_pair', sqlite_where=sa.text("status IN ('requested', 'active')"), postgresql_where=sa.text("status IN ('requested', 'active')"))
        batch_op.drop_index(batch_op.f('ix_care_relations_resident_id'))
        batch_op.drop_index(batch_op.f('ix_care_relations_organisation_id'))

    op.drop_table('care_relations')
    with op.batch_alter_table('away_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_away_periods_user_id'))

    op.drop_table('away_periods')
