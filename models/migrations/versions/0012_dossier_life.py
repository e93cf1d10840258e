"""A dossier's life beyond the straight path (issue 18): organizations with valid dates,
successors and a formal heading; the admitting organization fixed on the dossier;
transfers, annulments, designations (L-NO-MEMBER) and findings; xóa tên's ground.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.String(length=32)


def upgrade() -> None:
    with op.batch_alter_table("organization") as batch:
        batch.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
        batch.add_column(sa.Column("heading_name", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("superior_heading", sa.String(length=300), nullable=True))
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("admitted_org_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("transferred_on", sa.Date(), nullable=True))
        batch.create_foreign_key(
            "fk_dossier_admitted_org", "organization", ["admitted_org_id"], ["id"]
        )
    # every admission so far was counted where its dossier is (nothing has moved yet)
    op.execute("UPDATE dossier SET admitted_org_id = org_id WHERE party_joined_on IS NOT NULL")
    op.create_index(
        "ix_dossier_joined_admitted", "dossier", ["party_joined_on", "admitted_org_id"]
    )
    with op.batch_alter_table("decision") as batch:
        batch.add_column(sa.Column("ground", sa.String(length=30), nullable=True))

    op.create_table(
        "org_succession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(length=60), nullable=False),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.Column("set_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["successor_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "successor_id", name="uq_org_succession"),
    )
    op.create_index("ix_org_succession_org_id", "org_succession", ["org_id"])
    op.create_index("ix_org_succession_successor_id", "org_succession", ["successor_id"])

    op.create_table(
        "transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("from_org_id", sa.Integer(), nullable=False),
        sa.Column("to_org_id", sa.Integer(), nullable=False),
        sa.Column("letter_number", sa.String(length=40), nullable=False),
        sa.Column("letter_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("redo", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sent_by", sa.String(length=80), nullable=False),
        sa.Column("sent_at", _TS, nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("received_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"]),
        sa.ForeignKeyConstraint(["from_org_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["to_org_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transfer_dossier_id", "transfer", ["dossier_id"])
    op.create_index("ix_transfer_to_org_id", "transfer", ["to_org_id"])

    op.create_table(
        "annulment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("by_org_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("previous_stage", sa.String(length=20), nullable=False),
        sa.Column("previous_joined_on", sa.Date(), nullable=True),
        sa.Column("previous_org_id", sa.Integer(), nullable=True),
        sa.Column("previous_profile", sa.Integer(), nullable=True),
        sa.Column("previous_official_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"]),
        sa.ForeignKeyConstraint(["by_org_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["previous_org_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_annulment_dossier_id", "annulment", ["dossier_id"])

    op.create_table(
        "designation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("chi_bo_id", sa.Integer(), nullable=False),
        sa.Column("by_org_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"]),
        sa.ForeignKeyConstraint(["chi_bo_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["by_org_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_designation_dossier_id", "designation", ["dossier_id"])

    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("rule_id", sa.String(length=20), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("cause_event", sa.Integer(), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("raised_by", sa.String(length=80), nullable=False),
        sa.Column("raised_at", _TS, nullable=False),
        sa.Column("closed_at", _TS, nullable=True),
        sa.Column("closed_by", sa.String(length=80), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_finding_dossier_id", "finding", ["dossier_id"])
    op.create_index("ix_finding_open", "finding", ["closed_at", "org_id"])


def downgrade() -> None:
    for name in ("finding", "designation", "annulment", "transfer", "org_succession"):
        op.drop_table(name)
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("ground")
    op.drop_index("ix_dossier_joined_admitted", table_name="dossier")
    with op.batch_alter_table("dossier") as batch:
        batch.drop_constraint("fk_dossier_admitted_org", type_="foreignkey")
        batch.drop_column("transferred_on")
        batch.drop_column("admitted_org_id")
    with op.batch_alter_table("organization") as batch:
        for column in ("superior_heading", "heading_name", "valid_to", "valid_from"):
            batch.drop_column(column)
