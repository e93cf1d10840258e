"""Sheets a careless or hostile hand sends to `ketnap import`: a cell at XFD1048576, a zip
bomb, a hidden first sheet, UTF-16 text, numbers that are no date or no CCCD, a flood of
bad rows, and an export brought back. Each is refused before it is read (exit 2), with a
Vietnamese message naming the sheet, the row or the column, no traceback, and nothing
written; or read as it should be (exit 0). Every file is made here: none is kept in git."""

from __future__ import annotations

import json
import struct
import time
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from cli import app
from tests.databases import TestDB
from tests.e2e import test_cli
from tests.e2e.test_cli import RUNNER, ok, prepared, run
from workflow.domain.errors import BadInput
from workflow.domain.identity import make_cccd
from workflow.domain.vocabulary import Sex
from workflow.sheets.candidate_columns import PERSON_FIELDS, TITLES
from workflow.sheets.limits import MAX_PROBLEMS, Limits
from workflow.sheets.xlsx_guard import check_xlsx

# the demo's fixtures (built once for this module, a copy per test)
demo_db, demo_copy, demo_env = test_cli.demo_db, test_cli.demo_copy, test_cli.demo_env

TRACEBACK_WORDS = ("Traceback", 'File "', "Error:", "Exception", "sqlalche.me", "panicked")
HEAD = [TITLES[f] for f in PERSON_FIELDS]


@pytest.fixture
def env(db: TestDB) -> dict[str, str]:
    """The command line's environment as tests/e2e/conftest.py makes it: this test's
    database, the clock pinned at 25/11/2026, single-user mode."""
    return {**db.env(), "KETNAP_NOW": "25/11/2026", "KETNAP_USER": "chuyen_vien"}


@pytest.fixture
def ready(env: dict[str, str]) -> dict[str, str]:
    """The tree and dossier 1 (Nguyễn Văn Thắng, at nguồn, in CB)."""
    prepared(env)
    return env


def events(db: TestDB) -> int:
    return int(db.sql("SELECT count(*) FROM audit_event")[0][0])


def refused(env: dict[str, str], db: TestDB, sheet: Path, *words: str) -> str:
    """`import sheet`: exit 2, every word in the output, no traceback, nothing written."""
    before = events(db)
    code, out = run(env, f"import {sheet}")
    assert code == 2, out
    for word in words:
        assert word in out, (word, out)
    assert not any(word in out for word in TRACEBACK_WORDS), out
    assert events(db) == before
    return out


def person(name: str, serial: int, **cells: Any) -> list[Any]:
    """A candidate's row in the template's person columns (female, born 02/09/2001, CB)."""
    values = {
        "full_name": name,
        "birth_date": "02/09/2001",
        "sex": "Nữ",
        "ethnicity": "Kinh",
        "religion": "Không",
        "cccd": make_cccd(date(2001, 9, 2), Sex.nu, serial),
        "education": "Đại học",
        "occupation": "Viên chức",
        "doan_member": "x",
        "cong_doan_member": "",
        "residence": "Lộc An",
        "org_code": "CB",
    } | cells
    return [values[f] for f in PERSON_FIELDS]


def book(path: Path, rows: list[list[Any]], head: list[str] = HEAD) -> Path:
    sheet = Workbook()
    ws = sheet.active
    assert ws is not None
    ws.title = "DS"
    ws.append(head)
    for line in rows:
        ws.append(line)
    sheet.save(path)
    return path


# A minimal .xlsx made by hand (zipfile): what python-calamine needs and nothing else.
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{sheets}</Types>'
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_xml(rows: str, dimension: str | None = None, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    declared = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    namespace = f'xmlns{":" + prefix if prefix else ""}="{_MAIN}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {namespace}>{declared}'
        f"<{p}sheetData>{rows}</{p}sheetData></{p}worksheet>"
    ).encode()


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def hand_made(path: Path, *sheets: tuple[str, str, bytes], level: int = 6) -> Path:
    """An .xlsx of (name, state, sheet XML) sheets."""
    listed = "".join(
        f'<sheet name="{name}" sheetId="{n}" state="{state}" r:id="rId{n}"/>'
        for n, (name, state, _) in enumerate(sheets, 1)
    )
    targets = "".join(
        f'<Relationship Id="rId{n}" Type="{_R}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr(
            "[Content_Types].xml",
            _TYPES.format(sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, 9))),
        )
        z.writestr("_rels/.rels", _RELS)
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_R}">'
            f"<sheets>{listed}</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{targets}</Relationships>',
        )
        for n, (_, _, xml) in enumerate(sheets, 1):
            z.writestr(f"xl/worksheets/sheet{n}.xml", xml)
    return path


