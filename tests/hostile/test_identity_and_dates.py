"""Identity numbers and dates a careless or hostile hand types on the command line or puts
in a sheet: a CCCD is twelve ASCII digits whose province, century, sex and birth year agree
with the person; a birth date, a certificate, a calendar day and an export's range are
plausible. Each is refused as bad input (exit 2) with a Vietnamese message naming the
fields, never the whole number, never a traceback, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import TestDB
from tests.e2e.test_cli import ok, prepared, run

TRACEBACK_WORDS = ("Traceback", 'File "', "Error:", "Exception", "sqlalche.me")
PYDANTIC_WORDS = ("Value error", "Input should", "validation error", "pydantic", "field required")

ADD = (
    "candidate add --name 'Trần Văn Bình' --birth {birth} --sex {sex} --cccd '{cccd}' "
    "--education thpt --org CB"
)


@pytest.fixture
def ready(db: TestDB) -> dict[str, str]:
    """The command line's environment as tests/e2e has it (the clock pinned at 25/11/2026),
    with the tree and dossier 1: Nguyễn Văn Thắng, nam, 15/08/2000, CCCD 001200012345."""
    env = {**db.env(), "KETNAP_NOW": "25/11/2026", "KETNAP_USER": "chuyen_vien"}
    prepared(env)
    return env


def events(db: TestDB) -> int:
    return int(db.sql("SELECT count(*) FROM audit_event")[0][0])


def refused(env: dict[str, str], db: TestDB, line: str, *fields: str) -> str:
    before = events(db)
    code, out = run(env, line)
    assert code == 2, f"{line}\n{out}"
    for field in fields:
        assert field in out, (field, out)
    assert not any(word in out for word in TRACEBACK_WORDS), out
    assert not any(word.lower() in out.lower() for word in PYDANTIC_WORDS), out
    assert events(db) == before, line
    return out


def _ascii(typed: str) -> str:
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", typed) if ch.isascii())


# (birth, sex, cccd as typed, the fields the message must name)
BAD_NUMBERS = [
    # the first three digits are no province's code (Thông tư 59/2021/TT-BCA)
    ("01/01/1999", "nam", "000099000111", ["Số CCCD", "mã tỉnh"]),
    ("01/01/1999", "nam", "003099000111", ["Số CCCD", "mã tỉnh"]),
    ("01/01/1999", "nam", "005099000111", ["Số CCCD", "mã tỉnh"]),
    ("01/01/1999", "nam", "009099000111", ["Số CCCD", "mã tỉnh"]),
    ("01/01/1999", "nam", "050099000111", ["Số CCCD", "mã tỉnh"]),
    ("01/01/1999", "nam", "097099000111", ["Số CCCD", "mã tỉnh"]),
    ("01/01/1999", "nam", "099099000111", ["Số CCCD", "mã tỉnh"]),
    ("01/01/1999", "nam", "100099000111", ["Số CCCD", "mã tỉnh"]),
    ("01/01/1999", "nam", "999099000111", ["Số CCCD", "mã tỉnh"]),
    # digit 4 says the other sex
    ("01/01/1999", "nam", "001199000111", ["Số CCCD", "Giới tính (nam)"]),
    ("01/01/1999", "nu", "001099000111", ["Số CCCD", "Giới tính (nữ)"]),
    ("15/08/2000", "nam", "001300000111", ["Số CCCD", "Giới tính (nam)"]),
    ("15/08/2000", "nu", "001200000111", ["Số CCCD", "Giới tính (nữ)"]),
    ("15/08/2000", "nu", "０７９２００１２３４５６", ["Số CCCD", "Giới tính (nữ)"]),
    # digit 4 says another century
    ("01/01/1999", "nam", "001299000111", ["Số CCCD", "Ngày sinh (01/01/1999)"]),
    ("01/01/1999", "nu", "001399000111", ["Số CCCD", "Ngày sinh (01/01/1999)"]),
    ("15/08/2000", "nam", "001000000111", ["Số CCCD", "Ngày sinh (15/08/2000)"]),
    ("15/08/2000", "nu", "001100000111", ["Số CCCD", "Ngày sinh (15/08/2000)"]),
    ("15/08/2000", "nam", "001400000111", ["Số CCCD", "sinh năm 2100"]),
    ("15/08/2000", "nam", "001600000111", ["Số CCCD", "sinh năm 2200"]),
    ("15/08/2000", "nam", "001800000111", ["Số CCCD", "sinh năm 2300"]),
    # digits 5–6 say another year
    ("01/01/1999", "nam", "001098000111", ["Số CCCD", "sinh năm 1998", "Ngày sinh"]),
    ("01/01/1999", "nam", "001089000111", ["Số CCCD", "sinh năm 1989", "Ngày sinh"]),
    ("01/01/1999", "nam", "001000000111", ["Số CCCD", "sinh năm 1900", "Ngày sinh"]),
    ("02/09/2002", "nu", "068320000111", ["Số CCCD", "sinh năm 2020", "Ngày sinh"]),
    ("31/12/1990", "nam", "068 091 000 111", ["Số CCCD", "sinh năm 1991", "Ngày sinh"]),
    # both at once: one message naming both fields
    ("01/01/1999", "nam", "001399000111", ["Số CCCD", "Giới tính (nam) và Ngày sinh"]),
    ("15/08/2000", "nu", "001000000111", ["Số CCCD", "Giới tính (nữ) và Ngày sinh"]),
    # not twelve ASCII digits
    ("01/01/1999", "nam", "٠٠١٠٩٩٠٠٠١١١", ["Số CCCD", "0–9"]),  # Arabic-Indic
    ("01/01/1999", "nam", "०0१०९९०००१११", ["Số CCCD", "0–9"]),  # Devanagari
    ("01/01/1999", "nam", "০০১০৯৯০০০১১১", ["Số CCCD", "0–9"]),  # Bengali
    ("01/01/1999", "nam", "00109900011O", ["Số CCCD", "0–9"]),  # a letter O for a zero
    ("01/01/1999", "nam", "001O99000111", ["Số CCCD", "0–9"]),
    ("01/01/1999", "nam", "00109900011", ["Số CCCD", "12 chữ số"]),
    ("01/01/1999", "nam", "0010990001111", ["Số CCCD", "12 chữ số"]),
    ("01/01/1999", "nam", "001099111", ["Số CCCD", "12 chữ số"]),  # an old CMND
    ("01/01/1999", "nam", "", ["Số CCCD"]),
    ("01/01/1999", "nam", "001_099_000_111", ["Số CCCD", "0–9"]),
    ("01/01/1999", "nam", "+84 001099000111", ["Số CCCD"]),
    ("01/01/1999", "nam", "00109900011١", ["Số CCCD", "0–9"]),  # one Arabic-Indic digit
    ("01/01/1999", "nam", "001099000111\u200b", ["Số CCCD"]),  # a zero-width space
    ("01/01/1999", "nam", "¹²³⁴⁵⁶⁷⁸⁹⁰¹²", ["Số CCCD"]),  # superscripts
]


@pytest.mark.parametrize(("birth", "sex", "cccd", "fields"), BAD_NUMBERS)
def test_a_cccd_that_cannot_be_this_person_s_is_bad_input(
    ready: dict[str, str], db: TestDB, birth: str, sex: str, cccd: str, fields: list[str]
) -> None:
    people = db.sql("SELECT count(*) FROM candidate")[0][0]
    out = refused(ready, db, ADD.format(birth=birth, sex=sex, cccd=cccd), *fields)
    digits = _ascii(cccd).replace(" ", "")
    if len(digits) >= 9:
        assert digits not in out, out  # never the whole number, at most its last four
    assert db.sql("SELECT count(*) FROM candidate")[0][0] == people


# (birth date typed, what the message says) — the clock is pinned at 25/11/2026
BAD_BIRTHS = [
    ("31/12/1899", "năm 1899"),
    ("01/01/1800", "năm 1800"),
    ("01/01/0001", ""),
    ("26/11/2010", "chưa đủ 16 tuổi"),  # 16 tomorrow
    ("01/01/2020", "chưa đủ 16 tuổi"),
    ("25/11/2026", "chưa đủ 16 tuổi"),  # born today
    ("26/11/2026", "tương lai"),
    ("01/01/2100", "tương lai"),
]


@pytest.mark.parametrize(("birth", "says"), BAD_BIRTHS)
def test_an_implausible_birth_date_is_named(
    ready: dict[str, str], db: TestDB, birth: str, says: str
) -> None:
    out = refused(ready, db, ADD.format(birth=birth, sex="nam", cccd="001099000111"), "Ngày sinh")
    assert says in out, out


def test_sixteen_today_is_old_enough_and_the_number_is_kept_as_ascii(
    ready: dict[str, str], db: TestDB
) -> None:
    ok(ready, ADD.format(birth="25/11/2010", sex="nam", cccd="０６８ ２１０ ０００ １１１"))
    stored = db.sql("SELECT cccd FROM candidate WHERE full_name = 'Trần Văn Bình'")[0][0]
    assert stored == "068210000111"


def test_the_same_number_on_another_keyboard_is_the_same_person(
    ready: dict[str, str], db: TestDB
) -> None:
    for typed in (
        "００１２０００１２３４５",
        "001-200-012-345",
        "001.200.012.345",
        " 001200012345 ",
    ):
        out = refused(
            ready, db, ADD.format(birth="15/08/2000", sex="nam", cccd=typed), "Số CCCD", "đã có"
        )
        assert "001200012345" not in out
    assert db.sql("SELECT count(*) FROM candidate")[0][0] == 1


# a fact dated before the person was born (15/08/2000): named, nothing written
BEFORE_BIRTH = [
    (
        "record certificate 1 --number GCN-1 --issued 14/08/2000 --issuer 'Trung tâm Chính trị'",
        "Ngày cấp",
    ),
    (
        "record certificate 1 --number GCN-1 --issued 01/01/1900 --issuer 'Trung tâm Chính trị'",
        "Ngày cấp",
    ),
    ("record document 1 --kind ly_lich --date 01/01/1999", "Ngày giấy tờ"),
]


@pytest.mark.parametrize(("line", "field"), BEFORE_BIRTH)
def test_a_certificate_issued_before_the_person_was_born_is_named(
    ready: dict[str, str], db: TestDB, line: str, field: str
) -> None:
    out = refused(ready, db, line, field, "trước ngày sinh (15/08/2000)")
    assert "001200012345" not in out


@pytest.mark.parametrize("day", ["31/12/1999", "01/01/1900", "01/01/2101", "31/12/9999"])
def test_a_calendar_day_outside_the_counted_years_is_named(
    ready: dict[str, str], db: TestDB, day: str
) -> None:
    out = refused(ready, db, f"calendar set {day} --off --note 'CV 1/VPCP'", "Ngày", "2000–2100")
    assert "đếm ngày làm việc" in out
    assert db.sql("SELECT count(*) FROM calendar_override")[0][0] == 0


def test_the_counted_years_are_years_the_holiday_data_knows() -> None:
    """CALENDAR_YEARS ends where the holiday data's Tết does (the lunar calendar's table)."""
    import holidays

    from workflow.usecases.settings import CALENDAR_YEARS

    for year in CALENDAR_YEARS:
        table = holidays.country_holidays("VN", language="vi", years=[year])
        assert any("Tết Nguyên Đán" in name for name in table.values()), year


@pytest.mark.parametrize(
    ("span", "fields"),
    [
        (
            "--from 02/01/2026 --to 01/01/2026",
            ["Đến ngày (--to)", "Từ ngày (--from)", "01/01/2026"],
        ),
        ("--from 25/11/2026 --to 01/01/2000", ["Đến ngày (--to)", "25/11/2026"]),
        ("--from 32/01/2026", ["Từ ngày"]),
        ("--to 2026-01-01", ["Đến ngày"]),
    ],
)
def test_an_export_whose_range_is_empty_or_malformed_is_named(
    ready: dict[str, str], db: TestDB, tmp_path: Path, span: str, fields: list[str]
) -> None:
    target = tmp_path / "goi.zip"
    refused(ready, db, f"audit export --out {target} {span}", *fields)
    assert not target.exists()


HEAD = "Họ và tên,Ngày sinh,Giới tính,Số CCCD,Trình độ học vấn,Chi bộ\n"


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ("Lê Thị Hoa,01/02/1999,nữ,001099000201,thpt,CB\n", ["cột 'Số CCCD'", "Giới tính (nữ)"]),
        (
            "Lê Văn Hải,01/02/1999,nam,001299000202,thpt,CB\n",
            ["cột 'Số CCCD'", "Ngày sinh (01/02/1999)"],
        ),
        ("Lê Văn Hải,01/02/1999,nam,098099000203,thpt,CB\n", ["cột 'Số CCCD'", "mã tỉnh"]),
        ("Lê Văn Hải,01/02/1999,nam,٠٠١٠٩٩٠٠٠٢٠٤,thpt,CB\n", ["cột 'Số CCCD'", "0–9"]),
        ("Lê Văn Hải,01/02/2015,nam,001215000205,thpt,CB\n", ["cột 'Ngày sinh'", "16 tuổi"]),
        (
            "Lê Văn Hải,01/02/1999,nam,001099000206,thpt,CB\n"
            "Lê Thị Hoa,01/02/1999,nữ,001099000207,thpt,CB\n",
            ["dòng 3, cột 'Số CCCD'", "Giới tính (nữ)"],
        ),
    ],
)
def test_a_sheet_with_such_a_row_imports_nothing(
    ready: dict[str, str], db: TestDB, tmp_path: Path, rows: str, words: list[str]
) -> None:
    sheet = tmp_path / "ds.csv"
    sheet.write_text(HEAD + rows, encoding="utf-8")
    people = db.sql("SELECT count(*) FROM candidate")[0][0]
    out = refused(ready, db, f"import {sheet}", *words)
    assert db.sql("SELECT count(*) FROM candidate")[0][0] == people
    for number in ("001099000201", "001299000202", "098099000203", "001099000207"):
        assert number not in out


def test_a_number_stored_before_the_check_is_still_read(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    """Old data is never judged again: a dossier whose CCCD contradicts its person (typed
    before this check) is shown, exported and moved on as before."""
    db.sql("UPDATE candidate SET cccd = '099199000001' WHERE id = 1")
    assert "********0001" in ok(ready, "candidate show 1")
    ok(ready, f"export candidates --out {tmp_path / 'ds.xlsx'}")
    ok(ready, "advance 1 cu_di_hoc")
