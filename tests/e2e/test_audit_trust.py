"""The inspector's side of issue 16, as real commands: checkpoints issued and kept, verify
exiting 1 and naming what happened, the key outside the database folder and never replaced,
rotation, a scoped export, and signatures a standard tool (Debian's minisign) accepts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.databases import TestDB
from tests.e2e.test_cli import (  # noqa: F401 (fixtures)
    WHOLE_CHAIN,
    _user_add,
    demo,
    ok,
    prepared,
    run,
    signed_in,
)

MINISIGN = shutil.which("minisign")  # .ci/minisign installs it (tests/run.sh)


def minisign(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert MINISIGN, "minisign missing: run .ci/minisign (tests/run.sh does)"
    return subprocess.run([MINISIGN, *args], cwd=cwd, capture_output=True, text=True, check=False)


def public_key(env: dict[str, str]) -> tuple[str, str]:
    """(hex, minisign's base64 line) as ``audit pubkey`` prints them."""
    lines = ok(env, "audit pubkey").splitlines()
    return lines[0], lines[2]


def test_a_checkpoint_is_written_outside_the_database_and_minisign_accepts_it(
    env: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    prepared(env)
    out = ok(env, f"audit checkpoint --out {tmp_path / 'giu.txt'}")
    assert "Đã phát hành điểm kiểm" in out
    witness = Path(str(db.path) + ".nhan-chung") if db.path else None
    if witness is not None:
        assert witness.is_dir() and witness.parent == db.path.parent  # type: ignore[union-attr]
        assert str(witness) in out
    _, line = public_key(env)
    checked = minisign("-Vm", "giu.txt", "-P", line, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "Signature and comment signature verified" in checked.stderr + checked.stdout
    lines = (tmp_path / "giu.txt").read_text().split("\n")
    lines[2] += "0"  # the length, ten times longer
    (tmp_path / "giu.txt").write_text("\n".join(lines))
    assert minisign("-Vm", "giu.txt", "-P", line, cwd=tmp_path).returncode != 0


def test_verify_exits_1_and_names_the_cut_tail(
    env: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    prepared(env)
    for line in WHOLE_CHAIN[:8]:
        ok(env, line)
    assert "Đầu chuỗi đã ký khớp" in ok(env, "audit verify")
    last = db.sql("SELECT max(id) FROM audit_event")[0][0]
    db.sql("DELETE FROM audit_event WHERE id > :i", {"i": last - 10})
    code, out = run(env, "audit verify")
    assert code == 1 and "Nhật ký bị cắt đuôi" in out and f"#{last - 9}–#{last}" in out
    report = json.loads(run(env, "audit verify --json")[1])
    assert not report["ok"] and report["heads_checked"]


def test_verify_state_names_a_stage_edited_in_the_table(env: dict[str, str], db: TestDB) -> None:
    prepared(env)
    ok(env, "advance 1 cu_di_hoc")
    db.sql("UPDATE dossier SET stage = 'chinh_thuc' WHERE id = 1")
    assert run(env, "audit verify")[0] == 0
    code, out = run(env, "audit verify --state")
    assert code == 1
    assert "Hồ sơ #1: bước trong bảng là “Đảng viên chính thức” (chinh_thuc)" in out


def test_the_key_lives_outside_the_database_folder_and_is_never_replaced(
    db: TestDB, tmp_path: Path
) -> None:
    """Without KETNAP_KEY: the OS user's configuration folder, mode 0600; a copy of the
    database folder has no key; init refuses to make a new one for a database that has one."""
    home = tmp_path / "cauhinh"
    env = {
        "KETNAP_DB": db.url,
        "XDG_CONFIG_HOME": str(home),
        "KETNAP_SESSION_DIR": str(tmp_path / "phien"),
        "KETNAP_USER": "chuyen_vien",
    }
    if db.path is None:
        pytest.skip("the default location is for a SQLite file; PostgreSQL needs KETNAP_KEY")
    out = ok(env, "init")
    (key,) = (home / "ketnap" / "khoa").iterdir()
    assert key.stat().st_mode & 0o777 == 0o600 and str(key) in out
    assert not list(db.path.parent.glob("*.ed25519"))
    moved = tmp_path / "khoa-cu.ed25519"
    key.rename(moved)
    code, out = run(env, "init")
    assert code == 2 and "không tạo khóa mới thay thế" in out
    assert not key.exists()
    moved.chmod(0o644)
    code, out = run({**env, "KETNAP_KEY": str(moved)}, "audit verify")
    assert code == 2 and "chmod 600" in out
    moved.chmod(0o600)
    assert run({**env, "KETNAP_KEY": str(moved)}, "audit verify")[0] == 0


def test_a_rotated_key_still_verifies_old_checkpoints_and_new_bundles(
    env: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    prepared(env)
    first_hex, _ = public_key(env)
    ok(env, f"audit checkpoint --out {tmp_path / 'truoc.txt'}")
    out = ok(env, "audit rotate-key")
    assert "Đã thay khóa" in out
    assert list(db.key.parent.glob(db.key.name + ".cu-*"))  # the old key kept for archiving
    new_hex, _ = public_key(env)
    assert new_hex != first_hex
    ok(env, "advance 1 cu_di_hoc")  # signed with the new key
    out = ok(env, f"audit verify --checkpoint {tmp_path / 'truoc.txt'}")
    assert "Chuỗi nối tiếp điểm kiểm truoc.txt" in out
    ok(env, f"audit export --out {tmp_path / 'goi.zip'}")
    # the inspector still holds the first key: the rotation in the bundle links them
    out = ok(env, f"audit verify-bundle {tmp_path / 'goi.zip'} --pubkey {first_hex}")
    assert "Gói hợp lệ" in out


def test_verify_bundle_refuses_a_bundle_that_does_not_extend_what_the_inspector_holds(
    env: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    prepared(env)
    ok(env, "advance 1 cu_di_hoc")
    ok(env, f"audit export --out {tmp_path / 'truoc.zip'}")
    public, _ = public_key(env)
    with zipfile.ZipFile(tmp_path / "truoc.zip") as z:
        held = [n for n in z.namelist() if n.startswith("diem-kiem-")]
        z.extractall(tmp_path / "nhan", members=held)
    (note,) = [n for n in held if n.endswith(".txt")]
    # whoever holds the database and the key rewrites history from event 3, then exports
    from tests.integration.test_trust import rehash_from, resign_heads
    from workflow.usecases.signing import load_signer

    db.sql("UPDATE audit_event SET actor = 'ke_gian' WHERE id = 3")
    rehash_from(db, 3)
    resign_heads(db, signer=load_signer(db.key))  # they sign the new head with the key
    key = {**env, "KETNAP_WITNESS_DIR": str(tmp_path / "nhan-chung-moi")}
    ok(key, f"audit export --out {tmp_path / 'sau.zip'}")
    line = f"audit verify-bundle {tmp_path / 'sau.zip'} --pubkey {public}"
    assert run(env, line)[0] == 0  # on its own, the new bundle is consistent
    code, out = run(env, line + f" --checkpoint {tmp_path / 'nhan' / note}")
    assert code == 1 and "rẽ nhánh hoặc bị viết lại" in out
    code, out = run(env, line + f" --earlier {tmp_path / 'truoc.zip'}")
    assert code == 1 and "truoc.zip" in out


def test_a_scoped_inspector_exports_only_their_scope_without_org(
    env: dict[str, str], tmp_path: Path
) -> None:
    passwords = demo(env)
    admin = signed_in(env, "quantri", passwords["quantri"])
    _user_add(
        admin,
        "user add ubkt_bl --name 'Kiểm tra Bảo Lâm' --role kiem_tra --org DU-BL --password-stdin",
        "mat-khau-kiem-tra-bl",
    )
    inspector = signed_in(admin, "ubkt_bl", "mat-khau-kiem-tra-bl")
    ok(inspector, f"audit export --out {tmp_path / 'bl.zip'}")
    with zipfile.ZipFile(tmp_path / "bl.zip") as z:
        manifest = json.loads(z.read("manifest.json"))
        rows = [json.loads(x) for x in z.read("events.jsonl").decode().splitlines()]
    assert manifest["scope"]["org"] == "DU-BL"
    full = [r for r in rows if not r.get("stub")]
    assert 0 < len(full) < len(rows)
    dossiers = {r["dossier_id"] for r in full if r["dossier_id"]}
    listed = json.loads(ok(inspector, "candidate list --json"))
    assert dossiers and dossiers <= {d["dossier_id"] for d in listed}
    code, _ = run(inspector, f"audit export --out {tmp_path / 'x.zip'} --org DUK-CQ")
    assert code == 4  # outside their scope


def test_the_scan_issues_one_checkpoint_a_day_and_checks_the_state(
    env: dict[str, str], db: TestDB
) -> None:
    prepared(env)
    ok(env, "contact add --org TU --role kiem_tra --name 'Ủy ban Kiểm tra' --email ubkt@example.vn")
    ok(env, "contact add --org TU --role quan_tri --name 'Quản trị' --email qt@example.vn")
    ok(env, "scan")
    ok(env, "scan")  # the same day: nothing issued twice
    assert db.sql("SELECT count(*) FROM audit_checkpoint")[0][0] == 1
    mails = db.sql("SELECT recipient, subject FROM outbox ORDER BY id")
    assert [m[0] for m in mails if "Điểm kiểm" in m[1]] == ["ubkt@example.vn"]
    db.sql("UPDATE dossier SET stage = 'chinh_thuc' WHERE id = 1")
    out = ok({**env, "KETNAP_NOW": "26/11/2026"}, "scan")
    assert "1 chỗ khác" in out
    assert db.sql("SELECT count(*) FROM audit_checkpoint")[0][0] == 2
    notices = db.sql("SELECT kind, message FROM reminder WHERE kind = 'A-STATE'")
    assert len(notices) == 1 and "Hồ sơ #1" in notices[0][1]
    mailed = {m[0] for m in db.sql("SELECT recipient, subject FROM outbox") if "khác" in m[1]}
    assert mailed == {"ubkt@example.vn", "qt@example.vn"}


def test_inspectors_check_a_bundle_with_minisign_step_by_step(
    env: dict[str, str], tmp_path: Path
) -> None:
    """docs/inspection.md's steps: unzip, save the public key, minisign -V the manifest, then
    compare the SHA-256 of events.jsonl with the manifest's."""
    import hashlib

    prepared(env)
    ok(env, f"audit export --out {tmp_path / 'goi.zip'}")
    lines = ok(env, "audit pubkey").splitlines()
    (tmp_path / "ketnap.pub").write_text("\n".join(lines[1:]) + "\n")
    with zipfile.ZipFile(tmp_path / "goi.zip") as z:
        z.extractall(tmp_path / "goi")
    folder = tmp_path / "goi"
    checked = minisign("-Vm", "manifest.json", "-p", str(tmp_path / "ketnap.pub"), cwd=folder)
    assert checked.returncode == 0, checked.stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    digest = hashlib.sha256((folder / "events.jsonl").read_bytes()).hexdigest()
    assert manifest["files"]["events.jsonl"] == digest
    (note,) = folder.glob("diem-kiem-*.txt")
    assert (
        minisign("-Vm", note.name, "-p", str(tmp_path / "ketnap.pub"), cwd=folder).returncode == 0
    )
    assert re.match(r"^ketnap-dau-chuoi/1\n[0-9A-F]{16}\n\d+\n[0-9a-f]{64}\n", note.read_text())


def test_a_mistyped_file_is_bad_input_not_tampering(
    env: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    """A typo in a path exits 2 naming the option; it must never read as a tampered log."""
    prepared(env)
    ok(env, f"audit export --out {tmp_path / 'goi.zip'}")
    public, line = public_key(env)
    huge = tmp_path / "lon.txt"
    huge.write_bytes(b"x" * 100_000)
    (tmp_path / "lon.txt.minisig").write_text("x")
    (tmp_path / "chi-co-note.txt").write_text("ketnap-dau-chuoi/1\n")
    cases = [
        (f"audit verify --checkpoint {tmp_path / 'khong-co.txt'}", "không có tệp"),
        (f"audit verify --checkpoint {tmp_path}", "không phải một tệp"),
        (f"audit verify --checkpoint {huge}", "quá lớn"),
        (f"audit verify --checkpoint {tmp_path / 'chi-co-note.txt'}", ".minisig"),
        ("audit verify --pubkey rac", "Khóa công khai (--pubkey)"),
        (f"audit verify-bundle {tmp_path / 'khong-co.zip'} --pubkey {public}", "không có tệp"),
        (f"audit verify-bundle {tmp_path / 'goi.zip'} --pubkey rac", "--pubkey"),
        (
            f"audit verify-bundle {tmp_path / 'goi.zip'} --pubkey {public} "
            f"--earlier {tmp_path / 'khong-co.zip'}",
            "--earlier",
        ),
        (f"audit export --out {tmp_path / 'goi.zip'}", "không bị ghi đè"),
        (f"audit export --out {tmp_path / 'x.zip'} --from 01/12/2026 --to 01/01/2026", "--to"),
    ]
    for command, named in cases:
        code, out = run(env, command)
        assert code == 2 and named in out and "KHÔNG toàn vẹn" not in out, (command, out)
        assert "Traceback" not in out
    (tmp_path / "ketnap.pub").write_text(f"untrusted comment: khóa\n{line}\n")
    assert "Gói hợp lệ" in ok(
        env, f"audit verify-bundle {tmp_path / 'goi.zip'} --pubkey {tmp_path / 'ketnap.pub'}"
    )


def test_an_unwritable_witness_folder_refuses_before_anything_is_committed(
    env: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    prepared(env)
    blocker = tmp_path / "la-tep"
    blocker.write_text("")
    bad = {**env, "KETNAP_WITNESS_DIR": str(blocker / "con")}
    before = db.sql("SELECT count(*) FROM audit_event")
    for command in ("audit checkpoint", f"audit export --out {tmp_path / 'g.zip'}"):
        code, out = run(bad, command)
        assert code == 2 and "KETNAP_WITNESS_DIR" in out, out
    assert db.sql("SELECT count(*) FROM audit_event") == before
    assert not (tmp_path / "g.zip").exists()
