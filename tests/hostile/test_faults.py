"""Faults of the machine and the environment, as real processes: a disk that fills up, a
database that can only be read or is broken, a server that is not there, files that are
not files. Each ends in one Vietnamese sentence and the documented exit code (2 for what
the person typed or set, 5 for a fault of the machine, with an error id in the fault log
and no personal data there), never a traceback, and nothing half-written."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.databases import ON_POSTGRES, TestDB
from tests.hostile.conftest import ENGLISH, NOW

ROOT = Path(__file__).resolve().parents[2]
PERSON = ("Nguyễn Văn Thắng", "001200012345")  # what dossier 1 holds (tests/e2e SETUP)
ADD = (
    "candidate add --name 'Lê Văn Hòa' --birth 01/01/2000 --sex nam --cccd 001200000777 "
    "--education thpt --org CB"
)


def ketnap(
    env: dict[str, str], *args: str, limit: Callable[[], None] | None = None, timeout: int = 60
) -> tuple[int, str]:
    """ketnap as a person runs it: its own process, exit code and everything it printed."""
    done = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
    )
    return done.returncode, done.stdout + done.stderr


def said_plainly(code: int, out: str, want: int, *words: str) -> None:
    assert code == want, f"thoát {code}, chờ {want}\n{out}"
    for word in words:
        assert word in out, f"thiếu '{word}'\n{out}"
    english = ENGLISH.search(out)
    assert english is None, f"tiếng Anh: {english.group()!r}\n{out}"
    assert len(out.strip().splitlines()) <= 4, out  # a sentence, not a dump


def error_id(out: str) -> str:
    found = re.search(r"mã lỗi ([0-9A-F]{8})", out)
    assert found, out
    return found.group(1)


@pytest.fixture
def ready(db: TestDB, tmp_path: Path) -> dict[str, str]:
    """The tree and dossier 1 of tests/e2e, with a fault log of the test's own."""
    from tests.e2e.test_cli import prepared

    env = {
        **db.env(),
        "KETNAP_NOW": NOW,
        "KETNAP_USER": "chuyen_vien",
        "KETNAP_LOG_DIR": str(tmp_path / "loi"),
    }
    prepared(env)
    return env


def logged(env: dict[str, str]) -> str:
    path = Path(env["KETNAP_LOG_DIR"]) / "loi.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_the_acceptance_lines(ready: dict[str, str], tmp_path: Path) -> None:
    code, out = ketnap({**ready, "KETNAP_DB": "/x/y/z.db"}, "candidate", "list")
    said_plainly(code, out, 2, "Cơ sở dữ liệu", "không có thư mục '/x/y'")
    code, out = ketnap(ready, "advance", "99999999999999999999", "x")
    said_plainly(code, out, 2, "Sự kiện")
    code, out = ketnap(ready, "advance", "99999999999999999999", "cu_di_hoc")
    said_plainly(code, out, 2, "Mã hồ sơ", "quá lớn")
    sparse = tmp_path / "sparse.xlsx"
    _sparse_xlsx(sparse)
    code, out = ketnap(ready, "import", str(sparse))
    said_plainly(code, out, 2, "sparse.xlsx")


