"""The CLI as a clerk uses it: CliRunner for the flows, real subprocesses for concurrency."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.databases import TestDB, new_db

ROOT = Path(__file__).resolve().parents[2]
RUNNER = CliRunner()

SETUP = [
    "org add --code TU --name 'Tỉnh ủy Lâm Đồng' --kind cap_tinh",
    "org add --code DUK --name 'Đảng ủy Khối các cơ quan tỉnh' --kind cap_uy_co_tham_quyen --parent TU",
    "org add --code DB --name 'Đảng bộ Sở Giáo dục' --kind dang_bo_co_so --parent DUK",
    "org add --code CB --name 'Chi bộ Văn phòng' --kind chi_bo --parent DB",
    "candidate add --name 'Nguyễn Văn Thắng' --birth 15/08/2000 --sex nam --cccd 001200012345 "
    "--education dai_hoc --org CB --doan",
]

# The README's walkthrough, step by step: from nguồn to chính thức.
WHOLE_CHAIN = [
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
    "record vote 1 --kind chi_bo --date 06/05/2025 --official 9 --probationary 2 --agree 8 --against 1",
    "advance 1 chi_bo_thong_qua",
    "record vote 1 --kind dang_uy --date 12/05/2025 --official 7 --agree 7",
    "advance 1 gui_cap_uy",
    "advance 1 trinh_btv",
    "record decision 1 --kind ket_nap --number 123-QĐ/ĐUK --signed 20/06/2025 --received 23/06/2025",
    "advance 1 quyet_dinh_ket_nap",
    "record ceremony 1 --date 10/07/2025",
    "advance 1 to_chuc_le",
    "record vote 1 --kind chi_bo_chinh_thuc --date 15/07/2026 --official 10 --agree 9",
    "record vote 1 --kind dang_uy_chinh_thuc --date 20/07/2026 --official 7 --agree 6",
    "record decision 1 --kind chinh_thuc --number 456-QĐ/ĐUK --signed 05/08/2026",
    "advance 1 cong_nhan_chinh_thuc",
]


def run(env: dict[str, str], line: str) -> tuple[int, str]:
    import shlex

    result = RUNNER.invoke(app, shlex.split(line), env=env)
    return result.exit_code, result.output


def ok(env: dict[str, str], line: str) -> str:
    code, out = run(env, line)
    assert code == 0, f"{line}\n{out}"
    return out


def demo(env: dict[str, str]) -> dict[str, str]:
    """Build the demo; the initial password of each of its users, as it printed them once."""
    out = ok(env, "demo")
    found = dict(re.findall(r"^  (\w+)\s+(\S{14})  ", out, re.M))
    assert {"quantri", "cv_tinh", "cv_duk", "cv_bl"} <= set(found), out
    return found


def signed_in(env: dict[str, str], user: str, password: str) -> dict[str, str]:
    """The environment of ``user``'s signed-in CLI (no --as: once users exist it is refused
    unless it names the session's user)."""
    mine = {k: v for k, v in env.items() if k != "KETNAP_USER"}
    result = RUNNER.invoke(
        app, ["login", user, "--password-stdin"], input=password + "\n", env=mine
    )
    assert result.exit_code == 0, result.output
    return mine


def prepared(env: dict[str, str]) -> None:
    ok(env, "init --rehearsal")  # the tests pin the clock (KETNAP_NOW)
    for line in SETUP:
        ok(env, line)


def test_help_is_vietnamese() -> None:
    out = RUNNER.invoke(app, ["--help"]).output
    assert "kết nạp đảng viên" in out
    # what the framework prints by itself is Vietnamese too
    assert (
        "[TÙY_CHỌN] LỆNH [THAM_SỐ]" in out
        and "Cách dùng: " in out
        and "Tùy chọn:" in out
        and "Lệnh:" in out
    )
    for english in (
        "Usage",
        "Options",
        "Commands",
        "Show this message",
        "install-completion",
        "env var",
    ):
        assert english not in out, english
    for words in (["advance-many", "--help"], ["report", "progress", "--help"]):
        said = RUNNER.invoke(app, words).output
        assert "BƯỚC" in said and "{SỰ_KIỆN}" in said or "--xlsx TỆP" in said, said
        assert "--as-of dd/mm/yyyy" in said or "SỐ" in said or "MÃ_HỒ_SƠ" in said, said
        for python in ("<str>", "<int>", "<path>", "list[str]", "{event}", "[ids]", "<"):
            assert python not in said, (words, python)
    for line, said in (
        (["org", "add", "--bogus"], "Lỗi: Không có tùy chọn --bogus"),
        (["serve", "--port", "abc"], "Giá trị không hợp lệ cho '--port': phải là số nguyên"),
        (["khong-co-lenh"], "Không có lệnh 'khong-co-lenh'"),
        (["advance"], "Thiếu tham số 'MÃ_HỒ_SƠ'"),
        (["record", "vote", "1", "thua"], "Thừa tham số: thua"),
    ):
        result = RUNNER.invoke(app, line)
        assert result.exit_code == 2 and said in result.output, (line, result.output)
        assert "Error" not in result.output and "Usage" not in result.output


