"""The installation's settings: rule-set overrides, the working calendar's extra days. Each
change is one small unit of work (the setting, its audit event, the planning cycle's rows
and the marker of the recompute it asks for); the open dossiers' deadlines are then
recomputed in bounded batches, each a unit of work of its own (workflow/usecases/recompute.py),
before the use case returns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from models import audit
from models.tables import CalendarOverride, Dossier, RuleOverride
from workflow.domain.errors import BadInput
from workflow.domain.rules import LOCKED, RULE_SETS, Override
from workflow.inputs.base import free_text
from workflow.text.vntext import parse_date
from workflow.usecases import recompute, rule_changes, tracking
from workflow.usecases.access import Action
from workflow.usecases.context import Context, replace_row
from workflow.usecases.dossiers import CLOSED_STAGES, load_facts, sync_dossier
from workflow.usecases.step_reads import rule_overrides, rules_on, step_settings

CALENDAR_YEARS = (2000, 2100)  # the years a calendar is kept for (and listed)


def resync_all(s: Session, ctx: Context) -> int:
    """Every open dossier's and this year's cycle deadlines again, all in the caller's
    transaction; returns the number of dossiers. The settings no longer use it (their
    batches must come to the same rows: tests/integration/test_admin_writes.py)."""
    count = 0
    for d in s.exec(select(Dossier).where(col(Dossier.stage).notin_(CLOSED_STAGES))).all():
        sync_dossier(s, d, load_facts(s, d), ctx)
        count += 1
    tracking.sync_cycle(s, ctx.today().year, ctx.today(), ctx.clock.now())
    return count


def set_rule_override(
    ctx: Context,
    key: str,
    value: str,
    reason: str,
    *,
    effective_from: date | str | None = None,
    rule_sets: Sequence[str] | None = None,
    batch: int = recompute.BATCH,
    on_batch: recompute.OnBatch | None = None,
) -> dict[str, Any]:
    """A local parameter from a day on (today by default) for some rule sets (by default
    the one in force that day and the later ones); a locked number, an out-of-range value
    or an unknown set is refused and nothing is written. The day may come as typed, so
    that who may is checked before what was typed is judged. In the same unit of work, each
    open dossier whose verdict or deadlines the override moves is told which rule set now
    governs it, and why (``rule_changes.record_governance``)."""
    with ctx.write() as s:
        ctx.allow(s, Action.admin)
        start = rule_changes.override_day(effective_from, ctx.today())
        recompute.check_size(batch)
        parsed = rule_changes.override_value(key, value)
        reason = free_text(reason, "Lý do")
        if not reason:
            raise BadInput.one("Lý do", "bắt buộc khi thay đổi quy định")
        sets = rule_changes.override_sets(start, rule_sets)
        held = step_settings(s).overrides
        s.add(
            RuleOverride(
                key=key,
                value=str(parsed),
                effective_from=start,
                rule_sets=",".join(sets),
                reason=reason,
                set_by=ctx.actor,
                set_at=ctx.clock.now(),
            )
        )
        s.flush()
        rs = rules_on(s, ctx.today())
        on = max(ctx.today(), start)  # judged as on the override's day (rule_changes.py)
        moved = rule_changes.governance(s, on, held, (*held, Override(key, parsed, start, sets)))
        _moved_everywhere(s, ctx, "ghi_de_quy_dinh")
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="admin",
            event="ghi_de_quy_dinh",
            reason=reason,
            rule_set_id=rs.id,
            data={
                "key": key,
                "value": parsed,
                "effective_from": start.isoformat(),
                "rule_sets": list(sets),
                "governed": len(moved),
            },
        )
        cause = {"override": {"key": key, "value": parsed, "effective_from": start.isoformat()}}
        rule_changes.record_governance(s, ctx, moved, cause, reason, on)
    return {
        "governed": len(moved),
        "key": key,
        "value": parsed,
        "effective_from": start.isoformat(),
        "rule_sets": list(sets),
        "rule_set_id": rs.id,
        "recomputed": recompute.after_setting(ctx, recompute.DEADLINES, batch, on_batch),
    }


def _moved_everywhere(s: Session, ctx: Context, cause: str) -> None:
    """In the setting's unit of work: this year's planning cycle again (one row per
    organization and kind), and every open dossier's deadlines marked to be recomputed."""
    tracking.sync_cycle(s, ctx.today().year, ctx.today(), ctx.clock.now())
    recompute.mark(s, ctx, recompute.DEADLINES, cause)


def rule_sets(ctx: Context) -> list[dict[str, Any]]:
    """Every rule set with its numbers, which of them are locked, and the installation's
    overrides that apply to it (each from its day)."""
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        ctx.allow(s, Action.read)
        overrides = rule_overrides(s)
    out = []
    for rs in RULE_SETS:
        data = rs.summary()
        data["locked"] = list(LOCKED)
        data["overrides"] = [
            {"key": o.key, "value": o.value, "effective_from": o.effective_from.isoformat()}
            for o in overrides
            if rs.id in o.rule_sets
        ]
        out.append(data)
    return out


def calendar_days(ctx: Context, year: int) -> list[dict[str, Any]]:
    """Every day of ``year`` that differs from the plain week, with its name and source."""
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        if not CALENDAR_YEARS[0] <= year <= CALENDAR_YEARS[1]:
            raise BadInput.one("Năm", "phải là năm từ 2000 đến 2100")
        rows = s.exec(select(CalendarOverride)).all()
    cal = tracking.calendar_from((r.day, r.working) for r in rows)
    notes = {r.day: r.note for r in rows}
    return [
        {"day": d.day.isoformat(), "working": d.working, "name": d.name, "source": d.source}
        for d in cal.unusual_days(year, notes)
    ]


def set_calendar_day(
    ctx: Context,
    day: date | str,
    working: bool,
    note: str,
    *,
    batch: int = recompute.BATCH,
    on_batch: recompute.OnBatch | None = None,
) -> dict[str, Any]:
    """A day off or worked by a government notice. The day may come as typed (dd/mm/yyyy)
    so that who may is checked before what was typed is judged."""
    with ctx.write() as s:
        ctx.allow(s, Action.admin)
        recompute.check_size(batch)
        if isinstance(day, str):
            try:
                day = parse_date(day)
            except ValueError as exc:
                raise BadInput.one("Ngày", str(exc)) from None
        if not CALENDAR_YEARS[0] <= day.year <= CALENDAR_YEARS[1]:
            raise BadInput.one(
                "Ngày",
                f"năm {day.year} ngoài {CALENDAR_YEARS[0]}–{CALENDAR_YEARS[1]}, những năm "
                "chương trình có lịch ngày lễ, Tết để đếm ngày làm việc",
            )
        note = free_text(note, "Ghi chú", 300)
        if not note:  # an inspector asks on whose notice a deadline moved
            raise BadInput.one(
                "Ghi chú", "bắt buộc: căn cứ của ngày nghỉ, làm bù (số, ngày công văn)"
            )
        replace_row(
            s,
            s.get(CalendarOverride, day),
            CalendarOverride(
                day=day,
                working=working,
                note=note,
                set_by=ctx.actor,
                set_at=ctx.clock.now(),
            ),
        )
        _moved_everywhere(s, ctx, "ghi_de_lich")
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="admin",
            event="ghi_de_lich",
            reason=note or None,
            data={"day": day.isoformat(), "working": working},
        )
    return {
        "day": day.isoformat(),
        "working": working,
        "note": note,
        "recomputed": recompute.after_setting(ctx, recompute.DEADLINES, batch, on_batch),
    }
