"""L-TRANSFER through the service: a dossier moves to another chi bộ; under one committee in
one unit of work, across committees each side records its part and the scope follows the
dossier; a probationary member's D-OFFICIAL keeps its date; what the new chi bộ must redo;
bad input writes nothing; the audit log replays to the live state and the as-of view agrees."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import select

from models.tables import AuditEvent, Deadline, Dossier, Organization, Transfer
from tests.conftest import admit, complete_papers, fact, live_and_log_agree, new_candidate
from tests.databases import TestDB, table_counts
from workflow.domain.errors import BadInput, Forbidden
from workflow.domain.process import Event
from workflow.inputs import dossier as inputs
from workflow.usecases.advancing import advance
from workflow.usecases.context import Context
from workflow.usecases.organizations import add_org
from workflow.usecases.transfers import cancel, list_transfers, receive, send
from workflow.usecases.users import add_user
from workflow.usecases.views import show

PASSWORD = "mat-khau-thu-nghiem"
LETTER = {"letter_number": "12-GGT/ĐUK", "letter_on": "10/11/2026", "reason": "Chuyển công tác"}


@pytest.fixture
def more(ctx: Context) -> Context:
    """CB2 beside CB (same đảng bộ, same committee DUK); DUK2 → CBX (another committee);
    an ended chi bộ CBOLD."""
    add_org(ctx, {"code": "CB2", "name": "Chi bộ Tổ chức", "kind": "chi_bo", "parent_code": "DB"})
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
        ctx, {"code": "CBX", "name": "Chi bộ thôn 3", "kind": "chi_bo_co_so", "parent_code": "DUK2"}
    )
    add_org(ctx, {"code": "CBOLD", "name": "Chi bộ cũ", "kind": "chi_bo", "parent_code": "DB"})
    with ctx.write() as s:  # ended last month (how it ended is org_changes' business)
        old = s.exec(select(Organization).where(Organization.code == "CBOLD")).one()
        old.valid_to = date(2026, 10, 31)
        s.add(old)
    return ctx


def moves(ctx: Context, did: int) -> list[AuditEvent]:
    with ctx.read() as s:
        return list(
            s.exec(
                select(AuditEvent).where(AuditEvent.dossier_id == did, AuditEvent.kind == "move")
            ).all()
        )


def test_under_one_committee_both_sides_in_one_unit_of_work(more: Context) -> None:
    ctx = more
    did = new_candidate(ctx)
    advance(ctx, did, Event.cu_di_hoc)
    before = show(ctx, did)
    done = send(ctx, did, {"to_code": "CB2", **LETTER}, expected_version=before["version"])
    assert done["status"] == "da_nhan" and done["received_on"] == "2026-11-10"
    assert (done["from"]["code"], done["to"]["code"]) == ("CB", "CB2")
    view = show(ctx, did)
    assert view["org"]["code"] == "CB2" and view["version"] == before["version"] + 1
    assert view["stage"] == before["stage"]
    assert [t["status"] for t in view["transfers"]] == ["da_nhan"]
    with ctx.read() as s:
        d = s.get(Dossier, did)
        assert d is not None and d.transferred_on == date(2026, 11, 10)
    [event] = moves(ctx, did)
    data = json.loads(event.data)
    assert data["org"] == {"from": "CB", "to": "CB2"} and data["transfer"] == done["id"]
    assert data["rule"] == "L-TRANSFER" and event.event == "chuyen_sinh_hoat"
    live_and_log_agree(ctx, did)


def test_across_committees_each_side_records_and_the_scope_follows(more: Context) -> None:
    ctx = more
    did = new_candidate(ctx)
    add_user(ctx, "admin", "Quản trị viên", "quan_tri", password=PASSWORD)
    admin = replace(ctx, actor="admin")
    add_user(admin, "lan", "Nguyễn Thị Lan", "chuyen_vien", "DUK", password=PASSWORD)
    add_user(admin, "hung", "Trần Văn Hùng", "chuyen_vien", "DUK2", password=PASSWORD)
    lan, hung = replace(ctx, actor="lan"), replace(ctx, actor="hung")
    with pytest.raises(Forbidden):  # the receiving committee cannot send what is not theirs
        send(hung, did, {"to_code": "CBX", **LETTER})
    sent = send(lan, did, {"to_code": "CBX", **LETTER})
    assert sent["status"] == "dang_chuyen" and sent["received_on"] is None
    assert show(lan, did)["org"]["code"] == "CB"  # still the sender's
    with pytest.raises(Forbidden):
        show(hung, did)
    assert [t["id"] for t in list_transfers(hung)] == [sent["id"]]  # the receiver sees it
    assert moves(ctx, did) == []
    with ctx.read() as s:  # L-TRANSFER: the letter within 30 days, reminded to the receiver
        [due] = s.exec(select(Deadline).where(Deadline.subject == f"transfer:{sent['id']}")).all()
        assert (due.rule_id, due.due, due.done_on) == ("L-TRANSFER", date(2026, 12, 10), None)
        assert due.org_id == s.exec(select(Organization.id).where(Organization.code == "CBX")).one()
    with pytest.raises(BadInput):  # a second transfer waits for the first
        send(lan, did, {"to_code": "CB2", **LETTER})
    with pytest.raises(Forbidden):  # the sender cannot receive for the other committee
        receive(lan, sent["id"], {"received_on": "20/11/2026"})
    got = receive(hung, sent["id"], {"received_on": "20/11/2026"})
    assert got["status"] == "da_nhan" and got["received_on"] == "2026-11-20" and not got["late"]
    assert show(hung, did)["org"]["code"] == "CBX"
    with pytest.raises(Forbidden):  # the sender no longer sees it
        show(lan, did)
    with ctx.read() as s:
        due = s.exec(select(Deadline).where(Deadline.subject == f"transfer:{sent['id']}")).one()
        assert due.done_on == date(2026, 11, 20)
    [event] = moves(ctx, did)
    assert json.loads(event.data)["org"] == {"from": "CB", "to": "CBX"}
    with pytest.raises(BadInput):  # received once
        receive(hung, sent["id"], {"received_on": "21/11/2026"})
    live_and_log_agree(admin, did)


def test_a_pending_transfer_cancelled_moves_nothing(more: Context) -> None:
    ctx = more
    did = new_candidate(ctx)
    sent = send(ctx, did, {"to_code": "CBX", **LETTER})
    version = show(ctx, did)["version"]
    done = cancel(ctx, sent["id"], {"reason": "Người vào Đảng không chuyển công tác nữa"})
    assert done["status"] == "huy"
    assert show(ctx, did)["org"]["code"] == "CB" and show(ctx, did)["version"] == version
    with ctx.read() as s:
        assert (
            s.exec(select(Deadline).where(Deadline.subject == f"transfer:{sent['id']}")).all() == []
        )
    with pytest.raises(BadInput):
        receive(ctx, sent["id"], {"received_on": "20/11/2026"})
    live_and_log_agree(ctx, did)


def test_a_probationary_member_keeps_the_probation_clock_and_d_official(more: Context) -> None:
    ctx = more
    did = new_candidate(ctx)
    admit(
        ctx,
        did,
        vote_on="06/03/2026",
        du_on="12/03/2026",
        signed_on="20/04/2026",
        received_on="23/04/2026",
    )
    fact(ctx, did, inputs.CeremonyIn, held_on="10/05/2026")
    advance(ctx, did, Event.to_chuc_le)

    def official_due() -> list[tuple[str, date, int]]:
        with ctx.read() as s:
            rows = s.exec(
                select(Deadline).where(
                    Deadline.dossier_id == did, Deadline.subject == f"dossier:{did}"
                )
            ).all()
            return sorted((r.kind, r.due, r.org_id) for r in rows)

    before = official_due()
    assert before, "a probationary member has deadlines (D-OFFICIAL)"
    party_joined = show(ctx, did)["party_joined_on"]
    done = send(ctx, did, {"to_code": "CB2", **LETTER})
    assert [r["what"] for r in done["redo"]] == ["giup_do_du_bi"]
    after = official_due()
    with ctx.read() as s:
        cb2 = s.exec(select(Organization.id).where(Organization.code == "CB2")).one()
    assert [(k, d) for k, d, _ in after] == [(k, d) for k, d, _ in before]  # same dates
    assert {o for *_, o in after} == {cb2}  # the new chi bộ's contacts are reminded
    view = show(ctx, did)
    assert view["stage"] == "du_bi" and view["party_joined_on"] == party_joined
    # the receiving chi bộ does the recognition: its votes are recorded on the dossier
    fact(
        ctx,
        did,
        inputs.ResolutionIn,
        kind="chi_bo_chinh_thuc",
        dated="20/11/2026",
        official_members=8,
        agree=8,
    )
    live_and_log_agree(ctx, did)


def test_a_candidate_past_the_chi_bo_vote_is_told_what_the_new_chi_bo_redoes(
    more: Context,
) -> None:
    ctx = more
    did = new_candidate(ctx)
    advance(ctx, did, Event.cu_di_hoc)
    complete_papers(ctx, did)
    advance(ctx, did, Event.hoan_thanh_lop)
    advance(ctx, did, Event.chi_bo_thong_qua)
    fact(
        ctx,
        did,
        inputs.ResolutionIn,
        kind="dang_uy",
        dated="12/05/2025",
        official_members=7,
        agree=7,
    )
    done = send(ctx, did, {"to_code": "CBX", **LETTER})
    redo = {r["what"]: r["rule_id"] for r in done["redo"]}
    assert redo == {
        "nghi_quyet_chi_bo": "R-VOTE-CB",
        "nghi_quyet_dang_uy": "R-VOTE-DU",
        "nguoi_gioi_thieu": "R-INTRO",
        "nghi_quyet_doan": "R-INTRO-DOAN",
        "tong_hop_y_kien": "P-DOSSIER",
    }
    with ctx.read() as s:
        row = s.get(Transfer, done["id"])
        assert row is not None and json.loads(row.redo) == done["redo"]
    # the certificate, the application and the verified history travel: not in the list
    assert not {"ly_lich", "don_xin_vao_dang", "giay_chung_nhan"} & redo.keys()
    # under the same đảng ủy cơ sở the đảng ủy's vote stands
    other = new_candidate(ctx)
    advance(ctx, other, Event.cu_di_hoc)
    complete_papers(ctx, other)
    fact(
        ctx,
        other,
        inputs.ResolutionIn,
        kind="dang_uy",
        dated="12/05/2025",
        official_members=7,
        agree=7,
    )
    same = send(ctx, other, {"to_code": "CB2", **LETTER})
    assert "nghi_quyet_dang_uy" not in {r["what"] for r in same["redo"]}
    live_and_log_agree(ctx, did)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to_code": "CBOLD"}, "Chi bộ nhận (--to)"),  # ended
        ({"to_code": "DB"}, "Chi bộ nhận (--to)"),  # not a chi bộ
        ({"to_code": "DUK2"}, "Chi bộ nhận (--to)"),  # a committee
        ({"to_code": "CB"}, "Chi bộ nhận (--to)"),  # the same
        ({"to_code": "KHONGCO"}, "Chi bộ nhận (--to)"),  # unknown
        ({"letter_on": "31/02/2026"}, "Ngày giấy giới thiệu (--letter-on)"),
        ({"letter_on": "01/01/2027"}, "Ngày giấy giới thiệu (--letter-on)"),  # future
        ({"letter_number": ""}, "Số giấy giới thiệu (--letter-number)"),
        ({"reason": ""}, "Lý do chuyển (--reason)"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    more: Context, db: TestDB, change: dict[str, str], field: str
) -> None:
    did = new_candidate(more)
    before = table_counts(db)
    with pytest.raises(BadInput) as bad:
        send(more, did, {"to_code": "CB2", **LETTER, **change})
    assert field in [f for f, _ in bad.value.problems], bad.value.problems
    assert table_counts(db) == before


def test_a_closed_dossier_or_an_official_member_is_not_transferred(more: Context) -> None:
    ctx = more
    did = new_candidate(ctx)
    advance(ctx, did, Event.rut_ho_so, reason="Người vào Đảng xin rút hồ sơ")
    with pytest.raises(BadInput) as bad:
        send(ctx, did, {"to_code": "CB2", **LETTER})
    assert "L-TRANSFER" in str(bad.value)