def test_whole_chain_from_nguon_to_chinh_thuc(env: dict[str, str]) -> None:
    prepared(env)
    for line in WHOLE_CHAIN:
        ok(env, line)
    shown = json.loads(ok(env, "candidate show 1 --json"))
    assert shown["stage"] == "chinh_thuc"
    assert shown["official_effective_on"] == "2026-07-10"
    assert shown["candidate"]["cccd_masked"].endswith("2345")
    assert "001200012345" not in ok(env, "candidate show 1")
    events = json.loads(ok(env, "history 1 --json"))
    assert sum(e["kind"] == "transition" for e in events) == 8
    assert "Nhật ký toàn vẹn" in ok(env, "audit verify")


def test_skipping_a_step_is_refused_with_rule_ids(env: dict[str, str]) -> None:
    prepared(env)
    code, out = run(env, "advance 1 chi_bo_thong_qua")
    assert code == 1
    assert "[P-SEQUENCE]" in out
    ok(env, "advance 1 cu_di_hoc")
    ok(env, "record certificate 1 --number G --issued 10/03/2025 --issuer 'Trung tâm'")
    ok(env, "advance 1 hoan_thanh_lop")
    ok(env, "record vote 1 --kind chi_bo --date 03/02/2025 --official 9 --agree 5")
    code, out = run(env, "advance 1 chi_bo_thong_qua")
    assert code == 1
    for rule in ("R-CLASS", "R-VOTE-CB", "R-INTRO", "R-VERIFY", "P-DOSSIER", "R-INTRO-DOAN"):
        assert f"[{rule}]" in out, rule
    steps = json.loads(ok(env, "next 1 --json"))
    assert not steps["steps"][0]["allowed"]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (
            "candidate add --name 'Lê Văn A' --birth 31/02/2000 --sex nam --cccd 001200000001 --education thpt --org CB",
            "Ngày sinh",
        ),
        (
            "candidate add --name 'Lê Văn A' --birth 01/01/2030 --sex nam --cccd 001200000001 --education thpt --org CB",
            "Ngày sinh",
        ),
        (
            "candidate add --name 'Lê Văn A' --birth 01/01/2000 --sex nam --cccd 00120000000 --education thpt --org CB",
            "Số CCCD",
        ),
        (
            "candidate add --name 'Lê Văn A' --birth 01/01/2000 --sex nam --cccd 001200000001 --education thpt --org XYZ",
            "Chi bộ",
        ),
        (
            "candidate add --name 'Lê Văn A' --sex nam --cccd 001200000001 --education thpt --org CB",
            "Ngày sinh",
        ),
        (
            "record vote 1 --kind chi_bo --date 01/02/2025 --official 9 --agree 10",
            "Số phiếu tán thành",
        ),
        (
            "record vote 1 --kind chi_bo --date 01/02/2025 --official chin --agree 1",
            "Số đảng viên chính thức",
        ),
        ("advance 1 bay_len", "Sự kiện"),
        ("advance abc cu_di_hoc", "Mã hồ sơ"),
    ],
)
def test_bad_input_names_the_field_exits_2_and_changes_nothing(
    env: dict[str, str], db: TestDB, line: str, field: str
) -> None:
    prepared(env)
    before = db.snapshot()
    code, out = run(env, line)
    assert code == 2, out
    assert field in out
    assert "00120000000" not in out and "Traceback" not in out
    assert db.snapshot() == before


def test_uninitialised_database_says_so(env: dict[str, str], tmp_path: Path) -> None:
    empty = new_db(tmp_path, "trong", schema=False)
    code, out = run({**env, **empty.env()}, "candidate list")
    empty.drop()
    assert code == 2 and "ketnap init" in out


def test_tampering_is_named_by_audit_verify(env: dict[str, str], db: TestDB) -> None:
    prepared(env)
    ok(env, "advance 1 cu_di_hoc")
    db.sql("UPDATE audit_event SET actor = 'ke_gian' WHERE id = 6")
    code, out = run(env, "audit verify")
    assert code == 1 and "#6" in out
    report = json.loads(run(env, "audit verify --json")[1])
    assert report["problem_id"] == 6


