"""listing edits waiting for a directory admin's approval

An organisation's admin proposes new words for a listing (`listing_changes`, one pending a
service); a directory admin approves or rejects it. `services.listing_version` moves on
whenever a listing's words change, so an approval made against an older version is shown as
a conflict (ADR 0028). `services.checked_on`: the day the organisation last said the listing
is still correct. `listing_events`: who changed capacity, checked, approved or rejected.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 17:15:00.000000
"""

import sqlalchemy as sa
from alembic import op

import passport.database

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listing_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('checked_on', sa.Date(), nullable=True))
    op.create_table('listing_changes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('old', sa.JSON(), nullable=False),
    sa.Column('new', sa.JSON(), nullable=False),
    sa.Column('base_state', sa.String(length=80), nullable=False),
    sa.Column('proposed_by', sa.Uuid(), nullable=True),
    sa.Column('proposed_at', passport.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', passport.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'withdrawn')", name=op.f('ck_listing_changes_status')),
    sa.ForeignKeyConstraint(['decided_by'], ['accounts.id'], name=op.f('fk_listing_changes_decided_by_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by'], ['accounts.id'], name=op.f('fk_listing_changes_proposed_by_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_listing_changes_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_changes'))
    )
    op.create_index(op.f('ix_listing_changes_service_id'), 'listing_changes', ['service_id'], unique=False)
    op.create_index('ix_listing_changes_status', 'listing_changes', ['status', 'proposed_at'], unique=False)
    op.create_index('ix_listing_changes_one_pending', 'listing_changes', ['service_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
    op.create_table('listing_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('at', passport.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.CheckConstraint("kind IN ('capacity', 'checked', 'approved', 'rejected')", name=op.f('ck_listing_events_kind')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_listing_events_account_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_listing_events_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_events'))
    )
    op.create_index('ix_listing_events_service', 'listing_events', ['service_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_listing_events_service', table_name='listing_events')
    op.drop_table('listing_events')
    op.drop_index('ix_listing_changes_one_pending', table_name='listing_changes')
    op.drop_index('ix_listing_changes_status', table_name='listing_changes')
    op.drop_index(op.f('ix_listing_changes_service_id'), table_name='listing_changes')
    op.drop_table('listing_changes')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('checked_on')
        batch_op.drop_column('listing_version')
