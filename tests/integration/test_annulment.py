"""L-ANNUL through the service: the deciding committee annuls its admission decision, from
ket_nap, du_bi or chinh_thuc; struck off, or the procedure redone (with a finding); the
admission dates cleared in the same unit of work; the progress report counts the annulled
admission out of its year and says so; the audit log replays to the live state."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from models.tables import Annulment, AuditEvent, Dossier, Finding
from reports.progress import progress
from tests.conftest import admit, fact, live_and_log_agree, new_candidate
from tests.databases import TestDB, table_counts
from tests.integration.test_service import walk_to_official
from workflow.domain.errors import BadInput, Conflict, Refused
from workflow.domain.process import Event, Stage
from workflow.inputs import dossier as inputs
from workflow.usecases.advancing import advance
from workflow.usecases.annulment import annul
from workflow.usecases.context import Context
from workflow.usecases.findings import list_findings
from workflow.usecases.views import next_steps, show

STRUCK = {
    "number": "77-QĐ/ĐUK",
    "signed_on": "02/09/2026",
    "outcome": "xoa_ten",
    "reason": "Người được kết nạp không đủ tiêu chuẩn chính trị khi kết nạp",
}


def admitted_2026(ctx: Context) -> int:
    """A dossier of chi bộ CB admitted on 20/04/2026 (counted in the year 2026)."""
    did = new_candidate(ctx)
    admit(
        ctx,
        did,
        vote_on="06/03/2026",
        du_on="12/03/2026",
        signed_on="20/04/2026",
        received_on="23/04/2026",
    )
    return did


def test_annulled_from_du_bi_the_name_is_struck_off_in_one_unit_of_work(ctx: Context) -> None:
    did = admitted_2026(ctx)
    fact(ctx, did, inputs.CeremonyIn, held_on="10/05/2026")
    advance(ctx, did, Event.to_chuc_le)
    version = show(ctx, did)["version"]
    done = annul(ctx, did, STRUCK, expected_version=version)
    assert (done["from_stage"], done["to_stage"]) == ("du_bi", "huy_ket_nap")
    assert done["version"] == version + 1 and done["finding_id"] is None
    view = show(ctx, did)
    assert view["stage"] == "huy_ket_nap" and view["party_joined_on"] is None
    assert view["closed_reason"] == STRUCK["reason"]
    with ctx.read() as s:
        row = s.exec(select(Annulment).where(Annulment.dossier_id == did)).one()
        assert (row.number, row.outcome, row.previous_stage) == ("77-QĐ/ĐUK", "xoa_ten", "du_bi")
        assert row.previous_joined_on == date(2026, 4, 20)
        event = s.exec(
            select(AuditEvent).where(
                AuditEvent.dossier_id == did, AuditEvent.event == Event.huy_quyet_dinh_ket_nap
            )
        ).one()
    assert event.reason == STRUCK["reason"] and event.rule_set_id is not None
    data = json.loads(event.data)
    assert data["fixed"] == {"party_joined_on": None, "official_effective_on": None}
    assert data["previous"]["party_joined_on"] == "2026-04-20"
    live_and_log_agree(ctx, did)
    assert next_steps(ctx, did)["steps"] == []  # closed: no step, no annulment offered


def test_annulled_after_recognition_is_redone_from_the_decision_with_a_finding(
    ctx: Context,
) -> None:
    did = new_candidate(ctx)
    walk_to_official(ctx, did)  # admitted 20/06/2025, official 10/07/2026
    assert show(ctx, did)["official_effective_on"] == "2026-07-10"
    done = annul(
        ctx,
        did,
        {
            "number": "80-QĐ/ĐUK",
            "signed_on": "01/10/2026",
            "outcome": "lam_lai",
            "back_to": "btv_quyet_dinh",
            "reason": "Quyết định kết nạp do cấp không có thẩm quyền ký",
        },
    )
    assert (done["from_stage"], done["to_stage"]) == ("chinh_thuc", "btv_quyet_dinh")
    view = show(ctx, did)
    assert view["party_joined_on"] is None and view["official_effective_on"] is None
    assert view["returned_reason"] == "Quyết định kết nạp do cấp không có thẩm quyền ký"
    with ctx.read() as s:
        finding = s.get(Finding, done["finding_id"])
        assert finding is not None and finding.rule_id == "L-ANNUL"
        assert f"{did}-QĐ/ĐUK" in finding.message and finding.closed_at is None
    (listed,) = list_findings(ctx)  # `ketnap findings`, and the agenda of who concludes
    assert (listed["id"], listed["org"], listed["kind"]) == (
        done["finding_id"],
        "DUK",
        "huy_ket_nap",
    )
    assert listed["step_label"] == Event.quyet_dinh_ket_nap.label
    # the annulled decision no longer counts: the redone step needs a new one
    with pytest.raises(Refused) as refused:
        advance(ctx, did, Event.quyet_dinh_ket_nap)
    assert any(u.rule_id for u in refused.value.verdict.unmet)
    fact(
        ctx,
        did,
        inputs.DecisionIn,
        kind="ket_nap",
        number="81-QĐ/ĐUK",
        signed_on="05/10/2026",
        received_on="06/10/2026",
    )
    advance(ctx, did, Event.quyet_dinh_ket_nap)
    view = show(ctx, did)
    assert view["stage"] == "ket_nap" and view["party_joined_on"] == "2026-10-05"
    live_and_log_agree(ctx, did)


def test_progress_counts_the_annulled_admission_out_of_its_year_and_says_so(
    ctx: Context,
) -> None:
    kept, annulled = admitted_2026(ctx), admitted_2026(ctx)
    before = progress(ctx, "DUK", "nam")
    assert before["rows"][0]["admitted"] == 2 and before["annulled"] == []
    assert not any("hủy quyết định kết nạp" in n for n in before["notes"])
    annul(ctx, annulled, STRUCK)
    after = progress(ctx, "DUK", "nam")
    rows = {r["code"]: r for r in after["rows"]}
    assert rows["DUK"]["admitted"] == 1 and rows["CB"]["admitted"] == 1
    assert [a["dossier_id"] for a in after["annulled"]] == [annulled]
    note = after["annulled_note"]
    assert note.startswith("Đã trừ 1 trường hợp hủy quyết định kết nạp khỏi số đã kết nạp năm 2026")
    assert "QĐ số 77-QĐ/ĐUK ngày 02/09/2026" in note and "20/04/2026" in note
    assert note in after["notes"]
    # another organization's report does not say it
    assert progress(ctx, "CBCS", "nam")["annulled_note"] is None
    assert show(ctx, kept)["party_joined_on"] == "2026-04-20"


def _fingerprint(db: TestDB) -> dict[str, Any]:
    return {"counts": table_counts(db), "rows": db.snapshot()}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"number": None}, "Số quyết định hủy"),
        ({"signed_on": None}, "Ngày quyết định hủy"),
        ({"signed_on": "31/12/2026"}, "Ngày quyết định hủy"),  # after today
        ({"signed_on": "01/01/2025"}, "Ngày quyết định hủy"),  # before the admission
        ({"outcome": "khai_tru"}, "Hướng xử lý"),
        ({"outcome": "lam_lai"}, "Làm lại từ bước"),  # where to redo from is required
        ({"back_to": "chi_bo_xet"}, "Làm lại từ bước"),  # struck off: nothing to redo
        ({"reason": None}, "Lý do"),
    ],
)
def test_annulling_without_a_full_decision_is_bad_input_and_writes_nothing(
    ctx: Context, db: TestDB, change: dict[str, Any], field: str
) -> None:
    did = admitted_2026(ctx)
    data = {k: v for k, v in {**STRUCK, **change}.items() if v is not None}
    before = _fingerprint(db)
    with pytest.raises(BadInput) as bad:
        annul(ctx, did, data)
    assert field in [f for f, _ in bad.value.problems], bad.value.problems
    assert _fingerprint(db) == before


def test_only_an_admitted_dossier_is_annulled_and_never_as_a_bare_step(
    ctx: Context, db: TestDB
) -> None:
    waiting = new_candidate(ctx)
    before = _fingerprint(db)
    with pytest.raises(BadInput) as bad:
        annul(ctx, waiting, STRUCK)
    assert "L-ANNUL" in str(bad.value) and "Nguồn" in str(bad.value)
    assert _fingerprint(db) == before
    did = admitted_2026(ctx)
    with pytest.raises(Refused) as refused:
        advance(ctx, did, Event.huy_quyet_dinh_ket_nap, reason="Thử hủy bằng một bước")
    assert [u.rule_id for u in refused.value.verdict.unmet] == ["L-ANNUL"]
    assert "ketnap annul" in refused.value.verdict.unmet[0].message
    with pytest.raises(Conflict):
        annul(ctx, did, STRUCK, expected_version=1)
    annul(ctx, did, STRUCK)
    with pytest.raises(BadInput):  # annulled already: closed at huy_ket_nap
        annul(ctx, did, STRUCK)
    with ctx.read() as s:
        assert s.get(Dossier, did).stage == Stage.huy_ket_nap  # type: ignore[union-attr]
