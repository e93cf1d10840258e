"""Annulment (L-ANNUL), xóa tên with its ground (L-XOA-TEN, L-KHAI-TRU) and reapply through
the command line. The dossier is walked to its stage in-process (the same commands, through
CliRunner, as tests/e2e/test_cli.py's flows); every command under test then runs as a real
process (``python -m cli``): its exit code, its Vietnamese message, and a fingerprint of
every table unchanged when it is refused as bad input."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

from tests.conftest import cccd_of
from tests.databases import TestDB
from tests.e2e.test_cli import ROOT, ok

# A chi bộ under a đảng ủy cơ sở; one candidate admitted on 20/04/2026, the ceremony held.
TO_DU_BI = [
    "init --rehearsal",
    "org add --code TU --name 'Tỉnh ủy Lâm Đồng' --kind cap_tinh",
    "org add --code DUK --name 'Đảng ủy Khối các cơ quan tỉnh' --kind cap_uy_co_tham_quyen --parent TU",
    "org add --code DB --name 'Đảng bộ Sở Giáo dục' --kind dang_bo_co_so --parent DUK",
    "org add --code CB --name 'Chi bộ Văn phòng' --kind chi_bo --parent DB",
    "candidate add --name 'Nguyễn Văn Thắng' --birth 15/08/2000 --sex nam "
    f"--cccd {cccd_of('15/08/2000', 'nam', 41)} --education dai_hoc --org CB --doan",
    "advance 1 cu_di_hoc",
    "record certificate 1 --number GCN-01 --issued 10/03/2025 --issuer 'Trung tâm Chính trị'",
    "advance 1 hoan_thanh_lop",
    "record document 1 --kind don_xin_vao_dang --date 01/04/2025",
    "record document 1 --kind ly_lich --date 05/04/2025",
    "record document 1 --kind tong_hop_y_kien --date 20/04/2025",
    "record document 1 --kind nghi_quyet_doan --date 22/04/2025",
    "record introducer 1 --name 'Phan Văn Hùng' --months 36 --date 21/04/2025",
    "record relative 1 --relation me --name 'Lê Thị Bích' --verified 25/04/2025",
    "record verification 1 --date 28/04/2025 --by 'Đảng ủy Sở'",
    "record vote 1 --kind chi_bo --date 06/03/2026 --official 9 --agree 8 --against 1",
    "advance 1 chi_bo_thong_qua",
    "record vote 1 --kind dang_uy --date 12/03/2026 --official 7 --agree 7",
    "advance 1 gui_cap_uy",
    "advance 1 trinh_btv",
    "record decision 1 --kind ket_nap --number 123-QĐ/ĐUK --signed 20/04/2026 --received 23/04/2026",
    "advance 1 quyet_dinh_ket_nap",
    "record ceremony 1 --date 10/05/2026",
    "advance 1 to_chuc_le",
]

REASON = "Người được kết nạp không đủ tiêu chuẩn khi kết nạp"


def probationary(env: dict[str, str]) -> None:
    for line in TO_DU_BI:
        ok(env, line)


def cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    """``ketnap ARGS`` as a real process: its exit code and what it printed (both streams)."""
    proc = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        check=False,
        timeout=120,
    )
    return proc.returncode, proc.stdout.decode() + proc.stderr.decode()


def fingerprint(db: TestDB) -> str:
    """A digest of every row of every table."""
    return hashlib.sha256(json.dumps(db.snapshot(), sort_keys=True).encode()).hexdigest()


def refused_as_bad_input(env: dict[str, str], db: TestDB, words: str, *args: str) -> None:
    before = fingerprint(db)
    code, out = cli(env, *args)
    assert code == 2, out
    assert words in out and "Traceback" not in out, out
    assert fingerprint(db) == before, "a refused command wrote something"


def log_and_live_agree(env: dict[str, str], dossier: str) -> None:
    code, out = cli(env, "audit", "verify", "--state", "--json")
    assert code == 0, out
    verified = json.loads(out)
    assert verified["ok"] is True and verified["state"]["differences"] == [], verified
    live = json.loads(cli(env, "candidate", "show", dossier, "--json")[1])
    code, out = cli(env, "candidate", "show", dossier, "--as-of", "25/11/2026", "--json")
    assert code == 0, out
    rebuilt = json.loads(out)
    assert (rebuilt["stage"], rebuilt["version"]) == (live["stage"], live["version"])


def test_annul_needs_the_committee_decision_then_counts_the_admission_out(
    env: dict[str, str], db: TestDB
) -> None:
    probationary(env)
    full = ["--outcome", "xoa_ten", "--reason", REASON]
    refused_as_bad_input(
        env, db, "Số quyết định hủy", "annul", "1", "--signed-on", "02/09/2026", *full
    )
    refused_as_bad_input(env, db, "Ngày quyết định hủy", "annul", "1", "--number", "77", *full)
    refused_as_bad_input(
        env,
        db,
        "Ngày quyết định hủy",
        "annul",
        "1",
        "--number",
        "77",
        "--signed-on",
        "31/02/2026",
        *full,
    )
    code, out = cli(env, "report", "progress", "--org", "DUK", "--json")
    assert code == 0 and json.loads(out)["rows"][0]["admitted"] == 1, out
    code, out = cli(env, "annul", "1", "--number", "77-QĐ/ĐUK", "--signed-on", "02/09/2026", *full)
    assert code == 0, out
    assert "Đảng viên dự bị → Hủy quyết định kết nạp, xóa tên" in out, out
    log_and_live_agree(env, "1")
    code, out = cli(env, "report", "progress", "--org", "DUK", "--json")
    report = json.loads(out)
    assert report["rows"][0]["admitted"] == 0
    assert "QĐ số 77-QĐ/ĐUK ngày 02/09/2026" in report["annulled_note"]
    code, out = cli({**env, "COLUMNS": "250"}, "report", "progress", "--org", "DUK")
    assert code == 0 and "Đã trừ 1 trường hợp hủy quyết định kết nạp" in out, out
    code, out = cli({**env, "COLUMNS": "250"}, "history", "1")
    assert code == 0 and "Hủy quyết định kết nạp" in out, out


def test_annul_to_redo_the_procedure_raises_a_finding(env: dict[str, str], db: TestDB) -> None:
    probationary(env)
    refused_as_bad_input(
        env,
        db,
        "Làm lại từ bước",
        *("annul", "1", "--number", "80", "--signed-on", "01/10/2026"),
        *("--outcome", "lam_lai", "--reason", "Sai thẩm quyền ký quyết định"),
    )
    code, out = cli(
        env,
        *("annul", "1", "--number", "80-QĐ/ĐUK", "--signed-on", "01/10/2026"),
        *("--outcome", "lam_lai", "--back-to", "chi_bo_xet"),
        *("--reason", "Sai thẩm quyền ký quyết định"),
    )
    assert code == 0, out
    assert "→ Chi bộ họp xét" in out and "Đã ghi phát hiện #1" in out, out
    (row,) = db.sql("SELECT rule_id, kind FROM finding")
    assert tuple(row) == ("L-ANNUL", "huy_ket_nap")
    log_and_live_agree(env, "1")


def test_xoa_ten_with_its_ground_then_reapply_reads_it(env: dict[str, str], db: TestDB) -> None:
    probationary(env)
    decision = ("record", "decision", "1", "--kind", "xoa_ten", "--number", "90-QĐ/ĐUK")
    refused_as_bad_input(env, db, "Căn cứ xóa tên", *decision, "--signed", "20/09/2026")
    refused_as_bad_input(
        env, db, "L-KHAI-TRU", *decision, "--signed", "20/09/2026", "--ground", "khai_tru"
    )
    code, out = cli(env, "advance", "1", "xoa_ten", "--reason", "Bỏ sinh hoạt chi bộ")
    assert code == 1 and "L-XOA-TEN" in out, out
    ok(env, "record vote 1 --kind chi_bo_xoa_ten --date 10/09/2026 --official 10 --agree 8")
    code, out = cli(env, *decision, "--signed", "20/09/2026", "--ground", "bo_sinh_hoat")
    assert code == 0, out
    code, out = cli(env, "advance", "1", "xoa_ten", "--reason", "Bỏ sinh hoạt chi bộ")
    assert code == 0 and "Đảng viên dự bị → Xóa tên" in out, out
    code, out = cli(env, "reapply", "1", "--org", "CB", "--json")
    assert code == 0, out
    made = json.loads(out)
    assert (made["dossier_id"], made["previous"], made["stage"]) == (2, 1, "nguon")
    code, out = cli({**env, "COLUMNS": "250"}, "history", "2")
    assert code == 0 and "Nộp lại hồ sơ" in out, out
    log_and_live_agree(env, "2")
    refused_as_bad_input(env, db, "hồ sơ mới hơn", "reapply", "1")
