"""What a person reads and types: labels, never internal codes; the help says what to
type; a stored value can never become markup or a terminal control sequence; the shell
completes events, stages and organisation codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.hostile.conftest import Office, judged

ROOT = Path(__file__).resolve().parents[2]


def ok(office: Office, who: str, line: str) -> str:
    said = office.run(who, line, {"COLUMNS": "250"})  # a wide terminal: no word wrapped
    judged(said, line, 0, ())
    return said.out


def test_history_and_show_read_labels_not_codes(office: Office) -> None:
    out = ok(office, "cv_tinh", "history 8")
    for word in ("Mở hồ sơ", "Chuyển bước", "Ghi nhận", "Nguồn → Học lớp nhận thức"):
        assert word in out, (word, out)
    for code in ("create", "transition", "fact", "cu_di_hoc", "tao_ho_so", "ghi_giay_to", "nguon"):
        assert f" {code} " not in out, (code, out)
    rows = json.loads(ok(office, "cv_tinh", "history 8 --json"))
    assert rows[0]["kind"] == "create" and rows[0]["kind_label"] == "Mở hồ sơ"  # codes in JSON
    shown = ok(office, "cv_tinh", "candidate show 8")
    assert "Nghị quyết chi bộ đề nghị kết nạp" in shown and "Quyết định kết nạp đảng viên" in shown
    assert "chi_bo" not in shown and "ket_nap" not in shown and "don_xin_vao_dang" not in shown


def test_a_coded_value_may_be_typed_as_its_label(office: Office) -> None:
    out = ok(
        office,
        "cv_tinh",
        "candidate add --name 'Lê Thị Hoa' --birth 01/01/2000 --sex nữ --cccd 001300000888 "
        "--education 'Đại học' --org CB-VP --occupation 'Viên chức'",
    )
    dossier = out.split("#")[1].split()[0]
    shown = json.loads(ok(office, "cv_tinh", f"candidate show {dossier} --json"))
    person = shown["candidate"]
    assert (person["sex"], person["education"]) == ("nu", "dai_hoc"), person
    said = office.run(
        "quantri", "org add --code CB-MOI --name 'Chi bộ Mới' --kind 'Chi bộ' --parent DB-SGD"
    )
    judged(said, "org add", 0, ("Đã thêm tổ chức Chi bộ Mới (Chi bộ, mã CB-MOI)",))


def test_the_help_says_what_to_type(office: Office) -> None:
    out = ok(office, "cv_tinh", "candidate add --help")
    for shown in ("--org MÃ_TỔ_CHỨC", "--birth dd/mm/yyyy", "--cccd SỐ_CCCD", "--sex nam|nu"):
        assert shown in out, (shown, out)
    assert "<" not in out and "[required]" not in out
    assert "--official SỐ" in ok(office, "cv_tinh", "record vote --help")
    assert ok(office, "cv_tinh", "--version").startswith("ketnap ")


def test_the_reminder_inbox_says_where_the_deadline_stands_today(office: Office) -> None:
    rows = json.loads(ok(office, "cv_tinh", "reminders --json"))
    assert rows
    for r in rows:
        if r["state"] == "quá hạn":
            assert r["today_text"].startswith("quá hạn"), r
        elif r["state"] == "mở":
            assert not r["today_text"].startswith("quá hạn"), r
    assert "Hôm nay" in ok(office, "cv_tinh", "reminders --limit 3")


def test_stored_text_is_shown_as_text(office: Office) -> None:
    """An organisation named with rich markup and, as an older version or a hand at the
    database could leave it, a terminal escape: every list still prints, escaped."""
    said = office.run(
        "quantri",
        "org add --code CB-NGOAC --name 'Chi bộ [/] [bold]Ngoặc' --kind chi_bo --parent DB-SGD",
    )
    judged(said, "org add", 0, ())
    office.db.sql(
        "UPDATE organization SET name = :n WHERE code = 'CB-VP'",
        {"n": "Chi bộ Văn phòng\x1b[2J\u202e"},
    )
    for line in (
        "org list",
        "candidate list",
        "deadlines",
        "reminders",
        "report progress",
        "candidate show 8",
    ):
        out = ok(office, "cv_tinh", line)
        assert "\x1b" not in out and "\u202e" not in out, line
    assert "Chi bộ [/] [bold]Ngoặc" in ok(office, "cv_tinh", "org list")
    assert "\\x1b[2J\\u202e" in ok(office, "cv_tinh", "org list")
    raw = ok(office, "cv_tinh", "org list --json")
    assert "\\u001b" in raw and "\\u202e" in raw and json.loads(raw)


def test_the_shell_completes_events_stages_and_codes(office: Office) -> None:
    def complete(*words: str) -> list[str]:
        env = {
            **os.environ,
            **office.envs["cv_tinh"],
            "_KETNAP_COMPLETE": "complete_bash",
            "COMP_WORDS": " ".join(("ketnap", *words)),
            "COMP_CWORD": str(len(words)),
        }
        done = subprocess.run(
            [sys.executable, "-c", "from cli import main; main()"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert "cu_di_hoc" in complete("advance", "1", "")
    assert complete("candidate", "list", "--stage", "du") == ["du_bi"]
    codes = complete("candidate", "list", "--org", "CB")
    assert "CB-VP" in codes and all(c.startswith("CB") for c in codes)
    assert "candidate" in complete("cand")
    script = office.run("cv_tinh", "completion bash")  # shell, not prose: no words judged
    assert script.code == 0 and "_KETNAP_COMPLETE=complete_bash" in script.out
