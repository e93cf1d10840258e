"""Targets and the progress report on a real SQLite file: the seeds' figures from data, the
roll-up, the office files opened back and checked."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from reports.chart import write_png
from reports.docx_report import write_docx
from reports.periods import resolve
from reports.progress import progress
from reports.xlsx import write_xlsx
from tests.conftest import make_context
from tests.databases import TestDB, new_db
from workflow.domain.errors import BadInput
from workflow.sheets.targets import import_targets
from workflow.usecases import targets
from workflow.usecases.context import Context
from workflow.usecases.demo import ROOT, district_history
from workflow.usecases.organizations import add_org

# A copy of shared/data/quang-nam-2024-targets.csv (Báo Quảng Nam, 12/2023: the province
# published 1,905; its 22 parts sum to 1,950)
DATA = Path(__file__).resolve().parents[1] / "data" / "quang-nam-2024-targets.csv"


@pytest.fixture(scope="module")
def district_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDB]:
    """Seed 003's district: 45 admitted by 18/06/2021 against 210, 70 a year before."""
    made = new_db(tmp_path_factory.mktemp("district"), "d")
    ctx = make_context(made)
    add_org(ctx, {"code": ROOT, "name": "Tỉnh ủy Lâm Đồng", "kind": "cap_tinh"})
    assert district_history(ctx) == 140
    ctx.engine.dispose()
    yield made
    made.drop()


@pytest.fixture
def district(district_db: TestDB, tmp_path: Path) -> Iterator[Context]:
    copy = district_db.copy(tmp_path)
    ctx = make_context(copy)
    yield ctx
    ctx.engine.dispose()
    copy.drop()


def test_seed_003_figures_reproduced_from_data(district: Context) -> None:
    data = progress(district, "HU-MAU", None, date(2021, 6, 18))
    head = data["rows"][0]
    assert (head["admitted"], head["target"], head["percent"]) == (45, 210, "21,43%")
    assert data["summary"] == (
        "Kết nạp 45/210 đảng viên, đạt 21,43% kế hoạch; cùng kỳ năm 2020: 70/210 (33,33%), "
        "giảm 11,90 điểm phần trăm"
    )
    assert data["period"]["label"] == "năm 2021 (đến 18/06/2021)"
    # seven base organizations, the last admitted no one
    assert (head["base_orgs_admitting"], head["base_orgs"], head["base_share"]) == (6, 7, "85,71%")
    assert sum(head["breakdown"].values()) > 0 and head["breakdown"]["nu"] == 15


def test_same_period_last_year_is_the_same_dates_a_year_earlier(district: Context) -> None:
    data = progress(district, "HU-MAU", "6t", date(2021, 6, 18))
    assert data["previous"] == {
        "label": "6 tháng đầu năm 2020 (đến 18/06/2020)",
        "start": "2020-01-01",
        "end": "2020-06-18",
    }
    whole_2020 = progress(district, "HU-MAU", "nam", date(2020, 12, 31))
    assert whole_2020["rows"][0]["admitted"] == 95  # 70 by 18/06 and 25 after


def test_roll_up_shows_own_and_summed_targets_side_by_side(district: Context) -> None:
    rows = {r["code"]: r for r in progress(district, ROOT, None, date(2021, 6, 18))["rows"]}
    # the district set 210 for itself, its communes 6 × 30: both are shown, its own wins
    assert (rows["HU-MAU"]["own_target"], rows["HU-MAU"]["children_target"]) == (210, 180)
    assert rows["HU-MAU"]["target_source"] == "riêng"
    # the province set nothing: its target is the sum of its children's
    assert rows[ROOT]["own_target"] is None and rows[ROOT]["target"] == 210
    assert rows[ROOT]["target_source"] == "tổng cấp dưới"
    assert rows["XA-THANH"]["target"] is None and rows["XA-THANH"]["percent"] == "—"


