"""recovery codes and session limits

`recovery_codes`: a resident's ten single-use recovery codes, each kept only as a keyed
hash (ADR 0030). The session limits need no table: they ride in the sealed session cookie.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 21:35:00.000000
"""

import sqlalchemy as sa
from alembic import op

import passport.database

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recovery_codes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', passport.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', passport.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_recovery_codes_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_codes_code_hash'))
    )
    op.create_index(op.f('ix_recovery_codes_account_id'), 'recovery_codes', ['account_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_recovery_codes_account_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
