"""Users, their roles, scopes and passwords: add, list, grant, revoke, set a password
(administrator's work, or a user's own password; audited, never the password itself).

The first user of an installation must be an administrator with a password: adding them
ends single-user mode; from then on every action needs a signed-in user whose role and
scope allow it (workflow/usecases/access.py, sessions.py). Usernames are lower case, and
matched so wherever they are typed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from models import audit
from models.tables import AppUser, Organization
from workflow.domain.errors import BadInput
from workflow.domain.vocabulary import OrgKind, Role
from workflow.inputs.base import unprintable
from workflow.text.vntext import nfc
from workflow.usecases.access import Action, enforced
from workflow.usecases.context import Context
from workflow.usecases.organizations import CELLS, live_org, org_by_code
from workflow.usecases.passwords import check_policy, hash_password, password_matches
from workflow.usecases.sessions import end_sessions

SCOPED = frozenset({Role.chuyen_vien, Role.bi_thu, Role.cap_uy})


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise BadInput.one("Vai trò", f"'{value}' không hợp lệ; chọn: {', '.join(Role)}") from None


def _scope(s: Session, role: Role, org_code: str | None, today: date) -> Organization | None:
    if org_code is None:
        if role in SCOPED:
            raise BadInput.one("Tổ chức", f"bắt buộc với vai trò {role.label}")
        return None
    org = live_org(org_by_code(s, org_code), today, "Tổ chức")
    if role is Role.bi_thu and OrgKind(org.kind) not in CELLS:
        raise BadInput.one(
            "Tổ chức", f"bí thư chi bộ phải thuộc một chi bộ ('{org.name}' thì không)"
        )
    return org


def _user(s: Session, username: str) -> AppUser:
    user = s.get(AppUser, username.strip().lower())
    if user is None:
        raise BadInput.one("Tên đăng nhập", f"không có người dùng '{username}'")
    return user


def _audit(s: Session, ctx: Context, event: str, data: dict[str, Any]) -> None:
    audit.append(s, at=ctx.clock.now(), actor=ctx.actor, kind="admin", event=event, data=data)


def add_user(
    ctx: Context,
    username: str,
    full_name: str,
    role: str,
    org_code: str | None = None,
    *,
    password: str,
) -> dict[str, Any]:
    name = username.strip().lower()
    with ctx.write() as s:
        if enforced(s):
            ctx.allow(s, Action.admin)  # before anything is answered, even "already exists"
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{1,79}", name):
            raise BadInput.one("Tên đăng nhập", "chỉ gồm chữ không dấu, số, dấu chấm, gạch")
        shown = nfc(full_name).strip()
        if len(shown) < 2:
            raise BadInput.one("Họ tên", "phải có ít nhất 2 ký tự")
        if len(shown) > 120:
            raise BadInput.one("Họ tên", f"dài quá 120 ký tự (nhận được {len(shown)})")
        hidden = unprintable(shown)
        if hidden is not None:  # zero-width, direction marks, controls: never in a name
            raise BadInput.one("Họ tên", f"có ký tự không in được ở vị trí {hidden}")
        r = _role(role)
        if not enforced(s) and r is not Role.quan_tri:
            raise BadInput.one("Vai trò", "người dùng đầu tiên phải là quản trị (quan_tri)")
        check_policy(password, name, full_name)
        if s.get(AppUser, name) is not None:
            raise BadInput.one("Tên đăng nhập", f"'{name}' đã có")
        org = _scope(s, r, org_code, ctx.today())
        user = AppUser(
            username=name,
            full_name=nfc(full_name).strip(),
            role=r.value,
            org_id=org.id if org else None,
            created_by=ctx.actor,
            created_at=ctx.clock.now(),
            password_hash=hash_password(password),
            password_set_at=ctx.clock.now(),
        )
        s.add(user)
        s.flush()
        _audit(s, ctx, "them_nguoi_dung", {"user": name, "role": r.value, "org": org_code})
    return {"username": name, "role": r.value, "org": org.code if org else None}


def grant(ctx: Context, username: str, role: str, org_code: str | None = None) -> dict[str, Any]:
    r = _role(role)
    with ctx.write() as s:
        ctx.allow(s, Action.admin)
        user = _user(s, username)
        org = _scope(s, r, org_code, ctx.today())
        previous = {"role": user.role, "org_id": user.org_id, "active": user.active}
        user.role, user.org_id, user.active = r.value, org.id if org else None, True
        s.add(user)
        end_sessions(s, user.username, ctx.clock.now(), "doi_vai_tro")
        _audit(
            s,
            ctx,
            "cap_quyen",
            {"user": user.username, "role": r.value, "org": org_code, "previous": previous},
        )
    return {"username": user.username, "role": r.value, "org": org.code if org else None}


def revoke(ctx: Context, username: str) -> dict[str, Any]:
    with ctx.write() as s:
        ctx.allow(s, Action.admin)
        user = _user(s, username)
        if user.username == ctx.actor:
            raise BadInput.one("Tên đăng nhập", "không thể tự thu hồi quyền của chính mình")
        user.active = False
        s.add(user)
        end_sessions(s, user.username, ctx.clock.now(), "thu_hoi_quyen")
        _audit(s, ctx, "thu_hoi_quyen", {"user": user.username})
    return {"username": user.username, "active": False}


def list_users(ctx: Context) -> list[dict[str, Any]]:
    with ctx.read() as s:
        if enforced(s):
            ctx.allow(s, Action.admin)
        rows = s.exec(
            select(AppUser, Organization)
            .outerjoin(Organization, col(Organization.id) == col(AppUser.org_id))
            .order_by(col(AppUser.username))
        ).all()
    return [
        {
            "username": u.username,
            "full_name": u.full_name,
            "role": u.role,
            "role_label": Role(u.role).label,
            "org": o.code if o else None,
            "active": u.active,
            "has_password": u.password_hash is not None,
        }
        for u, o in rows
    ]


def set_password(
    ctx: Context, username: str, new: str, *, current: str | None = None
) -> dict[str, Any]:
    """A user's own password (the current one must match), or an administrator's reset of
    another user's; every other session of that user ends. Before any user has a password
    (an installation from before passwords), an administrator's first one may be set
    without a session: the bootstrap, audited."""
    name = username.strip().lower()
    now = ctx.clock.now()
    with ctx.write() as s:
        bootstrap = (
            s.exec(select(AppUser.username).where(col(AppUser.password_hash).is_not(None))).first()
            is None
        )
        own = name == ctx.actor.strip().lower()
        if not (bootstrap or own):
            ctx.allow(s, Action.admin)
        user = _user(s, name)
        if bootstrap and not own and user.role != Role.quan_tri.value:
            raise BadInput.one("Tên đăng nhập", "mật khẩu đầu tiên phải là của một quản trị viên")
        if own and not bootstrap:
            if current is None or not password_matches(user.password_hash, current):
                raise BadInput.one("Mật khẩu hiện tại", "không đúng")
        check_policy(new, user.username, user.full_name)
        if current is not None and new == current:
            raise BadInput.one("Mật khẩu mới", "phải khác mật khẩu hiện tại")
        user.password_hash, user.password_set_at = hash_password(new), now
        s.add(user)
        ended = end_sessions(s, user.username, now, "doi_mat_khau")
        _audit(s, ctx, "doi_mat_khau", {"user": user.username, "sessions_ended": ended})
    return {"username": user.username, "sessions_ended": ended}