HEADER_ROW = '<row r="1">' + cell("A1", "Họ và tên") + cell("B1", "Ngày sinh") + "</row>"
FAR = '<row r="1048576">' + cell("XFD1048576", "x") + "</row>"


@pytest.mark.parametrize(
    ("xml", "words"),
    [
        # the 4.9 KB file that aborted the process: declared, and really there
        (sheet_xml(HEADER_ROW + FAR, "A1:XFD1048576"), ["A1:XFD1048576", "1.048.576 dòng"]),
        # declared only: refused before the rest is read
        (sheet_xml(HEADER_ROW, "A1:XFD1048576"), ["A1:XFD1048576", "KETNAP_IMPORT_MAX_ROWS"]),
        # no dimension, or one that lies: the cells themselves are counted
        (sheet_xml(HEADER_ROW + FAR), ["dòng 1.048.576"]),
        (sheet_xml(HEADER_ROW + FAR, "A1:B1"), ["dòng 1.048.576"]),
        (sheet_xml(HEADER_ROW + '<row r="2">' + cell("XFD2", "x") + "</row>"), ["cột XFD"]),
        # a cell whose own reference leaves its row behind
        (sheet_xml('<row r="1">' + cell("A1", "a") + cell("B900000", "b") + "</row>"), ["dòng"]),
        # unusual layouts, read by the XML parser: prefixed names, cells without r
        (
            sheet_xml(
                '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c></x:row>'
                '<x:row r="1048576"><x:c r="XFD1048576"/></x:row>',
                prefix="x",
            ),
            ["XFD1048576", "dòng 1.048.576"],
        ),
        (sheet_xml('<row r="1">' + "<c/>" * 300 + "</row>"), ["cột thứ 201", "ô GS1"]),
        # rows without r, counted one by one (the limit lowered: 200,001 would be a bomb)
        (sheet_xml("<row/>" * 1_001 + "<row><c/></row>"), ["dòng 1.002", "ô A1002"]),
    ],
)
def test_a_sheet_reaching_past_the_limits_is_refused_before_it_is_read(
    ready: dict[str, str], db: TestDB, tmp_path: Path, xml: bytes, words: list[str]
) -> None:
    sheet = hand_made(tmp_path / "thua.xlsx", ("DS", "visible", xml))
    assert sheet.stat().st_size < 20_000
    limited = {**ready, "KETNAP_IMPORT_MAX_ROWS": "1000"} if b"<row/>" in xml else ready
    refused(limited, db, sheet, "thua.xlsx / DS", "quá giới hạn", *words)


def _bomb(path: Path, unpacked: int, declared: int | None = None) -> Path:
    """A sheet whose XML is ``unpacked`` bytes of spaces (a thousand to one); with
    ``declared``, the zip's directory and local header say that size instead."""
    xml = sheet_xml(HEADER_ROW + " " * unpacked)
    hand_made(path, ("DS", "visible", xml), level=9)
    if declared is not None:
        data = bytearray(path.read_bytes())
        member = b"xl/worksheets/sheet1.xml"
        for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            at = data.find(signature)
            while at >= 0:
                name_at = at + (30 if signature == b"PK\x03\x04" else 46)
                if data[name_at : name_at + len(member)] == member:
                    struct.pack_into("<I", data, at + size_at, declared)
                at = data.find(signature, at + 4)
        path.write_bytes(bytes(data))
    return path


