"""consent receipts for every grant and change

A share grant keeps why it was made (sealed) and a version that each change moves on by one
compare-and-set; each making or change of a grant writes one consent receipt, sealed under the
passport's key (ADR 0024).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import passport.database

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("share_grants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose_sealed", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    op.create_table(
        "consent_receipts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("passport_id", sa.Uuid(), nullable=False),
        sa.Column("grant_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("at", passport.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("record_sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["share_grants.id"],
            name=op.f("fk_consent_receipts_grant_id_share_grants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["passport_id"],
            ["passports.id"],
            name=op.f("fk_consent_receipts_passport_id_passports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_receipts")),
        sa.UniqueConstraint("grant_id", "version", name=op.f("uq_consent_receipts_grant_id")),
    )
    with op.batch_alter_table("consent_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_receipts_grant_id"), ["grant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consent_receipts_passport_id"), ["passport_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("consent_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_receipts_passport_id"))
        batch_op.drop_index(batch_op.f("ix_consent_receipts_grant_id"))
    op.drop_table("consent_receipts")
    with op.batch_alter_table("share_grants", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("purpose_sealed")
