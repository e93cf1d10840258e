"""Reports: admissions by decision date and organization, the profile of who was admitted
(computed here for the admissions already recorded), overdue deadlines by due date.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from alembic import op
from workflow.domain.profile import admission_profile

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _day(value: object) -> date:
    """SQLite hands dates back as text in a raw query."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def upgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("admitted_profile", sa.Integer(), nullable=True))
    op.create_index("ix_dossier_joined_org", "dossier", ["party_joined_on", "org_id"])
    op.create_index("ix_deadline_due", "deadline", ["due"])
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT d.id, d.party_joined_on, c.doan_member, c.sex, c.ethnicity, c.religion,"
            " c.occupation, c.education, c.birth_date FROM dossier d"
            " JOIN candidate c ON c.id = d.candidate_id WHERE d.party_joined_on IS NOT NULL"
        )
    ).all()
    for row in rows:
        flags = admission_profile(
            doan_member=bool(row.doan_member),
            sex=row.sex,
            ethnicity=row.ethnicity,
            religion=row.religion,
            occupation=row.occupation,
            education=row.education,
            birth_date=_day(row.birth_date),
            admitted_on=_day(row.party_joined_on),
        )
        conn.execute(
            sa.text("UPDATE dossier SET admitted_profile = :p WHERE id = :i"),
            {"p": flags, "i": row.id},
        )


def downgrade() -> None:
    op.drop_index("ix_deadline_due", table_name="deadline")
    op.drop_index("ix_dossier_joined_org", table_name="dossier")
    with op.batch_alter_table("dossier") as batch:
        batch.drop_column("admitted_profile")
