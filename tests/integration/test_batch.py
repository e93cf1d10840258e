"""A step for a whole list in one unit of work: a class of 30 back to its chi bộ."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from bench.synthetic import candidate_sheet, class_rows
from models.tables import AuditEvent, Deadline, Dossier
from tests.databases import TestDB, table_counts
from workflow.domain.errors import BadInput, BatchRefused
from workflow.domain.process import Event
from workflow.sheets.candidates import import_candidates
from workflow.usecases.advancing import advance_many
from workflow.usecases.context import Context
from workflow.usecases.settings import resync_all
from workflow.usecases.trust import verify_audit


def _deadlines(s: Session) -> set[tuple[object, ...]]:
    return {
        (d.subject, d.rule_id, d.kind, d.due, d.next_fire_on)
        for d in s.exec(select(Deadline).where(col(Deadline.dossier_id).is_not(None))).all()
    }


def _class(ctx: Context, tmp_path: Path, size: int, *, without_certificate: int = 0) -> list[int]:
    """``size`` learners in class (at "Học lớp nhận thức"), all but some with a certificate."""
    rows = class_rows(size, "CBCS", without_certificate=without_certificate)
    import_candidates(ctx, candidate_sheet(tmp_path / "lop.csv", rows))
    with ctx.read() as s:
        return sorted(i for i in s.exec(select(col(Dossier.id))).all() if i is not None)


def test_a_class_of_thirty_goes_back_to_its_chi_bo_in_one_unit_of_work(
    ctx: Context, tmp_path: Path
) -> None:
    ids = _class(ctx, tmp_path, 30)
    done = advance_many(ctx, ids, Event.hoan_thanh_lop)
    assert [a.dossier_id for a in done] == ids
    with ctx.read() as s:
        stages = {d.stage for d in s.exec(select(Dossier)).all()}
        versions = {d.version for d in s.exec(select(Dossier)).all()}
        events = s.exec(select(AuditEvent).where(AuditEvent.event == "hoan_thanh_lop")).all()
        kept = _deadlines(s)
    assert stages == {"chi_bo_xet"} and versions == {2} and len(events) == 30
    assert all(e.from_stage == "hoc_lop" and e.to_stage == "chi_bo_xet" for e in events)
    assert verify_audit(ctx).ok
    # the deadline rows written with the batch are what a full recomputation gives
    with ctx.write() as s:
        resync_all(s, ctx)
        assert _deadlines(s) == kept and any(k[1] == "R-CLASS" for k in kept)


def test_one_learner_without_a_certificate_stops_the_list_and_is_named(
    ctx: Context, db: TestDB, tmp_path: Path
) -> None:
    ids = _class(ctx, tmp_path, 30, without_certificate=2)
    before = table_counts(db)
    with pytest.raises(BatchRefused) as caught:
        advance_many(ctx, ids, Event.hoan_thanh_lop)
    assert [did for did, _ in caught.value.refused] == ids[:2]
    assert all(v.rule_ids == ["R-CLASS"] for _, v in caught.value.refused)
    after = table_counts(db)
    # nothing written but the two refusals, recorded for the inspectors
    assert after["audit_event"] == before["audit_event"] + 2
    assert after["audit_head"] == before["audit_head"] + 1  # its commit's signed head
    audit = {"audit_event", "audit_head"}
    assert {k: v for k, v in after.items() if k not in audit} == {
        k: v for k, v in before.items() if k not in audit
    }
    with ctx.read() as s:
        assert {d.stage for d in s.exec(select(Dossier)).all()} == {"hoc_lop"}


def test_unknown_ids_and_a_missing_reason_are_bad_input(ctx: Context, tmp_path: Path) -> None:
    ids = _class(ctx, tmp_path, 3)
    with pytest.raises(BadInput, match="#999"):
        advance_many(ctx, [*ids, 999], Event.hoan_thanh_lop)
    with pytest.raises(BadInput, match="Lý do"):
        advance_many(ctx, ids, Event.rut_ho_so)
    assert len(advance_many(ctx, ids, Event.rut_ho_so, reason="Chuyển công tác")) == 3
