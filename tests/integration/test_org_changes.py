"""Organizations that change (issue 18, point 6; docs/organizations.md): an organization
ends and hands on to its successors (sáp nhập, chia tách, đổi tên, chuyển trực thuộc) in
one audited unit of work; nothing live points at it afterwards; reports count its
admissions under it as it was and roll them up under its main successor; the log still
leads to the rows (audit verify --state, as-of)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from reports.progress import progress
from tests.conftest import new_candidate
from tests.databases import TestDB
from workflow.domain.errors import BadInput
from workflow.usecases import agenda
from workflow.usecases.asof import dossier_as_of
from workflow.usecases.backfill import record_past_admission
from workflow.usecases.context import Context
from workflow.usecases.org_changes import end_org, move_org, rename_org
from workflow.usecases.organizations import (
    add_org,
    heading_of,
    list_orgs,
    org_by_code,
    orgs_in_scope,
    set_heading,
)
from workflow.usecases.replay import differences
from workflow.usecases.targets import set_target
from workflow.usecases.users import add_user
from workflow.usecases.views import show

PASSWORD = "mat-khau-du-dai-2026"
TODAY = date(2026, 11, 25)  # tests/conftest.py NOW

CELLS_2 = [
    {
        "code": "CBCS2",
        "name": "Chi bộ Trường THCS Lộc Thanh",
        "kind": "chi_bo_co_so",
        "parent_code": "DUK",
        "sector": "truong_hoc",
    },
    {
        "code": "CBCS3",
        "name": "Chi bộ Trường Liên cấp Bảo Lâm",
        "kind": "chi_bo_co_so",
        "parent_code": "DUK",
        "sector": "truong_hoc",
    },
]

_serial = iter(range(500, 10**6))


def _past(ctx: Context, org: str, signed: str, name: str) -> int:
    from tests.conftest import cccd_of

    data = {
        "full_name": name,
        "birth_date": "15/08/1998",
        "sex": "nu",
        "education": "dai_hoc",
        "org_code": org,
        "doan_member": True,
        "number": f"QĐ-{next(_serial)}",
        "signed_on": signed,
    }
    data["cccd"] = cccd_of("15/08/1998", "nu", next(_serial))
    return int(record_past_admission(ctx, data)["dossier_id"])


def _office(ctx: Context) -> tuple[Context, dict[str, list[int]]]:
    """Two more chi bộ cơ sở beside CBCS; past admissions (this year and last), open
    dossiers, targets and a user in each; the administrator's context."""
    for org in CELLS_2:
        add_org(ctx, org)
    ids: dict[str, list[int]] = {"CBCS": [], "CBCS2": [], "CBCS3": []}
    for code in ids:
        ids[code].append(_past(ctx, code, "10/03/2025", "Trần Thị Lan"))
        ids[code].append(_past(ctx, code, "12/03/2026", "Lê Thị Hoa"))
        ids[code].append(new_candidate(ctx, org_code=code))
        ids[code].append(new_candidate(ctx, org_code=code, full_name="Phạm Văn Bình"))
        set_target(ctx, {"org_code": code, "period": "2026", "value": 4})
    add_user(ctx, "admin", "Quản trị viên", "quan_tri", password=PASSWORD)
    admin = replace(ctx, actor="admin")
    add_user(admin, "cv", "Lê Thị Chuyên", "chuyen_vien", "TU", password=PASSWORD)
    for code in ids:
        add_user(admin, f"bt_{code.lower()}", "Nguyễn Văn An", "bi_thu", code, password=PASSWORD)
    return admin, ids