def test_demo_has_every_stage_and_one_dossier_reaches_chinh_thuc(env: dict[str, str]) -> None:
    passwords = demo(env)
    assert "đã có sẵn" in ok(env, "demo")
    code, out = run(env, "candidate list --json")
    assert code == 4 and "ketnap login" in out  # users exist: nobody acts unsigned
    env = signed_in(env, "cv_tinh", passwords["cv_tinh"])
    rows = json.loads(ok(env, "candidate list --json"))
    from workflow.domain.process import Stage

    assert {r["stage"] for r in rows} == {s.value for s in Stage}
    ready = next(r for r in rows if r["full_name"] == "Vũ Đình Khoa")
    assert ready["stage"] == "du_bi"
    ok(env, f"advance {ready['dossier_id']} cong_nhan_chinh_thuc")
    found = json.loads(ok(env, "candidate list --search 'nguyen van thang' --json"))
    assert [r["full_name"] for r in found] == ["Nguyễn Văn Thắng"]
    ok(env, "audit verify")


def test_diagram_and_rules(env: dict[str, str]) -> None:
    assert "stateDiagram-v2" in ok(env, "diagram")
    prepared(env)
    ok(env, "rules set youth_age_max 35 --reason 'Theo hướng dẫn của tỉnh'")
    sets = json.loads(ok(env, "rules list --json"))
    # from today (25/11/2026), for the set in force today and the later ones
    assert [[(o["key"], o["value"]) for o in s["overrides"]] for s in sets] == [
        [],
        [],
        [],
        [],
        [("youth_age_max", 35)],
    ]
    ok(env, "calendar set 02/01/2026 --off --note 'Nghỉ bù theo công văn'")


def _cli(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_two_processes_advancing_one_dossier_one_wins(env: dict[str, str], db: TestDB) -> None:
    prepared(env)
    first = _cli(env, "advance", "1", "cu_di_hoc", "--version", "1")
    second = _cli(env, "advance", "1", "rut_ho_so", "--reason", "Xin rút", "--version", "1")
    with first, second:
        outputs = [p.communicate(timeout=60)[0].decode() for p in (first, second)]
    results = sorted(zip([first.returncode, second.returncode], outputs, strict=True))
    assert [code for code, _ in results] == [0, 3], results
    assert "người khác" in results[1][1]
    transitions = db.sql("SELECT count(*) FROM audit_event WHERE kind='transition'")[0][0]
    version = db.sql("SELECT version FROM dossier WHERE id=1")[0][0]
    assert transitions == 1 and version == 2
    assert "toàn vẹn" in ok(env, "audit verify")


def test_acceptance_demo_scan_as_of_01_02_2026_then_inbox(env: dict[str, str]) -> None:
    """Issue 3's acceptance: plan reminders for the demo organizations without a plan, the
    dossier reminders due, and nothing more on a second scan."""
    env = signed_in(env, "cv_tinh", demo(env)["cv_tinh"])
    assert "nhắc việc mới" in ok(env, "scan --as-of 01/02/2026")
    inbox = json.loads(ok(env, "reminders --json"))
    plans = {r["org"] for r in inbox if r["kind"] == "P-PLAN"}
    # every base organization but CBCS-THPT, which sent its plan on 20/01 (the district's
    # seven communes included: they have sent none for this year)
    assert plans == {
        "CBCS-CHE",
        "DB-SGD",
        *(f"XA-{x}" for x in ("AN", "BINH", "HOA", "LAC", "PHU", "TAN", "THANH")),
    }
    assert any(r["dossier_id"] for r in inbox)
    again = json.loads(ok(env, "scan --as-of 01/02/2026 --json"))
    assert again["raised"] == 0
    assert json.loads(ok(env, "reminders --json")) == inbox
    overdue = json.loads(ok(env, "deadlines --org DU-BL --json"))
    assert overdue and all(d["org"] in {"DU-BL", "CBCS-THPT", "CBCS-CHE"} for d in overdue)
    assert "quá hạn" in ok(env, "deadlines --within 10")
    first = inbox[0]["id"]
    ok(env, f"reminders done {first} --note 'Đã gọi điện nhắc'")
    assert first not in [r["id"] for r in json.loads(ok(env, "reminders --json"))]
    assert "thư" in ok(env, "outbox")
    assert "P-PLAN" in ok(env, "reminders policy list")
    assert "cycle.plan_due" in ok(env, "cycle show")
    assert "CBCS-THPT" in ok(env, "target list --year 2026")
    assert "toàn vẹn" in ok(env, "audit verify")


DEMO_PASSWORDS: dict[str, str] = {}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDB]:
    made = new_db(tmp_path_factory.mktemp("demo"), "demo")
    DEMO_PASSWORDS.update(demo({**made.env(), "KETNAP_NOW": "25/11/2026"}))
    yield made
    made.drop()


