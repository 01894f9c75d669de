"""staff accounts, memberships with roles, invitations and organisation data keys

Staff are accounts of their own kind (ADR 0026): `accounts.kind` ("resident" for every
row there is), and a staff row's own wrapped data key. Memberships give a role in an
organisation (or, with none, site-wide); invitations keep only their token's hash and the
address sealed under their own key; an organisation's data key is made on first need.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

ROLES = "role IN ('admin', 'staff', 'volunteer', 'directory-admin', 'commissioner')"


def upgrade() -> None:
    op.add_column('accounts', sa.Column('kind', sa.String(length=20), server_default='resident', nullable=False))
    op.add_column('accounts', sa.Column('kek_id', sa.String(length=16), nullable=True))
    op.add_column('accounts', sa.Column('wrapped_key', sa.LargeBinary(), nullable=True))
    op.create_table('staff_memberships',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(ROLES, name=op.f('ck_staff_memberships_role')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_staff_memberships_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_staff_memberships_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_memberships')),
    sa.UniqueConstraint('account_id', 'organisation_id', name=op.f('uq_staff_memberships_account_id'))
    )
    op.create_index(op.f('ix_staff_memberships_account_id'), 'staff_memberships', ['account_id'], unique=False)
    op.create_index(op.f('ix_staff_memberships_organisation_id'), 'staff_memberships', ['organisation_id'], unique=False)
    op.create_table('staff_invitations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kek_id', sa.String(length=16), nullable=False),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=True),
    sa.Column('email_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('organisation_id', sa.Uuid(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by', sa.Uuid(), nullable=True),
    sa.CheckConstraint(ROLES, name=op.f('ck_staff_invitations_role')),
    sa.ForeignKeyConstraint(['accepted_by'], ['accounts.id'], name=op.f('fk_staff_invitations_accepted_by_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by'], ['accounts.id'], name=op.f('fk_staff_invitations_invited_by_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_staff_invitations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_invitations_token_hash'))
    )
    op.create_index(op.f('ix_staff_invitations_organisation_id'), 'staff_invitations', ['organisation_id'], unique=False)
    op.create_table('organisation_keys',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('kek_id', sa.String(length=16), nullable=False),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_keys_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_organisation_keys'))
    )


def downgrade() -> None:
    op.drop_table('organisation_keys')
    op.drop_index(op.f('ix_staff_invitations_organisation_id'), table_name='staff_invitations')
    op.drop_table('staff_invitations')
    op.drop_index(op.f('ix_staff_memberships_organisation_id'), table_name='staff_memberships')
    op.drop_index(op.f('ix_staff_memberships_account_id'), table_name='staff_memberships')
    op.drop_table('staff_memberships')
    # Staff rows go first: a resident table has no staff in it.
    op.execute("DELETE FROM accounts WHERE kind = 'staff'")
    with op.batch_alter_table('accounts') as batch_op:
        batch_op.drop_column('wrapped_key')
        batch_op.drop_column('kek_id')
        batch_op.drop_column('kind')
