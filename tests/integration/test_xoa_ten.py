"""L-XOA-TEN and L-KHAI-TRU through the service: a probationary member is struck off only
with the chi bộ's resolution and the competent committee's decision recording its ground;
an expulsion is not a xóa tên; R-REJOIN reads the recorded ground when the person applies
again (ketnap reapply); the log replays to the live state."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from models.tables import AuditEvent, Candidate, Dossier
from tests.conftest import complete_papers, fact, live_and_log_agree, new_candidate
from tests.databases import TestDB, table_counts
from tests.integration.test_annulment import admitted_2026
from workflow.domain.errors import BadInput, Refused
from workflow.domain.process import Event
from workflow.inputs import dossier as inputs
from workflow.usecases.advancing import advance
from workflow.usecases.annulment import reapply
from workflow.usecases.context import Context
from workflow.usecases.recording import record_fact
from workflow.usecases.views import show

REASON = "Bỏ sinh hoạt chi bộ 3 tháng không có lý do chính đáng"


def probationary(ctx: Context) -> int:
    did = admitted_2026(ctx)
    fact(ctx, did, inputs.CeremonyIn, held_on="10/05/2026")
    advance(ctx, did, Event.to_chuc_le)
    return did


def chi_bo_proposes(ctx: Context, did: int, agree: int = 8) -> None:
    fact(
        ctx,
        did,
        inputs.ResolutionIn,
        kind="chi_bo_xoa_ten",
        dated="10/09/2026",
        official_members=10,
        agree=agree,
    )


def committee_decides(ctx: Context, did: int, ground: str) -> None:
    fact(
        ctx,
        did,
        inputs.DecisionIn,
        kind="xoa_ten",
        number="90-QĐ/ĐUK",
        signed_on="20/09/2026",
        ground=ground,
    )


def struck_off(ctx: Context, ground: str) -> int:
    did = probationary(ctx)
    chi_bo_proposes(ctx, did)
    committee_decides(ctx, did, ground)
    advance(ctx, did, Event.xoa_ten, reason=REASON)
    return did


def test_xoa_ten_needs_the_chi_bo_resolution_and_the_decision_with_its_ground(
    ctx: Context,
) -> None:
    did = probationary(ctx)
    with pytest.raises(Refused) as refused:
        advance(ctx, did, Event.xoa_ten, reason=REASON)
    unmet = refused.value.verdict.unmet
    assert [u.rule_id for u in unmet] == ["L-XOA-TEN", "L-XOA-TEN"]  # both said at once
    assert "nghị quyết của chi bộ" in unmet[0].message and "quyết định xóa tên" in unmet[1].message
    chi_bo_proposes(ctx, did, agree=6)  # 6/10: not 2/3
    committee_decides(ctx, did, "giam_sut_y_chi")
    with pytest.raises(Refused) as refused:
        advance(ctx, did, Event.xoa_ten, reason=REASON)
    assert [u.rule_id for u in refused.value.verdict.unmet] == ["L-XOA-TEN"]
    assert "6/10 tán thành" in refused.value.verdict.unmet[0].message
    chi_bo_proposes(ctx, did, agree=7)
    advance(ctx, did, Event.xoa_ten, reason=REASON)
    view = show(ctx, did)
    assert view["stage"] == "xoa_ten" and view["closed_reason"] == REASON
    with ctx.read() as s:
        event = s.exec(
            select(AuditEvent).where(
                AuditEvent.dossier_id == did,
                AuditEvent.kind == "transition",
                AuditEvent.event == Event.xoa_ten.value,
            )
        ).one()
    assert json.loads(event.data)["ground"] == "giam_sut_y_chi"
    live_and_log_agree(ctx, did)


def _fingerprint(db: TestDB) -> dict[str, Any]:
    return {"counts": table_counts(db), "rows": db.snapshot()}


@pytest.mark.parametrize(
    ("ground", "words"),
    [
        (None, "bắt buộc với quyết định xóa tên (L-XOA-TEN)"),
        ("khai_tru", "L-KHAI-TRU"),
        ("Khai trừ ra khỏi Đảng", "đảng viên dự bị chỉ bị khiển trách hoặc cảnh cáo"),
        ("bo_dang", "Căn cứ xóa tên"),
    ],
)
def test_a_xoa_ten_decision_without_a_ground_or_as_an_expulsion_is_bad_input(
    ctx: Context, db: TestDB, ground: str | None, words: str
) -> None:
    did = probationary(ctx)
    chi_bo_proposes(ctx, did)
    data: dict[str, Any] = {"kind": "xoa_ten", "number": "90-QĐ/ĐUK", "signed_on": "20/09/2026"}
    if ground is not None:
        data["ground"] = ground
    before = _fingerprint(db)
    with pytest.raises(BadInput) as bad:
        record_fact(ctx, did, inputs.DecisionIn, data)
    assert words in str(bad.value), bad.value.problems
    assert _fingerprint(db) == before
    with pytest.raises(BadInput):  # a ground belongs to a xóa tên only
        record_fact(
            ctx,
            did,
            inputs.DecisionIn,
            {**data, "kind": "chinh_thuc", "ground": "bo_sinh_hoat"},
        )
    assert _fingerprint(db) == before


def _at_chi_bo_vote(ctx: Context, did: int) -> None:
    advance(ctx, did, Event.cu_di_hoc)
    complete_papers(ctx, did, vote_on="20/11/2026")
    advance(ctx, did, Event.hoan_thanh_lop)


def _rejoin(ctx: Context, did: int) -> list[str]:
    with pytest.raises(Refused) as refused:
        advance(ctx, did, Event.chi_bo_thong_qua)
    return [u.message for u in refused.value.verdict.unmet if u.rule_id == "R-REJOIN"]


def test_reapply_after_abandoning_party_life_is_barred_by_the_recorded_ground(
    ctx: Context,
) -> None:
    old = struck_off(ctx, "bo_sinh_hoat")
    made = reapply(ctx, old, "CBCS")
    new = made["dossier_id"]
    assert (made["previous"], made["stage"], made["org"]) == (old, "nguon", "CBCS")
    with ctx.read() as s:
        first, second = s.get(Dossier, old), s.get(Dossier, new)
        assert first is not None and second is not None
        assert first.candidate_id == second.candidate_id  # the same person
        person = s.get(Candidate, second.candidate_id)
        assert person is not None and person.org_id == second.org_id
    _at_chi_bo_vote(ctx, new)
    said = _rejoin(ctx, new)
    assert any("Không xem xét kết nạp lại: " in m for m in said), said
    assert any("Ra khỏi Đảng từ 20/09/2026" in m for m in said), said
    # what is typed by hand cannot contradict the record
    with pytest.raises(BadInput) as bad:
        record_fact(
            ctx,
            new,
            inputs.PriorMembershipIn,
            {"left_on": "20/09/2026", "cause": "bi_xoa_ten"},
        )
    assert [f for f, _ in bad.value.problems] == ["Lý do ra khỏi Đảng"]
    live_and_log_agree(ctx, new)
    with pytest.raises(BadInput):  # the person has a newer dossier
        reapply(ctx, old)


def test_reapply_after_a_weakened_will_waits_36_months_but_is_not_barred(ctx: Context) -> None:
    old = struck_off(ctx, "giam_sut_y_chi")
    new = reapply(ctx, old)["dossier_id"]
    _at_chi_bo_vote(ctx, new)
    said = _rejoin(ctx, new)
    assert not any("Không xem xét kết nạp lại" in m for m in said), said
    assert any("cần ít nhất 36 tháng" in m for m in said), said


def test_reapply_only_from_a_closed_dossier_and_into_a_live_chi_bo(
    ctx: Context, db: TestDB
) -> None:
    open_one = new_candidate(ctx)
    before = _fingerprint(db)
    with pytest.raises(BadInput) as bad:
        reapply(ctx, open_one)
    assert "chỉ nộp lại hồ sơ khi hồ sơ trước đã kết thúc" in str(bad.value)
    old = struck_off(ctx, "khong_du_tu_cach")
    before = _fingerprint(db)
    with pytest.raises(BadInput) as bad:
        reapply(ctx, old, "DB")  # a đảng bộ cơ sở holds no dossiers
    assert "không phải chi bộ" in str(bad.value)
    assert _fingerprint(db) == before
