"""Organizations that change through the command line (issue 18, point 6), each command
under test a real process (``python -m cli``) on the demo office: two chi bộ cơ sở merged
into one (open dossiers, targets and a user on each) leave nothing pointing at the ended
one, the year's progress total is the same before and after, the log and the rows agree
(audit verify --state, candidate show --as-of); a split with --move, a move and a rename in
place, the heading; bad input is exit 2, a Vietnamese message naming the field, nothing
written."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import TREE, make_context
from tests.databases import TestDB
from tests.e2e.test_cli import ROOT, signed_in
from tests.integration.test_org_changes import PASSWORD
from tests.integration.test_org_changes import _office as build
from workflow.usecases.organizations import add_org

NOW = "25/11/2026"
MERGE = (
    "org end CBCS2 --on 01/10/2026 --kind sap_nhap --successor CBCS "
    "--decision 125-QĐ/ĐUK --reason 'Sáp nhập theo Quyết định của Huyện ủy'"
)


@dataclass
class Office:
    """The database (built by the use cases: tests/integration/test_org_changes.py) and a
    signed-in command line for its administrator and its clerk."""

    db: TestDB
    ids: dict[str, list[int]]
    envs: dict[str, dict[str, str]] = field(default_factory=dict)


@pytest.fixture
def office(db: TestDB, tmp_path: Path) -> Iterator[Office]:
    ctx = make_context(db, rehearse=True)
    for org in TREE:
        add_org(ctx, org)
    _, ids = build(ctx)
    ctx.engine.dispose()
    made = Office(db, ids)
    base = {**db.env(), "KETNAP_NOW": NOW, "KETNAP_LOG_DIR": str(tmp_path / "loi")}
    for user in ("admin", "cv"):
        mine = {**base, "KETNAP_SESSION_DIR": str(tmp_path / f"phien-{user}")}
        made.envs[user] = signed_in(mine, user, PASSWORD)
    yield made


def cli(office: Office, who: str, line: str) -> tuple[int, str]:
    """``ketnap LINE`` as ``who``, a real process: its exit code and both streams."""
    import shlex

    proc = subprocess.run(
        [sys.executable, "-m", "cli", *shlex.split(line)],
        cwd=ROOT,
        env={**os.environ, **office.envs[who], "COLUMNS": "250"},
        input=(PASSWORD + "\n" + PASSWORD + "\n").encode(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    return proc.returncode, proc.stdout.decode() + proc.stderr.decode()


def ok(office: Office, who: str, line: str) -> str:
    code, out = cli(office, who, line)
    assert code == 0, f"{line}\n{out}"
    return out


def fingerprint(db: TestDB) -> str:
    return hashlib.sha256(json.dumps(db.snapshot(), sort_keys=True).encode()).hexdigest()


def refused(office: Office, who: str, line: str, *words: str) -> None:
    before = fingerprint(office.db)
    code, out = cli(office, who, line)
    assert code == 2, f"{line}\n{out}"
    assert all(w in out for w in words) and "Traceback" not in out, out
    assert fingerprint(office.db) == before, f"a refused command wrote something: {line}"


def agree(office: Office, dossiers: list[int]) -> None:
    """audit verify --state and candidate show --as-of agree with the live rows."""
    verified = json.loads(ok(office, "cv", "audit verify --state --json"))
    assert verified["ok"] is True and verified["state"]["differences"] == [], verified
    for did in dossiers:
        live = json.loads(ok(office, "cv", f"candidate show {did} --json"))
        rebuilt = json.loads(ok(office, "cv", f"candidate show {did} --as-of {NOW} --json"))
        assert (rebuilt["stage"], rebuilt["version"]) == (live["stage"], live["version"]), did


def total(office: Office) -> tuple[int, int]:
    report = json.loads(ok(office, "cv", "report progress --org TU --json"))
    top = report["rows"][0]
    return top["admitted"], top["prev_admitted"]


def dossiers_of(office: Office, code: str) -> list[int]:
    rows = office.db.sql(
        "SELECT d.id FROM dossier d JOIN organization o ON o.id = d.org_id WHERE o.code = :c",
        {"c": code},
    )
    return [int(r[0]) for r in rows]


def test_merging_two_chi_bo_co_so_by_the_command_line(office: Office) -> None:
    ended, kept = office.ids["CBCS2"], office.ids["CBCS"]
    before = total(office)
    assert before == (3, 3)
    out = ok(office, "admin", MERGE)
    assert "Đã kết thúc hoạt động CBCS2 từ ngày 30/09/2026" in out, out
    assert "4 hồ sơ sang CBCS" in out and "1 người dùng sang CBCS" in out, out
    for table in ("dossier", "candidate", "target", "app_user"):
        left = office.db.sql(
            f"SELECT count(*) FROM {table} t JOIN organization o ON o.id = t.org_id "
            "WHERE o.valid_to IS NOT NULL"
        )
        assert [tuple(r) for r in left] == [(0,)], table
    assert total(office) == before
    listed = ok(office, "cv", "org list --all")
    assert "CBCS2" in listed and "đến 30/09/2026" in listed, listed
    assert "CBCS2 " not in ok(office, "cv", "org list")
    report = json.loads(ok(office, "cv", "report progress --org TU --json"))
    assert any("CBCS2" in n and "kết thúc hoạt động" in n for n in report["notes"])
    page = ok(office, "cv", f"audit timeline {ended[2]}")
    assert "Chuyển hồ sơ sang tổ chức kế thừa" in page, page
    agree(office, ended + kept)
    # an ended organization is no destination any more; ending it twice is refused
    refused(office, "cv", "target set --org CBCS2 --year 2026 --value 1", "kết thúc hoạt động")
    refused(office, "admin", MERGE, "Tổ chức", "đã kết thúc hoạt động")


def test_split_move_rename_and_heading(office: Office) -> None:
    ok(
        office,
        "admin",
        "org add --code CBCS-MOI --name 'Chi bộ Trường THCS Lộc Thành' --kind chi_bo_co_so "
        "--parent DUK --heading 'CHI BỘ TRƯỜNG THCS LỘC THÀNH'",
    )
    split_one = office.ids["CBCS3"]
    split = (
        "org end CBCS3 --on 01/11/2026 --kind chia_tach --successor CBCS "
        "--successor CBCS-MOI --decision 130-QĐ/ĐUK --reason 'Chia tách theo quyết định' "
    )
    refused(office, "admin", split, "Chuyển hồ sơ đến (--dossiers-to)", "bắt buộc")
    refused(office, "admin", split + "--dossiers-to CBCS --move x=1", "Chuyển riêng hồ sơ (--move)")
    refused(office, "admin", split + "--dossiers-to DUK", "không phải tổ chức kế thừa")
    before = total(office)
    out = ok(office, "admin", split + f"--dossiers-to CBCS --move {split_one[2]}=CBCS-MOI")
    assert "1 hồ sơ sang CBCS-MOI" in out and "3 hồ sơ sang CBCS" in out, out
    assert total(office) == before
    shown = json.loads(ok(office, "cv", f"candidate show {split_one[2]} --json"))
    assert shown["org"]["code"] == "CBCS-MOI"
    ok(
        office,
        "admin",
        "org add --code DU-LA --name 'Đảng ủy xã Lộc An' --kind cap_uy_co_tham_quyen --parent TU",
    )
    out = ok(office, "admin", "org move CBCS-MOI --parent DU-LA --on 01/11/2026 --decision 7")
    assert "sang trực thuộc DU-LA" in out, out
    out = ok(
        office,
        "admin",
        "org rename CBCS-MOI --name 'Chi bộ Trường THCS Lộc An' --on 01/11/2026 "
        "--heading 'CHI BỘ TRƯỜNG TRUNG HỌC CƠ SỞ LỘC AN'",
    )
    assert "thành 'Chi bộ Trường THCS Lộc An'" in out, out
    out = ok(
        office,
        "admin",
        "org set DU-LA --heading 'ĐẢNG ỦY XÃ LỘC AN' --superior-heading 'ĐẢNG BỘ TỈNH LÂM ĐỒNG'",
    )
    assert "ĐẢNG ỦY XÃ LỘC AN" in out, out
    report = json.loads(ok(office, "cv", "report progress --org DU-LA --json"))
    assert report["heading"] == {
        "committee": "ĐẢNG ỦY XÃ LỘC AN",
        "parent": "ĐẢNG BỘ TỈNH LÂM ĐỒNG",
    }
    reason = "--decision 1 --reason 'lý do đủ dài'"
    refused(office, "admin", "org rename CBCS-MOI --name 'X' --on 01/11/2026", "Tên mới")
    refused(
        office,
        "admin",
        f"org end CBCS --on 01/11/2026 --kind giai_the --successor CBCS-MOI {reason}",
        "Hình thức (--kind)",
    )
    refused(
        office,
        "admin",
        f"org end CBCS --on 01/11/2026 --kind sap_nhap --successor DU-LA {reason}",
        "chi bộ",
    )
    refused(
        office,
        "admin",
        f"org end KHONG-CO --on 01/11/2026 --kind sap_nhap --successor DU-LA {reason}",
        "KHONG-CO",
    )
    refused(
        office,
        "admin",
        f"org end CBCS --on 01/11/2026 --kind sap_nhap --successor CBCS3 {reason}",
        "đã kết thúc hoạt động",
    )
    agree(office, split_one)
