"""the organisation's inbox: entries sealed under the organisation's key

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 17:15:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
