"""Index for the progress report: admissions by decision date and organization.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_dossier_joined_org", "dossier", ["party_joined_on", "org_id"])


def downgrade() -> None:
    op.drop_index("ix_dossier_joined_org", table_name="dossier")