@pytest.fixture
def demo_copy(demo_db: TestDB, tmp_path: Path) -> Iterator[TestDB]:
    """A private copy of the module's demo database (building the demo once is enough)."""
    copied = demo_db.copy(tmp_path)
    yield copied
    copied.drop()


@pytest.fixture
def demo_env(demo_copy: TestDB, demo_db: TestDB, env: dict[str, str]) -> dict[str, str]:
    """The CLI's environment on that copy, signing with the demo's key, signed in as the
    province's clerk."""
    mine = {**env, "KETNAP_DB": demo_copy.url, "KETNAP_KEY": str(demo_db.key)}
    return signed_in(mine, "cv_tinh", DEMO_PASSWORDS["cv_tinh"])


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("scan --as-of 31/02/2026", "Ngày quét"),
        ("target set --org KHONGCO --year 2026 --value 5", "Tổ chức"),
        ("target set --org DB-SGD --year 2026 --value nhieu", "Chỉ tiêu"),
        ("cycle submit --org DB-SGD --kind ke_hoach --year 2026 --date 30/02/2026", "Ngày gửi"),
        ("reminders done 999", "Mã nhắc việc"),
        ("reminders done 99999999999999999999", "Mã nhắc việc"),
        ("deadlines --limit 99999999999999999999", "--limit"),
        ("deadlines --within 99999999999", "--within"),
        ("scan --batch 0", "--batch"),
    ],
)
def test_agenda_bad_input_names_the_field_and_exits_2(
    demo_env: dict[str, str], demo_copy: TestDB, line: str, field: str
) -> None:
    env = demo_env
    before = demo_copy.sql("SELECT count(*) FROM audit_event")[0][0]
    code, out = run(env, line)
    assert code == 2, out
    assert field in out
    assert demo_copy.sql("SELECT count(*) FROM audit_event")[0][0] == before


ADMIN_LINES = [
    ("cycle set cycle.half_share 150 --reason thử", "Giá trị"),
    ("reminders policy set D-CEREMONY --leads x --reason thử", "Nhắc trước"),
    ("contact add --org DB-SGD --role bi_thu --name 'Lê An' --email sai", "Thư điện tử"),
    ("org add --code 'bad code' --kind zz --name X", "Mã tổ chức"),
    ("calendar set 31/02/2026", "Ngày"),
    ("calendar set 01/01/1800", "Ngày"),
]


@pytest.mark.parametrize(("line", "field"), ADMIN_LINES)
def test_who_may_is_checked_before_what_was_typed(
    demo_env: dict[str, str], demo_copy: TestDB, line: str, field: str
) -> None:
    """A clerk is refused (4, audited) whatever they typed; the administrator is told
    which field is wrong (2) and nothing is written."""
    code, out = run(demo_env, line)
    assert code == 4, out
    last = demo_copy.sql("SELECT kind, actor FROM audit_event ORDER BY id DESC LIMIT 1")[0]
    assert tuple(last) == ("denied", "cv_tinh")
    admin = signed_in(demo_env, "quantri", DEMO_PASSWORDS["quantri"])
    before = demo_copy.sql("SELECT count(*) FROM audit_event")[0][0]
    code, out = run(admin, line)
    assert code == 2, out
    assert field in out
    assert demo_copy.sql("SELECT count(*) FROM audit_event")[0][0] == before


def test_outbox_send_without_a_server_says_so(demo_env: dict[str, str]) -> None:
    code, out = run(demo_env, "outbox send")
    assert code == 2 and "KETNAP_SMTP_HOST" in out


def test_acceptance_report_progress_writes_the_three_files(
    demo_env: dict[str, str], tmp_path: Path
) -> None:
    """Issue 4's acceptance: the demo's district reproduces seed 003's 18/06/2021 report."""
    env = demo_env
    files = [tmp_path / name for name in ("r.xlsx", "r.docx", "r.png")]
    out = ok(
        env,
        f"report progress --as-of 18/06/2021 --xlsx {files[0]} --docx {files[1]} --png {files[2]}",
    )
    assert all(f.exists() and f.stat().st_size > 1000 for f in files)
    assert "21,43%" in out and "giảm 11,90 điểm phần trăm" in out
    data = json.loads(ok(env, "report progress --org HU-MAU --as-of 18/06/2021 --json"))
    assert data["summary"].startswith("Kết nạp 45/210 đảng viên, đạt 21,43% kế hoạch")
    quarter = json.loads(
        ok(env, "report progress --org HU-MAU --period q2 --as-of 18/06/2021 --json")
    )
    assert quarter["period"]["label"] == "quý II năm 2021 (đến 18/06/2021)"


