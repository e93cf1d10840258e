"""Corrections (đính chính, issue 18 point 1): the person's data and a recorded fact, each
in one unit of work with its audit event (field, old, new), the deadlines and the dates a
step fixed recomputed; a correction making a step already taken unlawful raises a
finding; the as-of view and the state check agree with the live state."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from models.tables import AuditEvent, Ceremony, Deadline, Dossier, Finding, Resolution
from tests.conftest import admit, cccd_of, complete_papers, fact, new_candidate
from tests.databases import TestDB
from workflow.domain.errors import BadInput, Forbidden
from workflow.domain.process import Event
from workflow.inputs import dossier as inputs
from workflow.usecases.advancing import advance
from workflow.usecases.asof import dossier_as_of
from workflow.usecases.context import Context
from workflow.usecases.corrections import correct_fact, correct_person
from workflow.usecases.findings import agenda_findings, close_finding, list_findings
from workflow.usecases.organizations import add_org
from workflow.usecases.replay import differences
from workflow.usecases.users import add_user
from workflow.usecases.views import show

PASSWORD = "mat-khau-thu-nghiem"
REASON = "Gõ nhầm khi nhập hồ sơ, đối chiếu bản gốc"


def corrections(ctx: Context, did: int) -> list[AuditEvent]:
    with ctx.read() as s:
        return list(
            s.exec(
                select(AuditEvent)
                .where(AuditEvent.dossier_id == did, AuditEvent.kind == "correction")
                .order_by(col(AuditEvent.id))
            ).all()
        )


def state_differences(ctx: Context) -> list[str]:
    with ctx.read() as s:
        found, _, _ = differences(s.connection())
    return [d.text() for d in found]


def row_id(ctx: Context, table: Any, did: int, **where: object) -> int:
    with ctx.read() as s:
        query = select(table).where(table.dossier_id == did)
        for name, value in where.items():
            query = query.where(getattr(table, name) == value)
        found = s.exec(query).first()
    assert found is not None
    return int(found.id)


def test_a_person_field_is_corrected_with_its_old_value_in_the_log(ctx: Context) -> None:
    did = new_candidate(ctx, full_name="Nguyễn Văn Thăng")
    made = correct_person(ctx, did, "Họ và tên", "Nguyễn Văn Thắng", REASON)
    assert (made["field"], made["findings"]) == ("full_name", [])
    assert show(ctx, did)["candidate"]["full_name"] == "Nguyễn Văn Thắng"
    (event,) = corrections(ctx, did)
    data = json.loads(event.data)
    assert (event.event, event.reason) == ("dinh_chinh", REASON)
    assert (data["target"], data["field"], data["old"], data["new"]) == (
        "person",
        "full_name",
        "Nguyễn Văn Thăng",
        "Nguyễn Văn Thắng",
    )
    # a label typed with the code, a coded value with its label, as on entry
    correct_person(ctx, did, "education", "Trung học phổ thông", REASON)
    assert show(ctx, did)["candidate"]["education"] == "thpt"
    correct_person(ctx, did, "doan_member", "không", REASON)
    assert show(ctx, did)["candidate"]["doan_member"] is False


def test_a_corrected_cccd_is_kept_masked_with_a_keyed_hash(ctx: Context, db: TestDB) -> None:
    old = cccd_of("15/08/2000", "nam", 901)
    new = cccd_of("15/08/2000", "nam", 902)
    did = new_candidate(ctx, cccd=old)
    correct_person(ctx, did, "cccd", new, REASON)
    (event,) = corrections(ctx, did)
    assert old not in event.data and new not in event.data
    data = json.loads(event.data)
    assert data["old"]["masked"].endswith(old[-4:]) and data["new"]["masked"].endswith(new[-4:])
    assert len(data["new"]["hmac"]) == 64 and data["old"]["hmac"] != data["new"]["hmac"]
    assert db.sql("SELECT cccd FROM candidate")[0][0] == new
    other = new_candidate(ctx)  # another person's number is refused, as on entry
    with pytest.raises(BadInput, match="đã có người với số CCCD này"):
        correct_person(ctx, other, "cccd", new, REASON)
    with pytest.raises(BadInput, match="Số CCCD"):  # digits that contradict the birth year
        correct_person(ctx, did, "cccd", cccd_of("15/08/1990", "nam", 903), REASON)
    # the address (lý lịch) and a long number typed into free text: never in clear either
    correct_person(ctx, did, "residence", "Số 12 Trần Phú, Bảo Lộc", REASON)
    fact(ctx, did, inputs.DocumentIn, kind="don_xin_vao_dang", dated="01/04/2025")
    rid = row_id(ctx, inputs_table("document"), did)
    correct_fact(ctx, did, "document", rid, "number", "001200012345", REASON)
    for e in corrections(ctx, did)[1:]:
        assert "Trần Phú" not in e.data and "001200012345" not in e.data, e.data
    assert json.loads(corrections(ctx, did)[-1].data)["new"]["masked"] == "*" * 12


def test_a_recorded_fact_is_corrected_and_the_as_of_view_follows(ctx: Context) -> None:
    did = new_candidate(ctx)
    advance(ctx, did, Event.cu_di_hoc)
    complete_papers(ctx, did)
    rid = row_id(ctx, Resolution, did, kind="chi_bo")
    day_before = ctx.today()
    ctx.clock.at += timedelta(days=2)  # type: ignore[attr-defined]
    made = correct_fact(ctx, did, "resolution", rid, "agree", "7", REASON)
    assert made["label"] == "Số phiếu tán thành"
    with ctx.read() as s:
        row = s.get(Resolution, rid)
        assert row is not None and (row.agree, row.against) == (7, 1)
    with pytest.raises(BadInput, match="vượt quá"):  # the fact's own checks, as on entry
        correct_fact(ctx, did, "resolution", rid, "against", "3", REASON)

    def agree_as_of(day: object) -> int:
        view = dossier_as_of(ctx, did, day)  # type: ignore[arg-type]
        (vote,) = [
            f for f in view["facts"] if f["fact"] == "ghi_nghi_quyet" and f["data"]["row_id"] == rid
        ]
        return int(vote["data"]["agree"])

    assert agree_as_of(day_before) == 8
    assert agree_as_of(ctx.today()) == 7
    assert state_differences(ctx) == []


def test_an_unknown_field_a_same_value_or_no_reason_writes_nothing(
    ctx: Context, db: TestDB
) -> None:
    did = new_candidate(ctx)
    complete_papers(ctx, did)
    rid = row_id(ctx, Resolution, did)
    before = db.snapshot()
    with pytest.raises(BadInput) as caught:
        correct_person(ctx, did, "mau_toc", "đen", REASON)
    said = str(caught.value)
    assert "Trường đính chính" in said and "mau_toc" in said
    assert "birth_date (Ngày sinh)" in said and "org_code" not in said
    with pytest.raises(BadInput, match="Trường đính chính"):
        correct_fact(ctx, did, "resolution", rid, "colour", "1", REASON)
    with pytest.raises(BadInput, match="giống giá trị đang ghi"):
        correct_person(ctx, did, "full_name", "Nguyễn Văn Thắng", REASON)
    with pytest.raises(BadInput, match="Lý do đính chính"):
        correct_person(ctx, did, "full_name", "Nguyễn Văn Thành", "sai")
    with pytest.raises(BadInput, match="Loại thông tin"):
        correct_fact(ctx, did, "vote", rid, "agree", "9", REASON)
    with pytest.raises(BadInput, match="Mã dòng"):
        correct_fact(ctx, did, "decision", rid, "number", "1-QĐ", REASON)
    with pytest.raises(BadInput, match="Ngày sinh"):
        correct_person(ctx, did, "birth_date", "31/02/2000", REASON)
    assert db.snapshot() == before


def test_a_corrected_decision_date_moves_the_deadlines_and_the_fixed_date(ctx: Context) -> None:
    did = new_candidate(ctx)
    admit(ctx, did)  # signed 20/06/2025, received 23/06/2025

    def dues() -> dict[str, str]:
        with ctx.read() as s:
            rows = s.exec(select(Deadline).where(Deadline.dossier_id == did)).all()
        return {r.kind: r.due.isoformat() for r in rows}

    was = dues()
    rid = row_id(ctx, inputs_table("decision"), did)
    made = correct_fact(ctx, did, "decision", rid, "received_on", "30/06/2025", REASON)
    now = dues()
    assert now != was  # the ceremony's deadline counts from the day the chi bộ received it
    assert made["fixed"] == {}
    made = correct_fact(ctx, did, "decision", rid, "signed_on", "18/06/2025", REASON)
    assert made["fixed"] == {"party_joined_on": "2025-06-18"}
    with ctx.read() as s:
        d = s.get(Dossier, did)
        assert d is not None and d.party_joined_on is not None
        assert d.party_joined_on.isoformat() == "2025-06-18"
    assert state_differences(ctx) == []
    live = show(ctx, did)
    rebuilt = dossier_as_of(ctx, did, ctx.today())
    assert (rebuilt["stage"], rebuilt["version"]) == (live["stage"], live["version"])


def inputs_table(kind: str) -> type:
    from workflow.inputs.correction import fact_kind
    from workflow.usecases.corrections import TABLES

    return TABLES[fact_kind(kind)][0]


def test_a_birth_date_making_them_17_on_the_vote_raises_a_finding(ctx: Context) -> None:
    did = new_candidate(ctx, birth_date="01/01/2007")  # 18 on the vote of 06/05/2025
    admit(ctx, did)
    made = correct_person(ctx, did, "Ngày sinh", "20/12/2007", REASON)  # 17 that day
    found = [f for f in made["findings"] if f["rule_id"] == "R-AGE"]
    assert found and found[0]["step"] == "chi_bo_thong_qua"
    assert "Chưa đủ 18 tuổi" in found[0]["message"] and "06/05/2025" in found[0]["message"]
    (event,) = corrections(ctx, did)
    with ctx.read() as s:
        rows = s.exec(select(Finding).where(Finding.dossier_id == did)).all()
    assert {r.cause_event for r in rows} == {event.id}
    assert {r.kind for r in rows} == {"dinh_chinh"}
    assert ["chi_bo_thong_qua", "R-AGE"] == json.loads(event.data)["unlawful"][0][:2]
    listed = list_findings(ctx)
    assert [f["id"] for f in listed] == [r.id for r in rows]
    assert agenda_findings(ctx) == listed
    # the step stands (history is not rewritten); the dossier goes on
    assert show(ctx, did)["stage"] == "ket_nap"
    closed = close_finding(ctx, int(found[0]["id"]), "Đã báo cáo cấp ủy, giữ nguyên quyết định")
    assert closed["open"] is False
    assert int(found[0]["id"]) not in [f["id"] for f in list_findings(ctx)]
    assert int(found[0]["id"]) in [f["id"] for f in list_findings(ctx, include_closed=True)]
    with pytest.raises(BadInput, match="đã có kết luận"):
        close_finding(ctx, int(found[0]["id"]), "Kết luận lần thứ hai")
    assert state_differences(ctx) == []


def test_a_correction_that_changes_nothing_lawful_raises_no_finding(ctx: Context) -> None:
    did = new_candidate(ctx)
    admit(ctx, did)
    made = correct_person(ctx, did, "birth_date", "20/09/2000", REASON)
    assert made["findings"] == []
    assert list_findings(ctx) == []


def test_the_person_as_of_shows_the_old_value_before_and_the_new_after(ctx: Context) -> None:
    did = new_candidate(ctx, full_name="Trần Văn Bìn")
    first = ctx.today()
    ctx.clock.at += timedelta(days=3)  # type: ignore[attr-defined]
    correct_person(ctx, did, "full_name", "Trần Văn Bình", REASON)
    correct_person(ctx, did, "birth_date", "16/08/2000", REASON)
    then = dossier_as_of(ctx, did, first)
    now = dossier_as_of(ctx, did, ctx.today())
    assert then["person"]["full_name"]["value"] == "Trần Văn Bìn"
    assert then["person"]["birth_date"]["value"] == "2000-08-15"
    assert then["corrections"] == []
    assert now["person"]["full_name"]["value"] == "Trần Văn Bình"
    assert now["person"]["birth_date"]["value"] == "2000-08-16"
    assert len(now["corrections"]) == 2
    live = show(ctx, did)
    assert (now["stage"], now["version"]) == (live["stage"], live["version"])
    assert state_differences(ctx) == []


def test_a_ceremony_corrected_after_recognition_moves_the_official_day(ctx: Context) -> None:
    did = new_candidate(ctx)
    admit(ctx, did)
    fact(ctx, did, inputs.CeremonyIn, held_on="10/07/2025")
    advance(ctx, did, Event.to_chuc_le)
    rid = row_id(ctx, Ceremony, did)
    made = correct_fact(ctx, did, "ceremony", rid, "held_on", "09/07/2025", REASON)
    assert made["fixed"] == {}  # still probationary: no official day fixed yet
    fact(ctx, did, inputs.ResolutionIn, kind="chi_bo_chinh_thuc", dated="15/07/2026",
         official_members=10, agree=9)  # fmt: skip
    fact(ctx, did, inputs.ResolutionIn, kind="dang_uy_chinh_thuc", dated="20/07/2026",
         official_members=7, agree=6)  # fmt: skip
    fact(ctx, did, inputs.DecisionIn, kind="chinh_thuc", number="456-QĐ/ĐUK",
         signed_on="05/08/2026")  # fmt: skip
    advance(ctx, did, Event.cong_nhan_chinh_thuc)
    assert show(ctx, did)["official_effective_on"] == "2026-07-09"
    made = correct_fact(ctx, did, "ceremony", rid, "held_on", "10/07/2025", REASON)
    assert made["fixed"] == {"official_effective_on": "2026-07-10"}  # D-OFFICIAL
    assert show(ctx, did)["official_effective_on"] == "2026-07-10"
    assert state_differences(ctx) == []
    # a ceremony so late that the chi bộ voted before the probation ended: a finding
    made = correct_fact(ctx, did, "ceremony", rid, "held_on", "20/07/2025", REASON)
    assert "cong_nhan_chinh_thuc" in {f["step"] for f in made["findings"]}
    assert state_differences(ctx) == []


@pytest.fixture
def people(ctx: Context) -> dict[str, Context]:
    add_org(
        ctx,
        {
            "code": "DUK2",
            "name": "Đảng ủy xã Lộc An",
            "kind": "cap_uy_co_tham_quyen",
            "parent_code": "TU",
        },
    )
    add_org(
        ctx, {"code": "CB2", "name": "Chi bộ thôn 2", "kind": "chi_bo_co_so", "parent_code": "DUK2"}
    )
    add_user(ctx, "admin", "Quản trị viên", "quan_tri", password=PASSWORD)
    admin = replace(ctx, actor="admin")
    add_user(admin, "lan", "Nguyễn Thị Lan", "chuyen_vien", "DUK", password=PASSWORD)
    add_user(admin, "hung", "Trần Văn Hùng", "chuyen_vien", "DUK2", password=PASSWORD)
    add_user(admin, "thanh_tra", "Lê Văn Tra", "kiem_tra", password=PASSWORD)
    add_user(admin, "bi_thu_cb", "Phạm Thị Thu", "bi_thu", "CB", password=PASSWORD)
    return {n: replace(ctx, actor=n) for n in ("admin", "lan", "hung", "thanh_tra", "bi_thu_cb")}


def test_who_may_correct_and_who_closes_a_finding(
    ctx: Context, db: TestDB, people: dict[str, Context]
) -> None:
    lan, hung = people["lan"], people["hung"]
    did = new_candidate(lan, birth_date="01/01/2007")
    admit(lan, did)
    rid = row_id(ctx, inputs_table("decision"), did)
    before = db.snapshot()
    with pytest.raises(Forbidden):  # not permitted comes before "field unknown"
        correct_person(hung, did, "mau_toc", "đen", REASON)
    with pytest.raises(Forbidden):
        correct_fact(hung, did, "decision", rid, "colour", "x", REASON)
    with pytest.raises(Forbidden):  # the chi bộ's secretary does not correct a committee's
        correct_fact(people["bi_thu_cb"], did, "decision", rid, "number", "9-QĐ", REASON)
    after = db.snapshot()
    # nothing written but the refusals themselves (audited, with their signed heads)
    assert {k: v for k, v in after.items() if k not in ("audit_event", "audit_head")} == {
        k: v for k, v in before.items() if k not in ("audit_event", "audit_head")
    }
    made = correct_person(lan, did, "birth_date", "20/12/2007", REASON)
    fid = int(made["findings"][0]["id"])
    assert list_findings(hung) == []  # another committee's finding is not theirs to see
    assert [f["id"] for f in list_findings(people["thanh_tra"])] == [
        f["id"] for f in made["findings"]
    ]
    assert agenda_findings(lan) == []  # a clerk's agenda: not theirs to conclude
    assert agenda_findings(people["admin"]) != []
    with pytest.raises(Forbidden):
        close_finding(lan, fid, "Tôi tự kết luận việc này")
    closed = close_finding(people["thanh_tra"], fid, "Đã kiểm tra, đề nghị cấp ủy xem xét lại")
    assert closed["closed_by"] == "thanh_tra"
    with ctx.read() as s:
        (event,) = s.exec(select(AuditEvent).where(AuditEvent.event == "ket_luan_phat_hien")).all()
    assert json.loads(event.data)["finding"] == fid
