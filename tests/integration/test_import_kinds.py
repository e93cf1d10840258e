"""Organizations and awareness classes from sheets; telling a sheet's kind by its headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from models.tables import AuditEvent, Certificate, ClassLearner
from tests.databases import TestDB
from tests.integration.test_import import counts, row, xlsx
from workflow.domain.errors import BadInput
from workflow.sheets import classes
from workflow.sheets import organizations as orgs
from workflow.sheets.candidates import import_candidates
from workflow.sheets.kinds import guess_kind, import_file
from workflow.usecases.context import Context
from workflow.usecases.organizations import list_orgs

ORG_HEAD = [orgs.TITLES[f] for f in orgs.FIELDS]
CLASS_HEAD = [classes.TITLES[f] for f in classes.FIELDS]


def org(code: str, name: str, kind: str, parent: str | None, **kw: Any) -> list[Any]:
    values = {
        "code": code,
        "name": name,
        "kind": kind,
        "sector": "Cơ quan",
        "parent_code": parent,
        "has_doan": "x",
        "has_cong_doan": "",
        "decides_admission": "",
    } | kw
    return [values[f] for f in orgs.FIELDS]


def test_an_organization_tree_with_parents_below_their_children(
    ctx: Context, tmp_path: Path
) -> None:
    sheet = xlsx(
        tmp_path / "cay.xlsx",
        [
            org("CB-KT", "Chi bộ Phòng Kế toán", "Chi bộ", "DB-YT"),  # its parent comes next
            org("DB-YT", "Đảng bộ Sở Y tế", "Đảng bộ cơ sở", "Đảng ủy Khối các cơ quan tỉnh"),
        ],
        head=ORG_HEAD,
    )
    assert guess_kind(sheet) == "organizations"
    assert import_file(ctx, sheet, dry_run=True)["new"] == 2
    done = import_file(ctx, sheet)
    assert (done["kind"], done["new"]) == ("organizations", 2)
    tree = {o["code"]: o["parent_code"] for o in list_orgs(ctx)}
    assert tree["CB-KT"] == "DB-YT" and tree["DB-YT"] == "DUK"
    assert import_file(ctx, sheet)["unchanged"] == 2
    out = tmp_path / "xuat.xlsx"
    assert orgs.export_organizations(ctx, out) == 7
    assert orgs.import_organizations(ctx, out)["unchanged"] == 7


@pytest.mark.parametrize(
    ("rows", "column", "says"),
    [
        ([org("CB-X", "Chi bộ X", "Chi bộ", "KHONG-CO")], "Tổ chức cấp trên", "không có tổ chức"),
        ([org("CB-X", "Chi bộ X", "Chi bộ", "TU")], "Tổ chức cấp trên", "không thể trực thuộc"),
        (
            [org("CB-X", "Chi bộ X", "Chi bộ", "DB"), org("cb-x", "Chi bộ Y", "Chi bộ", "DB")],
            "Mã tổ chức",
            "trùng mã với dòng 2",
        ),
        (
            [
                org("DUK-A", "Đảng ủy A", "Cấp ủy có thẩm quyền", "DUK-B"),
                org("DUK-B", "Đảng ủy B", "Cấp ủy có thẩm quyền", "DUK-A"),
            ],
            "Tổ chức cấp trên",
            "vòng quanh",
        ),
        ([org("CB", "Chi bộ Văn phòng", "Chi bộ", "DUK")], "Tổ chức cấp trên", ""),
        ([org("CB", "Chi bộ Văn phòng", "Chi bộ cơ sở", "DUK")], "Loại tổ chức", "đổi loại"),
        ([org("CB X", "Chi bộ X", "Chi bộ", "DB")], "Mã tổ chức", "chữ không dấu"),
        ([org("CB-X", "Chi bộ X", "Tổ Đảng", "DB")], "Loại tổ chức", ""),
    ],
)
def test_a_bad_organization_row_is_named_and_nothing_is_written(
    ctx: Context, db: TestDB, tmp_path: Path, rows: list[list[Any]], column: str, says: str
) -> None:
    before = len(list_orgs(ctx))
    sheet = xlsx(tmp_path / "x.xlsx", rows, head=ORG_HEAD)
    with pytest.raises(BadInput) as caught:
        orgs.import_organizations(ctx, sheet)
    assert any(
        f"cột '{column}'" in field and says in message for field, message in caught.value.problems
    ), caught.value.problems
    assert len(list_orgs(ctx)) == before


def learner(
    cccd: str, name: str, number: str | None = "GCN-01", on: Any = "12/03/2026", **kw: Any
) -> list[Any]:
    values = {
        "class_code": "L01-2026",
        "class_name": "Lớp nhận thức khóa 1",
        "organizer": "Trung tâm Chính trị huyện",
        "opened_on": "02/03/2026",
        "closed_on": "06/03/2026",
        "cccd": cccd,
        "full_name": name,
        "certificate_number": number,
        "certificate_on": on if number else None,
    } | kw
    return [values[f] for f in classes.FIELDS]


@pytest.fixture
def pool(ctx: Context, tmp_path: Path) -> Context:
    people = [row("Lê Hoàng Anh", "001200000002"), row("Trần Thị Hồng Nhung", "001200000001")]
    import_candidates(ctx, xlsx(tmp_path / "qc.xlsx", people))
    return ctx


def test_a_class_list_records_learners_and_certificates_once(pool: Context, tmp_path: Path) -> None:
    ctx = pool
    sheet = xlsx(
        tmp_path / "lop.xlsx",
        [
            learner("001200000002", "LÊ HOÀNG ANH"),  # the name, as typed, matches
            learner("001200000001", "Trần Thị Hồng Nhung", number=None),  # still studying
        ],
        head=CLASS_HEAD,
    )
    assert guess_kind(sheet) == "classes"
    done = import_file(ctx, sheet)
    assert (done["classes_new"], done["learners"], done["certificates"]) == (1, 2, 1)
    assert done["at_source"] == 2
    with ctx.read() as s:
        (cert,) = s.exec(select(Certificate)).all()
        assert cert.issuer == "Trung tâm Chính trị huyện" and cert.class_id is not None
        assert len(s.exec(select(ClassLearner)).all()) == 2
        events = [e.event for e in s.exec(select(AuditEvent)).all()]
    assert events.count("them_lop") == 1 and events.count("ghi_giay_chung_nhan") == 1
    assert events.count("ghi_hoc_vien_lop") == 1
    again = import_file(ctx, sheet)
    assert (again["classes_new"], again["learners_written"]) == (0, 0)
    # the certificate, issued later, is added by the next list
    later = xlsx(
        tmp_path / "lop2.xlsx",
        [learner("001200000001", "Trần Thị Hồng Nhung", number="GCN-02", on="20/03/2026")],
        head=CLASS_HEAD,
    )
    assert import_file(ctx, later)["learners_written"] == 1
    out = tmp_path / "xuat.xlsx"
    assert classes.export_classes(ctx, out) == 2
    assert classes.import_classes(ctx, out)["learners_written"] == 0


@pytest.mark.parametrize(
    ("rows", "column", "says"),
    [
        ([learner("001200000099", "Ai Đó")], "Số CCCD", "chưa có trong danh sách quần chúng"),
        ([learner("001200000002", "Lê Hoàng Ánh")], "Họ và tên", "không khớp"),
        (
            [learner("001200000002", "Lê Hoàng Anh", on=None)],
            "Ngày cấp giấy chứng nhận",
            "cần cả số",
        ),
        (
            [learner("001200000002", "Lê Hoàng Anh", on="01/03/2026")],
            "Ngày cấp giấy chứng nhận",
            "trước ngày khai giảng",
        ),
        (
            [
                learner("001200000002", "Lê Hoàng Anh"),
                learner("001200000001", "Trần Thị Hồng Nhung", organizer="Trường Chính trị tỉnh"),
            ],
            "Mã lớp",
            "ghi khác với dòng 2",
        ),
        (
            [learner("001200000002", "Lê Hoàng Anh"), learner("001200000002", "Lê Hoàng Anh")],
            "Số CCCD",
            "đã có ở dòng 2",
        ),
        (
            [learner("001200000002", "Lê Hoàng Anh", closed_on="01/03/2026")],
            "Ngày bế giảng",
            "trước ngày khai giảng",
        ),
        ([learner("00120000002", "Lê Hoàng Anh")], "Số CCCD", "12 chữ số"),
    ],
)
def test_a_bad_class_row_is_named_and_nothing_is_written(
    pool: Context, db: TestDB, tmp_path: Path, rows: list[list[Any]], column: str, says: str
) -> None:
    before = counts(db)
    sheet = xlsx(tmp_path / "x.xlsx", rows, head=CLASS_HEAD)
    with pytest.raises(BadInput) as caught:
        classes.import_classes(pool, sheet)
    assert any(
        f"cột '{column}'" in field and says in message for field, message in caught.value.problems
    ), caught.value.problems
    assert counts(db) == before


def test_a_sheet_of_no_known_kind_is_refused(ctx: Context, tmp_path: Path) -> None:
    sheet = xlsx(tmp_path / "la.xlsx", [["a", "b"]], head=["Cột A", "Cột B"])
    with pytest.raises(BadInput) as caught:
        import_file(ctx, sheet)
    assert "không nhận ra loại danh sách" in caught.value.problems[0][1]