def test_target_commands(demo_env: dict[str, str], tmp_path: Path) -> None:
    env = demo_env
    ok(env, "target set --org DU-BL --period 2025-2030 --value 60")
    ok(env, "target school --org CBCS-THPT --year 2026 --level thpt")
    listed = json.loads(ok(env, "target list --period 2026 --json"))
    school = {(t["kind"], t["value"]) for t in listed if t["org"] == "CBCS-THPT"}
    assert school == {("cam_tinh", 15), ("ket_nap", 5)}
    sheet = tmp_path / "ct.csv"
    sheet.write_text("Đơn vị,Chỉ tiêu\nChi bộ Công ty TNHH Chè Bảo Lâm,4\n", encoding="utf-8")
    assert "chưa ghi" in ok(env, f"target import {sheet} --period 2027 --dry-run")
    assert "Đã nhập: 1" in ok(env, f"target import {sheet} --period 2027")
    code, out = run(env, "report progress --as-of 31/02/2021")
    assert code == 2 and "Ngày báo cáo" in out
    code, out = run(env, "report progress --period thang")
    assert code == 2 and "Kỳ báo cáo" in out
    code, out = run(env, "target set --org DU-BL --period 2025-2027 --value 6")
    assert code == 2 and "nhiệm kỳ" in out


def test_a_real_command_line_builds_only_the_group_it_names(env: dict[str, str]) -> None:
    from cli import _invoked_group

    assert _invoked_group(["--db", "x.db", "--as", "lan", "reminders", "--json"]) == "reminders"
    assert _invoked_group(["--help"]) is None
    prepared(env)
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "--db", env["KETNAP_DB"], "org", "list", "--json"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert [o["code"] for o in json.loads(proc.stdout)] == ["TU", "DUK", "DB", "CB"]
    top = subprocess.run(
        [sys.executable, "-m", "cli", "--help"], cwd=ROOT, capture_output=True, check=False
    )
    listed = top.stdout.decode()
    assert all(f"  {group} " in listed for group in ("org", "reminders", "report", "target"))


