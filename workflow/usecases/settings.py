"""The installation's settings: rule-set overrides, the working calendar's extra days; each
change moves every open deadline in the same unit of work."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from models import audit
from models.tables import CalendarOverride, Dossier, RuleOverride
from workflow.domain.errors import BadInput
from workflow.domain.rules import OVERRIDABLE, coerce_override
from workflow.usecases import tracking
from workflow.usecases.access import Action
from workflow.usecases.context import Context, put_setting, replace_row
from workflow.usecases.dossiers import CLOSED_STAGES, load_facts, sync_dossier
from workflow.usecases.step_reads import rule_overrides, rules_on


def resync_all(s: Session, ctx: Context) -> int:
    """Every open dossier's and this year's cycle deadlines again (a calendar or rule
    change moves them all); returns the number of dossiers."""
    count = 0
    for d in s.exec(select(Dossier).where(col(Dossier.stage).notin_(CLOSED_STAGES))).all():
        sync_dossier(s, d, load_facts(s, d), ctx)
        count += 1
    tracking.sync_cycle(s, ctx.today().year, ctx.today(), ctx.clock.now())
    return count


def set_rule_override(ctx: Context, key: str, value: str, reason: str) -> dict[str, Any]:
    if key not in OVERRIDABLE:
        raise BadInput.one("Tham số", f"'{key}' không có; chọn: {', '.join(sorted(OVERRIDABLE))}")
    try:
        parsed = coerce_override(key, value)
    except ValueError:
        raise BadInput.one("Giá trị", f"'{value}' không hợp lệ cho '{key}'") from None
    if not reason.strip():
        raise BadInput.one("Lý do", "bắt buộc khi thay đổi quy định")
    with ctx.write() as s:
        ctx.allow(s, Action.admin)
        previous = put_setting(s, ctx, RuleOverride, key, str(value), reason.strip())
        rs = rules_on(s, ctx.today())
        resync_all(s, ctx)
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="admin",
            event="ghi_de_quy_dinh",
            reason=reason.strip(),
            rule_set_id=rs.id,
            data={"key": key, "value": parsed, "previous": previous},
        )
    return {"key": key, "value": parsed, "rule_set_id": rs.id}


def rule_sets(ctx: Context) -> list[dict[str, Any]]:
    from workflow.domain.rules import RULE_SETS

    with ctx.read() as s:
        overrides = rule_overrides(s)
    return [rs.with_overrides(overrides).summary() for rs in RULE_SETS]


def set_calendar_day(ctx: Context, day: date, working: bool, note: str) -> dict[str, Any]:
    with ctx.write() as s:
        ctx.allow(s, Action.admin)
        replace_row(
            s,
            s.get(CalendarOverride, day),
            CalendarOverride(
                day=day,
                working=working,
                note=note.strip(),
                set_by=ctx.actor,
                set_at=ctx.clock.now(),
            ),
        )
        resync_all(s, ctx)
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="admin",
            event="ghi_de_lich",
            reason=note.strip() or None,
            data={"day": day.isoformat(), "working": working},
        )
    return {"day": day.isoformat(), "working": working, "note": note.strip()}
