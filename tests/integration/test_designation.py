"""L-NO-MEMBER through the service: the competent committee designates the chi bộ that
helps a candidate whose place has no Party member; the dossier records it (a row, an audit
event, shown on the dossier); from then on the designated chi bộ's users read the dossier
and record on it what a chi bộ records, and its vote is the one the step counts; only the
committee (or the administrator) designates; bad input writes nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import select

from models.tables import AuditEvent, Designation, Organization
from tests.conftest import complete_papers, fact, new_candidate
from tests.databases import TestDB, table_counts
from workflow.domain.errors import BadInput, Forbidden
from workflow.domain.process import Event
from workflow.inputs import dossier as inputs
from workflow.usecases.advancing import advance
from workflow.usecases.asof import dossier_as_of
from workflow.usecases.context import Context
from workflow.usecases.designations import designate
from workflow.usecases.organizations import add_org
from workflow.usecases.timeline import timeline
from workflow.usecases.trust import verify_audit
from workflow.usecases.users import add_user
from workflow.usecases.views import list_dossiers, next_steps, show

PASSWORD = "mat-khau-thu-nghiem"
DECISION = {
    "chi_bo_code": "CB2",
    "number": "15-QĐ/ĐUK",
    "signed_on": "01/04/2025",
    "place": "Công ty TNHH Hòa Bình (chưa có đảng viên)",
}


@pytest.fixture
def tree(ctx: Context) -> Context:
    add_org(ctx, {"code": "CB2", "name": "Chi bộ Tổ chức", "kind": "chi_bo", "parent_code": "DB"})
    add_org(ctx, {"code": "CBOLD", "name": "Chi bộ cũ", "kind": "chi_bo", "parent_code": "DB"})
    with ctx.write() as s:
        old = s.exec(select(Organization).where(Organization.code == "CBOLD")).one()
        old.valid_to = date(2026, 10, 31)
        s.add(old)
    return ctx


def papers_but_the_vote(ctx: Context, did: int) -> None:
    """What conftest.complete_papers records, without the chi bộ's vote."""
    advance(ctx, did, Event.cu_di_hoc)
    complete_papers(ctx, did, vote=False)


def users(ctx: Context) -> dict[str, Context]:
    add_user(ctx, "admin", "Quản trị viên", "quan_tri", password=PASSWORD)
    admin = replace(ctx, actor="admin")
    add_user(admin, "lan", "Nguyễn Thị Lan", "chuyen_vien", "DUK", password=PASSWORD)
    add_user(admin, "bt2", "Phạm Thị Thu", "bi_thu", "CB2", password=PASSWORD)
    add_user(admin, "bt1", "Lê Văn Một", "bi_thu", "CB", password=PASSWORD)
    return {name: replace(ctx, actor=name) for name in ("admin", "lan", "bt2", "bt1")}


