"""passport ownership

A passport may be held for someone, with no owner yet, until they claim it: account_id
becomes nullable and claimed_at says when the owner took it (at sign-up for every passport
made so far). Consents record that someone else may act on a passport, and until when.
See docs/adr/0013-who-owns-a-passport.md.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 12:40:00.000000
"""

from alembic import op
import sqlalchemy as sa
import passport.database


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('passports', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('claimed_at', passport.database.UTCDateTime(timezone=True), nullable=True)
        )
    # Every passport so far was made by its owner when they signed up.
    op.execute('UPDATE passports SET claimed_at = created_at')
    with op.batch_alter_table('passports', schema=None) as batch_op:
        batch_op.alter_column('account_id', existing_type=sa.Uuid(), nullable=True)
        batch_op.create_check_constraint(
            op.f('ck_passports_owned_once_claimed'),
            '(account_id IS NULL) = (claimed_at IS NULL)',
        )

    op.create_table('consents',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('details_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', passport.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', passport.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', passport.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], name=op.f('fk_consents_passport_id_passports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_passport_id'), ['passport_id'], unique=False)


def downgrade() -> None:
    held = op.get_bind().scalar(sa.text('SELECT COUNT(*) FROM passports WHERE account_id IS NULL'))
    if held:
        # Before this revision a passport could not exist without its owner.
        raise RuntimeError(
            f'{held} passports are held for people who have not claimed them yet; '
            'a downgrade would have to delete them.'
        )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_passport_id'))

    op.drop_table('consents')
    with op.batch_alter_table('passports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_passports_owned_once_claimed'), type_='check')
        batch_op.alter_column('account_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column('claimed_at')
