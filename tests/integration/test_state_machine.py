"""Hypothesis drives random events and facts through the real service and SQLite file.

Invariants: the stored stage is always one the table can reach by the transitions
recorded; every applied transition has exactly one audit event; the chain verifies; the
stored deadlines are exactly what the facts give (nothing left stale by any change).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlmodel import col, select

from models.tables import AuditEvent, Deadline, Dossier
from tests.conftest import TREE, admit, complete_papers, fact, make_context, new_candidate
from tests.databases import new_db
from workflow.domain.errors import BadInput, RecordRefused, Refused
from workflow.domain.process import Event, Stage, allowed
from workflow.inputs import dossier as inputs
from workflow.usecases.advancing import advance
from workflow.usecases.annulment import annul
from workflow.usecases.organizations import add_org
from workflow.usecases.settings import resync_all
from workflow.usecases.trust import verify_audit

FACTS: list[tuple[type[inputs.FactIn], dict[str, Any]]] = [
    (
        inputs.ResolutionIn,
        {"kind": "dang_uy", "dated": "12/05/2025", "official_members": 7, "agree": 7},
    ),
    (inputs.DecisionIn, {"kind": "ket_nap", "number": "1", "signed_on": "20/06/2025"}),
    (inputs.CeremonyIn, {"held_on": "10/07/2025"}),
    (inputs.CeremonyIn, {"held_on": "30/12/2025"}),
    (
        inputs.ResolutionIn,
        {
            "kind": "chi_bo_chinh_thuc",
            "dated": "15/07/2026",
            "official_members": 9,
            "agree": 5,
            "against": 4,
        },
    ),
    (
        inputs.ResolutionIn,
        {"kind": "chi_bo_chinh_thuc", "dated": "16/07/2026", "official_members": 9, "agree": 8},
    ),
    (
        inputs.ResolutionIn,
        {"kind": "dang_uy_chinh_thuc", "dated": "20/07/2026", "official_members": 7, "agree": 6},
    ),
    (inputs.DecisionIn, {"kind": "chinh_thuc", "number": "2", "signed_on": "05/08/2026"}),
    (inputs.ConsentIn, {"kind": "le_muon", "number": "3", "dated": "01/12/2025"}),
    (  # L-XOA-TEN: the chi bộ's proposal, then the committee's decision with its ground
        inputs.ResolutionIn,
        {"kind": "chi_bo_xoa_ten", "dated": "10/09/2026", "official_members": 9, "agree": 7},
    ),
    (
        inputs.DecisionIn,
        {"kind": "xoa_ten", "number": "4", "signed_on": "20/09/2026", "ground": "bo_sinh_hoat"},
    ),
]

# L-ANNUL: struck off, or redone from the committee's decision or from the chi bộ's vote.
ANNULMENTS = [("xoa_ten", None), ("lam_lai", "btv_quyet_dinh"), ("lam_lai", "chi_bo_xet")]


class DossierMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="ketnap-hyp-"))
        self.db = new_db(self.tmp, "k")
        self.ctx = make_context(self.db)
        for org in TREE:
            add_org(self.ctx, org)
        self.dossiers: list[int] = []
        self.applied = 0

    @initialize(complete=st.booleans(), count=st.integers(1, 3), admitted=st.booleans())
    def open_dossiers(self, complete: bool, count: int, admitted: bool) -> None:
        for i in range(count):
            did = new_candidate(self.ctx)
            if admitted and i == 0:  # one already admitted: the acts that follow (L-ANNUL)
                admit(self.ctx, did)
                self.applied += 6
            elif complete:
                complete_papers(self.ctx, did)
            self.dossiers.append(did)

    @rule(data=st.data(), which=st.integers(0, len(FACTS) - 1))
    def record(self, data: st.DataObject, which: int) -> None:
        did = data.draw(st.sampled_from(self.dossiers))
        model, values = FACTS[which]
        try:
            fact(self.ctx, did, model, **values)
        except (BadInput, RecordRefused):
            pass  # a closed dossier takes no facts; a ceremony waits for its decision

    @rule(
        data=st.data(),
        event=st.sampled_from(list(Event)),
        back_to=st.sampled_from([None, Stage.chi_bo_xet, Stage.gui_ho_so, Stage.tham_dinh]),
    )
    def fire(self, data: st.DataObject, event: Event, back_to: Stage | None) -> None:
        did = data.draw(st.sampled_from(self.dossiers))
        try:
            advance(self.ctx, did, event, reason="Lý do thử", back_to=back_to)
            self.applied += 1
        except (Refused, BadInput):
            pass

    @rule(data=st.data(), how=st.sampled_from(ANNULMENTS))
    def annul(self, data: st.DataObject, how: tuple[str, str | None]) -> None:
        did = data.draw(st.sampled_from(self.dossiers))
        outcome, back_to = how
        values = {
            "number": "5",
            "signed_on": "01/10/2026",
            "outcome": outcome,
            "reason": "Hủy quyết định kết nạp thử",
            **({"back_to": back_to} if back_to else {}),
        }
        try:
            annul(self.ctx, did, values)
            self.applied += 1
            event(f"annulled: {outcome}")
        except BadInput:
            pass  # not admitted (yet, or any more)

    @invariant()
    def the_log_replays_to_the_rows(self) -> None:
        """AUD-STATE: stage, version and the admission dates an annulment cleared."""
        report = verify_audit(self.ctx, state=True)
        assert report.state is not None and report.state["differences"] == []

    @invariant()
    def stored_stages_follow_the_table(self) -> None:
        with self.ctx.read() as s:
            events = s.exec(
                select(AuditEvent)
                .where(AuditEvent.kind == "transition")
                .order_by(col(AuditEvent.id))
            ).all()
            stages = {d.id: (d.stage, d.version) for d in s.exec(select(Dossier)).all()}
        assert len(events) == self.applied
        walked = dict.fromkeys(stages, Stage.nguon)
        counts = dict.fromkeys(stages, 0)
        for e in events:
            assert e.dossier_id is not None and e.from_stage is not None and e.to_stage is not None
            assert walked[e.dossier_id].value == e.from_stage
            assert allowed(Stage(e.from_stage), Stage(e.to_stage))
            walked[e.dossier_id] = Stage(e.to_stage)
            counts[e.dossier_id] += 1
        for did, (stage, version) in stages.items():
            assert walked[did].value == stage
            assert version == counts[did] + 1

    @invariant()
    def stored_deadlines_equal_a_fresh_computation(self) -> None:
        """Every change moved its deadlines in its own transaction: recomputing everything
        from the facts now changes no stored row."""
        before = self.deadline_rows()
        with self.ctx.write() as s:
            resync_all(s, self.ctx)
        assert self.deadline_rows() == before
        with self.ctx.read() as s:
            open_ids = {d.id for d in s.exec(select(Dossier)).all() if not Stage(d.stage).closed}
        closed_with_rows = {sub for sub, _ in before if sub.startswith("dossier:")} - {
            f"dossier:{i}" for i in open_ids
        }
        assert not closed_with_rows

    def deadline_rows(self) -> dict[tuple[str, str], tuple[Any, ...]]:
        with self.ctx.read() as s:
            rows = s.exec(select(Deadline)).all()
        return {
            (d.subject, d.kind): (d.due, d.done_on, d.next_fire_on, d.last_step, d.label)
            for d in rows
            if d.subject.startswith("dossier:")  # the organizations' cycle is the scan's
        }

    @invariant()
    def chain_verifies(self) -> None:
        assert verify_audit(self.ctx).ok

    def teardown(self) -> None:
        self.ctx.engine.dispose()
        self.db.drop()
        shutil.rmtree(self.tmp, ignore_errors=True)


DossierMachine.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestDossierMachine = DossierMachine.TestCase
