"""hash-chained audit trail: the access log, one chain per passport

Each access event becomes an entry of its passport's chain (ADR 0031): its place (`seq`),
the visit it belongs to (`look_id`: until now a visit was one row, so its own id) and
`chain_hash`, SHA-256 of the previous entry's hash and the entry's bytes (every stored
field and its sealed sections, never opened). `audit_chains` holds each chain's head.
Existing events are chained here, in the order they happened: the hash needs no key, so
the upgrade leaves no event outside a chain and nothing to run afterwards.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 21:35:00.000000
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from passport import crypto
from passport.database import UTCDateTime

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None



def _micros(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def upgrade() -> None:
    op.create_table('audit_chains',
    sa.Column('passport_id', sa.Uuid(), nullable=False),
    sa.Column('length', sa.Integer(), server_default='0', nullable=False),
    sa.Column('head', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], name=op.f('fk_audit_chains_passport_id_passports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('passport_id', name=op.f('pk_audit_chains'))
    )
    with op.batch_alter_table('access_events') as batch:
        batch.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('look_id', sa.Uuid(), nullable=True))
        batch.add_column(sa.Column('chain_hash', sa.LargeBinary(), nullable=True))

    events = sa.table(
        'access_events',
        sa.column('id', sa.Uuid()),
        sa.column('passport_id', sa.Uuid()),
        sa.column('grant_id', sa.Uuid()),
        sa.column('by_staff', sa.Boolean()),
        sa.column('at', UTCDateTime()),
        sa.column('sections_sealed', sa.LargeBinary()),
        sa.column('seq', sa.Integer()),
        sa.column('look_id', sa.Uuid()),
        sa.column('chain_hash', sa.LargeBinary()),
    )
    chains = sa.table(
        'audit_chains',
        sa.column('passport_id', sa.Uuid()),
        sa.column('length', sa.Integer()),
        sa.column('head', sa.LargeBinary()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(events).order_by(events.c.passport_id, events.c.at, events.c.id)
    ).all()
    passport, seq, head = None, 0, crypto.CHAIN_START
    heads = []
    for row in rows:
        if row.passport_id != passport:
            if passport is not None:
                heads.append({'passport_id': passport, 'length': seq, 'head': head})
            passport, seq, head = row.passport_id, 0, crypto.CHAIN_START
        seq += 1
        entry = crypto.audit_entry_bytes(
            passport_id=row.passport_id.bytes,
            seq=seq,
            entry_id=row.id.bytes,
            look_id=row.id.bytes,  # one row per visit until now
            grant_id=row.grant_id.bytes,
            by_staff=bool(row.by_staff),
            at_microseconds=_micros(row.at),
            sealed=row.sections_sealed,
        )
        head = crypto.chain_link(head, entry)
        connection.execute(
            events.update()
            .where(events.c.id == row.id)
            .values(seq=seq, look_id=row.id, chain_hash=head)
        )
    if passport is not None:
        heads.append({'passport_id': passport, 'length': seq, 'head': head})
    if heads:
        connection.execute(chains.insert(), heads)

    with op.batch_alter_table('access_events') as batch:
        batch.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch.alter_column('look_id', existing_type=sa.Uuid(), nullable=False)
        batch.alter_column('chain_hash', existing_type=sa.LargeBinary(), nullable=False)
        batch.create_unique_constraint(batch.f('uq_access_events_passport_id'), ['passport_id', 'seq'])
        batch.create_index(batch.f('ix_access_events_look_id'), ['look_id'], unique=False)


def downgrade() -> None:
    # A visit's later entries (sections it showed after its first look) stay rows of their own.
    with op.batch_alter_table('access_events') as batch:
        batch.drop_index(batch.f('ix_access_events_look_id'))
        batch.drop_constraint(batch.f('uq_access_events_passport_id'), type_='unique')
        batch.drop_column('chain_hash')
        batch.drop_column('look_id')
        batch.drop_column('seq')
    op.drop_table('audit_chains')