def test_a_zip_bomb_is_refused_from_its_directory_in_no_time(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    bomb = _bomb(tmp_path / "bom.xlsx", 30_000_000)
    assert bomb.stat().st_size < 100_000
    start = time.perf_counter()
    refused(ready, db, bomb, "bom.xlsx", "xl/worksheets/sheet1.xml", "KETNAP_IMPORT_MAX_RATIO")
    # over the unpacked size: said before anything is unpacked
    out = refused(
        {**ready, "KETNAP_IMPORT_MAX_RATIO": "100000", "KETNAP_IMPORT_MAX_BYTES": "5000000"},
        db,
        bomb,
        "giải nén ra 30,0 MB, quá giới hạn 5,0 MB (KETNAP_IMPORT_MAX_BYTES)",
    )
    assert "Tệp" in out
    # a directory that understates the size: caught at the first byte too many
    liar = _bomb(tmp_path / "noi-doi.xlsx", 30_000_000, declared=2_000)
    refused(ready, db, liar, "noi-doi.xlsx / DS", "nhiều hơn 2,0 KB mà tệp nén khai báo")
    assert time.perf_counter() - start < 30  # the 3.9 MB bomb took 197 s and 3.2 GiB


def test_files_that_are_no_xlsx_are_named(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    text = tmp_path / "chu.xlsx"
    text.write_text("Họ và tên,Ngày sinh\n", encoding="utf-8")
    refused(ready, db, text, "'chu.xlsx' không đọc được như một tệp Excel")
    old = tmp_path / "cu.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    refused(ready, db, old, "'cu.xlsx' là tệp Excel cũ (.xls) hoặc tệp có đặt mật khẩu")
    doctype = tmp_path / "dtd.xlsx"
    body = sheet_xml(HEADER_ROW).split(b"?>", 1)[1]
    xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
    hand_made(doctype, ("DS", "visible", xml))
    refused(ready, db, doctype, "dtd.xlsx / DS", "DOCTYPE")


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"KETNAP_IMPORT_MAX_ROWS": "2"}, ["ds.xlsx / DS", "A1:L4", "KETNAP_IMPORT_MAX_ROWS"]),
        ({"KETNAP_IMPORT_MAX_COLUMNS": "5"}, ["ds.xlsx / DS", "12 cột"]),
        ({"KETNAP_IMPORT_MAX_CELLS": "20"}, ["ds.xlsx / DS", "KETNAP_IMPORT_MAX_CELLS"]),
        ({"KETNAP_IMPORT_MAX_BYTES": "1000"}, ["ds.xlsx", "KETNAP_IMPORT_MAX_BYTES"]),
        ({"KETNAP_IMPORT_MAX_ROWS": "nhiều"}, ["KETNAP_IMPORT_MAX_ROWS", "số nguyên dương"]),
        ({"KETNAP_IMPORT_MAX_BYTES": "0"}, ["KETNAP_IMPORT_MAX_BYTES", "số nguyên dương"]),
    ],
)
def test_the_limits_are_set_by_environment_variables(
    ready: dict[str, str],
    db: TestDB,
    tmp_path: Path,
    variables: dict[str, str],
    words: list[str],
) -> None:
    sheet = book(tmp_path / "ds.xlsx", [person("Hồ Thị Lan", n) for n in range(3)])
    refused({**ready, **variables}, db, sheet, *words)
    assert "3 người mới" in ok(ready, f"import {sheet} --dry-run")  # within the defaults


