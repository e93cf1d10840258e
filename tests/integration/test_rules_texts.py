"""Issue 14 through the use cases, on a real database: a ceremony refused before its
decision, `next` saying the day it judged on, a 2019 dossier judged the same after a 2026
override, a locked number refused with nothing written, an authorised base committee."""

from __future__ import annotations

import pytest

from tests.conftest import complete_papers, fact, new_candidate
from tests.databases import TestDB
from workflow.domain.errors import BadInput, RecordRefused, Refused
from workflow.domain.process import Event
from workflow.inputs import dossier as inputs
from workflow.usecases.advancing import advance
from workflow.usecases.context import Context
from workflow.usecases.organizations import add_org
from workflow.usecases.settings import set_rule_override
from workflow.usecases.views import next_steps, show


def _count(db: TestDB, table: str) -> int:
    return int(db.sql(f"SELECT count(*) FROM {table}")[0][0])


def test_a_ceremony_before_the_decision_is_refused_and_only_the_refusal_audited(
    ctx: Context, db: TestDB
) -> None:
    did = new_candidate(ctx)
    events = _count(db, "audit_event")
    with pytest.raises(RecordRefused) as refused:
        fact(ctx, did, inputs.CeremonyIn, held_on="10/07/2025")
    assert [u.rule_id for u in refused.value.unmet] == ["P-DOSSIER"]
    assert refused.value.exit_code == 1
    assert _count(db, "ceremony") == 0
    assert db.sql("SELECT kind, event FROM audit_event WHERE id > :n", {"n": events}) == [
        ("refusal", "ghi_le_ket_nap")
    ]
    assert not [d for d in show(ctx, did)["deadlines"] if d["rule_id"] == "D-PROBATION"]


def _chi_bo_step(ctx: Context, did: int) -> dict[str, object]:
    steps = next_steps(ctx, did)["steps"]
    return next(s for s in steps if s["event"] == "chi_bo_thong_qua")


def test_next_and_advance_judge_the_same_conditions_on_the_same_day(ctx: Context) -> None:
    did = new_candidate(ctx)
    advance(ctx, did, Event.cu_di_hoc)
    complete_papers(ctx, did, vote_on="06/05/2025")
    advance(ctx, did, Event.hoan_thanh_lop)
    step = _chi_bo_step(ctx, did)
    # the papers of 04/2025 are judged at the vote of 06/05/2025, not today (25/11/2026)
    assert (step["judged_on"], step["judged_basis"]) == ("2025-05-06", "ngày nghị quyết chi bộ")
    assert step["allowed"] and step["rule_set_id"] == "QD232-2025"
    assert advance(ctx, did, Event.chi_bo_thong_qua).rule_set_id == "QD232-2025"


def test_without_a_vote_next_judges_today_says_so_and_advance_agrees(ctx: Context) -> None:
    did = new_candidate(ctx)
    advance(ctx, did, Event.cu_di_hoc)
    fact(ctx, did, inputs.CertificateIn, number="G", issued_on="10/03/2025", issuer="Trung tâm")
    advance(ctx, did, Event.hoan_thanh_lop)
    fact(ctx, did, inputs.DocumentIn, kind="ly_lich", dated="05/04/2025")
    step = _chi_bo_step(ctx, did)
    assert step["judged_on"] == ctx.today().isoformat()
    assert str(step["judged_basis"]).startswith("hôm nay, vì chưa ghi nhận")
    with pytest.raises(Refused) as refused:
        advance(ctx, did, Event.chi_bo_thong_qua)
    assert [(u.rule_id, u.message) for u in refused.value.verdict.unmet] == [
        (u["rule_id"], u["message"])  # type: ignore[index]
        for u in step["unmet"]  # type: ignore[attr-defined]
    ]


