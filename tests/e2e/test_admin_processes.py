"""Settings that move every open dossier's deadlines, as real processes (issue 17): a
``calendar set`` killed in the middle of its recompute is finished by the next scan, and a
clerk's ``candidate add`` while the batches run waits its turn and succeeds.

The reference is the same database copied and recomputed once, in this process, without
interruption (tests/integration/test_admin_writes.py shows that this equals the single
transaction of before).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic import generate
from scheduler.scan import scan
from tests.conftest import TREE, make_context
from tests.databases import TestDB, new_db
from tests.integration.test_admin_writes import AS_OF, DAY_OFF, deadlines, reminder_keys
from workflow.usecases import recompute, tracking
from workflow.usecases.organizations import add_org
from workflow.usecases.settings import set_calendar_day
from workflow.usecases.trust import verify_audit

ROOT = Path(__file__).resolve().parents[2]
DOSSIERS = 5000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestDB, dict[str, Any]]]:
    """Thousands of open dossiers, and what the day off and the day's scan make of them."""
    folder = tmp_path_factory.mktemp("admin-processes")
    db = new_db(folder, "big")
    ctx = make_context(db)
    for org in TREE:
        add_org(ctx, org)
    generate(ctx, DOSSIERS, as_of=AS_OF, cells=20, last_scan=AS_OF.replace(day=24))
    with ctx.write() as s:
        tracking.sync_cycle(s, AS_OF.year, AS_OF, ctx.clock.now())
    ctx.engine.dispose()
    copied = db.copy(folder)
    reference = make_context(copied)
    set_calendar_day(reference, DAY_OFF, False, "Nghỉ bù")
    expected: dict[str, Any] = {"set": deadlines(reference)}
    scan(reference, AS_OF)
    expected.update(scanned=deadlines(reference), reminders=reminder_keys(reference))
    reference.engine.dispose()
    copied.drop()
    yield db, expected
    db.drop()


def cli(db: TestDB, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, **db.env(), "KETNAP_NOW": "25/11/2026", "KETNAP_USER": "chuyen_vien"}
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def pending(db: TestDB) -> list[tuple[Any, ...]]:
    return [
        tuple(r) for r in db.sql("SELECT after_id, rows FROM recompute WHERE after_id IS NOT NULL")
    ]


def test_calendar_set_killed_mid_recompute_is_finished_by_the_next_scan(
    generated: tuple[TestDB, dict[str, Any]], tmp_path: Path
) -> None:
    source, expected = generated
    db = source.copy(tmp_path)
    with cli(
        db, "calendar", "set", "01/12/2026", "--off", "--note", "Nghỉ bù", "--batch", "100"
    ) as proc:
        assert proc.stderr is not None
        first = proc.stderr.readline().decode()
        assert first.startswith("Tính lại hạn: 100/5.000 hồ sơ đang mở (lô 1)"), first
        proc.send_signal(signal.SIGKILL)  # in its pause or its next batch
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    ((after_id, rows),) = pending(db)  # the setting committed, its recompute half done
    assert after_id > 0 and 100 <= rows < DOSSIERS
    assert db.sql("SELECT count(*) FROM calendar_override")[0][0] == 1

    with cli(db, "scan", "--json") as rerun:
        out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err.decode()
    assert pending(db) == []
    finished = db.sql("SELECT channel FROM audit_event WHERE event = :e", {"e": recompute.EVENT})
    assert finished == [("scheduler",)]  # the scan finished the recompute (first)
    ctx = make_context(db)
    assert deadlines(ctx) == expected["scanned"]
    assert reminder_keys(ctx) == expected["reminders"]
    assert json.loads(out)["raised"] == len(expected["reminders"])
    assert verify_audit(ctx).ok
    ctx.engine.dispose()
    db.drop()


def test_a_clerk_adding_a_candidate_during_the_recompute_waits_and_succeeds(
    generated: tuple[TestDB, dict[str, Any]], tmp_path: Path
) -> None:
    """The recompute runs here, batch after batch; after its first batch a clerk's
    ``candidate add`` starts as a process of its own and writes while the batches go on
    (nothing sleeps to line them up: the recompute waits for the clerk's exit only before
    its last batches, so the clerk's write lands while a recompute is pending)."""
    source, expected = generated
    db = source.copy(tmp_path)
    ctx = make_context(db)
    batch = 250
    clerk: dict[str, Any] = {}

    def on_batch(p: recompute.Progress) -> None:
        if p.batches == 1:
            clerk["started"] = time.monotonic()
            clerk["proc"] = cli(
                db,
                *("candidate", "add", "--name", "Trần Thị Mai", "--birth", "02/03/2001"),
                *("--sex", "nu", "--cccd", "001301012345", "--education", "dai_hoc", "--org", "CB"),
            )
        if p.batches == DOSSIERS // batch - 2:
            clerk["out"], clerk["err"] = clerk["proc"].communicate(timeout=60)
            clerk["took"] = time.monotonic() - clerk["started"]

    done = set_calendar_day(ctx, DAY_OFF, False, "Nghỉ bù", batch=batch, on_batch=on_batch)
    assert clerk["proc"].returncode == 0, clerk["err"].decode()
    assert "Đã mở hồ sơ" in clerk["out"].decode()
    assert clerk["took"] < 30
    log = [tuple(r) for r in db.sql("SELECT id, event FROM audit_event ORDER BY id")]
    order = [e for _, e in log if e in {"ghi_de_lich", "tao_ho_so", recompute.EVENT}]
    assert order[-3:] == ["ghi_de_lich", "tao_ho_so", recompute.EVENT]  # during the recompute
    assert done["recomputed"] == DOSSIERS + 1  # the clerk's dossier too (it is open)
    after = deadlines(ctx)
    assert {k: v for k, v in after.items() if k in expected["set"]} == expected["set"]
    assert pending(db) == []
    ctx.engine.dispose()
    db.drop()