def test_a_csv_past_the_limits_is_refused_naming_its_row(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    sheet = tmp_path / "ds.csv"
    lines = [",".join(HEAD)] + [",".join(map(str, person("Hồ Thị Lan", n))) for n in range(60)]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    limited = {**ready, "KETNAP_IMPORT_MAX_ROWS": "50"}
    refused(limited, db, sheet, "'ds.csv' dòng 51", "KETNAP_IMPORT_MAX_ROWS")
    narrow = {**ready, "KETNAP_IMPORT_MAX_COLUMNS": "10"}
    refused(narrow, db, sheet, "ds.csv, dòng 1", "12 cột", "KETNAP_IMPORT_MAX_COLUMNS")
    small = {**ready, "KETNAP_IMPORT_MAX_BYTES": "1000"}
    refused(small, db, sheet, "'ds.csv' nặng", "KETNAP_IMPORT_MAX_BYTES")


def _hidden_first(path: Path, state: str, shown_rows: list[list[Any]]) -> Path:
    made = Workbook()
    hidden = made.active
    assert hidden is not None
    hidden.title = "Danh sách cũ"
    hidden.append(HEAD)
    hidden.append(person("Lê Thị Ẩn", 900))
    hidden.sheet_state = state
    shown = made.create_sheet("DS")
    for line in [HEAD, *shown_rows]:
        shown.append(line)
    made.active = 1
    made.save(path)
    return path


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_first_sheet_is_never_imported_silently(
    ready: dict[str, str], db: TestDB, tmp_path: Path, state: str
) -> None:
    sheet = _hidden_first(tmp_path / "an.xlsx", state, [person("Hồ Thị Lan", 901)])
    done = ok(ready, f"import {sheet}")
    assert "1 người mới" in done and "Trang ẩn không được nhập: 'Danh sách cũ'" in done, done
    assert "Hồ Thị Lan" in ok(ready, "candidate list --search 'ho thi lan'")
    assert "Ẩn" not in ok(ready, "candidate list --search 'le thi an'")
    report = json.loads(ok(ready, f"import {sheet} --json"))
    assert report["notes"]["hidden_sheets"] == ["Danh sách cũ"]
    # the only data on a hidden sheet: refused, naming it
    empty = _hidden_first(tmp_path / "trong.xlsx", state, [])
    refused(ready, db, empty, "trong.xlsx / DS", "không nhập trang ẩn ('Danh sách cũ')")
    every = hand_made(tmp_path / "het.xlsx", ("Ẩn", state, sheet_xml(HEADER_ROW)))
    refused(ready, db, every, "het.xlsx", "mọi trang đều đang ẩn ('Ẩn')")


@pytest.mark.parametrize(
    ("encoding", "separator"),
    [("utf-16", "\t"), ("utf-16", ","), ("utf-16-be", ";"), ("utf-8-sig", ","), ("utf-32", ",")],
)
def test_a_csv_in_utf16_is_read(
    ready: dict[str, str], tmp_path: Path, encoding: str, separator: str
) -> None:
    """Excel's "Unicode Text" is UTF-16 with a byte-order mark, tab-separated."""
    lines = [HEAD, person("Nguyễn Thị Hương", 902), person("Đặng Thị Ánh", 903)]
    text = "\r\n".join(separator.join(map(str, line)) for line in lines) + "\r\n"
    sheet = tmp_path / "unicode.csv"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    sheet.write_bytes(data)
    assert "2 người mới" in ok(ready, f"import {sheet}")
    assert "Nguyễn Thị Hương" in ok(ready, "candidate list --search 'nguyen thi huong'")


def test_a_utf16_file_that_is_broken_is_named(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    sheet = tmp_path / "hong.csv"
    sheet.write_bytes(b"\xff\xfe" + "Họ và tên".encode("utf-16-le") + b"\x00")  # odd length
    refused(ready, db, sheet, "'hong.csv' có dấu UTF-16 nhưng không đọc được như văn bản UTF-16")


@pytest.mark.parametrize("serial", [0, -3, 60, 99_999, 1e12, 46_351.5 + 1])
def test_a_date_serial_outside_1900_to_today_names_its_cell(
    ready: dict[str, str], db: TestDB, tmp_path: Path, serial: float
) -> None:
    sheet = book(tmp_path / "ngay.xlsx", [person("Hồ Thị Lan", 904, birth_date=serial)])
    refused(
        ready,
        db,
        sheet,
        "ngay.xlsx / DS, dòng 2, cột 'Ngày sinh'",
        "không phải một ngày",
        "tới 46.351 (hôm nay, 25/11/2026)",
    )


def test_a_date_serial_within_range_is_the_day_excel_shows(
    ready: dict[str, str], tmp_path: Path
) -> None:
    sheet = book(tmp_path / "ngay.xlsx", [person("Hồ Thị Lan", 905, birth_date=37136)])
    done = ok(ready, f"import {sheet}")
    assert "1 ô ngày là số ngày của Excel" in done, done
    (found,) = json.loads(ok(ready, "candidate list --search 'ho thi lan' --json"))
    shown = ok(ready, f"candidate show {found['dossier_id']}")
    assert "02/09/2001" in shown


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"cccd": 12345678901.7}, "Số CCCD", "phần thập phân"),
        ({"cccd": 68301000905.25}, "Số CCCD", "phần thập phân"),
        ({"cccd": 123456789}, "Số CCCD", "chỉ có 9 chữ số"),
        ({"cccd": "6,83011E+11"}, "Số CCCD", "dạng số mũ"),
        ({"cccd": -68301000905}, "Số CCCD", "không phải số CCCD"),
    ],
)
def test_a_number_that_is_no_cccd_is_an_error_not_a_truncated_number(
    ready: dict[str, str],
    db: TestDB,
    tmp_path: Path,
    cells: dict[str, Any],
    column: str,
    words: str,
) -> None:
    sheet = book(tmp_path / "so.xlsx", [person("Hồ Thị Lan", 906, **cells)])
    out = refused(ready, db, sheet, f"so.xlsx / DS, dòng 2, cột '{column}'", words)
    assert "định dạng ô Text" in out
    assert "12345678901" not in out and "68301000905" not in out  # a CCCD is never echoed


