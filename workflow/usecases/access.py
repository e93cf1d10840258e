"""Who may do what, checked in the service layer (the CLI and a web page get the same).

Every user has one role and, except the administrator, the organization the role covers;
the scope is that organization and everything under it. An installation with no users yet
runs in single-user mode (a new install, a rehearsal): everything is allowed and the actor
is whatever name is given. Once the first user exists, every action needs an active user
whose role permits it, inside their scope; a refused action raises Forbidden, and the
refusal itself is written to the audit log (Context does that after the rollback).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from models.tables import AppUser, Organization
from workflow.domain.errors import Forbidden
from workflow.domain.vocabulary import Role
from workflow.usecases.tracking import OrgTree, ancestors


class Action(StrEnum):
    read = "read"  # dossiers, lists, reports, timelines, as-of views
    add_candidate = "add_candidate"
    record = "record"  # the chi bộ's own facts: papers, introducers, its votes, the ceremony
    decide = "decide"  # the committee's facts: decisions, consents, verifications, its votes
    advance = "advance"
    plan = "plan"  # targets, plans and reports sent, reminders marked done
    admin = "admin"  # users, organizations, rule and calendar overrides, cycle and policies
    export = "export"  # inspection bundles
    scan = "scan"  # the reminder scan and e-mail delivery
    conclude = "conclude"  # a finding closed with its conclusion (inspector, administrator)


LABELS = {
    Action.read: "xem",
    Action.add_candidate: "thêm quần chúng",
    Action.record: "ghi nhận giấy tờ, biểu quyết của chi bộ",
    Action.decide: "ghi quyết định, văn bản của cấp ủy",
    Action.advance: "chuyển bước hồ sơ",
    Action.plan: "ghi chỉ tiêu, kế hoạch, báo cáo",
    Action.admin: "quản trị",
    Action.export: "xuất gói kiểm tra",
    Action.scan: "quét nhắc việc",
    Action.conclude: "kết luận phát hiện",
}

PERMITS: dict[Role, frozenset[Action]] = {
    Role.chuyen_vien: frozenset(
        {
            Action.read,
            Action.add_candidate,
            Action.record,
            Action.decide,
            Action.advance,
            Action.plan,
            Action.scan,
        }
    ),
    Role.bi_thu: frozenset({Action.read, Action.add_candidate, Action.record}),
    Role.cap_uy: frozenset({Action.read, Action.decide, Action.advance}),
    Role.kiem_tra: frozenset({Action.read, Action.export, Action.conclude}),
    Role.quan_tri: frozenset(
        {Action.read, Action.admin, Action.plan, Action.scan, Action.export, Action.conclude}
    ),
}


def first_permitted(s: Session, actor: str, actions: tuple[Action, ...]) -> Action:
    """The first of ``actions`` the actor's role allows (the first one when none is: then
    checking it refuses, audited): what a command doing one of several things checks
    before it reads what was given to it."""
    user = s.get(AppUser, actor.strip().lower()) if enforced(s) else None
    if user is not None and user.active:
        for action in actions:
            if action in PERMITS[Role(user.role)]:
                return action
    return actions[0]


def permits(role: Role, action: Action) -> bool:
    """Whether ``role`` may do ``action`` at all (a page shows or hides its buttons by it;
    the use case still checks role and scope)."""
    return action in PERMITS[role]


_ANY_USER = sa_select(col(AppUser.username)).limit(1)


def enforced(s: Session) -> bool:
    """Users exist: every action is checked (asked in every unit of work, hence plain)."""
    return s.connection().execute(_ANY_USER).first() is not None


def authorize(s: Session, actor: str, action: Action, org_id: int | None = None) -> AppUser | None:
    """The acting user when the action is allowed (None in single-user mode); else raise
    Forbidden with a Vietnamese message saying why."""
    if not enforced(s):
        return None
    user = s.get(AppUser, actor.strip().lower())
    if user is None or not user.active:
        raise Forbidden(f"'{actor}' chưa được cấp quyền sử dụng hệ thống.", action, org_id)
    role = Role(user.role)
    if action not in PERMITS[role]:
        raise Forbidden(f"Vai trò {role.label} không được {LABELS[action]}.", action, org_id)
    if org_id is not None and not in_scope(s, user, org_id):
        raise Forbidden(
            f"Tổ chức này ngoài phạm vi của {user.full_name} ({role.label}).", action, org_id
        )
    return user


def in_scope(s: Session, user: AppUser, org_id: int) -> bool:
    return user.org_id is None or user.org_id in ancestors(s, org_id)


def scope_ids(s: Session, actor: str) -> set[int] | None:
    """The organizations the actor may see (None: all of them)."""
    if not enforced(s):
        return None
    user = s.get(AppUser, actor.strip().lower())
    if user is None or not user.active or user.org_id is None:
        return None if user is not None and user.active else set()
    return OrgTree.of(s).subtree(user.org_id)


def home_org(s: Session, actor: str) -> Organization | None:
    """The organization a scoped user's role covers (None: unscoped, or single-user mode)."""
    if not enforced(s):
        return None
    user = s.get(AppUser, actor.strip().lower())
    if user is None or user.org_id is None:
        return None
    return s.get(Organization, user.org_id)
