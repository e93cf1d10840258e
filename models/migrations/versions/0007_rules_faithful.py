"""Rules faithful to the texts: relatives' sides and abroad confirmations (R-VERIFY), the
cleared record of a lesser crime (R-REJOIN), the ground of an over-60 consent (R-AGE-60),
base committees authorised to decide (R-VOTE-DU), and dated, scoped rule overrides.

The causes of leaving the Party are renamed where the rule set now names them
(an_tham_nhung → tham_nhung). An override made before this revision took effect on the
day it was set, for every rule set known then; overrides of numbers that are now locked
(the Charter's and the central regulation's) stay in the table, shown as not applied.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SETS_THEN = "QD29-2016,QD24-2021,HD01-2021,QD232-2025,QD294-2025"


def upgrade() -> None:
    with op.batch_alter_table("relative") as batch:
        batch.add_column(
            sa.Column("history_declared", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("abroad", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("confirmed_abroad_on", sa.Date(), nullable=True))
    with op.batch_alter_table("prior_membership") as batch:
        batch.add_column(sa.Column("record_cleared_on", sa.Date(), nullable=True))
    op.execute("UPDATE prior_membership SET cause = 'tham_nhung' WHERE cause = 'an_tham_nhung'")
    with op.batch_alter_table("consent") as batch:
        batch.add_column(sa.Column("ground", sa.String(length=30), nullable=True))
    with op.batch_alter_table("organization") as batch:
        batch.add_column(
            sa.Column("decides_admission", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "rule_override_dated",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("rule_sets", sa.String(length=400), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.Column("set_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    day = "substr(set_at, 1, 10)"  # the UTC day it was set (SQLite keeps dates as text)
    if op.get_bind().dialect.name == "postgresql":
        day = f"CAST({day} AS DATE)"
    op.execute(
        "INSERT INTO rule_override_dated (key, value, effective_from, rule_sets, reason, set_by,"
        f" set_at) SELECT key, value, {day}, '{_SETS_THEN}', reason, set_by, set_at"
        " FROM rule_override ORDER BY set_at"
    )
    op.drop_table("rule_override")
    op.rename_table("rule_override_dated", "rule_override")
    op.create_index("ix_rule_override_key", "rule_override", ["key"])


def downgrade() -> None:
    op.drop_index("ix_rule_override_key", table_name="rule_override")
    op.rename_table("rule_override", "rule_override_dated")
    op.create_table(
        "rule_override",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.Column("set_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.execute(
        "INSERT INTO rule_override (key, value, reason, set_by, set_at) SELECT key, value,"
        " reason, set_by, max(set_at) FROM rule_override_dated GROUP BY key, value, reason, set_by"
    )
    op.drop_table("rule_override_dated")
    with op.batch_alter_table("organization") as batch:
        batch.drop_column("decides_admission")
    with op.batch_alter_table("consent") as batch:
        batch.drop_column("ground")
    op.execute("UPDATE prior_membership SET cause = 'an_tham_nhung' WHERE cause = 'tham_nhung'")
    with op.batch_alter_table("prior_membership") as batch:
        batch.drop_column("record_cleared_on")
    with op.batch_alter_table("relative") as batch:
        batch.drop_column("confirmed_abroad_on")
        batch.drop_column("abroad")
        batch.drop_column("history_declared")
