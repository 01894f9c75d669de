"""notifications: texts, in-app notices and retries

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 17:00:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