def test_a_2019_dossier_is_judged_the_same_after_a_2026_override(ctx: Context) -> None:
    # 33 at the chi bộ's vote in 2019: past youth age (30), so two members introduce; the
    # Đoàn's resolution does not replace one. Widening youth age from 2026 changes nothing.
    did = new_candidate(ctx, birth_date="10/01/1986")
    advance(ctx, did, Event.cu_di_hoc)
    # (a certificate valid today lets the class be finished; it postdates the 2019 vote)
    fact(ctx, did, inputs.CertificateIn, number="G", issued_on="10/03/2022", issuer="Trung tâm")
    advance(ctx, did, Event.hoan_thanh_lop)
    for kind, day in (
        ("don_xin_vao_dang", "01/04/2019"),
        ("ly_lich", "05/04/2019"),
        ("tong_hop_y_kien", "20/04/2019"),
        ("nghi_quyet_doan", "22/04/2019"),
    ):
        fact(ctx, did, inputs.DocumentIn, kind=kind, dated=day)
    fact(
        ctx,
        did,
        inputs.IntroducerIn,
        full_name="Phan Văn Hùng",
        official=True,
        months_together=36,
        introduced_on="21/04/2019",
    )
    fact(ctx, did, inputs.VerificationIn, certified_on="28/04/2019", certified_by="Đảng ủy")
    fact(
        ctx,
        did,
        inputs.ResolutionIn,
        kind="chi_bo",
        dated="06/05/2019",
        official_members=9,
        agree=9,
    )
    before = _chi_bo_step(ctx, did)
    set_rule_override(
        ctx,
        "youth_age_max",
        "35",
        "Hướng dẫn của tỉnh",
        effective_from=ctx.today().replace(month=1, day=1),
    )
    after = _chi_bo_step(ctx, did)
    assert before["rule_set_id"] == after["rule_set_id"] == "QD29-2016"
    assert before["unmet"] == after["unmet"] and not after["allowed"]
    assert [u["rule_id"] for u in after["unmet"]] == ["R-CLASS", "R-INTRO"]  # type: ignore[index,union-attr]


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("probation_months", "0", "Điều lệ"),
        ("introducers_required", "1", "Điều lệ"),
        ("youth_age_max", "100000000000000000000", "không phải số nguyên"),
        ("youth_age_max", "40", "28–35"),
    ],
)
def test_a_locked_or_out_of_range_override_writes_nothing(
    ctx: Context, db: TestDB, key: str, value: str, needle: str
) -> None:
    events, rows = _count(db, "audit_event"), _count(db, "rule_override")
    with pytest.raises(BadInput) as refused:
        set_rule_override(ctx, key, value, "Thử")
    assert needle in str(refused.value) and refused.value.exit_code == 2
    assert (_count(db, "audit_event"), _count(db, "rule_override")) == (events, rows)


def test_an_authorised_base_committee_decides_and_its_decision_follows_its_vote(
    ctx: Context,
) -> None:
    with pytest.raises(BadInput, match="ủy quyền"):
        add_org(
            ctx,
            {
                "code": "DUX",
                "name": "Đảng ủy xã Lộc An",
                "kind": "dang_bo_co_so",
                "parent_code": "TU",
            },
        )
    add_org(
        ctx,
        {
            "code": "DUX",
            "name": "Đảng ủy xã Lộc An",
            "kind": "dang_bo_co_so",
            "parent_code": "TU",
            "decides_admission": True,
        },
    )
    add_org(ctx, {"code": "CBT", "name": "Chi bộ thôn 1", "kind": "chi_bo", "parent_code": "DUX"})
    did = new_candidate(ctx, org_code="CBT")
    assert show(ctx, did)["competent_committee"]["code"] == "DUX"
    assert show(ctx, new_candidate(ctx))["competent_committee"]["code"] == "DUK"
    advance(ctx, did, Event.cu_di_hoc)
    complete_papers(ctx, did, vote_on="06/05/2025")
    advance(ctx, did, Event.hoan_thanh_lop)
    advance(ctx, did, Event.chi_bo_thong_qua)
    with pytest.raises(Refused) as refused:
        advance(ctx, did, Event.gui_cap_uy)
    assert "được ủy quyền" in refused.value.verdict.unmet[0].message
    fact(
        ctx,
        did,
        inputs.ResolutionIn,
        kind="dang_uy",
        dated="12/05/2025",
        official_members=9,
        agree=6,
    )
    advance(ctx, did, Event.gui_cap_uy)
    advance(ctx, did, Event.trinh_btv)
    fact(ctx, did, inputs.DecisionIn, kind="ket_nap", number="1-QĐ/ĐU", signed_on="10/05/2025")
    with pytest.raises(Refused) as refused:
        advance(ctx, did, Event.quyet_dinh_ket_nap)
    assert refused.value.verdict.rule_ids == ["R-VOTE-DU"]
    fact(ctx, did, inputs.DecisionIn, kind="ket_nap", number="2-QĐ/ĐU", signed_on="13/05/2025")
    advance(ctx, did, Event.quyet_dinh_ket_nap)