def _sparse_xlsx(path: Path) -> None:
    """A 5 KB workbook with one header and one cell at XFD1048576, the last Excel has."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "Họ và tên"
    sheet["XFD1048576"] = "x"
    book.save(path)


@contextmanager
def small_disk(db: TestDB, tmp_path: Path) -> Iterator[tuple[Path, Callable[[], None] | None]]:
    """The database on a disk with little room: a 1 MB tmpfs when root may mount one (the
    disk really fills up), else a limit on the size of any file the process writes
    (RLIMIT_FSIZE, as a quota does)."""
    assert db.path is not None
    with sqlite3.connect(db.path) as conn:  # start the log afresh: the write needs room
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if os.geteuid() != 0:
        room = 512 * 1024  # the -shm file alone takes 32 KB

        def quota() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails, not kills
            resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

        yield db.path, quota
        return
    mount = tmp_path / "day"
    mount.mkdir()
    size = db.path.stat().st_size + 160 * 1024
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], check=True)
    try:
        shutil.copy2(db.path, mount / db.path.name)
        yield mount / db.path.name, None
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def _rows_of(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM audit_event").fetchone()[0])


@pytest.mark.skipif(ON_POSTGRES, reason="the file of a SQLite database")
def test_a_full_disk_leaves_nothing_half_written(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    """An import of 3,000 people onto a disk that fills up: rolled back whole, one sentence
    with an error id; the fault log names the error, never the people."""
    rows = ["Họ và tên,Ngày sinh,Giới tính,Số CCCD,Trình độ học vấn,Chi bộ"] + [
        f"Lê Văn {chr(0x41 + i % 26)}{chr(0x61 + i // 26 % 26)},01/01/2000,nam,"
        f"0012000{i:05d},thpt,CB"
        for i in range(1, 3000)
    ]
    sheet = tmp_path / "import-lon.csv"
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with small_disk(db, tmp_path) as (path, limit):
        before = _rows_of(path)
        code, out = ketnap({**ready, "KETNAP_DB": str(path)}, "import", str(sheet), limit=limit)
        said_plainly(code, out, 5, "mã lỗi", "đầy")
        assert _rows_of(path) == before
    log = logged(ready)
    assert error_id(out) in log
    assert "Lê Văn" not in log and "001200" not in log


@contextmanager
def read_only_copy(db: TestDB, tmp_path: Path) -> Iterator[Path]:
    """The database on a file system mounted read-only (root, who ignores a file's mode,
    mounts a small tmpfs and remounts it read-only), or as a file of mode 0444."""
    assert db.path is not None
    with sqlite3.connect(db.path) as conn:  # one file: nothing in a -wal to write back
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if os.geteuid() != 0:
        db.path.chmod(0o444)
        try:
            yield db.path
        finally:
            db.path.chmod(0o644)
        return
    mount = tmp_path / "chi-doc"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], check=True)
    try:
        shutil.copy2(db.path, mount / db.path.name)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / db.path.name
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


@pytest.mark.skipif(ON_POSTGRES, reason="the file of a SQLite database")
def test_a_read_only_database_says_so_and_never_prints_the_record(
    ready: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    with read_only_copy(db, tmp_path) as path:
        before = db.snapshot() if path == db.path else None
        code, out = ketnap({**ready, "KETNAP_DB": str(path)}, *_split(ADD))
        if code == 2:  # a read-only disk: not even opened (SQLite's -shm cannot be made)
            said_plainly(code, out, 2, "Cơ sở dữ liệu", "chỉ cho đọc")
        else:  # a read-only file: opened, and the write refused by the database
            said_plainly(code, out, 5, "chỉ cho đọc", "mã lỗi")
        if before is not None:
            assert db.snapshot() == before
    assert "Lê Văn Hòa" not in out and "001200000777" not in out
    log = logged(ready)
    assert "001200000777" not in log and "Hòa" not in log
    if code == 5:
        assert error_id(out) in log


@pytest.mark.skipif(ON_POSTGRES, reason="the file of a SQLite database")
def test_a_broken_database_file_is_a_fault_with_an_id(ready: dict[str, str], db: TestDB) -> None:
    assert db.path is not None
    with sqlite3.connect(db.path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.path.read_bytes())
    page = 4096
    for start in range(2 * page, len(data) - page, 3 * page):  # pages, not the header
        data[start : start + page] = bytes(range(256)) * (page // 256)
    db.path.write_bytes(bytes(data))
    code, out = ketnap(ready, "candidate", "list")
    assert code in (2, 5), out
    said_plainly(code, out, code, "Cơ sở dữ liệu" if code == 2 else "mã lỗi")


def test_files_that_are_not_files(ready: dict[str, str], tmp_path: Path) -> None:
    fifo = tmp_path / "ong.csv"
    os.mkfifo(fifo)
    folder = tmp_path / "thu-muc.xlsx"
    folder.mkdir()
    long_name = str(tmp_path / ("a" * 300 + ".xlsx"))
    cases = [
        (("import", str(fifo)), "không phải một tệp"),
        (("import", str(folder)), "không phải một tệp"),
        (("import", long_name), "dài quá"),
        (("export", "candidates", "--out", long_name), "dài quá"),
        (("export", "candidates", "--out", str(fifo)), "không phải tệp thường"),
        (("export", "candidates", "--out", str(folder)), "thư mục"),
        (("target", "import", str(fifo)), "không phải một tệp"),
        (("audit", "verify-bundle", str(fifo), "--pubkey", "00" * 32), "Tệp"),
        (("audit", "verify", "--checkpoint", long_name), "dài quá"),
        (("audit", "timeline", "1", "--docx", long_name), "dài quá"),
        (("report", "progress", "--xlsx", str(tmp_path / "khong-co" / "bc.xlsx")), "thư mục"),
    ]
    for args, words in cases:
        code, out = ketnap(ready, *args, timeout=30)  # a FIFO read would wait for ever
        said_plainly(code, out, 2, words)


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("KETNAP_NOW", "2026-11-25", "KETNAP_NOW"),
        ("KETNAP_NOW", "31/02/2026", "KETNAP_NOW"),
        ("KETNAP_DB", "mysql://u@localhost/x", "postgresql+psycopg"),
        ("KETNAP_DB", "postgresql+psycopg://x@127.0.0.1:1/khong", "không kết nối được"),
        ("KETNAP_DB", "/etc", "thư mục"),
        ("KETNAP_DB", "/etc/hostname", "không phải cơ sở dữ liệu SQLite"),
        ("KETNAP_SESSION_DIR", "/etc/hostname", "Thư mục phiên"),
        ("KETNAP_KEY", "/khong/co/khoa", "khóa"),
        ("KETNAP_IMPORT_MAX_ROWS", "nhieu", "KETNAP_IMPORT_MAX_ROWS"),
        ("KETNAP_NOW", "01/01/1800", "KETNAP_NOW"),
        ("KETNAP_NOW", "01/01/2020", "sớm hơn sự kiện cuối"),
        ("KETNAP_USER", "\x1b[31mKẻ[/]", "Người thực hiện"),
        ("KETNAP_USER", "   ", "Người thực hiện"),
        ("KETNAP_SMTP_FROM", "a@b\r\nBcc: x@y", "KETNAP_SMTP_FROM"),
    ],
)
def test_a_bad_environment_is_named(
    ready: dict[str, str], variable: str, value: str, words: str
) -> None:
    line = ("import", "/dev/null") if variable.startswith("KETNAP_IMPORT") else _split(ADD)
    extra = {variable: value}
    if variable == "KETNAP_SESSION_DIR":
        line = ("login", "an", "--password-stdin")
    if variable == "KETNAP_SMTP_FROM":  # a header smuggled in after the sender's address
        line = ("outbox", "send")
        extra["KETNAP_SMTP_HOST"] = "127.0.0.1"
    code, out = ketnap({**ready, **extra}, *line)
    assert code in (2, 4), out
    said_plainly(code, out, code, words)


def test_a_read_command_never_makes_a_database(ready: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "chua-co" / "ketnap.db"
    missing.parent.mkdir()
    for args in (("candidate", "list"), ("org", "list"), ("audit", "verify"), ("history", "1")):
        code, out = ketnap({**ready, "KETNAP_DB": str(missing)}, *args)
        assert code == 2 and "ketnap init" in out, (args, out)
        assert list(missing.parent.iterdir()) == [], args
    code, out = ketnap({**ready, "KETNAP_DB": str(missing)}, "rules", "doc")  # needs none
    assert code == 0 and list(missing.parent.iterdir()) == [], out


def _split(line: str) -> tuple[str, ...]:
    import shlex

    return tuple(shlex.split(line))


@pytest.mark.skipif(ON_POSTGRES, reason="the file of a SQLite database")
def test_an_export_never_overwrites_the_database(ready: dict[str, str], db: TestDB) -> None:
    assert db.path is not None
    before = db.snapshot()
    for args in (
        ("export", "candidates", "--out", str(db.path)),
        ("template", "candidates", "--out", str(db.path) + "-wal"),
        ("report", "progress", "--png", str(db.path)),
    ):
        code, out = ketnap(ready, *args)
        said_plainly(code, out, 2, "cơ sở dữ liệu", "không ghi đè")
    assert db.snapshot() == before


def test_a_failed_report_writes_no_file(ready: dict[str, str], tmp_path: Path) -> None:
    out_dir = tmp_path / "bc"
    out_dir.mkdir()
    code, out = ketnap(
        ready,
        "report", "progress", "--place", "Đà\x01Lạt",
        "--xlsx", str(out_dir / "q.xlsx"), "--docx", str(out_dir / "q.docx"),
    )  # fmt: skip
    said_plainly(code, out, 2, "Địa danh")
    assert list(out_dir.iterdir()) == []


def test_a_reader_that_stops_early_is_not_an_error(ready: dict[str, str]) -> None:
    """`ketnap rules doc | head -1`: the pipe closes before ketnap has written everything;
    that is the reader's choice, exit 0, nothing on the error stream."""
    reader = subprocess.Popen(
        [sys.executable, "-c", "from cli import main; main()", "rules", "doc"],
        cwd=ROOT,
        env={**os.environ, **ready},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()  # read nothing at all
    errors = reader.stderr.read().decode()
    reader.stderr.close()
    assert reader.wait(timeout=60) == 0, errors
    assert errors == "", errors