def _fingerprint(db: TestDB) -> dict[str, str]:
    """A digest of every table's rows but the audit log's (a refusal may be audited)."""
    engine = create_engine(db.url)
    out = {}
    try:
        with engine.connect() as conn:
            for name in sorted(inspect(conn).get_table_names()):
                if name in ("audit_event", "audit_head"):
                    continue
                rows = sorted(repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{name}"')))
                out[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            admin = conn.execute(
                text("SELECT count(*) FROM audit_event WHERE kind IN ('admin', 'move')")
            ).one()[0]
    finally:
        engine.dispose()
    out["admin_events"] = str(admin)
    return out


def _rows(db: TestDB, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(db.url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def _agrees(ctx: Context, ids: list[int]) -> None:
    """audit verify --state finds no difference; as-of today equals the live dossier."""
    with ctx.engine.connect() as conn:
        assert differences(conn)[0] == []
    for did in ids:
        live = show(ctx, did)
        rebuilt = dossier_as_of(ctx, did, TODAY)
        assert (rebuilt["stage"], rebuilt["version"]) == (live["stage"], live["version"]), did


def _total(ctx: Context, period: str = "nam") -> tuple[int, int]:
    rows = {r["code"]: r for r in progress(ctx, "TU", period, TODAY)["rows"]}
    return rows["TU"]["admitted"], rows["TU"]["prev_admitted"]


MERGE = {
    "code": "CBCS2",
    "on": "01/10/2026",
    "kind": "sap_nhap",
    "successors": ["CBCS"],
    "decision": "125-QĐ/ĐUK",
    "reason": "Sáp nhập hai trường theo Quyết định của UBND huyện",
}


def test_merging_two_chi_bo_co_so_leaves_nothing_pointing_at_the_ended_one(
    ctx: Context, db: TestDB
) -> None:
    admin, ids = _office(ctx)
    cv = replace(ctx, actor="cv")
    for code, day in (("CBCS", "20/01/2026"), ("CBCS2", "22/01/2026")):
        agenda.record_submission(
            cv, {"org_code": code, "kind": "ke_hoach", "year": 2026, "submitted_on": day}
        )
    agenda.record_submission(  # only the ended one sent its 9-month report
        cv,
        {
            "org_code": "CBCS2",
            "kind": "bao_cao_9_thang",
            "year": 2026,
            "submitted_on": "05/10/2026",
        },
    )
    agenda.contact_add(
        admin,
        {"org_code": "CBCS2", "role": "bi_thu", "name": "Nguyễn Văn An", "email": "an@vidu.vn"},
    )
    before_total = _total(admin)
    assert before_total == (3, 3)
    made = end_org(admin, MERGE)
    assert made["contacts"] == 1
    assert len(made["submissions"]["moved"]) == 1 and len(made["submissions"]["dropped"]) == 1
    assert made["successors"] == ["CBCS"] and made["dossiers"] == {"CBCS": 4}
    assert made["users"] == ["bt_cbcs2"] and made["valid_to"] == "2026-09-30"
    gone = org_by_code_id(admin, "CBCS2")
    for table in ("dossier", "candidate", "app_user", "contact", "submission"):
        assert _rows(db, f"SELECT count(*) FROM {table} WHERE org_id = :o", o=gone) == [(0,)]
    assert _rows(db, "SELECT count(*) FROM target WHERE org_id = :o", o=gone) == [(0,)]
    # the targets summed into the successor's own of the same period and kind
    assert _rows(
        db,
        "SELECT value FROM target WHERE org_id = :o AND period = '2026'",
        o=org_by_code_id(admin, "CBCS"),
    ) == [(8,)]
    open_deadlines = _rows(
        db,
        "SELECT count(*) FROM deadline WHERE org_id = :o AND done_on IS NULL",
        o=gone,
    )
    assert open_deadlines == [(0,)]
    # history stays: its admissions are still counted under it as it was
    assert _rows(db, "SELECT count(*) FROM dossier WHERE admitted_org_id = :o", o=gone) == [(2,)]
    # the year's total is the same; the ended one sits under its successor, said so
    report = progress(admin, "TU", "nam", TODAY)
    rows = {r["code"]: r for r in report["rows"]}
    assert (rows["TU"]["admitted"], rows["TU"]["prev_admitted"]) == before_total
    assert rows["CBCS"]["admitted"] == 2 and rows["CBCS"]["prev_admitted"] == 2  # like with like
    assert rows["CBCS2"]["admitted"] == 1
    assert any("CBCS2" in n and "kết thúc hoạt động ngày 30/09/2026" in n for n in report["notes"])
    # the list hides it unless asked, then with its successor
    assert "CBCS2" not in [o["code"] for o in list_orgs(admin)]
    assert "CBCS2" not in [o["code"] for o in orgs_in_scope(admin)]  # the pages' choices
    ended = next(o for o in list_orgs(admin, all_orgs=True) if o["code"] == "CBCS2")
    assert ended["successors"] == ["CBCS"] and ended["valid_text"] == "đến 30/09/2026"
    # the log leads to the rows
    _agrees(admin, [i for v in ids.values() for i in v])
    moves = _rows(db, "SELECT count(*) FROM audit_event WHERE kind = 'move'")
    assert moves == [(4,)]
    assert _rows(db, "SELECT event FROM audit_event WHERE kind = 'admin' ORDER BY id DESC")[0] == (
        "ket_thuc_to_chuc",
    )


def org_by_code_id(ctx: Context, code: str) -> int:
    with ctx.read() as s:
        found = org_by_code(s, code).id
    assert found is not None
    return found


def test_an_ended_organization_is_refused_as_a_destination(ctx: Context, db: TestDB) -> None:
    admin, _ = _office(ctx)
    end_org(admin, MERGE)
    before = _fingerprint(db)
    cv = replace(ctx, actor="cv")
    writes: list[Callable[[], Any]] = [
        lambda: new_candidate(cv, org_code="CBCS2"),
        lambda: set_target(cv, {"org_code": "CBCS2", "period": "2026", "value": 1}),
        lambda: add_user(admin, "moi", "Lê Văn Mới", "bi_thu", "CBCS2", password=PASSWORD),
        lambda: add_org(
            admin, {"code": "CBX", "name": "Chi bộ X", "kind": "chi_bo", "parent_code": "CBCS2"}
        ),
        lambda: end_org(admin, {**MERGE, "code": "CBCS3", "successors": ["CBCS2"]}),
        lambda: end_org(admin, MERGE),  # already ended
        lambda: rename_org(admin, {"code": "CBCS2", "name": "Tên mới", "on": "01/11/2026"}),
    ]
    for write in writes:
        with pytest.raises(BadInput) as refused:
            write()
        assert "kết thúc hoạt động" in str(refused.value), str(refused.value)
    assert _fingerprint(db) == before


def test_a_split_sends_each_dossier_where_it_is_told(ctx: Context, db: TestDB) -> None:
    admin, ids = _office(ctx)
    before_total = _total(admin)
    first, second = ids["CBCS3"][2], ids["CBCS3"][3]
    split = {
        "code": "CBCS3",
        "on": "01/11/2026",
        "kind": "chia_tach",
        "successors": ["CBCS", "CBCS2"],
        "decision": "130-QĐ/ĐUK",
        "reason": "Chia tách trường liên cấp",
        "dossiers_to": "CBCS",
        "moves": {second: "CBCS2"},
        "users_to": "CBCS2",
    }
    made = end_org(admin, split)
    assert made["successors"] == ["CBCS", "CBCS2"]  # the main one first
    assert made["dossiers"] == {"CBCS": 3, "CBCS2": 1} and made["users_to"] == "CBCS2"
    assert show(admin, first)["org"]["code"] == "CBCS"
    assert show(admin, second)["org"]["code"] == "CBCS2"
    assert _rows(db, "SELECT org_id FROM app_user WHERE username = 'bt_cbcs3'") == [
        (org_by_code_id(admin, "CBCS2"),)
    ]
    assert _total(admin) == before_total
    rows = {r["code"]: r for r in progress(admin, "TU", "nam", TODAY)["rows"]}
    assert rows["CBCS"]["admitted"] == 2  # its own and the split one's, under the main heir
    _agrees(admin, [i for v in ids.values() for i in v])


def test_a_split_needs_its_destinations_and_writes_nothing_when_wrong(
    ctx: Context, db: TestDB
) -> None:
    admin, ids = _office(ctx)
    split = {
        "code": "CBCS3",
        "on": "01/11/2026",
        "kind": "chia_tach",
        "successors": ["CBCS", "CBCS2"],
        "decision": "130-QĐ/ĐUK",
        "reason": "Chia tách trường liên cấp",
    }
    before = _fingerprint(db)
    cases: list[tuple[dict[str, Any], str]] = [
        (split, "bắt buộc khi có nhiều tổ chức kế thừa"),
        ({**split, "successors": ["CBCS"]}, "chia tách cần ít nhất hai tổ chức"),
        ({**split, "dossiers_to": "CB"}, "không phải tổ chức kế thừa"),
        ({**split, "dossiers_to": "CBCS", "moves": {ids["CBCS"][2]: "CBCS2"}}, "không thuộc"),
        ({**MERGE, "successors": ["KHONG"]}, "KHONG"),
        ({**MERGE, "successors": ["CBCS2"]}, "chính tổ chức kết thúc"),
        ({**MERGE, "successors": ["DUK"]}, "hồ sơ chỉ chuyển đến chi bộ"),
        ({**MERGE, "reason": ""}, "Lý do"),
        ({**MERGE, "decision": ""}, "Số quyết định"),
        ({**MERGE, "on": "01/01/2027"}, "Ngày hiệu lực"),
        ({**MERGE, "kind": "giai_the"}, "Hình thức"),
        ({**MERGE, "code": "DB", "successors": ["DUK"]}, "tổ chức trực thuộc"),
    ]
    for data, words in cases:
        with pytest.raises(BadInput) as refused:
            end_org(admin, data)
        assert words in str(refused.value), (data, str(refused.value))
    assert _fingerprint(db) == before


def test_move_and_rename_in_place_keep_the_code_and_the_dossiers(ctx: Context, db: TestDB) -> None:
    admin, ids = _office(ctx)
    add_org(
        admin,
        {
            "code": "DUK2",
            "name": "Đảng ủy xã Lộc An",
            "kind": "cap_uy_co_tham_quyen",
            "parent_code": "TU",
        },
    )
    before_total = _total(admin)
    moved = move_org(
        admin,
        {"code": "CBCS2", "parent_code": "DUK2", "on": "01/11/2026", "decision": "7-QĐ/TU"},
    )
    assert (moved["from_parent"], moved["to_parent"]) == ("DUK", "DUK2")
    rows = {r["code"]: r for r in progress(admin, "TU", "nam", TODAY)["rows"]}
    assert rows["DUK2"]["admitted"] == 1 and rows["TU"]["admitted"] == before_total[0]
    with pytest.raises(BadInput, match="nằm trong chính"):
        move_org(admin, {"code": "DUK", "parent_code": "DB", "on": "01/11/2026"})
    renamed = rename_org(
        admin,
        {
            "code": "CBCS2",
            "name": "Chi bộ Trường THCS Lộc An",
            "heading_name": "CHI BỘ TRƯỜNG TRUNG HỌC CƠ SỞ LỘC AN",
            "on": "01/11/2026",
        },
    )
    assert renamed["old_name"] == "Chi bộ Trường THCS Lộc Thanh"
    with admin.read() as s:
        org = org_by_code(s, "CBCS2")
        assert heading_of(org) == "CHI BỘ TRƯỜNG TRUNG HỌC CƠ SỞ LỘC AN"
        assert org.valid_to is None
    assert show(admin, ids["CBCS2"][2])["org"]["code"] == "CBCS2"
    events = _rows(db, "SELECT event FROM audit_event WHERE kind = 'admin' ORDER BY id")
    assert ("chuyen_truc_thuoc",) in events and ("doi_ten_to_chuc",) in events
    _agrees(admin, [i for v in ids.values() for i in v])


def test_the_heading_is_set_apart_from_the_short_name_and_printed(ctx: Context) -> None:
    view = set_heading(
        ctx,
        "DUK",
        {
            "heading_name": "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH",
            "superior_heading": "ĐẢNG BỘ TỈNH LÂM ĐỒNG",
        },
    )
    assert view["name"] == "Đảng ủy Khối các cơ quan tỉnh"
    report = progress(ctx, "DUK", "nam", TODAY)
    assert report["heading"] == {
        "committee": "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH",
        "parent": "ĐẢNG BỘ TỈNH LÂM ĐỒNG",
    }
    with pytest.raises(BadInput, match="Tên trên văn bản"):
        set_heading(ctx, "DUK", {"heading_name": None, "superior_heading": None})
