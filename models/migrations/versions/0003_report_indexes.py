"""Reports: admissions by decision date and organization, the profile of who was admitted
(a column; `ketnap init` fills it for the admissions already recorded, from the domain's
rules, which a migration does not import), overdue deadlines by due date.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("admitted_profile", sa.Integer(), nullable=True))
    op.create_index("ix_dossier_joined_org", "dossier", ["party_joined_on", "org_id"])
    op.create_index("ix_deadline_due", "deadline", ["due"])


def downgrade() -> None:
    op.drop_index("ix_deadline_due", table_name="deadline")
    op.drop_index("ix_dossier_joined_org", table_name="dossier")
    with op.batch_alter_table("dossier") as batch:
        batch.drop_column("admitted_profile")
