"""recovery codes and session limits

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 21:35:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