def test_quang_nam_2024_targets_imported_and_rolled_up(db: TestDB) -> None:
    ctx = make_context(db)
    add_org(ctx, {"code": "TU-QN", "name": "Tỉnh ủy Quảng Nam", "kind": "cap_tinh"})
    with DATA.open(encoding="utf-8") as f:
        names = [row["don_vi"] for row in csv.DictReader(f)]
    for i, name in enumerate(names):
        add_org(
            ctx,
            {
                "code": f"QN{i:02d}",
                "name": name,
                "kind": "cap_uy_co_tham_quyen",
                "parent_code": "TU-QN",
            },
        )
    targets.set_target(ctx, {"org_code": "TU-QN", "year": 2024, "value": 1905})
    dry = import_targets(ctx, DATA, dry_run=True)
    assert dry == {
        "file": DATA.name,
        "rows": 22,
        "written": 0,
        "total": 1950,
        "dry_run": True,
        "notes": {},  # nothing hidden, nothing converted
    }
    assert len(targets.list_targets(ctx, "2024")) == 1
    done = import_targets(ctx, DATA)
    assert done["written"] == 22
    root = progress(ctx, "TU-QN", None, date(2024, 12, 31))["rows"][0]
    assert (root["own_target"], root["children_target"], root["target"]) == (1905, 1950, 1905)
    again = import_targets(ctx, DATA)  # the same file again changes nothing
    assert again["total"] == 1950 and len(targets.list_targets(ctx, "2024")) == 23


def test_a_bad_row_in_an_import_names_row_and_column_and_writes_nothing(
    ctx: Context, db: TestDB, tmp_path: Path
) -> None:
    sheet = tmp_path / "chi_tieu.csv"
    sheet.write_text(
        "Mã tổ chức;Năm;Chỉ tiêu\nDB;2026;12\nKHONGCO;2026;5\nCB;2026;nhiều\n", encoding="utf-8-sig"
    )
    with pytest.raises(BadInput) as caught:
        import_targets(ctx, sheet)
    where = [field for field, _ in caught.value.problems]
    assert where == ["chi_tieu.csv, dòng 3, cột 'Mã tổ chức'", "chi_tieu.csv, dòng 4, Chỉ tiêu"]
    assert db.sql("SELECT count(*) FROM target") == [(0,)]


def test_school_targets_follow_seed_001(ctx: Context) -> None:
    made = targets.set_school_targets(ctx, "CBCS", "2026", "thpt")
    assert {(m["kind"], m["value"]) for m in made} == {("cam_tinh", 15), ("ket_nap", 5)}
    college = targets.set_school_targets(ctx, "DB", "2026", "cao_dang")
    assert {(m["kind"], m["value"]) for m in college} == {("cam_tinh", 5), ("ket_nap", 3)}
    rows = {r["code"]: r for r in progress(ctx, "DUK", None, date(2026, 11, 25))["rows"]}
    assert rows["CBCS"]["target"] == 5 and rows["CBCS"]["percent"] == "0,00%"
    with pytest.raises(BadInput):
        targets.set_school_targets(ctx, "CBCS", "2026", "mau_giao")


def test_target_zero_gives_a_dash_not_a_division_by_zero(ctx: Context, tmp_path: Path) -> None:
    targets.set_target(ctx, {"org_code": "DB", "year": 2026, "value": 0})
    data = progress(ctx, "DB", None, date(2026, 11, 25))
    assert data["rows"][0]["percent"] == "—"
    write_xlsx(data, tmp_path / "zero.xlsx")  # the workbook's own formula guards too
    sheet = load_workbook(tmp_path / "zero.xlsx")["Cấp 1"]
    assert sheet["H2"].value == '=IF(N(F2)=0,"—",G2/F2)'


def test_period_codes() -> None:
    day = date(2021, 6, 18)
    assert resolve("q2", day).label == "quý II năm 2021 (đến 18/06/2021)"
    assert resolve("q1", day).end == date(2021, 3, 31)
    assert resolve("9t", date(2021, 10, 5)).label == "9 tháng năm 2021"
    term = resolve("nhiem-ky", day)
    assert (term.start, term.target_period) == (date(2021, 1, 1), "2020-2025")
    assert resolve("nhiem-ky", date(2026, 3, 1)).target_period == "2025-2030"
    with pytest.raises(BadInput):
        resolve("q3", day)  # quarter III has not begun on 18/06
    with pytest.raises(BadInput):
        resolve("thang", day)


