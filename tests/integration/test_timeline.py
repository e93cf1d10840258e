"""The inspectors' timeline: steps, actors, rule sets, deadlines met or missed, reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from tests.conftest import admit, fact, new_candidate
from workflow.domain.errors import Refused
from workflow.domain.process import Event
from workflow.inputs import dossier as inputs
from workflow.usecases.advancing import advance
from workflow.usecases.context import Context
from workflow.usecases.timeline import timeline, write_timeline_docx


def test_timeline_names_steps_deadlines_and_reasons(ctx: Context, tmp_path: Path) -> None:
    did = new_candidate(ctx)
    with pytest.raises(Refused):
        advance(ctx, did, Event.quyet_dinh_ket_nap)
    admit(ctx, did)  # decision signed 20/06/2025, received 23/06/2025
    fact(ctx, did, inputs.CeremonyIn, held_on="10/09/2025")  # 30 working days ended 04/08
    with pytest.raises(Refused):  # a late ceremony needs the superior committee's consent
        advance(ctx, did, Event.to_chuc_le)
    fact(ctx, did, inputs.ConsentIn, kind="le_muon", number="7-CV", dated="01/08/2025")
    advance(ctx, did, Event.to_chuc_le)
    data = timeline(ctx, did)
    steps = data["steps"]
    assert steps[0]["event_label"] == "Mở hồ sơ"
    refusals = [s for s in steps if s["kind"] == "refusal"]
    assert len(refusals) == 2 and "[P-SEQUENCE]" in refusals[0]["reason"]
    assert "[D-CEREMONY]" in refusals[1]["reason"]
    ceremony = next(s for s in steps if s["event"] == "to_chuc_le" and s["kind"] == "transition")
    assert ceremony["deadline"]["rule_id"] == "D-CEREMONY"
    assert ceremony["deadline"]["missed_by_working_days"] > 0
    assert ceremony["deadline"]["status"].startswith("hoàn thành 10/09/2025, muộn")
    decided = next(
        s for s in steps if s["event"] == "quyet_dinh_ket_nap" and s["kind"] == "transition"
    )
    # judged by the set in force on the decision day (20/06/2025)
    assert decided["rule_set_id"] == "QD232-2025" and decided["actor"] == "chuyen_vien_test"
    assert decided["deadline"]["rule_id"] == "D-DECIDE"
    path = tmp_path / "tl.docx"
    write_timeline_docx(data, path)
    table = Document(str(path)).tables[0]
    assert [c.text for c in table.rows[0].cells][0] == "Ngày"
    assert any("muộn" in row.cells[5].text for row in table.rows[1:])
