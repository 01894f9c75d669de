"""notifications: texts, in-app notices and retries

The outbox learns when to try a message again (next_attempt_at, after a wait that doubles),
when it was given up (failed_at) and whether it is an e-mail or a text (channel). Notices
are what a resident is told in the service itself; contact_preferences says whether they
want updates by e-mail or by text, and to which number (sealed). See
docs/adr/0023-notify-transport-and-retries.md.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import passport.database

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('channel', sa.String(length=10), server_default='email', nullable=False)
        )
        batch_op.add_column(
            sa.Column('next_attempt_at', passport.database.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column('failed_at', passport.database.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            'ix_outbox_waiting', ['sent_at', 'failed_at', 'next_attempt_at'], unique=False
        )
    # Given up under the old rule (five tries, content wiped): say so.
    op.execute(
        'UPDATE outbox SET failed_at = created_at '
        'WHERE sent_at IS NULL AND payload_sealed IS NULL'
    )

    op.create_table('notices',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('about_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', passport.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', passport.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], name=op.f('fk_notices_passport_id_passports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_unread', ['passport_id', 'read_at'], unique=False)

    op.create_table('contact_preferences',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('phone_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('updated_at', passport.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f('ck_contact_preferences_channel')),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], name=op.f('fk_contact_preferences_passport_id_passports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_preferences')),
    sa.UniqueConstraint('passport_id', name=op.f('uq_contact_preferences_passport_id'))
    )


def downgrade() -> None:
    op.drop_table('contact_preferences')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index('ix_notices_unread')
    op.drop_table('notices')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_waiting')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('channel')
