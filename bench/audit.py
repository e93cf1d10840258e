"""Verifying a hash chain of a million audit events, next to hashing the same bytes alone.

Builds (once, kept with --db) an audit log of N events through ``models.audit.append``'s
own hashing — written in bulk, since appending a million events one by one is not what is
measured — then times:

- the baseline: SHA-256 over each stored event's canonical JSON, already built (the least
  any verifier must do: hash every event once);
- ``models.audit.verify`` on one core: read every row in id order, rebuild its canonical
  JSON, hash it, check the link to the previous event;
- ``verify_audit``, what ``ketnap audit verify`` runs: the chain cut into one segment per
  core, verified at once, the seams compared, time going forward, then the newest signed
  head (the bulk build signs one, as its commit would); checkpoints and ``--state`` off;
- ``verify_audit(state=True)``, ``ketnap audit verify --state``: the same, then every dossier
  replayed from its events (the synthetic events have no dossier rows: the differences are
  counted, not shown).

The key is ``KETNAP_KEY`` when set, else a file beside the bench's database (a bench only:
a real installation keeps it elsewhere, docs/inspection.md).

    .venv/bin/python bench/audit.py [N] [--db PRISTINE.db]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # run from anywhere

from models.audit import NEW_HEAD, event_hash, verify  # noqa: E402

SLOTS = ",".join("?" * 15)  # every column of audit_event, channel and client last
from models.canonical import canonical_json  # noqa: E402
from models.db import database_url  # noqa: E402
from workflow.usecases.clock import VN_TZ, FixedClock  # noqa: E402
from workflow.usecases.context import open_context  # noqa: E402
from workflow.usecases.installation import initialise  # noqa: E402
from workflow.usecases.trust import verify_audit  # noqa: E402


def build(path: Path, n: int) -> None:
    ctx = open_context(
        database_url(str(path)),
        "bench",
        FixedClock(datetime(2026, 11, 25, tzinfo=VN_TZ)),
        require_init=False,
    )
    initialise(ctx)
    ctx.engine.dispose()
    conn = sqlite3.connect(path)
    last_id, prev, last_at = conn.execute(
        "SELECT id, hash, at FROM audit_event ORDER BY id DESC LIMIT 1"
    ).fetchone()
    start = datetime.fromisoformat(last_at)  # time only moves forward (AUD-TIME)
    batch = []
    for i in range(last_id + 1, last_id + n + 1):
        fields = {
            "id": i,
            "at": (start + timedelta(seconds=i * 7)).isoformat(timespec="microseconds"),
            "actor": "chuyen_vien",
            "dossier_id": i // 9,
            "kind": "transition" if i % 3 else "fact",
            "event": "chi_bo_thong_qua" if i % 3 else "ghi_nghi_quyet",
            "from_stage": "chi_bo_xet",
            "to_stage": "gui_ho_so",
            "reason": None,
            "rule_set_id": "QD294-2025",
            "data": canonical_json({"judged_on": "2026-01-05", "notes": [], "n": i}),
            "prev_hash": prev,
        }
        prev = event_hash(fields)
        batch.append((*fields.values(), prev, None, None))
        if len(batch) == 50_000:
            conn.executemany(
                "INSERT INTO audit_event VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch
            )
            conn.commit()
            batch.clear()
            print(f"\r  built {i - last_id:,}", end="", flush=True)
    conn.executemany(f"INSERT INTO audit_event VALUES ({SLOTS})", batch)
    conn.commit()
    conn.close()
    print()
    ctx = open_context(
        database_url(str(path)), "bench", FixedClock(datetime.now(VN_TZ)), require_init=False
    )
    with ctx.write() as s:  # the head the bulk write left, signed as its commit would sign it
        s.info[NEW_HEAD] = (last_id + n, prev)
    ctx.engine.dispose()


def baseline(path: Path) -> tuple[float, int]:
    """Read every row with raw sqlite3 and hash its fields once (no JSON, no checks)."""
    conn = sqlite3.connect(path)
    start = time.perf_counter()
    count = 0
    for row in conn.execute("SELECT * FROM audit_event ORDER BY id"):
        hashlib.sha256("|".join(map(str, row[:12])).encode()).hexdigest()
        count += 1
    took = time.perf_counter() - start
    conn.close()
    return took, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="pristine database: made if missing")
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="ketnap-audit-")) / "audit.db"
    os.environ.setdefault("KETNAP_KEY", str(path) + ".khoa")
    if not path.exists():
        start = time.perf_counter()
        build(path, args.n)
        print(f"build {args.n:,} events: {time.perf_counter() - start:.1f} s")
    base, count = min(baseline(path) for _ in range(2))
    print(
        f"baseline (read + one SHA-256 per row): {count:,} rows in {base:.2f} s "
        f"({count / base:,.0f}/s)"
    )
    ctx = open_context(
        database_url(str(path)), "bench", FixedClock(datetime.now(VN_TZ)), require_init=False
    )
    initialise(ctx)  # a database kept from an earlier schema is brought up to date
    with ctx.read() as s:
        start = time.perf_counter()
        one = verify(s)
        single = time.perf_counter() - start
    print(
        f"one core (models.audit.verify): {one.length:,} events in {single:.2f} s "
        f"({one.length / single:,.0f} events/s)"
    )
    runs = []
    for _ in range(2):
        start = time.perf_counter()
        report = verify_audit(ctx)  # what `ketnap audit verify` runs: every core
        runs.append(time.perf_counter() - start)
    took = min(runs)
    assert report.ok and report.head_hash == one.head_hash, report.problem
    print(
        f"audit verify (all {os.cpu_count()} cores): {report.length:,} events in {took:.2f} s "
        f"({report.length / took:,.0f} events/s); head {report.head_hash[:16]}…"
    )
    print(
        f"ratio verify / baseline: {took / base:.2f}x   goal >= 200,000 events/s: "
        f"{report.length / took >= 200_000}"
    )
    start = time.perf_counter()
    with_state = verify_audit(ctx, state=True)
    took_state = time.perf_counter() - start
    assert with_state.state is not None
    print(
        f"audit verify --state: {with_state.length:,} events, "
        f"{with_state.state['events']:,} of them replayed, in {took_state:.2f} s "
        f"({with_state.length / took_state:,.0f} events/s; {took_state / base:.2f}x baseline); "
        f"{len(with_state.state['differences']):,} differences (synthetic events, no dossier rows)"
    )
    ctx.engine.dispose()


if __name__ == "__main__":
    main()
