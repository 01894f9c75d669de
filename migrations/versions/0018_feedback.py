"""feedback after a completed referral

The resident's own answer sealed on the referral (referrals.feedback_sealed), and the
organisation's copy in `feedback`: the organisation, the month and the score in plain, the
words sealed under the organisation's key, and no referral, passport or day.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 17:15:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('words_sealed', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_feedback_score')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation_keys.organisation_id'], name=op.f('fk_feedback_organisation_id_organisation_keys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    op.create_index('ix_feedback_organisation_month', 'feedback', ['organisation_id', 'month'], unique=False)
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feedback_sealed', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('feedback_sealed')
    op.drop_index('ix_feedback_organisation_month', table_name='feedback')
    op.drop_table('feedback')
