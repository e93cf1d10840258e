"""Use cases of the planning cycle and the clerk's agenda: targets, plans and reports sent
up, cycle settings, reminder policies, contacts, the deadline list and the inbox.

Each public function is one unit of work, like those of ``workflow.service``; every write
is audited and moves the deadlines it touches in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import literal, or_
from sqlmodel import Session, col, select

from models import audit
from models.tables import (
    Candidate,
    Contact,
    Deadline,
    Dossier,
    Organization,
    Reminder,
    ReminderPolicy,
    Setting,
    Submission,
)
from workflow.domain.deadlines import Due
from workflow.domain.errors import BadInput
from workflow.domain.planning import SETTING_KEYS, parse_setting
from workflow.domain.reminders import KINDS, step_text
from workflow.domain.vocabulary import Role
from workflow.inputs.base import free_text, validate
from workflow.inputs.organization import ContactIn, PolicyIn, SubmissionIn
from workflow.text.vntext import fmt_date, name_sort_key
from workflow.usecases import recompute, tracking
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.context import Context, put_setting, replace_row
from workflow.usecases.dossiers import MAX_ID
from workflow.usecases.organizations import live_org, org_by_code


def _audit(
    s: Session, ctx: Context, event: str, data: dict[str, Any], reason: str | None = None
) -> None:
    audit.append(
        s, at=ctx.clock.now(), actor=ctx.actor, kind="admin", event=event, reason=reason, data=data
    )


def _resync_cycle(s: Session, ctx: Context, year: int, org_id: int | None = None) -> None:
    """Only this year's cycle is kept as deadlines (earlier years are history, later ones
    are made when their year comes)."""
    if year != ctx.today().year:
        return
    orgs = set(tracking.OrgTree.of(s).ancestors(org_id)) if org_id is not None else None
    tracking.sync_cycle(s, year, ctx.today(), ctx.clock.now(), org_ids=orgs)


# --- targets and submissions -----------------------------------------------------------------


def record_submission(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    with ctx.write() as s:
        org = org_by_code(s, str(data.get("org_code") or ""))
        assert org.id is not None
        ctx.allow(s, Action.plan, org.id)  # who may, before what they typed is judged
        live_org(org, ctx.today())  # an ended organization sends nothing (issue 18)
        sub = validate(SubmissionIn, data, ctx.today())
        old = s.exec(
            select(Submission).where(
                Submission.org_id == org.id,
                Submission.year == sub.year,
                Submission.kind == sub.kind.value,
            )
        ).first()
        replaced = old.model_dump(mode="json", include={"submitted_on", "number"}) if old else None
        replace_row(
            s,
            old,
            Submission(
                org_id=org.id,
                year=sub.year,
                kind=sub.kind.value,
                submitted_on=sub.submitted_on,
                number=sub.number,
                recorded_by=ctx.actor,
                recorded_at=ctx.clock.now(),
            ),
        )
        _resync_cycle(s, ctx, sub.year, org.id)
        payload = {"org": org.code, **sub.model_dump(mode="json", exclude={"org_code"})}
        if replaced:
            payload["replaces"] = replaced
        _audit(s, ctx, "ghi_van_ban_gui", payload)
    return {
        "org": org.code,
        "kind": sub.kind.value,
        "year": sub.year,
        "submitted_on": sub.submitted_on.isoformat(),
    }


# --- settings: the cycle, reminder policies, contacts ---------------------------------------


def cycle_show(ctx: Context) -> list[dict[str, Any]]:
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        stored = {r.key: r for r in s.exec(select(Setting)).all()}
        current = tracking.settings(s).as_text()
    return [
        {
            "key": key,
            "value": value,
            "custom": key in stored,
            "reason": stored[key].reason if key in stored else None,
        }
        for key, value in sorted(current.items())
    ]


def cycle_set(ctx: Context, key: str, value: str, reason: str) -> dict[str, Any]:
    with ctx.write() as s:
        ctx.allow(s, Action.admin)  # who may, before what they typed is judged
        try:
            parse_setting(key, value)
        except ValueError as exc:
            field = "Thiết lập" if key not in SETTING_KEYS else "Giá trị"
            raise BadInput.one(field, str(exc)) from None
        reason = free_text(reason, "Lý do")
        if not reason:
            raise BadInput.one("Lý do", "bắt buộc khi thay đổi thiết lập")
        previous = put_setting(s, ctx, key, value.strip(), reason)
        _resync_cycle(s, ctx, ctx.today().year)
        _audit(
            s,
            ctx,
            "dat_thiet_lap",
            {"key": key, "value": value.strip(), "previous": previous},
            reason,
        )
    return {"key": key, "value": value.strip()}


def policy_list(ctx: Context) -> list[dict[str, Any]]:
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        table = tracking.policies(s)
    out = []
    for kind in KINDS:
        p = tracking.policy_for(table, kind)
        out.append(
            {
                "kind": kind,
                "leads": list(p.leads),
                "overdue_every": p.overdue_every,
                "roles": [r.value for r in p.roles],
                "custom": p.custom,
            }
        )
    return out


def policy_set(
    ctx: Context,
    data: dict[str, Any],
    reason: str,
    *,
    batch: int = recompute.BATCH,
    on_batch: recompute.OnBatch | None = None,
) -> dict[str, Any]:
    """A kind's reminder policy, in a small unit of work that marks the next reminder day of
    its open deadlines to be recomputed; recomputed in batches before this returns."""
    with ctx.write() as s:
        ctx.allow(s, Action.admin)  # who may, before what they typed is judged
        recompute.check_size(batch)
        p = validate(PolicyIn, data, ctx.today())
        reason = free_text(reason, "Lý do")
        if not reason:
            raise BadInput.one("Lý do", "bắt buộc khi thay đổi cách nhắc việc")
        replace_row(
            s,
            s.get(ReminderPolicy, p.kind),
            ReminderPolicy(
                kind=p.kind,
                leads=",".join(str(k) for k in p.leads),
                overdue_every=p.overdue_every,
                roles=",".join(r.value for r in p.roles),
                reason=reason,
                set_by=ctx.actor,
                set_at=ctx.clock.now(),
            ),
        )
        recompute.mark(s, ctx, recompute.next_fire(p.kind), "dat_cach_nhac")
        payload = p.model_dump(mode="json")
        _audit(s, ctx, "dat_cach_nhac", payload, reason)
    moved = recompute.after_setting(ctx, recompute.next_fire(p.kind), batch, on_batch)
    return {**payload, "deadlines_moved": moved}


def contact_add(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    with ctx.write() as s:
        ctx.allow(s, Action.admin)  # who may, before what they typed is judged
        c = validate(ContactIn, data, ctx.today())
        org = live_org(org_by_code(s, c.org_code), ctx.today())
        assert org.id is not None
        exists = s.exec(
            select(Contact).where(
                Contact.org_id == org.id, Contact.role == c.role.value, Contact.email == c.email
            )
        ).first()
        if exists is not None:
            raise BadInput.one("Thư điện tử", f"đã có cho vai trò '{c.role.label}' ở {org.code}")
        row = Contact(org_id=org.id, role=c.role.value, name=c.name, email=c.email)
        s.add(row)
        s.flush()
        _audit(s, ctx, "them_nguoi_nhan", {"org": org.code, "role": c.role.value, "id": row.id})
    return {"id": row.id, "org": org.code, "role": c.role.value, "email": c.email}


def contact_list(ctx: Context) -> list[dict[str, Any]]:
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        scope = scope_ids(s, ctx.actor)
        query = select(Contact, Organization).join(Organization)
        if scope is not None:  # the addresses of the actor's own organizations only
            query = query.where(col(Contact.org_id).in_(scope))
        rows = s.exec(query).all()
    return sorted(
        (
            {
                "id": c.id,
                "org": o.code,
                "role": c.role,
                "role_label": Role(c.role).label,
                "name": c.name,
                "email": c.email,
            }
            for c, o in rows
        ),
        key=lambda r: (r["org"], r["role"], name_sort_key(r["name"])),
    )


# --- the clerk's agenda -----------------------------------------------------------------------


def _scope(
    s: Session, ctx: Context, org_code: str | None
) -> tuple[tracking.OrgTree, set[int] | None]:
    """The organizations a list covers: the one asked for, within what the actor may see."""
    tree = tracking.OrgTree.of(s)
    mine = scope_ids(s, ctx.actor)
    if org_code is None:
        ctx.allow(s, Action.read)
        return tree, mine
    org = org_by_code(s, org_code)
    assert org.id is not None
    ctx.allow(s, Action.read, org.id)
    return tree, tree.subtree(org.id)


LIST_LIMIT = 500  # a clerk reads a page, not a province: --limit for more


def _check_limit(limit: int) -> None:
    if limit < 1:
        raise BadInput.one("Số dòng", "phải lớn hơn 0")


def deadlines(
    ctx: Context,
    org_code: str | None = None,
    within: int | None = None,
    limit: int = LIST_LIMIT,
) -> list[dict[str, Any]]:
    """Open deadlines, the earliest first: overdue ones, and (with ``within``) those due
    within N working days; at most ``limit``."""
    if within is not None and within < 0:
        raise BadInput.one("Trong vòng", "phải là số ngày làm việc không âm")
    _check_limit(limit)
    today = ctx.today()
    with ctx.read() as s:
        tree, scope = _scope(s, ctx, org_code)
        cal = tracking.calendar(s)
        query = (
            select(Deadline, Candidate.full_name)
            .outerjoin(Dossier, col(Dossier.id) == col(Deadline.dossier_id))
            .outerjoin(Candidate, col(Candidate.id) == col(Dossier.candidate_id))
            .where(col(Deadline.done_on).is_(None))
            # a day that has come and gone (the end of probation) is no longer due
            .where(or_(col(Deadline.milestone) == literal(False), col(Deadline.due) >= today))
        )
        if scope is not None:
            query = query.where(col(Deadline.org_id).in_(scope))
        if within is not None:
            query = query.where(col(Deadline.due) <= cal.add_working_days(today, within))
        rows = s.exec(query.order_by(col(Deadline.due), col(Deadline.id)).limit(limit)).all()
    out = []
    for row, name in rows:
        view = Due(row.kind, row.rule_id, row.label, row.start, row.due, None, row.milestone).at(
            today, cal
        )
        org = tree.nodes[row.org_id]
        out.append(
            {
                "id": row.id,
                "subject": _subject_text(row, name, f"{org.name} ({org.code})"),
                "dossier_id": row.dossier_id,
                "org": org.code,
                "kind": row.kind,
                "rule_id": row.rule_id,
                "label": row.label,
                "due": row.due.isoformat(),
                "due_text": fmt_date(row.due),
                "overdue": view.overdue,
                "missed_by_working_days": view.missed_by,
                "remaining_working_days": view.remaining,
                "status": view.status,
            }
        )
    return out


def _subject_text(row: Deadline | Reminder, name: str | None, org: str) -> str:
    if row.dossier_id is not None:
        return f"Hồ sơ #{row.dossier_id} {name or ''}".strip()
    return org


def reminders(
    ctx: Context,
    org_code: str | None = None,
    role: str | None = None,
    include_done: bool = False,
    limit: int = LIST_LIMIT,
) -> list[dict[str, Any]]:
    """The inbox: reminders raised, newest first; open ones unless ``include_done``; at most
    ``limit``."""
    if role is not None and role not in {r.value for r in Role}:
        raise BadInput.one("Vai trò", f"'{role}' không hợp lệ; chọn: {', '.join(Role)}")
    _check_limit(limit)
    today = ctx.today()
    with ctx.read() as s:
        tree, scope = _scope(s, ctx, org_code)
        query = select(Reminder)
        if not include_done:
            query = query.where(col(Reminder.done_at).is_(None))
        if scope is not None:
            query = query.where(col(Reminder.org_id).in_(scope))
        if role is not None:  # recipients read "bi_thu@CB-VP chuyen_vien@DUK-CQ"
            query = query.where(col(Reminder.recipients).contains(f"{role}@"))
        newest = (col(Reminder.fire_on).desc(), col(Reminder.id).desc())
        rows = s.exec(query.order_by(*newest).limit(limit)).all()
        cal = tracking.calendar(s)
    out = []
    for r in rows:
        left = cal.working_days_between(today, r.due)
        out.append(
            {
                "id": r.id,
                "kind": r.kind,
                "rule_id": r.rule_id,
                "org": tree.nodes[r.org_id].code,
                "org_name": tree.nodes[r.org_id].name,
                "dossier_id": r.dossier_id,
                "due": r.due.isoformat(),
                "due_text": fmt_date(r.due),
                "step": r.step,
                "fire_on": r.fire_on.isoformat(),
                "raised_on": r.raised_on.isoformat(),
                "late": r.late,
                "state": "xong" if r.done_at else ("quá hạn" if today > r.due else "mở"),
                # where the deadline stands today; the message says where it stood when sent
                "today_text": "đã xong" if r.done_at else step_text(-left, milestone=False),
                "message": r.message,
                "recipients": r.recipients.split(),
                "done_by": r.done_by,
            }
        )
    return out


def reminder_done(ctx: Context, reminder_id: int, note: str = "") -> dict[str, Any]:
    with ctx.write() as s:
        ctx.allow(s, Action.plan)  # who may, before whether the reminder exists
        r = s.get(Reminder, reminder_id) if 1 <= reminder_id <= MAX_ID else None
        if r is None:
            raise BadInput.one("Mã nhắc việc", f"không có nhắc việc #{reminder_id}")
        ctx.allow(s, Action.plan, r.org_id)
        if r.done_at is not None:
            raise BadInput.one("Mã nhắc việc", f"nhắc việc #{reminder_id} đã đánh dấu xong")
        r.done_at = ctx.clock.now()
        r.done_by = ctx.actor
        s.add(r)
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="reminder",
            event="xong_nhac_viec",
            dossier_id=r.dossier_id,
            reason=free_text(note, "Ghi chú") or None,
            data={"reminder": reminder_id, "kind": r.kind, "due": r.due.isoformat()},
        )
    return {"id": reminder_id, "done": True}
