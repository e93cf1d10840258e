"""PostgreSQL: the audit event's data as JSONB (queryable); SQLite keeps TEXT.

The chain hashes the canonical text; models.tables.ChainedJSON reads JSONB back as that
text, so the same events verify the same way on both databases.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "audit_event",
            "data",
            type_=postgresql.JSONB(),
            existing_type=sa.Text(),
            existing_nullable=False,
            postgresql_using="data::jsonb",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "audit_event",
            "data",
            type_=sa.Text(),
            existing_type=postgresql.JSONB(),
            existing_nullable=False,
            postgresql_using="data::text",
        )
