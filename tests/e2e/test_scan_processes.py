"""The scan as real processes: killed in the middle, run twice at once, run as a daemon.

Every check compares with a reference: the same database copied before the scan and
scanned once, uninterrupted, in this process. "Exactly once" means the same set of
reminder keys, and as many rows as keys.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bench.synthetic import generate
from scheduler.scan import scan
from tests.conftest import make_context
from workflow.service import verify_audit

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 25)
DOSSIERS = 6000


def keys(path: Path) -> tuple[set[tuple[str, str, str, int]], int]:
    with sqlite3.connect(path) as conn:
        found = conn.execute("SELECT subject, kind, due, step FROM reminder").fetchall()
    return set(found), len(found)


def copy(src: Path, dst: Path) -> Path:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return dst


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, set[tuple]]]:
    """A database with thousands of due deadlines, and the reminders one clean scan makes."""
    folder = tmp_path_factory.mktemp("scan")
    path = folder / "big.db"
    ctx = make_context(path)
    generate(ctx, DOSSIERS, as_of=AS_OF, cells=40)
    ctx.engine.dispose()
    reference = make_context(copy(path, folder / "reference.db"))
    report = scan(reference, AS_OF)
    reference.engine.dispose()
    expected, count = keys(folder / "reference.db")
    assert count == len(expected) == report.raised > DOSSIERS // 2
    yield path, expected


def cli(db: Path, *args: str, stderr: int = subprocess.PIPE) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KETNAP_DB": str(db), "KETNAP_NOW": "25/11/2026", "KETNAP_USER": "lich"}
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr,
    )


def test_sigkill_in_the_middle_of_a_scan_then_rerun_raises_each_once(
    generated: tuple[Path, set[tuple]], tmp_path: Path
) -> None:
    path, expected = generated
    db = copy(path, tmp_path / "killed.db")
    with cli(db, "scan", "--batch", "40") as proc:
        assert proc.stderr is not None
        first = proc.stderr.readline().decode()
        assert first.startswith("Lô 1:"), first
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    partial, count = keys(db)
    assert 0 < count < len(expected)  # killed mid-scan: whole batches, nothing half-written
    assert count == len(partial)
    with cli(db, "scan", "--json") as rerun:
        out, _ = rerun.communicate(timeout=120)
    assert rerun.returncode == 0
    assert json.loads(out)["raised"] == len(expected) - count
    final, total = keys(db)
    assert final == expected and total == len(expected)
    ctx = make_context(db)
    assert verify_audit(ctx).ok
    ctx.engine.dispose()


def test_two_scanners_at_once_raise_each_reminder_once(
    generated: tuple[Path, set[tuple]], tmp_path: Path
) -> None:
    path, expected = generated
    db = copy(path, tmp_path / "two.db")
    first = cli(db, "scan", "--batch", "50", "--json", stderr=subprocess.DEVNULL)
    second = cli(db, "scan", "--batch", "50", "--json", stderr=subprocess.DEVNULL)
    with first, second:
        outputs = [p.communicate(timeout=120)[0] for p in (first, second)]
    assert first.returncode == second.returncode == 0
    raised = [json.loads(o)["raised"] for o in outputs]
    assert sum(raised) == len(expected)
    final, total = keys(db)
    assert final == expected and total == len(expected)


def test_scheduler_daemon_scans_at_start_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    with cli(db, "demo") as made:
        made.communicate(timeout=120)
    with cli(db, "scheduler", "run", "--interval", "3600") as proc:
        assert proc.stderr is not None
        seen = []
        for raw in proc.stderr:
            line = raw.decode()
            seen.append(line)
            if "Quét nhắc việc ngày 25/11/2026" in line:
                break
        else:  # pragma: no cover - the daemon died before scanning
            pytest.fail("".join(seen))
        proc.send_signal(signal.SIGTERM)
        rest = proc.stderr.read().decode()
        proc.wait(timeout=60)
    assert proc.returncode == 0, rest
    assert "dừng" in rest and "Bộ lập lịch đã dừng" in rest
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM reminder").fetchone()[0] > 0
