"""the organisation's inbox: entries sealed under the organisation's key

One row per referral sent to an organisation (ADR 0010): the organisation, its running
number and the day in plain; the referral and the service sealed under the organisation's
data key; the referral, status and service as keyed hashes under that key. Referrals sent
before this revision have no entry (their services and organisations are sealed under
the passports' keys, which a migration does not hold). An access event says whether the
organisation's staff saw the passport in its inbox (`by_staff`) or someone by a link.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 17:15:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox_entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('referral_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('service_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('referral_index', sa.String(length=64), nullable=False),
    sa.Column('status_index', sa.String(length=64), nullable=False),
    sa.Column('service_index', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation_keys.organisation_id'], name=op.f('fk_inbox_entries_organisation_id_organisation_keys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_entries')),
    sa.UniqueConstraint('organisation_id', 'seq', name=op.f('uq_inbox_entries_organisation_id')),
    sa.UniqueConstraint('referral_index', name=op.f('uq_inbox_entries_referral_index'))
    )
    op.create_index('ix_inbox_entries_status', 'inbox_entries', ['organisation_id', 'status_index', 'seq'], unique=False)
    op.create_index('ix_inbox_entries_service', 'inbox_entries', ['organisation_id', 'service_index', 'seq'], unique=False)
    # A look by the organisation's staff (its inbox) rather than through a share link.
    op.add_column('access_events', sa.Column('by_staff', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('access_events') as batch:
        batch.drop_column('by_staff')
    op.drop_index('ix_inbox_entries_service', table_name='inbox_entries')
    op.drop_index('ix_inbox_entries_status', table_name='inbox_entries')
    op.drop_table('inbox_entries')
