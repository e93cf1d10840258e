"""Corrections and findings through the command line, the CLI run as a real process
(issue 18, point 1): `ketnap correct person|fact|fields`, `ketnap findings [close]`; the
state check and the as-of view agree after a correction; bad input exits 2 with every
table unchanged."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.conftest import NOW, TREE, admit, make_context, new_candidate
from tests.databases import TestDB
from workflow.usecases.clock import FixedClock
from workflow.usecases.organizations import add_org

ROOT = Path(__file__).resolve().parents[2]
REASON = "Đối chiếu giấy khai sinh bản gốc"


def cli(db: TestDB, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **db.env(),
        "KETNAP_NOW": "25/11/2026 10:00",
        "KETNAP_USER": "chuyen_vien",
        "COLUMNS": "250",
    }
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def ok(db: TestDB, *args: str) -> str:
    done = cli(db, *args)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def fingerprint(db: TestDB) -> dict[str, str]:
    engine = create_engine(db.url)
    try:
        with engine.connect() as conn:
            return {
                name: hashlib.sha256(
                    "\n".join(
                        sorted(
                            repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{name}"'))
                        )
                    ).encode()
                ).hexdigest()
                for name in sorted(inspect(conn).get_table_names())
            }
    finally:
        engine.dispose()


@pytest.fixture
def admitted(db: TestDB) -> int:
    """A dossier admitted the day before (built through the services, a day earlier than
    the command line's clock): 18 on the chi bộ's vote of 06/05/2025."""
    ctx = make_context(db, FixedClock(NOW - timedelta(days=1)))
    for org in TREE:
        add_org(ctx, org)
    did = new_candidate(ctx, birth_date="01/01/2007")
    admit(ctx, did)
    ctx.engine.dispose()
    return did


def test_a_correction_warns_of_its_finding_which_an_inspector_closes(
    db: TestDB, admitted: int
) -> None:
    did = str(admitted)
    fields = ok(db, "correct", "fields")
    assert "birth_date: Ngày sinh" in fields and "cccd: Số CCCD" in fields
    done = cli(
        db, "correct", "person", did, "--field", "Ngày sinh", "--value", "20/12/2007",
        "--reason", REASON,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"Đã đính chính Ngày sinh của hồ sơ #{did}" in done.stdout
    assert "Cảnh báo: phát hiện #1 [R-AGE]" in done.stderr
    assert "06/05/2025" in done.stderr  # the vote day the candidate is judged on
    listed = json.loads(ok(db, "findings", "--json"))
    assert [(f["id"], f["rule_id"], f["step"]) for f in listed][:1] == [
        (1, "R-AGE", "chi_bo_thong_qua")
    ]
    table = ok(db, "findings")
    assert "R-AGE" in table and f"#{did}" in table and "(chưa có)" in table
    verified = cli(db, "audit", "verify", "--state", "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["state_problems"] == []
    before = json.loads(ok(db, "candidate", "show", did, "--as-of", "24/11/2026", "--json"))
    after = json.loads(ok(db, "candidate", "show", did, "--as-of", "25/11/2026", "--json"))
    assert before["person"]["birth_date"]["value"] == "2007-01-01"
    assert after["person"]["birth_date"]["value"] == "2007-12-20"
    live = json.loads(ok(db, "candidate", "show", did, "--json"))
    assert live["candidate"]["birth_date"] == "2007-12-20"
    assert (after["stage"], after["version"]) == (live["stage"], live["version"])
    shown = ok(db, "candidate", "show", did, "--as-of", "24/11/2026")
    assert "đã được đính chính" in shown and "2007-01-01" in shown

    short = cli(db, "findings", "close", "1", "--conclusion", "ok")
    assert short.returncode == 2 and "Kết luận" in short.stderr
    ok(db, "findings", "close", "1", "--conclusion", "Đã báo cáo Ban Thường vụ, giữ quyết định")
    assert json.loads(ok(db, "findings", "--json")) == [f for f in listed if f["id"] != 1]
    closed = [f for f in json.loads(ok(db, "findings", "--all", "--json")) if f["id"] == 1]
    assert closed[0]["conclusion"] == "Đã báo cáo Ban Thường vụ, giữ quyết định"


def test_a_corrected_decision_date_moves_the_admission_date_and_the_log_agrees(
    db: TestDB, admitted: int
) -> None:
    did = str(admitted)
    decisions = json.loads(ok(db, "candidate", "show", did, "--json"))["facts"]["decisions"]
    (decision,) = [d for d in decisions if d["kind"] == "ket_nap"]
    out = ok(
        db, "correct", "fact", did, "decision", str(decision["id"]), "--field", "signed_on",
        "--value", "18/06/2025", "--reason", REASON,
    )  # fmt: skip
    assert "Đã đính chính Ngày quyết định" in out
    assert "Ngày vào Đảng của hồ sơ nay là 18/06/2025" in out
    live = json.loads(ok(db, "candidate", "show", did, "--json"))
    assert live["party_joined_on"] == "2025-06-18"
    verified = cli(db, "audit", "verify", "--state", "--json")
    assert verified.returncode == 0 and json.loads(verified.stdout)["state_problems"] == []
    as_of = json.loads(ok(db, "candidate", "show", did, "--as-of", "25/11/2026", "--json"))
    (recorded,) = [
        f for f in as_of["facts"]
        if f["fact"] == "ghi_quyet_dinh" and f["data"]["row_id"] == decision["id"]
    ]  # fmt: skip
    assert recorded["data"]["signed_on"] == "2025-06-18"


def test_bad_input_exits_2_in_vietnamese_and_writes_nothing(db: TestDB, admitted: int) -> None:
    did = str(admitted)
    before = fingerprint(db)
    cases = [
        (("correct", "person", did, "--field", "mau_toc", "--value", "x", "--reason", REASON),
         "Trường đính chính"),
        (("correct", "person", did, "--field", "full_name", "--value", "Lê Văn Hai"),
         "Lý do đính chính"),
        (("correct", "person", did, "--field", "birth_date", "--value", "31/02/2007",
          "--reason", REASON), "Ngày sinh"),
        (("correct", "fact", did, "phieu", "1", "--field", "agree", "--value", "1",
          "--reason", REASON), "Loại thông tin"),
        (("correct", "fact", did, "decision", "999", "--field", "number", "--value", "1",
          "--reason", REASON), "Mã dòng"),
        (("correct", "person", "999", "--field", "full_name", "--value", "Lê Văn Hai",
          "--reason", REASON), "Mã hồ sơ"),
        (("findings", "close", "42", "--conclusion", "Không có phát hiện này"), "Mã phát hiện"),
    ]  # fmt: skip
    for args, field in cases:
        done = cli(db, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "Dữ liệu không hợp lệ" in done.stderr and field in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert fingerprint(db) == before


def test_another_committees_clerk_is_refused_before_the_field_is_judged(
    db: TestDB, tmp_path: Path
) -> None:
    """Exit 4 (not permitted), audited, before 'no such field' (exit 2) could say anything
    about the dossier; the inspector concludes, a clerk may not."""
    from dataclasses import replace

    from workflow.usecases.users import add_user

    ctx = make_context(db, FixedClock(NOW - timedelta(days=1)), rehearse=True)
    for org in TREE:
        add_org(ctx, org)
    add_org(ctx, {"code": "DUK2", "name": "Đảng ủy xã Lộc An", "kind": "cap_uy_co_tham_quyen",
                  "parent_code": "TU"})  # fmt: skip
    did = new_candidate(ctx, birth_date="01/01/2007")
    admit(ctx, did)
    password = "mat-khau-thu-nghiem-1"
    add_user(ctx, "admin", "Quản trị viên", "quan_tri", password=password)
    admin = replace(ctx, actor="admin")
    add_user(admin, "lan", "Nguyễn Thị Lan", "chuyen_vien", "DUK", password=password)
    add_user(admin, "hung", "Trần Văn Hùng", "chuyen_vien", "DUK2", password=password)
    add_user(admin, "tra", "Lê Văn Tra", "kiem_tra", password=password)
    ctx.engine.dispose()

    def as_user(user: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "KETNAP_USER"}
        env.update(db.env())
        env.update({"KETNAP_NOW": "25/11/2026 10:00", "KETNAP_SESSION_DIR": str(tmp_path / user)})
        run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "check": False}
        login = subprocess.run(
            [sys.executable, "-m", "cli", "login", user, "--password-stdin"],
            input=password + "\n", **run,  # type: ignore[call-overload]
        )  # fmt: skip
        assert login.returncode == 0, login.stderr
        done: subprocess.CompletedProcess[str] = subprocess.run(
            [sys.executable, "-m", "cli", *args],
            **run,  # type: ignore[call-overload]
        )
        return done

    before = fingerprint(db)
    refused = as_user("hung", "correct", "person", str(did), "--field", "mau_toc", "--value",
                      "x", "--reason", REASON)  # fmt: skip
    assert refused.returncode == 4, refused.stderr
    assert "Không có quyền" in refused.stderr and "mau_toc" not in refused.stderr
    after = fingerprint(db)
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= {"audit_event", "audit_head", "user_session", "app_user"}  # the refusal
    made = as_user("lan", "correct", "person", str(did), "--field", "birth_date", "--value",
                   "20/12/2007", "--reason", REASON)  # fmt: skip
    assert made.returncode == 0 and "[R-AGE]" in made.stderr, made.stderr
    denied = as_user("lan", "findings", "close", "1", "--conclusion", "Tự kết luận việc này")
    assert denied.returncode == 4
    assert as_user("hung", "findings", "--json").stdout.strip() == "[]"
    closed = as_user("tra", "findings", "close", "1", "--conclusion", "Đề nghị cấp ủy xem lại")
    assert closed.returncode == 0, closed.stderr