def test_inspector_verifies_a_copied_bundle_with_only_the_public_key(
    demo_env: dict[str, str], tmp_path: Path
) -> None:
    """The bundle part of issue 5's acceptance: export, copy to an empty folder, verify
    there with the public key alone (a real process, no database); a tampered copy fails."""
    ok(demo_env, "init")  # the copy has the demo's key (a copy of the installation)
    env = signed_in(demo_env, "ubkt", DEMO_PASSWORDS["ubkt"])  # the inspection committee
    bundle = tmp_path / "goi.zip"
    assert "sự kiện" in ok(env, f"audit export --out {bundle} --org DU-BL")
    public = ok(env, "audit pubkey").splitlines()[0]
    empty = tmp_path / "thanh_tra"
    empty.mkdir()
    (empty / "goi.zip").write_bytes(bundle.read_bytes())
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KETNAP_")}
    check = [sys.executable, "-m", "cli", "audit", "verify-bundle", "goi.zip", "--pubkey", public]
    proc = subprocess.run(
        check, cwd=empty, env={**clean, "PYTHONPATH": str(ROOT)}, capture_output=True, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert "Gói hợp lệ" in proc.stdout.decode()
    assert list(empty.iterdir()) == [empty / "goi.zip"]  # nothing made, no database opened
    with zipfile.ZipFile(bundle) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["events.jsonl"] = parts["events.jsonl"].replace(b'"actor":"', b'"actor":"X', 1)
    with zipfile.ZipFile(empty / "goi.zip", "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    proc = subprocess.run(
        check, cwd=empty, env={**clean, "PYTHONPATH": str(ROOT)}, capture_output=True, check=False
    )
    # the first full event of DU-BL's bundle is named (those before it are stubs)
    assert proc.returncode == 1
    assert re.search(r"Sự kiện #\d+ đã bị sửa", proc.stderr.decode())


def test_candidate_show_as_of(demo_env: dict[str, str]) -> None:
    env = demo_env
    data = json.loads(ok(env, "candidate show 9 --as-of 25/11/2026 --json"))
    live = json.loads(ok(env, "candidate show 9 --json"))
    assert (data["stage"], data["version"]) == (live["stage"], live["version"])
    assert "dựng lại từ nhật ký" in ok(env, "candidate show 9 --as-of 25/11/2026")
    code, out = run(env, "candidate show 9 --as-of 01/01/2020")
    assert code == 2 and "chưa có vào ngày 01/01/2020" in out
    code, out = run(env, "candidate show 9 --as-of 31/02/2026")
    assert code == 2 and "Ngày xem" in out


def test_audit_timeline_command(demo_env: dict[str, str], tmp_path: Path) -> None:
    out = ok(demo_env, f"audit timeline 8 --docx {tmp_path / 't.docx'}")
    assert "Mở hồ sơ" in out and (tmp_path / "t.docx").exists()
    data = json.loads(ok(demo_env, "audit timeline 8 --json"))
    assert data["steps"][0]["event"] == "tao_ho_so"
    code, out = run(demo_env, "audit timeline 9999")
    assert code == 2 and "không có hồ sơ #9999" in out


def test_nothing_a_failing_command_prints_contains_a_cccd(env: dict[str, str]) -> None:
    prepared(env)  # dossier 1 holds CCCD 001200012345
    secret = "001200012345"
    failing = [
        "candidate add --name 'Lê Văn Bình' --birth 01/01/2000 --sex nam --cccd 001200012345 "
        "--education thpt --org CB",  # the same CCCD again
        "candidate add --name 'Lê Văn Bình' --birth 31/02/1999 --sex nam --cccd 00120001234 "
        "--education thpt --org CB",  # a bad date and an 11-digit CCCD
        "advance 1 quyet_dinh_ket_nap",  # refused by the rules
        "candidate show 1 --as-of 01/01/2000",
    ]
    for line in failing:
        code, out = run(env, line)
        assert code != 0, line
        assert secret not in out and "00120001234" not in out, (line, out)
    add = "user add {} --name '{}' --role {} --password-stdin"
    RUNNER.invoke(
        app,
        shlex.split(add.format("quan_tri_vien", "Quản trị", "quan_tri")),
        input="Mat-khau-quan-tri-1\nMat-khau-quan-tri-1\n",
        env=env,
    )
    admin = signed_in(env, "quan_tri_vien", "Mat-khau-quan-tri-1")
    made = RUNNER.invoke(
        app,
        shlex.split(add.format("tra", "Thanh tra", "kiem_tra")),
        input="Mat-khau-kiem-soat\nMat-khau-kiem-soat\n",
        env=admin,
    )
    assert made.exit_code == 0, made.output
    inspector = signed_in(env, "tra", "Mat-khau-kiem-soat")
    for line in ("candidate show 1 --cccd", "advance 1 cu_di_hoc"):
        code, out = run(inspector, line)
        assert code == 4, line
        assert secret not in out and "00120001234" not in out, (line, out)
    code, out = run(inspector, "advance 1 cu_di_hoc")
    assert code == 4 and "Không có quyền: Vai trò Ủy ban Kiểm tra không được" in out


def test_template_fill_dry_run_then_import(demo_env: dict[str, str], tmp_path: Path) -> None:
    """Issue 6's acceptance for candidates: template, fill, --dry-run, import."""
    from openpyxl import load_workbook

    env = demo_env
    template = tmp_path / "t.xlsx"
    ok(env, f"template candidates --out {template}")
    book = load_workbook(template)
    sheet = book["Quần chúng"]
    sheet.append(
        [
            "Hồ Thị Lan",
            "02/09/2001",
            "Nữ",
            "Kinh",
            "Không",
            "001301000777",
            "Cao đẳng",
            "Viên chức",
            "x",
            "",
            "Lộc An",
            "CBCS-THPT",
        ]
    )
    sheet.append(  # a dossier under way: the chi bộ has voted, the papers went up
        [
            "Trịnh Văn Tâm",
            "14/04/1999",
            "Nam",
            "Kinh",
            "Không",
            "001099000778",
            "Đại học",
            "Viên chức",
            "x",
            "",
            "Lộc An",
            "CBCS-THPT",
            "Gửi hồ sơ",
            "88-GCN/TTCT",
            "20/02/2026",
            "Trung tâm Chính trị huyện",
            "15/06/2026",
            12,
            11,
        ]
    )
    book.save(template)
    assert "chưa ghi" in ok(env, f"import {template} --dry-run")
    assert "Tâm" not in ok(env, "candidate list --search 'trinh van tam'")
    done = ok(env, f"import {template}")
    assert "3 người mới" in done and "Gửi hồ sơ 1" in done
    found = json.loads(ok(env, "candidate list --search 'ho thi lan' --json"))
    assert [d["stage"] for d in found] == ["nguon"]
    (tam,) = json.loads(ok(env, "candidate list --search 'trinh van tam' --json"))
    assert tam["stage"] == "gui_ho_so"
    events = json.loads(ok(env, f"history {tam['dossier_id']} --json"))
    assert [(e["event"], e["to_stage"]) for e in events] == [("nhap_ho_so_dang_xu_ly", "gui_ho_so")]
    assert "0 người mới" in ok(env, f"import {template}")
    out = tmp_path / "xuat.xlsx"
    assert "Đã ghi" in ok(env, f"export candidates --out {out} --org CBCS-THPT")


def test_organizations_and_classes_round_trip_through_their_templates(
    demo_env: dict[str, str], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    env = signed_in(demo_env, "quantri", DEMO_PASSWORDS["quantri"])  # the tree is admin's
    orgs = tmp_path / "to_chuc.xlsx"
    ok(env, f"template organizations --out {orgs}")
    assert "2 tổ chức mới" in ok(env, f"import {orgs}")  # told by its headers (DUK-CQ's)
    assert "0 tổ chức mới" in ok(env, f"import {orgs} --kind organizations")
    back = tmp_path / "cay.xlsx"
    ok(env, f"export organizations --out {back}")
    assert "0 tổ chức mới" in ok(env, f"import {back}")
    renamed = load_workbook(back)
    renamed["Tổ chức"]["B2"] = "Tỉnh ủy tỉnh Lâm Đồng"
    renamed.save(back)
    assert "1 cập nhật" in ok(env, f"import {back}")

    # the class list's example learner is the candidates template's example person
    env = signed_in(demo_env, "cv_tinh", DEMO_PASSWORDS["cv_tinh"])
    people = tmp_path / "qc.xlsx"
    ok(env, f"template candidates --out {people}")
    ok(env, f"import {people}")
    classes = tmp_path / "lop.xlsx"
    ok(env, f"template classes --out {classes}")
    assert "chưa ghi" in ok(env, f"import {classes} --dry-run")
    done = ok(env, f"import {classes}")
    assert "1 lớp mới" in done and "1 có giấy chứng nhận" in done
    assert "(0 ghi mới)" in ok(env, f"import {classes}")
    listed = tmp_path / "lop_xuat.xlsx"
    assert "1 học viên" in ok(env, f"export classes --out {listed}")
    assert "(0 ghi mới)" in ok(env, f"import {listed}")
    code, out = run(env, f"import {classes} --kind organizations")
    assert code == 2 and "thiếu cột" in out


def test_advance_many_moves_a_whole_list_or_nothing(
    demo_env: dict[str, str], demo_copy: TestDB
) -> None:
    env = demo_env
    done = ok(env, "advance-many cu_di_hoc --org CB-VP --stage nguon")
    assert "Đã chuyển 1 hồ sơ" in done and "Nguồn → Học lớp nhận thức" in done
    before = demo_copy.sql("SELECT id, stage, version FROM dossier ORDER BY id")
    code, out = run(env, "advance-many hoan_thanh_lop --stage hoc_lop")
    assert code == 1 and "không hồ sơ nào được chuyển" in out and "[R-CLASS]" in out
    assert demo_copy.sql("SELECT id, stage, version FROM dossier ORDER BY id") == before
    code, out = run(env, "advance-many cu_di_hoc")
    assert code == 2 and "Mã hồ sơ" in out


def _readme_walkthrough() -> list[str]:
    """The `ketnap …` lines of the README's walkthrough, continuations joined, comments cut."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Hành trình của một quần chúng", 1)[1].split("```sh\n", 1)[1]
    block = block.split("```", 1)[0].replace("\\\n", " ")
    lines = []
    for raw in block.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line.startswith("ketnap "):
            lines.append(line.removeprefix("ketnap "))
    return lines


def test_the_readme_walkthrough_runs_as_written(env: dict[str, str]) -> None:
    lines = _readme_walkthrough()
    assert lines[0] == "init" and "advance 1 cong_nhan_chinh_thuc" in lines
    for line in lines:
        ok(env, line)
    assert json.loads(ok(env, "candidate show 1 --json"))["stage"] == "chinh_thuc"


def test_a_ceremony_before_its_decision_is_refused_with_its_rule_id(
    env: dict[str, str], db: TestDB
) -> None:
    prepared(env)
    code, out = run(env, "record ceremony 1 --date 10/07/2025")
    assert code == 1 and "[P-DOSSIER]" in out and "Không ghi nhận được" in out
    assert db.sql("SELECT count(*) FROM ceremony") == [(0,)]


def test_a_locked_number_is_refused_and_nothing_is_written(env: dict[str, str], db: TestDB) -> None:
    prepared(env)
    before = db.sql("SELECT count(*) FROM audit_event")
    code, out = run(env, "rules set probation_months 0 --reason 'Thử'")
    assert code == 2 and "Điều lệ" in out and "Traceback" not in out
    code, out = run(env, "rules set youth_age_max 100000000000000000000 --reason 'Thử'")
    assert code == 2 and "Tuổi đoàn" in out
    code, out = run(env, "rules set youth_age_max 99 --reason 'Thử'")
    assert code == 2 and "28–35" in out
    assert db.sql("SELECT count(*) FROM audit_event") == before
    assert db.sql("SELECT count(*) FROM rule_override") == [(0,)]
    out = ok(env, "rules set youth_age_max 32 --from 01/01/2026 --reason 'Quyết định của tỉnh'")
    assert "từ 01/01/2026" in out and "QD294-2025" in out


def test_calendar_list_shows_the_governments_swap_with_its_source(env: dict[str, str]) -> None:
    ok(env, "init")
    days = {d["day"]: d for d in json.loads(ok(env, "calendar list --year 2026 --json"))}
    assert days["2026-01-02"]["working"] is False
    assert days["2026-01-10"]["working"] is True
    assert "12729/VPCP-KGVX" in days["2026-01-10"]["source"]
    text = ok(env, "calendar list --year 2026")
    assert "02/01/2026" in text and "10/01/2026" in text
    code, out = run(env, "calendar list --year hai")
    assert code == 2 and "Năm" in out


def test_next_says_the_day_it_judged_on(env: dict[str, str]) -> None:
    prepared(env)
    ok(env, "advance 1 cu_di_hoc")
    ok(env, "record certificate 1 --number G --issued 10/03/2025 --issuer 'Trung tâm'")
    ok(env, "advance 1 hoan_thanh_lop")
    assert "xét theo ngày 25/11/2026 (hôm nay" in ok(env, "next 1")
    ok(env, "record vote 1 --kind chi_bo --date 06/05/2025 --official 9 --agree 8")
    assert "xét theo ngày 06/05/2025 (ngày nghị quyết chi bộ)" in ok(env, "next 1")


def test_a_commune_committee_under_the_province_must_be_authorised(env: dict[str, str]) -> None:
    prepared(env)
    line = "org add --code DUX --name 'Đảng ủy xã Lộc An' --kind dang_bo_co_so --parent TU"
    code, out = run(env, line)
    assert code == 2 and "--decides" in out
    ok(env, line + " --decides")


def _user_add(env: dict[str, str], line: str, password: str) -> None:
    made = RUNNER.invoke(app, shlex.split(line), input=f"{password}\n{password}\n", env=env)
    assert made.exit_code == 0, made.output


def test_once_users_exist_only_a_signed_in_user_writes(env: dict[str, str], db: TestDB) -> None:
    ok(env, "init")  # a real installation: not a rehearsal
    real = {k: v for k, v in env.items() if k != "KETNAP_NOW"}
    _user_add(
        real,
        "user add Admin --name 'Quản trị' --role quan_tri --password-stdin",
        "mat-khau-quan-ly-9",
    )
    admin = signed_in(real, "ADMIN", "mat-khau-quan-ly-9")
    _user_add(
        admin,
        "user add cv_bl --name 'Chuyên viên' --role quan_tri --password-stdin",
        "mat-khau-chuyen-vien",
    )
    ok(admin, "logout")
    before = db.sql("SELECT count(*) FROM audit_event")
    # anyone could once make themselves an administrator by naming one
    code, out = run({**real, "KETNAP_USER": "admin"}, "user grant cv_bl --role quan_tri")
    assert code == 4 and "ketnap login" in out
    code, out = run(real, "--as admin org add --code X --name 'Tổ chức X' --kind cap_tinh")
    assert code == 4
    assert db.sql("SELECT count(*) FROM audit_event") == before
    clerk = signed_in(real, "cv_bl", "mat-khau-chuyen-vien")
    code, out = run({**clerk, "KETNAP_USER": "admin"}, "org list")
    assert code == 4 and "--as" in out  # --as may only repeat the session's user
    code, out = run(
        {**clerk, "KETNAP_NOW": "01/01/2020"}, "org add --code X --name 'Tổ chức X' --kind cap_tinh"
    )
    assert code == 2 and "KETNAP_NOW" in out  # no back-dated events outside a rehearsal
    ok(clerk, "org add --code X --name 'Tổ chức X' --kind cap_tinh")
    row = db.sql("SELECT actor, channel FROM audit_event ORDER BY id DESC LIMIT 1")[0]
    assert tuple(row) == ("cv_bl", "cli")
    bad = RUNNER.invoke(app, ["login", "cv_bl", "--password-stdin"], input="sai\n", env=real)
    assert bad.exit_code == 4 and "không đúng" in bad.output
