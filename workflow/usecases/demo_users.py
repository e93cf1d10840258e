"""The demo's users: one per role, each with a random initial password that is shown once
(the demo is a rehearsal database; a real installation adds its users one by one)."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from workflow.usecases.context import Context
from workflow.usecases.users import add_user

# username, full name, role, organization (the province's clerk sees every dossier; the two
# committees' clerks each see only their own)
DEMO_USERS: tuple[tuple[str, str, str, str | None], ...] = (
    ("quantri", "Quản trị hệ thống", "quan_tri", None),
    ("cv_tinh", "Đỗ Thị Thu", "chuyen_vien", "TU-LD"),
    ("cv_duk", "Trần Thị Mai", "chuyen_vien", "DUK-CQ"),
    ("cv_bl", "Lê Văn Bình", "chuyen_vien", "DU-BL"),
    ("bt_vp", "Phạm Thị Hoa", "bi_thu", "CB-VP"),
    ("cu_duk", "Nguyễn Văn Quang", "cap_uy", "DUK-CQ"),
    ("ubkt", "Hoàng Văn Kiên", "kiem_tra", None),
)
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # nothing to misread


def _password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(14))


def add_demo_users(ctx: Context) -> list[dict[str, Any]]:
    """The demo's users with their initial passwords (to print once, never stored)."""
    made = []
    acting = ctx
    for username, name, role, org in DEMO_USERS:
        password = _password()
        add_user(acting, username, name, role, org, password=password)
        acting = replace(ctx, actor=DEMO_USERS[0][0])  # the administrator adds the others
        made.append({"username": username, "role": role, "org": org, "password": password})
    return made
