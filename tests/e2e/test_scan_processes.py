"""The scan as real processes: killed in the middle, run twice at once, run as a daemon.

Every check compares with a reference: the same database copied before the scan and
scanned once, uninterrupted, in this process. "Exactly once" means the same set of
reminder keys, and as many rows as keys.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic import generate
from scheduler.scan import scan
from tests.conftest import make_context
from tests.databases import TestDB, new_db
from workflow.usecases.trust import verify_audit

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 25)
DOSSIERS = 6000


Keys = set[tuple[Any, ...]]


def keys(db: TestDB) -> tuple[Keys, int]:
    """The deadlines' reminders (the generator writes dossiers without audit events, so
    the nightly state check's notice, subject ``audit:…``, is left out here)."""
    found = db.sql("SELECT subject, kind, due, step FROM reminder WHERE subject NOT LIKE 'audit:%'")
    return set(found), len(found)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestDB, Keys]]:
    """A database with thousands of due deadlines, and the reminders one clean scan makes."""
    folder = tmp_path_factory.mktemp("scan")
    db = new_db(folder, "big")
    ctx = make_context(db)
    generate(ctx, DOSSIERS, as_of=AS_OF, cells=40)
    ctx.engine.dispose()
    copied = db.copy(folder)
    reference = make_context(copied)
    report = scan(reference, AS_OF)
    reference.engine.dispose()
    expected, count = keys(copied)
    copied.drop()
    assert count == len(expected) == report.raised > DOSSIERS // 2
    yield db, expected
    db.drop()


def cli(
    db: TestDB, *args: str, stderr: int = subprocess.PIPE, stdin: int | None = None
) -> subprocess.Popen[bytes]:
    env = {**os.environ, **db.env(), "KETNAP_NOW": "25/11/2026"}
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=stderr,
    )


def test_sigkill_in_the_middle_of_a_scan_then_rerun_raises_each_once(
    generated: tuple[TestDB, Keys], tmp_path: Path
) -> None:
    source, expected = generated
    db = source.copy(tmp_path)
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
    db.drop()


def test_two_scanners_at_once_raise_each_reminder_once(
    generated: tuple[TestDB, Keys], tmp_path: Path
) -> None:
    source, expected = generated
    db = source.copy(tmp_path)
    first = cli(db, "scan", "--batch", "50", "--json", stderr=subprocess.DEVNULL)
    second = cli(db, "scan", "--batch", "50", "--json", stderr=subprocess.DEVNULL)
    with first, second:
        outputs = [p.communicate(timeout=120)[0] for p in (first, second)]
    assert first.returncode == second.returncode == 0
    raised = [json.loads(o)["raised"] for o in outputs]
    assert sum(raised) == len(expected)
    final, total = keys(db)
    assert final == expected and total == len(expected)
    db.drop()


def test_scheduler_daemon_scans_at_start_and_stops_cleanly_on_sigterm(db: TestDB) -> None:
    with cli(db, "demo") as made:
        printed = made.communicate(timeout=120)[0].decode()
    password = re.search(r"^  cv_tinh\s+(\S+)", printed, re.M)
    assert password, printed
    with cli(db, "login", "cv_tinh", "--password-stdin", stdin=subprocess.PIPE) as signing:
        signing.communicate(password.group(1).encode() + b"\n", timeout=60)
    assert signing.returncode == 0
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
    assert db.sql("SELECT count(*) FROM reminder")[0][0] > 0


def test_a_node_killed_mid_scan_the_other_node_finishes_the_scan(
    generated: tuple[TestDB, Keys], tmp_path: Path
) -> None:
    """Two scheduler nodes scan one database; one is killed in the middle of a batch. The
    other ends only when no due row is left (on PostgreSQL it waits on the rows the dead
    node held until their rollback frees them), so nothing is lost and nothing doubled."""
    source, expected = generated
    db = source.copy(tmp_path)
    doomed = cli(db, "scan", "--batch", "40")
    with doomed:
        assert doomed.stderr is not None
        first = doomed.stderr.readline().decode()
        assert first.startswith("Lô 1:"), first  # it is scanning: start the other node
        survivor = cli(db, "scan", "--batch", "40", "--json", stderr=subprocess.DEVNULL)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=60)
    with survivor:
        out, _ = survivor.communicate(timeout=180)
    assert doomed.returncode == -signal.SIGKILL
    assert survivor.returncode == 0
    assert "raised" in json.loads(out)
    final, total = keys(db)
    assert final == expected and total == len(expected)
    db.drop()
