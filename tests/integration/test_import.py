"""Importing the clerks' candidate sheets: checked first, all or nothing, idempotent."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlmodel import select

from models.tables import AuditEvent, Dossier
from tests.databases import TestDB
from tests.databases import counts as table_counts_of
from workflow.domain.errors import BadInput
from workflow.sheets.candidate_columns import FIELDS, TITLES
from workflow.sheets.candidate_export import export_candidates
from workflow.sheets.candidates import import_candidates
from workflow.usecases.context import Context
from workflow.usecases.views import list_dossiers

HEAD = [TITLES[f] for f in FIELDS]


def row(name: str, cccd: Any, org: str = "CB", birth: Any = "15/08/2000", **kw: Any) -> list[Any]:
    values = {
        "full_name": name,
        "birth_date": birth,
        "sex": "Nam",
        "ethnicity": "Kinh",
        "religion": "Không",
        "cccd": cccd,
        "education": "Đại học",
        "occupation": "Viên chức",
        "doan_member": "x",
        "cong_doan_member": "",
        "residence": "Thôn 1",
        "org_code": org,
    } | kw
    return [values.get(f) for f in FIELDS]


def xlsx(path: Path, rows: list[list[Any]], head: list[str] = HEAD) -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "DS"
    ws.append(head)
    for r in rows:
        ws.append(r)
    book.save(path)
    return path


def counts(db: TestDB) -> list[int]:
    return table_counts_of(db, ("candidate", "dossier", "audit_event"))


def test_a_clean_sheet_then_the_same_sheet_again(ctx: Context, tmp_path: Path) -> None:
    sheet = xlsx(
        tmp_path / "ds.xlsx",
        [
            row(
                "Trần Thị Hồng Nhung", "001200000001", birth=36753
            ),  # an Excel date serial: 15/08/2000
            row("Lê Hoàng Anh", 1200000002),  # numeric cell: Excel dropped the leading 0
            row("Ka Huệ", "001200000003", org="Chi bộ Trường THPT Bảo Lâm"),  # by name
        ],
    )
    dry = import_candidates(ctx, sheet, dry_run=True)
    assert (dry["new"], dry["notes"]) == (3, {"excel_dates": 1, "cccd_zero": 1})
    assert list_dossiers(ctx) == []
    done = import_candidates(ctx, sheet)
    assert (done["new"], done["updated"], done["unchanged"]) == (3, 0, 0)
    listed = {d["full_name"]: d for d in list_dossiers(ctx)}
    assert listed["Trần Thị Hồng Nhung"]["birth_date"] == "2000-08-15"
    assert listed["Ka Huệ"]["org_code"] == "CBCS" and listed["Ka Huệ"]["stage"] == "nguon"
    with ctx.read() as s:
        made = s.exec(select(AuditEvent).where(AuditEvent.event == "tao_ho_so")).all()
    assert len(made) == 3 and all('"source":"ds.xlsx"' in e.data for e in made)
    again = import_candidates(ctx, sheet)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_an_updated_row_updates_its_person_with_an_audit_event(
    ctx: Context, tmp_path: Path
) -> None:
    import_candidates(ctx, xlsx(tmp_path / "a.xlsx", [row("Lê Hoàng Anh", "001200000002")]))
    changed = xlsx(
        tmp_path / "b.xlsx",
        [row("Lê Hoàng Anh", "001200000002", occupation="Cán bộ, công chức", residence="Thôn 3")],
    )
    done = import_candidates(ctx, changed)
    assert (done["new"], done["updated"]) == (0, 1)
    with ctx.read() as s:
        (event,) = s.exec(select(AuditEvent).where(AuditEvent.event == "cap_nhat_tu_tep")).all()
    assert '"fields":["occupation","residence"]' in event.data


@pytest.mark.parametrize(
    ("bad", "where", "says"),
    [
        (row("Lê Văn Bình", "001200000009", birth="31/02/2000"), "cột 'Ngày sinh'", ""),
        (row("Lê Văn Bình", "001200009"), "cột 'Số CCCD'", "12 chữ số"),
        (
            row("Lê Văn Bình", "001200000009", org="Chi bộ không có"),
            "cột 'Chi bộ'",
            "không có chi bộ",
        ),
        (row(None, "001200000009"), "cột 'Họ và tên'", ""),  # type: ignore[arg-type]
        (row("Lê Văn Bình", "001200000009", sex="Khác"), "cột 'Giới tính'", ""),
    ],
)
def test_a_bad_cell_is_named_by_sheet_row_and_column_and_nothing_is_written(
    ctx: Context, db: TestDB, tmp_path: Path, bad: list[Any], where: str, says: str
) -> None:
    before = counts(db)
    sheet = xlsx(tmp_path / "x.xlsx", [row("Phạm Quốc Bảo", "001200000008"), bad])
    with pytest.raises(BadInput) as caught:
        import_candidates(ctx, sheet)
    ((field, message),) = caught.value.problems
    assert field == f"x.xlsx / DS, dòng 3, {where}" and says in message
    assert counts(db) == before


def test_duplicates_and_the_same_person_elsewhere_are_flagged(
    ctx: Context, db: TestDB, tmp_path: Path
) -> None:
    twice = xlsx(
        tmp_path / "t.xlsx", [row("A Nguyễn", "001200000005"), row("B Trần", "001200000005")]
    )
    empty = counts(db)
    with pytest.raises(BadInput) as caught:
        import_candidates(ctx, twice)
    assert caught.value.problems == [
        ("t.xlsx / DS, dòng 3, cột 'Số CCCD'", "trùng số CCCD với dòng 2")
    ]
    assert counts(db) == empty
    import_candidates(ctx, xlsx(tmp_path / "one.xlsx", [row("A Nguyễn", "001200000005")]))
    elsewhere = xlsx(tmp_path / "e.xlsx", [row("A Nguyễn", "001200000005", org="CBCS")])
    before = counts(db)
    with pytest.raises(BadInput) as caught:
        import_candidates(ctx, elsewhere)
    assert "đã có ở tổ chức CB" in caught.value.problems[0][1]
    assert counts(db) == before


def test_a_csv_with_a_bom_and_clerks_own_headers(ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    path.write_text(
        "HỌ VÀ TÊN;Ngày  sinh;giới tính;Số CCCD;Học vấn;Mã chi bộ\n"
        "Đặng Minh Đức;01/02/1988;nam;001088000007;thpt;CB\n",
        encoding="utf-8-sig",
    )
    assert import_candidates(ctx, path)["new"] == 1


def test_export_then_import_round_trips(ctx: Context, tmp_path: Path) -> None:
    import_candidates(
        ctx,
        xlsx(
            tmp_path / "a.xlsx",
            [
                row("Trần Thị Hồng Nhung", "001200000001"),
                row("Lê Hoàng Anh", "001200000002"),
            ],
        ),
    )
    out = tmp_path / "xuat.xlsx"
    assert export_candidates(ctx, out) == 2
    back = import_candidates(ctx, out)
    assert (back["new"], back["updated"], back["unchanged"]) == (0, 0, 2)


def test_an_export_holding_closed_dossiers_round_trips(
    ctx: Context, db: TestDB, tmp_path: Path
) -> None:
    """A closed dossier already on file is skipped when its row is unchanged (counted), and
    refused when its row changes it; a row of a new person at a closed stage stays refused."""
    from workflow.domain.process import Event
    from workflow.usecases.advancing import advance

    import_candidates(
        ctx,
        xlsx(
            tmp_path / "a.xlsx",
            [row("Trần Thị Hồng Nhung", "001200000011"), row("Lê Hoàng Anh", "001200000012")],
        ),
    )
    advance(ctx, 1, Event.rut_ho_so, reason="Xin rút")
    out = tmp_path / "xuat.xlsx"
    export_candidates(ctx, out)
    before = counts(db)
    back = import_candidates(ctx, out)
    assert (back["new"], back["updated"], back["unchanged"], back["closed"]) == (0, 0, 1, 1)
    assert "stage_kept" not in back["notes"]
    assert counts(db) == before
    from openpyxl import load_workbook

    changed = load_workbook(out)
    sheet = changed.worksheets[0]
    closed_row = next(r for r in sheet.iter_rows(min_row=2) if r[12].value == "Rút hồ sơ")
    closed_row[0].value = "Trần Thị Hồng Nhung Mới"
    changed.save(out)
    with pytest.raises(BadInput) as caught:
        import_candidates(ctx, out)
    ((field, message),) = caught.value.problems
    assert field.endswith(f"dòng {closed_row[0].row}, cột 'Họ và tên'")
    assert message == "hồ sơ #1 đã kết thúc (Rút hồ sơ): không sửa qua tệp"
    assert counts(db) == before


def test_vietnamese_order_and_accent_free_search(ctx: Context, tmp_path: Path) -> None:
    names = ["Dương", "Đặng", "Anh", "Ân", "Ăn"]
    rows = [row(f"Nguyễn Văn {n}", f"00120000001{i}") for i, n in enumerate(names)]
    rows.append(row(unicodedata.normalize("NFD", "Nguyễn Văn Thắng"), "001200000020"))
    import_candidates(ctx, xlsx(tmp_path / "v.xlsx", rows))
    given = [d["full_name"].split()[-1] for d in list_dossiers(ctx)]
    assert given == ["Anh", "Ăn", "Ân", "Dương", "Đặng", "Thắng"]
    (found,) = list_dossiers(ctx, search="nguyen van thang")
    assert found["full_name"] == "Nguyễn Văn Thắng"  # stored NFC


def _cp1258(text: str) -> bytes:
    """Windows-1258 bytes: precomposed base letters, the tone as a combining mark."""
    tones = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in tones)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out += (base + tone).encode("cp1258")
    return out


def test_a_tcvn3_column_is_converted_and_reported(ctx: Context, tmp_path: Path) -> None:
    # typed with .VnTime: "Nguyễn Văn Thắng", "Đặng Minh Đức", "Trường THPT"
    sheet = xlsx(
        tmp_path / "abc.xlsx",
        [
            row("NguyÔn V¨n Th¾ng", "001200000031", residence="Tr\u00adêng THPT"),
            row("§Æng Minh §øc", "001200000032", residence="Th«n 2"),
        ],
    )
    done = import_candidates(ctx, sheet)
    assert done["new"] == 2
    assert done["notes"]["legacy_columns"] == ["Họ và tên (TCVN3)", "Nơi cư trú (TCVN3)"]
    names = sorted(d["full_name"] for d in list_dossiers(ctx))
    assert names == ["Nguyễn Văn Thắng", "Đặng Minh Đức"]


def test_legacy_csv_bytes_tcvn3_and_windows_1258(ctx: Context, tmp_path: Path) -> None:
    head = "Họ và tên,Ngày sinh,Giới tính,Số CCCD,Trình độ học vấn,Chi bộ\n"
    tcvn3 = (
        "Hä vµ tªn,Ngµy sinh,Giíi tÝnh,Sè CCCD,Tr×nh ®é häc vÊn,Chi bé\n"
        "Hå ThÞ Lan,02/09/2001,n÷,001301000041,®¹i häc,CB\n"
    )
    (tmp_path / "abc.csv").write_bytes(tcvn3.encode("latin-1"))
    done = import_candidates(ctx, tmp_path / "abc.csv")
    assert done["new"] == 1 and "Họ và tên (TCVN3)" in done["notes"]["legacy_columns"]
    (tmp_path / "win.csv").write_bytes(
        _cp1258(head + "Vũ Đình Khoa,01/03/1991,nam,001091000042,Đại học,CB\n")
    )
    assert import_candidates(ctx, tmp_path / "win.csv")["new"] == 1
    names = {d["full_name"] for d in list_dossiers(ctx)}
    assert names == {"Hồ Thị Lan", "Vũ Đình Khoa"}


def test_a_vni_column_and_a_vni_csv(ctx: Context, tmp_path: Path) -> None:
    sheet = xlsx(
        tmp_path / "vni.xlsx",
        [
            row("Nguyeãn Vaên Thaéng", "001200000051", residence="Tröôøng THPT"),
            row("Ñaëng Minh Ñöùc", "001200000052", residence="Hoà Bình"),  # old-style Unicode
        ],
    )
    done = import_candidates(ctx, sheet)
    assert done["notes"]["legacy_columns"] == ["Họ và tên (VNI)", "Nơi cư trú (VNI)"]
    people = {d["full_name"] for d in list_dossiers(ctx)}
    assert people == {"Nguyễn Văn Thắng", "Đặng Minh Đức"}
    vni = (
        "Hoï vaø teân,Ngaøy sinh,Giôùi tính,Soá CCCD,Trình ñoä hoïc vaán,Chi boä\n"
        "Buøi Thò Ngoïc AÙnh,05/05/1995,nöõ,001195000053,ñaïi hoïc,CB\n"
    )
    (tmp_path / "vni.csv").write_bytes(vni.encode("latin-1"))
    assert import_candidates(ctx, tmp_path / "vni.csv")["new"] == 1
    assert "Bùi Thị Ngọc Ánh" in {d["full_name"] for d in list_dossiers(ctx)}


def test_ethnicity_comes_from_the_official_list(ctx: Context, tmp_path: Path) -> None:
    sheet = xlsx(
        tmp_path / "dt.xlsx",
        [
            row("Ka Huệ", "001200000061", ethnicity="K'Ho"),
            row("Lò Văn Pá", "001200000062", ethnicity="Người Sao Hỏa"),
        ],
    )
    with pytest.raises(BadInput) as caught:
        import_candidates(ctx, sheet)
    ((where, message),) = caught.value.problems
    assert where.endswith("dòng 3, cột 'Dân tộc'") and "54 dân tộc" in message
    import_candidates(
        ctx, xlsx(tmp_path / "ok.xlsx", [row("Ka Huệ", "001200000061", ethnicity="K'Ho")])
    )
    with ctx.read() as s:
        from models.tables import Candidate

        (person,) = s.exec(select(Candidate)).all()
    assert person.ethnicity == "Cơ-ho"  # the official name is stored


# --- dossiers under way: the stage and the dated facts that put it there ------------------

CERT = {
    "certificate_number": "125-GCN/TTCT",
    "certificate_on": "12/03/2026",
    "certificate_issuer": "Trung tâm Chính trị huyện",
}
VOTE = {"voted_on": "10/06/2026", "official_members": 9, "agree": 8}
DECISION = {"decision_number": "512-QĐ/ĐU", "signed_on": "01/09/2026"}


def test_dossiers_under_way_land_in_their_stages_with_their_facts(
    ctx: Context, tmp_path: Path
) -> None:
    from models.tables import Deadline

    sheet = xlsx(
        tmp_path / "dang_xu_ly.xlsx",
        [
            row("An Văn Nguồn", "001200000011"),
            row("Bùi Thị Học", "001200000012", stage="Học lớp nhận thức"),
            row("Cao Văn Xét", "001200000013", stage="chi_bo_xet", **CERT),
            row("Đỗ Thị Gửi", "001200000014", stage="Gửi hồ sơ", **CERT, **VOTE),
            row("Hà Văn Nạp", "001200000015", stage="Kết nạp", **CERT, **VOTE, **DECISION),
            row(
                "Kim Thị Dự",
                "001200000016",
                stage="Đảng viên dự bị",
                **CERT,
                **VOTE,
                **DECISION,
                ceremony_on=46275,  # an Excel date serial: 10/09/2026
            ),
        ],
    )
    dry = import_candidates(ctx, sheet, dry_run=True)
    assert dry["new"] == 6 and list_dossiers(ctx) == []
    done = import_candidates(ctx, sheet)
    assert done["new_by_stage"] == {
        "Nguồn": 1,
        "Học lớp nhận thức": 1,
        "Chi bộ họp xét": 1,
        "Gửi hồ sơ": 1,
        "Kết nạp": 1,
        "Đảng viên dự bị": 1,
    }
    stage_of = {d["full_name"]: d["stage"] for d in list_dossiers(ctx)}
    assert stage_of == {
        "An Văn Nguồn": "nguon",
        "Bùi Thị Học": "hoc_lop",
        "Cao Văn Xét": "chi_bo_xet",
        "Đỗ Thị Gửi": "gui_ho_so",
        "Hà Văn Nạp": "ket_nap",
        "Kim Thị Dự": "du_bi",
    }
    with ctx.read() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.event == "nhap_ho_so_dang_xu_ly")).all()
        admitted = s.exec(select(Dossier).where(Dossier.stage == "ket_nap")).one()
        ceremony_due = s.exec(
            select(Deadline).where(
                Deadline.dossier_id == admitted.id, Deadline.rule_id == "D-CEREMONY"
            )
        ).all()
    assert sorted(e.to_stage for e in events) == sorted(
        ["hoc_lop", "chi_bo_xet", "gui_ho_so", "ket_nap", "du_bi"]
    )
    assert all(
        '"source":"dang_xu_ly.xlsx"' in e.data and "0012000000" not in e.data for e in events
    )
    assert admitted.party_joined_on == date(2026, 9, 1) and admitted.admitted_profile is not None
    assert len(ceremony_due) == 1  # the ceremony's deadline runs from the decision
    again = import_candidates(ctx, sheet)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 6)
    # and a round trip keeps the stages and the dates
    out = tmp_path / "xuat.xlsx"
    export_candidates(ctx, out)
    back = import_candidates(ctx, out)
    assert (back["new"], back["updated"], back["unchanged"], back["notes"]) == (0, 0, 6, {})


@pytest.mark.parametrize(
    ("cells", "column", "says"),
    [
        ({"stage": "Gửi hồ sơ", **CERT}, "Ngày chi bộ xét", "[R-VOTE-CB]"),
        ({"stage": "Chi bộ họp xét"}, "Ngày cấp giấy chứng nhận", "[R-CLASS]"),
        ({"stage": "Chi bộ họp xét", **CERT, **DECISION}, "Giai đoạn", "[P-SEQUENCE]"),
        (
            {"stage": "Gửi hồ sơ", **CERT, **VOTE, "agree": 5},
            "Số phiếu tán thành",
            "5/9 tán thành, cần ít nhất 6",
        ),
        (
            {"stage": "Gửi hồ sơ", **CERT, "certificate_on": "01/03/2021", **VOTE},
            "Ngày cấp giấy chứng nhận",
            "hết hạn 60 tháng",
        ),
        (
            {"stage": "Kết nạp", **CERT, **VOTE, **DECISION, "signed_on": "01/05/2026"},
            "Ngày quyết định kết nạp",
            "trước ngày của nghị quyết chi bộ",
        ),
        (
            {"stage": "Chi bộ họp xét", "certificate_on": "12/03/2026"},
            "Số giấy chứng nhận",
            "thiếu",
        ),
        ({"stage": "Đảng viên chính thức"}, "Giai đoạn", "chỉ nhập hồ sơ đang xử lý"),
        ({"stage": "Đang chờ"}, "Giai đoạn", ""),
        ({"stage": "Gửi hồ sơ", **CERT, **VOTE, "agree": 12}, "Số phiếu tán thành", "vượt quá"),
    ],
)
def test_a_stage_that_does_not_match_its_facts_is_named_and_nothing_is_written(
    ctx: Context, db: TestDB, tmp_path: Path, cells: dict[str, Any], column: str, says: str
) -> None:
    before = counts(db)
    sheet = xlsx(tmp_path / "x.xlsx", [row("Phạm Quốc Bảo", "001200000008", **cells)])
    with pytest.raises(BadInput) as caught:
        import_candidates(ctx, sheet)
    assert any(
        field == f"x.xlsx / DS, dòng 2, cột '{column}'" and says in message
        for field, message in caught.value.problems
    ), caught.value.problems
    assert counts(db) == before


def test_a_new_stage_for_a_known_person_is_reported_not_applied(
    ctx: Context, tmp_path: Path
) -> None:
    import_candidates(ctx, xlsx(tmp_path / "a.xlsx", [row("Lê Hoàng Anh", "001200000002")]))
    later = xlsx(
        tmp_path / "c.xlsx", [row("Lê Hoàng Anh", "001200000002", stage="Học lớp nhận thức")]
    )
    done = import_candidates(ctx, later)
    assert done["unchanged"] == 1
    assert done["notes"]["stage_kept"] == [
        "dòng 2: hồ sơ #1 đang ở 'Nguồn', tệp ghi 'Học lớp nhận thức'"
    ]
    assert list_dossiers(ctx)[0]["stage"] == "nguon"
