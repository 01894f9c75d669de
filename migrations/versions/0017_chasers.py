"""chasers: reminders and escalations for referrals nobody opened

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 17:15:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