def test_term_targets_are_accepted_and_checked(ctx: Context) -> None:
    made = targets.set_target(ctx, {"org_code": "DUK", "period": "2025–2030", "value": 600})
    assert made["period"] == "2025-2030"
    with pytest.raises(BadInput) as caught:
        targets.set_target(ctx, {"org_code": "DUK", "period": "2025-2027", "value": 6})
    assert caught.value.problems[0][0] == "Năm hoặc nhiệm kỳ"


def _files(data: dict[str, Any], folder: Path) -> tuple[Path, Path, Path]:
    xlsx, docx, png = folder / "r.xlsx", folder / "r.docx", folder / "r.png"
    write_xlsx(data, xlsx)
    write_docx(
        data,
        docx,
        committee=data["heading"]["committee"],
        parent=data["heading"]["parent"],
        number="138-BC/HU",
        place="Bảo Lâm",
    )
    write_png(data, png)
    return xlsx, docx, png


def test_xlsx_has_a_sheet_per_level_real_formulas_and_a_frozen_header(
    district: Context, tmp_path: Path
) -> None:
    data = progress(district, "HU-MAU", None, date(2021, 6, 18))
    xlsx, _, _ = _files(data, tmp_path)
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Tổng hợp", "Cấp 1", "Cấp 2"]
    top, communes = book["Cấp 1"], book["Cấp 2"]
    assert [c.value for c in top[1]][:8] == [
        "STT",
        "Mã",
        "Tổ chức",
        "Chỉ tiêu riêng",
        "Tổng chỉ tiêu cấp dưới",
        "Chỉ tiêu tính",
        "Đã kết nạp",
        "% kế hoạch",
    ]
    assert (top["D2"].value, top["E2"].value, top["G2"].value) == (210, 180, 45)
    assert top["F2"].value == '=IF(ISNUMBER(D2),D2,IF(ISNUMBER(E2),E2,""))'
    assert top["H2"].value == '=IF(N(F2)=0,"—",G2/F2)' and top["H2"].number_format == "0.00%"
    assert top["L2"].value == '=IF(AND(ISNUMBER(H2),ISNUMBER(K2)),(H2-K2)*100,"—")'
    assert communes.max_row == 9  # header, seven communes, the total
    assert communes["G9"].value == "=SUM(G2:G8)" and communes["C9"].value == "Tổng cộng"
    assert communes.freeze_panes == "D2"
    assert communes.column_dimensions["C"].width >= len("Chi bộ cơ sở xã Thành")
    # the formulas compute what the report says: 45 of 210 is 21,43%
    assert round(45 / 210, 4) == 0.2143


def test_docx_reads_as_a_party_report(district: Context, tmp_path: Path) -> None:
    data = progress(district, "HU-MAU", None, date(2021, 6, 18))
    _, docx, _ = _files(data, tmp_path)
    doc = Document(str(docx))
    heading = doc.tables[0].rows[0].cells
    left = [p.text for p in heading[0].paragraphs if p.text]
    right = [p.text for p in heading[1].paragraphs if p.text]
    assert left == [
        "TỈNH ỦY LÂM ĐỒNG",
        "HUYỆN ỦY MẪU (SỐ LIỆU THÔNG BÁO 138-TB/HU NĂM 2021)",
        "*",
        "Số 138-BC/HU",
    ]
    assert right == ["ĐẢNG CỘNG SẢN VIỆT NAM", "Bảo Lâm, ngày 18 tháng 6 năm 2021"]
    assert heading[1].paragraphs[0].runs[0].underline
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts
    assert any("kết nạp 45/210 đảng viên, đạt 21,43% kế hoạch" in t for t in texts)
    table = doc.tables[1]
    assert [c.text for c in table.rows[0].cells][:5] == [
        "STT",
        "Tổ chức",
        "Chỉ tiêu",
        "Đã kết nạp",
        "% kế hoạch",
    ]
    assert [c.text for c in table.rows[1].cells][2:5] == ["210 (cấp dưới: 180)", "45", "21,43%"]
    footer = doc.tables[2].rows[0].cells
    assert footer[0].paragraphs[0].text == "Nơi nhận:"
    assert "T/M BAN THƯỜNG VỤ" in [p.text for p in footer[1].paragraphs]


