"""referral status and names

A CHECK constraint keeps out any referral status the lifecycle does not know, and two
sealed columns keep the service's and organisation's names as they were when the
referral was made.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:16:32.982459
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# As passport.referrals.lifecycle.Status had them at this revision.
STATUSES = ('draft', 'sent', 'opened', 'accepted', 'declined', 'withdrawn')


def upgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_name_sealed', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('organisation_name_sealed', sa.LargeBinary(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_referrals_status'), sa.column('status').in_(STATUSES)
        )


def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_referrals_status'), type_='check')
        batch_op.drop_column('organisation_name_sealed')
        batch_op.drop_column('service_name_sealed')
