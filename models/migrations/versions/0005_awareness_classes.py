"""Awareness classes, their learners, and the class a certificate came from.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "awareness_class",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organizer", sa.String(length=200), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "class_learner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"]),
        sa.ForeignKeyConstraint(["class_id"], ["awareness_class.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("class_id", "candidate_id", name="uq_class_learner"),
    )
    with op.batch_alter_table("class_learner") as batch:
        batch.create_index("ix_class_learner_class_id", ["class_id"], unique=False)
        batch.create_index("ix_class_learner_candidate_id", ["candidate_id"], unique=False)
    with op.batch_alter_table("certificate") as batch:
        batch.add_column(sa.Column("class_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_certificate_class_id", "awareness_class", ["class_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("certificate") as batch:
        batch.drop_constraint("fk_certificate_class_id", type_="foreignkey")
        batch.drop_column("class_id")
    op.drop_table("class_learner")
    op.drop_table("awareness_class")