def test_a_count_with_a_fraction_is_an_error(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    head = [*HEAD, "Giai đoạn", "Ngày chi bộ xét", "Số đảng viên chính thức", "Số phiếu tán thành"]
    line = [*person("Hồ Thị Lan", 907), "Chi bộ họp xét", "10/11/2026", 12.5, 11.0]
    sheet = book(tmp_path / "so.xlsx", [line], head)
    refused(
        ready,
        db,
        sheet,
        "so.xlsx / DS, dòng 2, cột 'Số đảng viên chính thức'",
        "phải là số nguyên (ô ghi 12,5)",
    )


def test_a_numeric_cccd_that_lost_its_leading_zeros_gets_them_back(
    ready: dict[str, str], tmp_path: Path
) -> None:
    number = make_cccd(date(2001, 9, 2), Sex.nu, 908, province="001")
    sheet = book(tmp_path / "so.xlsx", [person("Hồ Thị Lan", 908, cccd=int(number))])
    assert len(str(int(number))) == 10
    done = ok(ready, f"import {sheet}")
    assert "1 ô CCCD kiểu số bị Excel bỏ số 0 đầu, đã thêm lại" in done, done


def test_a_flood_of_bad_rows_is_listed_up_to_a_bound(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    sheet = tmp_path / "lu.csv"
    bad = [person("Hồ Thị Lan", n, sex="Không rõ") for n in range(5_000)]
    sheet.write_text("\n".join(",".join(map(str, r)) for r in [HEAD, *bad]) + "\n", "utf-8")
    out = refused(ready, db, sheet, "lu.csv, dòng 2, cột 'Giới tính'", "… và 4.800 lỗi khác")
    assert out.count("cột 'Giới tính'") == MAX_PROBLEMS
    assert len(out.splitlines()) < MAX_PROBLEMS + 10


def test_import_json_prints_the_problems_of_a_refused_file(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    sheet = book(tmp_path / "so.xlsx", [person("Hồ Thị Lan", 909, cccd=12345678901.7)])
    before = events(db)
    result = RUNNER.invoke(app, ["import", str(sheet), "--json"], env=ready)
    assert result.exit_code == 2, result.output
    refusal = json.loads(result.stdout)
    assert refusal["ok"] is False and refusal["exit_code"] == 2
    assert refusal["problems"][0]["field"] == "so.xlsx / DS, dòng 2, cột 'Số CCCD'"
    assert "phần thập phân" in refusal["problems"][0]["message"]
    assert events(db) == before
    far = hand_made(tmp_path / "xa.xlsx", ("DS", "visible", sheet_xml(HEADER_ROW + FAR)))
    result = RUNNER.invoke(app, ["import", str(far), "--json"], env=ready)
    assert result.exit_code == 2
    assert "dòng 1.048.576" in json.loads(result.stdout)["problems"][0]["message"]


def test_an_export_with_closed_dossiers_imports_back_and_says_what_it_skipped(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    ok(ready, "advance 1 rut_ho_so --reason 'Xin rút'")
    ok(ready, f"import {book(tmp_path / 'moi.xlsx', [person('Hồ Thị Lan', 910)])}")
    out = tmp_path / "xuat.xlsx"
    ok(ready, f"export candidates --out {out}")
    before = events(db)
    done = ok(ready, f"import {out}")
    assert "2 dòng — 0 người mới, 0 cập nhật, 1 không đổi, 1 hồ sơ đã kết thúc (bỏ qua)" in done
    assert "hồ sơ đã kết thúc" in done and "bỏ qua" in done
    assert events(db) == before
    # a closed dossier's row that differs: refused, naming the column
    changed = load_workbook(out)
    ws = changed["Quần chúng"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[12].value == "Rút hồ sơ")
    row[10].value = "Thôn mới"
    changed.save(out)
    refused(ready, db, out, "cột 'Nơi cư trú'", "đã kết thúc (Rút hồ sơ): không sửa qua tệp")


def test_the_demos_export_imports_back_unchanged(
    demo_env: dict[str, str], demo_copy: TestDB, tmp_path: Path
) -> None:
    """The issue's case: 145 errors '[P-SEQUENCE] chỉ nhập hồ sơ đang xử lý' before."""
    out = tmp_path / "xuat.xlsx"
    assert "Đã ghi 156 người" in ok(demo_env, f"export candidates --out {out}")
    before = events(demo_copy)
    report = json.loads(ok(demo_env, f"import {out} --json"))
    assert (report["new"], report["updated"], report["closed"]) == (0, 0, 145), report
    assert report["unchanged"] == 11 and not report["notes"].get("stage_kept")
    assert events(demo_copy) == before


def test_a_template_passes_the_checks_and_the_checks_are_remembered(tmp_path: Path) -> None:
    sheet = book(tmp_path / "ds.xlsx", [person("Hồ Thị Lan", n) for n in range(2_000)])
    check_xlsx(sheet, Limits())
    with pytest.raises(BadInput) as caught:
        check_xlsx(sheet, Limits(max_rows=1_000))
    assert "A1:L2001" in caught.value.problems[0][1]


def test_the_scan_sees_a_far_cell_past_its_first_megabyte(tmp_path: Path) -> None:
    """A sheet of several chunks, the far cell at its very end (and one split over the
    seam between two chunks is seen whole)."""
    rows = "".join(
        f'<row r="{n}">' + cell(f"A{n}", "Nguyễn Văn An") + cell(f"B{n}", "x") + "</row>"
        for n in range(1, 60_000)
    )
    near = hand_made(tmp_path / "gan.xlsx", ("DS", "visible", sheet_xml(rows)))
    assert zipfile.ZipFile(near).getinfo("xl/worksheets/sheet1.xml").file_size > 3 * (1 << 20)
    check_xlsx(near, Limits())
    far = hand_made(
        tmp_path / "xa.xlsx",
        ("DS", "visible", sheet_xml(rows + '<row r="60000"><c r="GS60000"/></row>')),
    )
    with pytest.raises(BadInput) as caught:
        check_xlsx(far, Limits())
    assert caught.value.problems[0][0] == "xa.xlsx / DS"
    assert "cột GS (cột thứ 201)" in caught.value.problems[0][1]
    for pad in range(0, 40):  # the far cell's tag at every place around a chunk's seam
        filler = "x" * ((1 << 20) - 200 + pad * 7)
        xml = sheet_xml(
            f'<row r="1"><c r="A1" t="inlineStr"><is><t>{filler}</t></is></c><c r="XFD1"/></row>'
        )
        seam = hand_made(tmp_path / f"seam{pad}.xlsx", ("DS", "visible", xml))
        with pytest.raises(BadInput):
            check_xlsx(seam, Limits())


def test_an_unusual_layout_within_the_limits_is_read(tmp_path: Path) -> None:
    """Prefixed element names (the .NET SDK writes x:row, x:c) are read by the XML parser
    and pass when within the limits."""
    cells = "".join(
        f'<x:c r="{chr(65 + i)}1" t="inlineStr"><x:is><x:t>{h}</x:t></x:is></x:c>'
        for i, h in enumerate(["Họ và tên", "Mã lớp"])
    )
    xml = sheet_xml(f'<x:row r="1">{cells}</x:row>', prefix="x")
    sheet = hand_made(tmp_path / "sdk.xlsx", ("DS", "visible", xml))
    check_xlsx(sheet, Limits())
