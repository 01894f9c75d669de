"""chasers: reminders and escalations for referrals nobody opened

referral_chasers keeps one row per referral and stage (reminder, escalation), made in the
same transaction as the messages the stage sends: a unique (referral_id, stage) means no
stage is sent twice, however often or however many at once `passport jobs run` runs. It
names no service or organisation (ADR 0001). See docs/adr/0027-chasers-on-working-days.md.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 17:15:00.000000
"""

import sqlalchemy as sa
from alembic import op

import passport.database

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referral_chasers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('at', passport.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stage IN ('reminder', 'escalation')", name=op.f('ck_referral_chasers_stage')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_chasers_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_chasers')),
    sa.UniqueConstraint('referral_id', 'stage', name=op.f('uq_referral_chasers_referral_id'))
    )


def downgrade() -> None:
    op.drop_table('referral_chasers')
