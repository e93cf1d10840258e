"""Eight processes advancing a thousand dossiers at random, at once (issue 7).

Each process is a clerk (tests/e2e/advance_worker.py) calling the service with the version
it read. Afterwards the database must tell one story: each dossier's stage and version are
what its transition events, replayed in order, give; no dossier left a stage twice from the
same version; the audit chain verifies with no gap and no duplicate. Runs on SQLite (writers
serialised) and, in the PostgreSQL pass, on PostgreSQL (row versions, the chain's advisory
lock).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from bench.synthetic import candidate_sheet, sent_rows
from tests.conftest import TREE, make_context
from tests.databases import ON_POSTGRES, TestDB
from workflow.sheets.candidates import import_candidates
from workflow.usecases.organizations import add_org
from workflow.usecases.trust import verify_audit

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 8
DOSSIERS = 1000
SECONDS = 10 if ON_POSTGRES else 6


@pytest.mark.slow
def test_eight_processes_advancing_at_random_leave_one_consistent_story(
    db: TestDB, tmp_path: Path
) -> None:
    ctx = make_context(db)
    for org in TREE:
        add_org(ctx, org)
    # a thousand dossiers under way at "Gửi hồ sơ", from where steps go on and back without end
    sheet = candidate_sheet(tmp_path / "ds.csv", sent_rows(DOSSIERS, "CBCS"))
    assert import_candidates(ctx, sheet)["new"] == DOSSIERS
    first, last = db.sql("SELECT min(id), max(id) FROM dossier")[0]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.e2e.advance_worker",
                db.url,
                str(seed),
                str(SECONDS),
                str(first),
                str(last),
            ],
            cwd=ROOT,
            env={**os.environ, **db.env()},  # the installation's key: every write signs
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for seed in range(WORKERS)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=SECONDS + 120)
        assert proc.returncode == 0, err.decode()[-3000:]
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    done = sum(r["done"] for r in results)
    assert done > WORKERS  # every process got work through
    assert sum(r["conflict"] for r in results) > 0  # and they did collide

    # Replay each dossier's transition events in the log's order.
    start = {did: ("gui_ho_so", 1) for (did,) in db.sql("SELECT id FROM dossier")}
    replayed: dict[int, tuple[str, int]] = dict(start)
    left_from: dict[int, set[tuple[str, int]]] = defaultdict(set)
    events = db.sql(
        "SELECT dossier_id, from_stage, to_stage FROM audit_event "
        "WHERE kind = 'transition' ORDER BY id"
    )
    assert len(events) == done  # one event per transition a process saw succeed
    for did, frm, to in events:
        stage, version = replayed[did]
        assert frm == stage, (did, frm, stage)  # each step starts where the last one ended
        assert (frm, version) not in left_from[did]  # never twice from the same state
        left_from[did].add((frm, version))
        replayed[did] = (to, version + 1)
    final = {
        did: (stage, version)
        for did, stage, version in db.sql("SELECT id, stage, version FROM dossier")
    }
    assert final == replayed
    ((count, top),) = db.sql("SELECT count(*), max(id) FROM audit_event")
    assert count == top  # ids 1..n: no gap, no duplicate
    assert verify_audit(ctx).ok
