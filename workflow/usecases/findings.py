"""Findings (phát hiện): what a change showed the committee must look at (a correction that
makes a step already taken unlawful), listed in the user's scope and closed by an
inspector or the administrator with a conclusion, audited."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from models import audit
from models.tables import Dossier, Finding, Organization
from workflow.domain.errors import BadInput
from workflow.domain.process import Event
from workflow.domain.verdicts import Unmet
from workflow.inputs.base import free_text
from workflow.text.vntext import fmt_date
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.clock import local
from workflow.usecases.context import Context

CLOSE_EVENT = "ket_luan_phat_hien"
CONCLUSION = "Kết luận"
LIST_LIMIT = 500


def step_text(step: str | None) -> str:
    if step is None:
        return ""
    return Event(step).label if step in Event._value2member_map_ else step


def raise_findings(
    s: Session,
    ctx: Context,
    d: Dossier,
    unmet: list[tuple[str, Unmet]],
    cause_event: int,
    what: str,
) -> list[dict[str, Any]]:
    """One finding per step and rule now unmet, in the caller's unit of work."""
    rows = [
        Finding(
            dossier_id=d.id,
            org_id=d.org_id,
            kind="dinh_chinh",
            rule_id=u.rule_id,
            step=step,
            message=(
                f"{what} của hồ sơ #{d.id}: bước “{step_text(step)}” đã thực hiện nay không "
                f"còn đủ điều kiện ({u.rule_id}): {u.message}"
            ),
            cause_event=cause_event,
            raised_on=ctx.today(),
            raised_by=ctx.actor,
            raised_at=ctx.clock.now(),
        )
        for step, u in unmet
    ]
    s.add_all(rows)
    s.flush()
    return [_shown(f, None) for f in rows]


def _shown(f: Finding, org: str | None) -> dict[str, Any]:
    closed = local(f.closed_at).date() if f.closed_at is not None else None
    return {
        "id": f.id,
        "dossier_id": f.dossier_id,
        "org": org,
        "kind": f.kind,
        "rule_id": f.rule_id,
        "step": f.step,
        "step_label": step_text(f.step),
        "message": f.message,
        "cause_event": f.cause_event,
        "raised_on": f.raised_on.isoformat(),
        "raised_on_text": fmt_date(f.raised_on),
        "raised_by": f.raised_by,
        "open": f.closed_at is None,
        "closed_on_text": fmt_date(closed) if closed else None,
        "closed_by": f.closed_by,
        "conclusion": f.conclusion,
    }


def list_findings(
    ctx: Context, *, include_closed: bool = False, limit: int = LIST_LIMIT
) -> list[dict[str, Any]]:
    """Open findings (with ``include_closed``, all) of the organizations the user sees."""
    if limit < 1:
        raise BadInput.one("Số dòng", "phải lớn hơn 0")
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        return _listed(s, ctx, include_closed, limit)


def _listed(s: Session, ctx: Context, include_closed: bool, limit: int) -> list[dict[str, Any]]:
    scope = scope_ids(s, ctx.actor)
    query = select(Finding, Organization.code).join(
        Organization, col(Organization.id) == col(Finding.org_id)
    )
    if not include_closed:
        query = query.where(col(Finding.closed_at).is_(None))
    if scope is not None:
        query = query.where(col(Finding.org_id).in_(scope))
    rows = s.exec(query.order_by(col(Finding.id)).limit(limit)).all()
    return [_shown(f, code) for f, code in rows]


def agenda_findings(ctx: Context, limit: int = 50) -> list[dict[str, Any]]:
    """The open findings on the agenda of those who conclude them (the inspector, the
    administrator); nothing for other roles (who still list them with ``ketnap findings``)."""
    from workflow.domain.errors import Forbidden
    from workflow.usecases.access import authorize, enforced

    with ctx.read() as s:
        if enforced(s):
            try:
                authorize(s, ctx.actor, Action.conclude)
            except Forbidden:
                return []
        return _listed(s, ctx, False, limit)


def close_finding(ctx: Context, finding_id: int, conclusion: str | None) -> dict[str, Any]:
    """Close an open finding with its conclusion (inspector, administrator), audited."""
    with ctx.write() as s:
        ctx.allow(s, Action.conclude)
        f = s.get(Finding, finding_id) if 1 <= finding_id <= 2**63 - 1 else None
        if f is None:
            raise BadInput.one("Mã phát hiện", f"không có phát hiện #{finding_id}")
        ctx.allow(s, Action.conclude, f.org_id)
        text = free_text(conclusion, CONCLUSION)
        if len(text) < 5:
            raise BadInput.one(CONCLUSION, "bắt buộc, ít nhất 5 ký tự")
        if f.closed_at is not None:
            raise BadInput.one("Mã phát hiện", f"phát hiện #{finding_id} đã có kết luận")
        f.closed_at, f.closed_by, f.conclusion = ctx.clock.now(), ctx.actor, text
        s.add(f)
        s.flush()
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="finding",
            event=CLOSE_EVENT,
            dossier_id=f.dossier_id,
            reason=text,
            data={"finding": f.id, "rule_id": f.rule_id, "step": f.step},
        )
        org = s.get(Organization, f.org_id)
        return _shown(f, org.code if org else None)
