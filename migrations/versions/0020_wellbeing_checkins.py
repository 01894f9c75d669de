"""wellbeing check-ins (ONS4)

One row per check-in: its id and passport in plain; the four scores and the moment sealed
together under the passport's key (answers_sealed), so nothing of them is readable here.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 21:35:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wellbeing_checkins',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('answers_sealed', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], name=op.f('fk_wellbeing_checkins_passport_id_passports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wellbeing_checkins'))
    )
    with op.batch_alter_table('wellbeing_checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wellbeing_checkins_passport_id'), ['passport_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wellbeing_checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wellbeing_checkins_passport_id'))
    op.drop_table('wellbeing_checkins')
