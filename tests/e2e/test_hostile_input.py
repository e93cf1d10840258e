"""What a careless or hostile hand gives the command line: a Vietnamese message naming the
field, the documented exit code, no traceback, and nothing half-written (no audit event,
no session, no file)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cli import app
from tests.databases import TestDB
from tests.e2e.test_cli import RUNNER, _user_add, ok, prepared, run, signed_in

TRACEBACK_WORDS = ("Traceback", "Error:", "Exception", "sqlalche.me", 'File "')


@pytest.fixture
def ready(env: dict[str, str]) -> dict[str, str]:
    prepared(env)
    return env


def refused(env: dict[str, str], line: str, code: int, field: str) -> str:
    got, out = run(env, line)
    assert got == code, f"{line}\n{out}"
    assert field in out, out
    assert not any(word in out for word in TRACEBACK_WORDS), out
    return out


def events(db: TestDB) -> int:
    return int(db.sql("SELECT count(*) FROM audit_event")[0][0])


@pytest.mark.parametrize(
    "line",
    [
        "candidate show 99999999999999999999",
        "history 99999999999999999999",
        "next 99999999999999999999",
        "advance 99999999999999999999 cu_di_hoc",
        "advance-many cu_di_hoc 1 99999999999999999999",
        "audit timeline 99999999999999999999",
        "record vote 99999999999999999999 --kind chi_bo --date 01/11/2026 --official 9 --agree 9",
        "candidate show ²",
    ],
)
def test_an_id_too_large_for_the_database_is_bad_input(ready: dict[str, str], line: str) -> None:
    refused(ready, line, 2, "Mã hồ sơ")


def test_a_database_that_cannot_be_opened_is_named(env: dict[str, str], tmp_path: Path) -> None:
    text_file = tmp_path / "van-ban.db"
    text_file.write_text("không phải cơ sở dữ liệu\n" * 200)
    broken = tmp_path / "hong.db"
    broken.write_bytes(bytes(range(256)) * 40)
    cases = {
        str(tmp_path): "thư mục",
        str(tmp_path / "khong-co" / "x.db"): "không có thư mục",
        str(text_file): "không phải cơ sở dữ liệu SQLite",
        str(broken): "không phải cơ sở dữ liệu SQLite",
        "mysql://u@localhost/x": "postgresql+psycopg",
        "foo://bar": "postgresql+psycopg",
        "postgresql+psycopg://x@127.0.0.1:1/none": "không kết nối được máy chủ",
    }
    for target, words in cases.items():
        for line in ("org list", "init"):
            out = refused({**env, "KETNAP_DB": target}, line, 2, "Cơ sở dữ liệu")
            assert words in out, (target, out)
    missing = tmp_path / "chua-co.db"
    refused({**env, "KETNAP_DB": str(missing)}, "org list", 2, "ketnap init")
    assert not missing.exists()  # only init makes a database


@pytest.mark.parametrize(
    "value",
    ["garbage", "31/02/2026", "2026-01-01", "01/01/99999", "25/11/2026 25:99", "25/11/2026 ab"],
)
def test_a_bad_pinned_clock_names_ketnap_now(ready: dict[str, str], value: str) -> None:
    refused({**ready, "KETNAP_NOW": value}, "org list", 2, "KETNAP_NOW")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (bytes(range(256)) * 10, "không phải tệp CSV"),
        ("ho_ten\nNguyễn\n".encode("utf-16"), "không nhận ra loại danh sách"),  # read: its BOM
        (b"ho_ten,ngay_sinh\n" + b"A" * 300_000 + b",01/01/2000\n", "không đọc được như CSV"),
    ],
)
def test_an_unreadable_sheet_is_named_and_nothing_is_imported(
    ready: dict[str, str], db: TestDB, tmp_path: Path, content: bytes, words: str
) -> None:
    sheet = tmp_path / "xau.csv"
    sheet.write_bytes(content)
    before = events(db)
    out = refused(ready, f"import {sheet}", 2, "Tệp")
    assert words in out
    assert events(db) == before


def test_a_one_column_sheet_is_read_and_its_missing_columns_named(
    ready: dict[str, str], tmp_path: Path
) -> None:
    sheet = tmp_path / "mot-cot.csv"
    sheet.write_text("ho_ten\nNguyễn Văn An\n", encoding="utf-8")
    code, out = run(ready, f"import {sheet}")
    assert code == 2 and not any(word in out for word in TRACEBACK_WORDS), out


@pytest.mark.parametrize(
    "line",
    [
        "export candidates --out {bad}",
        "export classes --out {bad}",
        "export organizations --out {bad}",
        "template candidates --out {bad}",
        "audit export --out {bad}",
        "report progress --xlsx {bad}",
        "report progress --docx {bad}",
        "report progress --png {bad}",
    ],
)
def test_an_output_that_cannot_be_written_leaves_no_trace(
    ready: dict[str, str], db: TestDB, tmp_path: Path, line: str
) -> None:
    folder = tmp_path / "ra"
    folder.mkdir()
    for bad in (str(tmp_path / "khong-co" / "x.xlsx"), str(folder), "/dev/full", "''"):
        before = events(db)
        refused(ready, line.format(bad=bad), 2, "Tệp sẽ ghi")
        assert events(db) == before, bad  # no export event for a file that was not written
    assert list(folder.iterdir()) == []  # no temporary file left behind


def test_an_export_appears_whole_and_after_its_audit_event(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    folder = tmp_path / "ra"
    folder.mkdir()
    out = folder / "ds.xlsx"
    before = events(db)
    ok(ready, f"export candidates --out {out}")
    assert events(db) == before + 1 and zipfile.is_zipfile(out)
    assert [p.name for p in folder.iterdir()] == ["ds.xlsx"]


def test_a_name_that_is_a_formula_is_refused_and_old_ones_export_as_text(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    line = (
        "candidate add --name '{}' --birth 01/01/1999 --sex nam --cccd 001099000077 "
        "--education thpt --org CB"
    )
    for name in (
        "=1+1",
        '=HYPERLINK("http://x/";"x")',
        "a\x01b",
        "Nguyễn\u200bVăn",
        "\u202eevil",
        "001200000001",
    ):
        refused(ready, line.format(name), 2, "Họ và tên")
    # what an earlier version let in (or a hand at the database) still exports, as text
    formula, control = '=HYPERLINK("http://x/";"x")', "a\x01b"
    db.sql("UPDATE candidate SET full_name = :f, residence = :r", {"f": formula, "r": control})
    out = tmp_path / "ds.xlsx"
    ok(ready, f"export candidates --out {out}")
    with zipfile.ZipFile(out) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in sheet


def test_one_cccd_is_one_number_whatever_the_keyboard(ready: dict[str, str], db: TestDB) -> None:
    line = (
        "candidate add --name 'Trần Văn {}' --birth 01/01/2000 --sex nam --cccd '{}' "
        "--education thpt --org CB"
    )
    ok(ready, line.format("An", "001 200 000 055"))
    out = refused(ready, line.format("Bình", "００１２００００００５５"), 2, "CCCD")
    assert "đã có người với số CCCD này" in out  # the same number, typed on another keyboard
    refused(ready, line.format("Cường", "٠٠١٢٠٠٠٠٠٠٥٥"), 2, "Số CCCD")
    assert (
        db.sql("SELECT cccd FROM candidate WHERE full_name = 'Trần Văn An'")[0][0] == "001200000055"
    )


def test_messages_are_vietnamese_and_never_repeat_a_cccd(ready: dict[str, str]) -> None:
    base = "candidate add --birth {birth} --sex nam --cccd 001099000078 --education thpt --org CB"
    out = refused(ready, base.format(birth="01/01/1999") + " --name ''", 2, "Họ và tên")
    assert "phải có ít nhất 2 ký tự" in out and "Value" not in out
    out = refused(ready, base.format(birth="001200000001") + " --name 'Lê An'", 2, "Ngày sinh")
    assert "001200000001" not in out and "********0001" in out
    refused(ready, base.format(birth="01/01/0001") + " --name 'Lê An'", 2, "Ngày sinh")
    out = refused(
        ready,
        "record certificate 1 --number " + "X" * 500 + " --issued 01/11/2026 --issuer 'Trung tâm'",
        2,
        "Số giấy chứng nhận",
    )
    assert "dài quá 40 ký tự" in out


def test_free_text_kept_in_the_audit_log_is_bounded_and_holds_no_cccd(
    ready: dict[str, str], db: TestDB
) -> None:
    before = events(db)
    refused(ready, "advance 1 tra_lai --reason 'CCCD 001200000008 sai'", 2, "Lý do")
    refused(ready, "advance 1 tra_lai --reason '" + "x" * 1001 + "'", 2, "Lý do")
    assert events(db) == before


def test_a_session_directory_that_cannot_hold_the_token_opens_no_session(
    env: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    ok(env, "init --rehearsal")
    _user_add(
        env, "user add an --name 'Lê An' --role quan_tri --password-stdin", "mat-khau-cua-an-9"
    )
    blocker = tmp_path / "la-tep"
    blocker.write_text("x")
    bad = {k: v for k, v in env.items() if k != "KETNAP_USER"} | {
        "KETNAP_SESSION_DIR": str(blocker)
    }
    sessions = db.sql("SELECT count(*) FROM user_session")[0][0]
    before = events(db)
    result = RUNNER.invoke(
        app, ["login", "an", "--password-stdin"], input="mat-khau-cua-an-9\n", env=bad
    )
    assert result.exit_code == 2 and "Thư mục phiên" in result.output, result.output
    assert db.sql("SELECT count(*) FROM user_session")[0][0] == sessions
    assert events(db) == before
    # a token file that is not a token is no session at all
    mine = signed_in(
        {k: v for k, v in env.items() if k != "KETNAP_USER"}, "an", "mat-khau-cua-an-9"
    )
    for token in Path(mine["KETNAP_SESSION_DIR"]).iterdir():
        token.write_bytes(bytes(range(256)))
    refused(mine, "org list", 4, "ketnap login")


def test_permission_comes_before_judging_the_outbox_filter(ready: dict[str, str]) -> None:
    refused(ready, "outbox --status zz", 2, "Trạng thái")


def test_a_fault_nobody_foresaw_is_one_line_with_an_error_id(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import cli

    def broken() -> None:
        raise RuntimeError("CCCD 001200000001 của Nguyễn Văn An")

    monkeypatch.setenv("KETNAP_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(cli, "app", broken)
    monkeypatch.setattr(cli, "_only_the_invoked_group", lambda argv: None)
    monkeypatch.setattr("sys.argv", ["ketnap", "org", "list"])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 5
    said = capsys.readouterr().err
    assert "mã lỗi" in said and "RuntimeError" not in said and "001200000001" not in said
    logged = (tmp_path / "loi.log").read_text()
    assert "RuntimeError" in logged and "001200000001" not in logged and "Nguyễn" not in logged
    error_id = said.split("mã lỗi ")[1][:8]
    assert error_id in logged
