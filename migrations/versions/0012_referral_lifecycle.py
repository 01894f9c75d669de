"""the referral lifecycle on FHIR Task statuses, reasons and outcomes, and messages

The CHECK on referral statuses takes in in_progress, on_hold and completed; each timeline
step says who made it (resident, organisation or system) and may carry a sealed note (a
reason or an outcome); and a referral gains sealed messages both ways.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import passport.database

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# As passport.referrals.lifecycle.Status had them before and at this revision.
BEFORE = ('draft', 'sent', 'opened', 'accepted', 'declined', 'withdrawn')
STATUSES = (
    'draft', 'sent', 'opened', 'accepted', 'declined',
    'in_progress', 'on_hold', 'completed', 'withdrawn',
)


def upgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_referrals_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_referrals_status'), sa.column('status').in_(STATUSES)
        )

    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('note_sealed', sa.LargeBinary(), nullable=True))
    # Who made the steps already taken: the resident sent and withdrew, the organisation
    # opened, accepted and declined.
    op.execute(
        "UPDATE referral_events SET actor = CASE WHEN status IN ('sent', 'withdrawn', 'draft') "
        "THEN 'resident' ELSE 'organisation' END"
    )
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.alter_column('actor', existing_type=sa.String(length=20), nullable=False)

    op.create_table('referral_messages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('sender', sa.String(length=20), nullable=False),
    sa.Column('body_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('at', passport.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], name=op.f('fk_referral_messages_passport_id_passports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_messages_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_messages'))
    )
    with op.batch_alter_table('referral_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_messages_passport_id'), ['passport_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_messages_referral_id'), ['referral_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('referral_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_messages_referral_id'))
        batch_op.drop_index(batch_op.f('ix_referral_messages_passport_id'))
    op.drop_table('referral_messages')

    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.drop_column('note_sealed')
        batch_op.drop_column('actor')

    # The older lifecycle knew no work after accepting: such referrals read as accepted.
    op.execute(
        "UPDATE referrals SET status = 'accepted' "
        "WHERE status IN ('in_progress', 'on_hold', 'completed')"
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_referrals_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_referrals_status'), sa.column('status').in_(BEFORE)
        )
