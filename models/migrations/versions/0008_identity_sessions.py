"""Who is acting: password hashes on the users, sign-in throttling, sessions as rows
(shared by several servers, ended by an administrator), the installation's rehearsal mark,
the channel and client address of every audit event, and the persons' sort key (lists
paged in Vietnamese order by the database).

The sort key of the persons already recorded is filled by `ketnap init` (the Vietnamese
order is the text helpers' rule, which a migration does not import).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("password_set_at", sa.String(length=32), nullable=True))
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("last_seen_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("ended_at", sa.String(length=32), nullable=True),
        sa.Column("end_reason", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["username"], ["app_user.username"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash", name="uq_user_session_token"),
    )
    op.create_index("ix_user_session_username", "user_session", ["username"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("window_start", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "installation",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("client", sa.String(length=64), nullable=True))
    with op.batch_alter_table("candidate") as batch:
        batch.add_column(sa.Column("sort_key", sa.String(length=2000), nullable=True))
    op.create_index("ix_candidate_sort_key", "candidate", ["sort_key"])


def downgrade() -> None:
    op.drop_index("ix_candidate_sort_key", table_name="candidate")
    with op.batch_alter_table("candidate") as batch:
        batch.drop_column("sort_key")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("client")
        batch.drop_column("channel")
    op.drop_table("installation")
    op.drop_table("login_throttle")
    op.drop_index("ix_user_session_username", table_name="user_session")
    op.drop_table("user_session")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("password_set_at")
        batch.drop_column("password_hash")