def test_png_is_a_real_image(district: Context, tmp_path: Path) -> None:
    data = progress(district, "HU-MAU", None, date(2021, 6, 18))
    _, _, png = _files(data, tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(png) as image:
        image.verify()
    with Image.open(png) as image:
        assert image.size[0] > 600 and image.size[1] > 300


def test_forecast_counts_open_dossiers_and_names_those_that_will_miss(ctx: Context) -> None:
    from tests.conftest import complete_papers, new_candidate
    from workflow.domain.process import Event
    from workflow.usecases.advancing import advance

    targets.set_target(ctx, {"org_code": "DB", "year": 2026, "value": 2})
    did = new_candidate(ctx)
    advance(ctx, did, Event.cu_di_hoc)
    complete_papers(ctx, did, vote_on="10/11/2026")
    data = progress(ctx, "DB", None, date(2026, 11, 25))
    head = data["rows"][0]
    assert head["pipeline"]["hoc_lop"] == 1
    assert "Cách dự báo" in data["forecast"]["method"]
    assert "giá trị mặc định" in data["forecast"]["method"]  # no history in this database
    assert head["forecast_31_12"] < 2 and "DB" in data["forecast"]["at_risk"]


def test_targets_imported_from_an_excel_sheet(ctx: Context, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Chỉ tiêu 2026"
    sheet.append(["MÃ TỔ CHỨC", "Năm", "Loại", "Chỉ tiêu"])
    sheet.append(["DB", 2026, "ket_nap", 12])
    sheet.append(["CBCS", "2025-2030", "ket_nap", 25])
    sheet.append([None, None, None, None])
    sheet.append(["Chi bộ Văn phòng", 2026, "cam_tinh", 4])
    path = tmp_path / "chi_tieu.xlsx"
    book.save(path)
    done = import_targets(ctx, path)
    assert (done["rows"], done["total"]) == (3, 41)
    listed = {(t["org"], t["period"], t["kind"]): t["value"] for t in targets.list_targets(ctx)}
    assert listed == {
        ("DB", "2026", "ket_nap"): 12,
        ("CBCS", "2025-2030", "ket_nap"): 25,
        ("CB", "2026", "cam_tinh"): 4,
    }
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(BadInput) as caught:
        import_targets(ctx, broken)
    assert "không đọc được" in caught.value.problems[0][1]


def test_the_pipeline_on_a_past_day_is_rebuilt_from_the_audit_log(db: TestDB) -> None:
    from datetime import datetime, timedelta

    from tests.conftest import TREE, new_candidate
    from workflow.domain.process import Event
    from workflow.usecases.advancing import advance
    from workflow.usecases.clock import VN_TZ, FixedClock

    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=VN_TZ))
    ctx = make_context(db, clock)
    for org in TREE:
        add_org(ctx, org)
    did = new_candidate(ctx)
    clock.at += timedelta(days=7)
    advance(ctx, did, Event.cu_di_hoc)
    clock.at += timedelta(days=30)
    before = progress(ctx, "DB", None, date(2026, 3, 5))["rows"][0]["pipeline"]
    after = progress(ctx, "DB", None, date(2026, 3, 10))["rows"][0]["pipeline"]
    now = progress(ctx, "DB", None, date(2026, 4, 8))["rows"][0]["pipeline"]
    assert (before["nguon"], before["hoc_lop"]) == (1, 0)
    assert (after["nguon"], after["hoc_lop"]) == (0, 1)
    assert now == after
    assert progress(ctx, "DB", None, date(2026, 3, 1))["rows"][0]["pipeline"]["nguon"] == 0
