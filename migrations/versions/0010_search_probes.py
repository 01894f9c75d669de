"""search probes: covering indexes for open now and for the services in a distance box

A search with "open now" probes each candidate's weekly openings, and a distance box reads
the services at each place in it. Both read table rows for every candidate without these
indexes; with them, the index alone answers (see passport/directory/search.py).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 15:20:00.000000
"""

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_search_opening_times_open',
        'opening_times',
        ['service_id', 'weekday', 'opens', 'closes'],
        unique=False,
    )
    op.create_index(
        'ix_search_service_at_locations_place',
        'service_at_locations',
        ['location_id', 'service_id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_search_service_at_locations_place', table_name='service_at_locations')
    op.drop_index('ix_search_opening_times_open', table_name='opening_times')
