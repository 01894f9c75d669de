"""eligibility questions a service asks before a referral

A service's own yes/no questions (its ages and area come from its HSDS data); a resident's
answers, sealed under the passport's key; the note an organisation reads with a referral sent
on a borderline answer, sealed the same way (ADR on eligibility questions).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import passport.database

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eligibility_questions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("meaning", sa.String(length=300), nullable=False),
        sa.Column("if_no", sa.String(length=20), nullable=False),
        sa.Column("created_at", passport.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "if_no IN ('not-eligible', 'borderline')",
            name=op.f("ck_eligibility_questions_if_no"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_eligibility_questions_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_questions")),
    )
    with op.batch_alter_table("eligibility_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eligibility_questions_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "eligibility_answers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("passport_id", sa.Uuid(), nullable=False),
        sa.Column("answers_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", passport.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["passport_id"],
            ["passports.id"],
            name=op.f("fk_eligibility_answers_passport_id_passports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_answers")),
        sa.UniqueConstraint("passport_id", name=op.f("uq_eligibility_answers_passport_id")),
    )

    op.create_table(
        "eligibility_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("passport_id", sa.Uuid(), nullable=False),
        sa.Column("note_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", passport.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["passport_id"],
            ["passports.id"],
            name=op.f("fk_eligibility_notes_passport_id_passports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_eligibility_notes_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_notes")),
        sa.UniqueConstraint("referral_id", name=op.f("uq_eligibility_notes_referral_id")),
    )
    with op.batch_alter_table("eligibility_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eligibility_notes_passport_id"), ["passport_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("eligibility_notes")
    op.drop_table("eligibility_answers")
    with op.batch_alter_table("eligibility_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eligibility_questions_service_id"))
    op.drop_table("eligibility_questions")
