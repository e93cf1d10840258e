"""Initial schema: organizations, candidates, dossiers and their facts, the audit chain,
calendar and rule overrides.
Revision ID: 0001
Revises:
Create Date: 2026-11-25 00:25:22.614272
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("from_stage", sa.String(length=20), nullable=True),
        sa.Column("to_stage", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("rule_set_id", sa.String(length=60), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hash", name="uq_audit_event_hash"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "calendar_override",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.Column("set_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("sector", sa.String(length=30), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("has_doan", sa.Boolean(), nullable=False),
        sa.Column("has_cong_doan", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organization.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organization_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_organization_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "rule_override",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.Column("set_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("name_key", sa.String(length=120), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=5), nullable=False),
        sa.Column("ethnicity", sa.String(length=40), nullable=False),
        sa.Column("religion", sa.String(length=40), nullable=False),
        sa.Column("cccd", sa.String(length=12), nullable=False),
        sa.Column("education", sa.String(length=20), nullable=False),
        sa.Column("edu_exception", sa.String(length=20), nullable=False),
        sa.Column("occupation", sa.String(length=30), nullable=False),
        sa.Column("doan_member", sa.Boolean(), nullable=False),
        sa.Column("cong_doan_member", sa.Boolean(), nullable=False),
        sa.Column("residence", sa.String(length=200), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organization.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cccd"),
    )
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidate_org_id"), ["org_id"], unique=False)

    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidate.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "dossier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rule_set_id", sa.String(length=60), nullable=True),
        sa.Column("returned_reason", sa.Text(), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.Column("party_joined_on", sa.Date(), nullable=True),
        sa.Column("official_effective_on", sa.Date(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organization.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index("ix_dossier_org_stage", ["org_id", "stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossier_stage"), ["stage"], unique=False)

    op.create_table(
        "ceremony",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dossier_id"),
    )
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("approve", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("form", sa.String(length=10), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "introducer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("months_together", sa.Integer(), nullable=False),
        sa.Column("introduced_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("introducer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_introducer_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "prior_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=False),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("readmitted_before", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dossier_id"),
    )
    op.create_table(
        "relative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("party_member", sa.Boolean(), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("relative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_relative_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "resolution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("official_members", sa.Integer(), nullable=False),
        sa.Column("probationary_members", sa.Integer(), nullable=False),
        sa.Column("exempted", sa.Integer(), nullable=False),
        sa.Column("agree", sa.Integer(), nullable=False),
        sa.Column("against", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("resolution", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resolution_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("certified_on", sa.Date(), nullable=False),
        sa.Column("certified_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("verification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_dossier_id"), ["dossier_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("verification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_dossier_id"))

    op.drop_table("verification")
    with op.batch_alter_table("resolution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resolution_dossier_id"))

    op.drop_table("resolution")
    with op.batch_alter_table("relative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relative_dossier_id"))

    op.drop_table("relative")
    op.drop_table("prior_membership")
    with op.batch_alter_table("introducer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_introducer_dossier_id"))

    op.drop_table("introducer")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_dossier_id"))

    op.drop_table("document")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_dossier_id"))

    op.drop_table("decision")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_dossier_id"))

    op.drop_table("consent")
    op.drop_table("ceremony")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_stage"))
        batch_op.drop_index("ix_dossier_org_stage")
        batch_op.drop_index(batch_op.f("ix_dossier_candidate_id"))

    op.drop_table("dossier")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_candidate_id"))

    op.drop_table("certificate")
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_org_id"))
        batch_op.drop_index(batch_op.f("ix_candidate_name_key"))

    op.drop_table("candidate")
    op.drop_table("rule_override")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_parent_id"))
        batch_op.drop_index(batch_op.f("ix_organization_name_key"))

    op.drop_table("organization")
    op.drop_table("calendar_override")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_dossier_id"))

    op.drop_table("audit_event")
