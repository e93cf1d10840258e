"""A dossier as it stood on a past day, rebuilt from the audit events alone.

An inspector asks what the record said on a given date, not what it says now. Every
change to a dossier is an audit event in the hash chain: its creation (or import), each
transition with the stage it led to, each fact with its recorded values. Replaying the
events up to the end of that day (Vietnam time) gives the stage, the version and the facts
as they were; for today it must give the live state (a test checks every demo dossier).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import col, select

from models.tables import AuditEvent
from workflow.domain.errors import BadInput
from workflow.domain.process import Stage
from workflow.text.vntext import fmt_date
from workflow.usecases.access import Action
from workflow.usecases.clock import VN_TZ, local
from workflow.usecases.context import Context
from workflow.usecases.designations import allow_dossier
from workflow.usecases.dossiers import get_dossier

_OPENING = {"create", "import"}


def end_of_day_utc(day: date) -> str:
    """The last instant of a Vietnam day, in the audit log's own text form."""
    return (
        datetime.combine(day, time.max, tzinfo=VN_TZ)
        .astimezone(UTC)
        .isoformat(timespec="microseconds")
    )


def dossier_as_of(ctx: Context, dossier_id: int, day: date) -> dict[str, Any]:
    with ctx.read() as s:
        allow_dossier(s, ctx, Action.read, get_dossier(s, dossier_id))  # L-NO-MEMBER too
        events = s.exec(
            select(AuditEvent)
            .where(AuditEvent.dossier_id == dossier_id, col(AuditEvent.at) <= end_of_day_utc(day))
            .order_by(col(AuditEvent.id))
        ).all()
        later = s.exec(  # corrections after the day: their old values are the day's
            select(AuditEvent)
            .where(
                AuditEvent.dossier_id == dossier_id,
                AuditEvent.kind == "correction",
                col(AuditEvent.at) > end_of_day_utc(day),
            )
            .order_by(col(AuditEvent.id))
        ).all()
    if not events:
        raise BadInput.one("Mã hồ sơ", f"hồ sơ #{dossier_id} chưa có vào ngày {fmt_date(day)}")
    stage: str | None = None
    version = 0
    reason: str | None = None
    facts: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    org: str | None = None  # the organization's code, once a "move" event said it
    moves: list[dict[str, Any]] = []
    corrections: list[dict[str, Any]] = []
    person: dict[str, dict[str, Any]] = {}
    for e in events:
        when = local(datetime.fromisoformat(e.at))
        if e.kind in _OPENING:
            stage, version = e.to_stage, 1
            org = json.loads(e.data).get("org") or org
        elif e.kind == "transition":
            stage, version, reason = e.to_stage, version + 1, e.reason
            steps.append(
                {
                    "event": e.event,
                    "from_stage": e.from_stage,
                    "to_stage": e.to_stage,
                    "on": when.date().isoformat(),
                    "actor": e.actor,
                    "rule_set_id": e.rule_set_id,
                    "reason": e.reason,
                }
            )
        elif e.kind == "move":  # a transfer, a designation, a merge (replay.py STATEFUL)
            version += 1
            if e.to_stage is not None:
                stage = e.to_stage
            moved = (json.loads(e.data).get("org") or {}).get("to")
            org = moved or org
            moves.append({"event": e.event, "on": when.date().isoformat(), "org": org})
        elif e.kind == "fact":
            facts.append(
                {
                    "fact": e.event,
                    "recorded_on": when.date().isoformat(),
                    "data": json.loads(e.data),
                }
            )
        elif e.kind == "correction":  # đính chính: the fact or the person as corrected
            change = json.loads(e.data)
            corrections.append({**change, "on": when.date().isoformat(), "reason": e.reason})
            _corrected(change, facts, person, change.get("new"))
    for e in reversed(later):  # the earliest later correction's old value wins
        change = json.loads(e.data)
        if change.get("target") == "person":
            _corrected(change, facts, person, change.get("old"), only_unseen=True)
    assert stage is not None
    return {
        "dossier_id": dossier_id,
        "as_of": day.isoformat(),
        "as_of_text": fmt_date(day),
        "stage": stage,
        "stage_label": Stage(stage).label,
        "version": version,
        "last_reason": reason,
        "transitions": steps,
        "moves": moves,
        "org": org,
        "facts": facts,
        "events": len(events),
        "corrections": corrections,
        "person": person,
    }


def _corrected(
    change: dict[str, Any],
    facts: list[dict[str, Any]],
    person: dict[str, dict[str, Any]],
    value: Any,
    *,
    only_unseen: bool = False,
) -> None:
    """Apply one correction's value: to the person's field (those corrected at some time),
    or to the fact its event recorded (by the row it names); a masked value (a CCCD, a
    relative's name) as masked."""
    field = str(change.get("field"))
    shown = value.get("masked") if isinstance(value, dict) else value
    if change.get("target") == "person":
        if only_unseen and field in person and person[field].get("as_of") == "corrected":
            return
        mark = "before" if only_unseen else "corrected"
        person[field] = {"label": change.get("label"), "value": shown, "as_of": mark}
        return
    if isinstance(value, dict):
        return  # the fact's own event never kept this value in clear
    for f in facts:
        if f["fact"] == change.get("fact") and f["data"].get("row_id") == change.get("row_id"):
            f["data"][field] = value
