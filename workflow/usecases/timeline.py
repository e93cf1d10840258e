"""A dossier's timeline for inspectors: every recorded step, in order, with its date, actor
and rule set; whether the deadline it answers was met or missed by how many working days;
and the reasons given for returns, rejections, withdrawals and late ceremonies."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from models.tables import AuditEvent
from workflow.domain.deadlines import dossier_deadlines
from workflow.domain.process import Event, Stage
from workflow.text.vntext import fmt_date
from workflow.usecases import tracking
from workflow.usecases.access import Action
from workflow.usecases.clock import local
from workflow.usecases.context import Context
from workflow.usecases.designations import allow_dossier
from workflow.usecases.dossiers import get_dossier, load_facts
from workflow.usecases.event_names import event_label
from workflow.usecases.outfiles import staged
from workflow.usecases.step_reads import rules_on

# The deadline each step answers (docs/rules.md ids; our kinds where a rule has two deadlines).
ANSWERS: dict[str, str] = {
    Event.quyet_dinh_ket_nap.value: "D-DECIDE",
    Event.to_chuc_le.value: "D-CEREMONY",
    Event.cong_nhan_chinh_thuc.value: "D-OFFICIAL-QD",
}


def _label(value: str | None, labels: dict[str, str]) -> str:
    return labels.get(value or "", value or "—")


def timeline(ctx: Context, dossier_id: int) -> dict[str, Any]:
    with ctx.read() as s:
        d = get_dossier(s, dossier_id)
        allow_dossier(s, ctx, Action.read, d)  # or a designated chi bộ (L-NO-MEMBER)
        facts = load_facts(s, d)
        today = ctx.today()
        deadlines = {
            x.kind: x
            for x in dossier_deadlines(facts, rules_on(s, today), tracking.calendar(s), today)
        }
        events = s.exec(
            select(AuditEvent)
            .where(AuditEvent.dossier_id == dossier_id)
            .order_by(col(AuditEvent.id))
        ).all()
    stages = {st.value: st.label for st in Stage}
    steps = []
    for e in events:
        when = local(datetime.fromisoformat(e.at))
        step: dict[str, Any] = {
            "id": e.id,
            "on": when.date().isoformat(),
            "on_text": fmt_date(when.date()),
            "actor": e.actor,
            "kind": e.kind,
            "event": e.event,
            "event_label": event_label(e.kind, e.event),
            "from": _label(e.from_stage, stages),
            "to": _label(e.to_stage, stages),
            "rule_set_id": e.rule_set_id,
            "reason": e.reason,
            "deadline": None,
        }
        if e.kind == "refusal":
            unmet = json.loads(e.data).get("unmet", [])
            step["reason"] = "Bị từ chối: " + "; ".join(f"[{r}] {m}" for r, m in unmet)
        rule = ANSWERS.get(e.event) if e.kind == "transition" else None
        if rule and rule in deadlines:
            x = deadlines[rule]
            step["deadline"] = {
                "rule_id": x.rule_id,
                "due": x.due.isoformat(),
                "missed_by_working_days": x.missed_by,
                "status": x.status,
            }
        steps.append(step)
    return {
        "dossier_id": dossier_id,
        "stage": d.stage,
        "stage_label": Stage(d.stage).label,
        "steps": steps,
        "deadlines": [
            {"rule_id": x.rule_id, "label": x.label, "due": x.due.isoformat(), "status": x.status}
            for x in deadlines.values()
        ],
    }


def write_timeline_docx(data: dict[str, Any], path: Any) -> None:
    """The same timeline as a Word table, for the inspection's file."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(12)
    doc.add_heading(f"Diễn biến hồ sơ #{data['dossier_id']} — {data['stage_label']}", level=1)
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ["Ngày", "Việc", "Bước", "Người làm", "Bộ quy định", "Thời hạn, lý do"],
        strict=True,
    ):
        cell.text = text
    for step in data["steps"]:
        note = [step["deadline"]["status"]] if step["deadline"] else []
        if step["reason"]:
            note.append(step["reason"])
        cells = table.add_row().cells
        values = [
            step["on_text"],
            step["event_label"],
            f"{step['from']} → {step['to']}" if step["kind"] == "transition" else step["to"],
            step["actor"],
            step["rule_set_id"] or "",
            " · ".join(note),
        ]
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    with staged(Path(path)) as temp:
        doc.save(str(temp))