def test_the_designated_chi_bo_records_and_its_vote_counts(tree: Context) -> None:
    did = new_candidate(tree)
    papers_but_the_vote(tree, did)
    who = users(tree)
    vote = {"kind": "chi_bo", "dated": "06/05/2025", "official_members": 9, "agree": 8}
    with pytest.raises(Forbidden):  # not yet: the dossier is CB's
        fact(who["bt2"], did, inputs.ResolutionIn, **vote)
    with pytest.raises(Forbidden):
        show(who["bt2"], did)
    with pytest.raises(Forbidden):  # a chi bộ secretary does not designate
        designate(who["bt1"], did, DECISION)
    assert [r["dossier_id"] for r in list_dossiers(who["bt2"])] == []
    done = designate(who["lan"], did, DECISION)
    assert done["chi_bo"]["code"] == "CB2" and done["by"]["code"] == "DUK"
    assert done["rule_id"] == "L-NO-MEMBER"
    view = show(who["bt2"], did)  # now the designated chi bộ reads it
    assert [r["dossier_id"] for r in list_dossiers(who["bt2"])] == [did]  # and lists it
    assert [d["chi_bo"]["code"] for d in view["designations"]] == ["CB2"]
    assert view["org"]["code"] == "CB"  # the dossier stays where it was opened
    fact(who["bt2"], did, inputs.ResolutionIn, **vote, against=1)
    # and reads its steps, its timeline and the dossier as of a day, like its own
    assert next_steps(who["bt2"], did)["steps"]
    assert timeline(who["bt2"], did)
    assert dossier_as_of(who["bt2"], did, tree.today())["dossier_id"] == did
    with pytest.raises(Forbidden):  # the committee's facts stay the committee's
        fact(
            who["bt2"],
            did,
            inputs.ResolutionIn,
            kind="dang_uy",
            dated="12/05/2025",
            official_members=7,
            agree=7,
        )
    advance(who["lan"], did, Event.hoan_thanh_lop)
    moved = advance(who["lan"], did, Event.chi_bo_thong_qua)  # the designated chi bộ's vote
    assert moved.to_stage.value == "gui_ho_so"
    with tree.read() as s:
        row = s.exec(select(Designation).where(Designation.dossier_id == did)).one()
        assert (row.number, row.place, row.recorded_by) == (
            "15-QĐ/ĐUK",
            DECISION["place"],
            "lan",
        )
        event = s.exec(
            select(AuditEvent).where(
                AuditEvent.dossier_id == did, AuditEvent.event == "chi_dinh_chi_bo_giup_do"
            )
        ).one()
        vote_event = s.exec(
            select(AuditEvent).where(
                AuditEvent.dossier_id == did, AuditEvent.event == "ghi_nghi_quyet"
            )
        ).one()
    assert json.loads(event.data)["chi_bo"] == "CB2" and event.kind == "fact"
    assert vote_event.actor == "bt2"
    report = verify_audit(who["admin"], state=True)
    assert report.ok and report.state is not None and report.state["differences"] == []
    rebuilt = dossier_as_of(who["admin"], did, tree.today())
    assert "chi_dinh_chi_bo_giup_do" in [f["fact"] for f in rebuilt["facts"]]
    assert rebuilt["version"] == show(who["admin"], did)["version"]
    add_org(
        who["admin"], {"code": "CB3", "name": "Chi bộ 3", "kind": "chi_bo", "parent_code": "DB"}
    )
    add_user(who["admin"], "bt3", "Hồ Văn Ba", "bi_thu", "CB3", password=PASSWORD)
    with pytest.raises(Forbidden):  # a chi bộ not designated still cannot
        show(replace(tree, actor="bt3"), did)


def test_the_administrator_designates_too(tree: Context) -> None:
    did = new_candidate(tree)
    who = users(tree)
    assert designate(who["admin"], did, DECISION)["chi_bo"]["code"] == "CB2"
    with pytest.raises(BadInput):  # once per chi bộ
        designate(who["admin"], did, DECISION)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"chi_bo_code": "CBOLD"}, "Chi bộ được chỉ định (--chi-bo)"),  # ended
        ({"chi_bo_code": "DB"}, "Chi bộ được chỉ định (--chi-bo)"),  # not a chi bộ
        ({"chi_bo_code": "CB"}, "Chi bộ được chỉ định (--chi-bo)"),  # its own
        ({"chi_bo_code": "KHONGCO"}, "Chi bộ được chỉ định (--chi-bo)"),
        ({"number": ""}, "Số quyết định (--number)"),
        ({"signed_on": "01/13/2025"}, "Ngày ký (--signed-on)"),
        ({"place": ""}, "Nơi chưa có đảng viên (--place)"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    tree: Context, db: TestDB, change: dict[str, str], field: str
) -> None:
    did = new_candidate(tree)
    before = table_counts(db)
    with pytest.raises(BadInput) as bad:
        designate(tree, did, {**DECISION, **change})
    assert field in [f for f, _ in bad.value.problems], bad.value.problems
    assert table_counts(db) == before
