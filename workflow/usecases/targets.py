"""Targets (chỉ tiêu): set one, set a school's from the seed's norms, list.

Each target is one row per (organization, period, kind), the period a year or a term. A
parent's own target is kept apart from the sum of its children's: real reports disagree
with themselves (Quảng Nam 2024: 1,905 published for the province, 1,950 in its parts), so
the roll-up shows both and never replaces one with the other (reports/progress.py).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from models import audit
from models.tables import Organization, Target
from workflow.domain.errors import BadInput
from workflow.domain.vocabulary import SchoolLevel, TargetKind
from workflow.inputs.base import validate
from workflow.inputs.organization import TargetIn
from workflow.usecases import tracking
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.context import Context, replace_row
from workflow.usecases.organizations import live_org, org_by_code

# Seed 001, per school level: (kind, the least a year, the most when the seed gives a range)
SCHOOL_TARGETS: dict[SchoolLevel, tuple[tuple[TargetKind, int, int | None], ...]] = {
    SchoolLevel.thpt: ((TargetKind.cam_tinh, 15, 20), (TargetKind.ket_nap, 5, None)),
    SchoolLevel.cao_dang: ((TargetKind.cam_tinh, 5, 10), (TargetKind.ket_nap, 3, None)),
}


def put_target(s: Session, ctx: Context, org: Organization, t: TargetIn) -> dict[str, Any]:
    """Store one target in place of the previous one, audited; this year's admission
    target moves the organization's planning deadlines in the same transaction."""
    assert org.id is not None
    ctx.allow(s, Action.plan, org.id)
    old = s.exec(
        select(Target).where(
            Target.org_id == org.id, Target.period == t.period, Target.kind == t.kind.value
        )
    ).first()
    previous = old.value if old else None
    new = Target(
        org_id=org.id,
        period=t.period,
        kind=t.kind.value,
        value=t.value,
        set_by=ctx.actor,
        set_at=ctx.clock.now(),
    )
    replace_row(s, old, new)
    if t.kind is TargetKind.ket_nap and t.year == ctx.today().year:
        orgs = set(tracking.OrgTree(s).ancestors(org.id))
        tracking.sync_cycle(s, ctx.today().year, ctx.today(), ctx.clock.now(), org_ids=orgs)
    made = {"org": org.code, "period": t.period, "kind": t.kind.value, "value": t.value}
    audit.append(
        s,
        at=ctx.clock.now(),
        actor=ctx.actor,
        kind="admin",
        event="dat_chi_tieu",
        data={**made, "previous": previous},
    )
    return made


def set_target(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    t = validate(TargetIn, data, ctx.today())
    with ctx.write() as s:
        return put_target(s, ctx, live_org(org_by_code(s, t.org_code), ctx.today()), t)


def set_school_targets(ctx: Context, org_code: str, year: str, level: str) -> list[dict[str, Any]]:
    """The seed's norms for a school, each at its least (a range is kept in the note)."""
    try:
        lvl = SchoolLevel(level)
    except ValueError:
        raise BadInput.one(
            "Cấp trường", f"'{level}' không hợp lệ; chọn: {', '.join(SchoolLevel)}"
        ) from None
    items = [
        validate(
            TargetIn, {"org_code": org_code, "period": year, "kind": k, "value": v}, ctx.today()
        )
        for k, v, _ in SCHOOL_TARGETS[lvl]
    ]
    with ctx.write() as s:
        org = live_org(org_by_code(s, org_code), ctx.today())
        return [put_target(s, ctx, org, t) for t in items]


def list_targets(ctx: Context, period: str | None = None) -> list[dict[str, Any]]:
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        scope = scope_ids(s, ctx.actor)
        query = select(Target, Organization).join(Organization)
        if scope is not None:  # the actor's own organizations' targets
            query = query.where(col(Target.org_id).in_(scope))
        if period is not None:
            query = query.where(Target.period == period)
        rows = s.exec(query.order_by(col(Target.period), col(Organization.code))).all()
    return [
        {
            "org": o.code,
            "org_name": o.name,
            "period": t.period,
            "kind": t.kind,
            "kind_label": TargetKind(t.kind).label,
            "value": t.value,
            "set_by": t.set_by,
        }
        for t, o in rows
    ]
