"""Roles and scopes, checked in the service layer; every refusal is audited."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import select

from models.tables import AuditEvent
from scheduler.scan import scan
from tests.conftest import fact, new_candidate
from tests.databases import TestDB
from workflow.domain.errors import BadInput, Forbidden
from workflow.domain.process import Event
from workflow.inputs import dossier as inputs
from workflow.usecases import targets
from workflow.usecases.advancing import advance
from workflow.usecases.context import Context
from workflow.usecases.dossiers import add_candidate
from workflow.usecases.organizations import add_org
from workflow.usecases.recording import record_fact
from workflow.usecases.users import add_user, grant, list_users, revoke
from workflow.usecases.views import list_dossiers, show

PASSWORD = "mat-khau-thu-nghiem"  # the tests act through Contexts: nobody signs in


@pytest.fixture
def people(ctx: Context) -> tuple[dict[str, Context], dict[str, int]]:
    """Two committees (DUK with DB → CB, and DUK2 → CB2), and one user of each role."""
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
    ids = {"a": new_candidate(ctx), "b": new_candidate(ctx, org_code="CB2")}
    with pytest.raises(BadInput):  # the first user must be an administrator
        add_user(ctx, "lan", "Nguyễn Thị Lan", "chuyen_vien", "DUK", password=PASSWORD)
    add_user(ctx, "admin", "Quản trị viên", "quan_tri", password=PASSWORD)
    admin = replace(ctx, actor="admin")
    add_user(admin, "lan", "Nguyễn Thị Lan", "chuyen_vien", "DUK", password=PASSWORD)
    add_user(admin, "hung", "Trần Văn Hùng", "chuyen_vien", "DUK2", password=PASSWORD)
    add_user(admin, "thanh_tra", "Lê Văn Tra", "kiem_tra", password=PASSWORD)
    add_user(admin, "bi_thu_cb", "Phạm Thị Thu", "bi_thu", "CB", password=PASSWORD)
    users = {
        name: replace(ctx, actor=name)
        for name in ("admin", "lan", "hung", "thanh_tra", "bi_thu_cb")
    }
    return users | {"anyone": ctx}, ids


def denials(ctx: Context) -> list[AuditEvent]:
    with ctx.read() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.kind == "denied")).all())


def test_a_clerk_cannot_read_list_or_advance_another_committees_dossiers(
    people: tuple[dict[str, Context], dict[str, int]],
) -> None:
    users, ids = people
    lan = users["lan"]
    assert {d["org_code"] for d in list_dossiers(lan)} == {"CB"}
    assert show(lan, ids["a"])["org"]["code"] == "CB"
    with pytest.raises(Forbidden, match="ngoài phạm vi"):
        show(lan, ids["b"])
    with pytest.raises(Forbidden):
        list_dossiers(lan, org_code="DUK2")
    with pytest.raises(Forbidden):
        advance(lan, ids["b"], Event.cu_di_hoc)
    advance(lan, ids["a"], Event.cu_di_hoc)  # their own: allowed
    refused = denials(lan)
    assert len(refused) == 3 and all(e.actor == "lan" for e in refused)
    assert {e.event for e in refused} == {"read", "advance"}


def test_an_inspector_reads_everything_and_writes_nothing(
    people: tuple[dict[str, Context], dict[str, int]], tmp_path: Path
) -> None:
    users, ids = people
    inspector = users["thanh_tra"]
    assert len(list_dossiers(inspector)) == 2
    show(inspector, ids["b"])
    writes = [
        lambda: advance(inspector, ids["a"], Event.cu_di_hoc),
        lambda: new_candidate(inspector, org_code="CB"),
        lambda: fact(inspector, ids["a"], inputs.DocumentIn, kind="ly_lich", dated="05/04/2025"),
        lambda: targets.set_target(inspector, {"org_code": "DUK", "year": 2026, "value": 5}),
        lambda: scan(inspector),
        lambda: add_org(inspector, {"code": "X", "name": "Tổ chức X", "kind": "cap_tinh"}),
    ]
    for write in writes:
        with pytest.raises(Forbidden, match="Ủy ban Kiểm tra"):
            write()
    assert len(denials(inspector)) == len(writes)
    assert all(e.actor == "thanh_tra" for e in denials(inspector))


def test_a_secretary_records_only_their_own_chi_bos_votes(
    people: tuple[dict[str, Context], dict[str, int]],
) -> None:
    users, ids = people
    secretary = users["bi_thu_cb"]
    vote = {"kind": "chi_bo", "dated": "06/05/2025", "official_members": 9, "agree": 8}
    record_fact(secretary, ids["a"], inputs.ResolutionIn, vote)  # their own chi bộ
    with pytest.raises(Forbidden, match="ngoài phạm vi"):
        record_fact(secretary, ids["b"], inputs.ResolutionIn, vote)
    with pytest.raises(Forbidden, match="không được ghi quyết định"):
        record_fact(
            secretary,
            ids["a"],
            inputs.DecisionIn,
            {"kind": "ket_nap", "number": "1-QĐ", "signed_on": "20/06/2025"},
        )
    with pytest.raises(Forbidden):
        advance(secretary, ids["a"], Event.cu_di_hoc)


def test_users_are_managed_by_the_administrator_only(
    people: tuple[dict[str, Context], dict[str, int]],
) -> None:
    users, _ = people
    admin, lan = users["admin"], users["lan"]
    with pytest.raises(Forbidden):
        add_user(lan, "nguoi_x", "Người X", "kiem_tra", password=PASSWORD)
    grant(admin, "hung", "cap_uy", "DUK2")
    revoke(admin, "thanh_tra")
    with pytest.raises(Forbidden, match="chưa được cấp quyền"):
        list_dossiers(users["thanh_tra"])
    with pytest.raises(Forbidden, match="chưa được cấp quyền"):
        list_dossiers(users["anyone"])  # a name that is not a user
    listed = {u["username"]: u for u in list_users(admin)}
    assert listed["hung"]["role"] == "cap_uy" and not listed["thanh_tra"]["active"]
    with pytest.raises(BadInput, match="bí thư chi bộ phải thuộc"):
        add_user(admin, "bt", "Bí thư", "bi_thu", "DUK", password=PASSWORD)
    with pytest.raises(BadInput):
        add_user(
            admin, "cv", "Chuyên viên", "chuyen_vien", password=PASSWORD
        )  # a scoped role needs its org


def test_the_whole_cccd_only_for_the_dossiers_handlers_and_audited(
    people: tuple[dict[str, Context], dict[str, int]],
) -> None:
    users, ids = people
    assert "cccd" not in show(users["lan"], ids["a"])
    shown = show(users["lan"], ids["a"], reveal_cccd=True)
    assert len(shown["candidate"]["cccd"]) == 12
    with users["lan"].read() as s:
        seen = s.exec(select(AuditEvent).where(AuditEvent.event == "xem_cccd")).all()
    assert [e.actor for e in seen] == ["lan"]
    with pytest.raises(Forbidden):
        show(users["thanh_tra"], ids["a"], reveal_cccd=True)
    assert show(users["thanh_tra"], ids["a"])["candidate"]["cccd_masked"].startswith("********")


def test_an_existing_cccd_outside_the_scope_is_not_pointed_to(
    people: tuple[dict[str, Context], dict[str, int]], db: TestDB
) -> None:
    """Permission first, and then nothing said about a dossier the clerk may not see."""
    users, ids = people
    taken = db.sql(
        "SELECT c.cccd FROM candidate c JOIN dossier d ON d.candidate_id = c.id WHERE d.id = :i",
        {"i": ids["b"]},
    )[0][0]
    data = {
        "full_name": "Lê Văn Tâm",
        "birth_date": "01/01/2000",  # the number's year: the same person, typed again
        "sex": "nam",
        "cccd": taken,
        "education": "thpt",
        "org_code": "CB",
    }
    with pytest.raises(BadInput) as bad:
        add_candidate(users["lan"], data)  # DUK's clerk; the person is in DUK2's chi bộ
    said = bad.value.problems[0][1]
    assert "ngoài phạm vi" in said and f"#{ids['b']}" not in said
    with pytest.raises(Forbidden):  # DUK's clerk may not add people to DUK2's chi bộ at all
        add_candidate(users["lan"], {**data, "org_code": "CB2"})
