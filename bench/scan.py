"""One scan over a million open dossiers, next to the bare indexed query for the same rows.

Generates N open dossiers (default 1,000,000) in a SQLite file through bench/synthetic.py,
in the steady state of a running installation (yesterday's scan has run), then times:

- the bare indexed query: the deadline rows whose next reminder day has come
  (``next_fire_on <= today AND done_on IS NULL``), read with raw sqlite3;
- ``scheduler.scan.scan``: the same rows read in batches, each batch one transaction that
  inserts the reminders (INSERT … ON CONFLICT DO NOTHING), moves the deadlines and appends
  one audit event — through the same service code the daemon uses.

It prints both times, the ratio, and the scan's memory: the process's peak RSS before and
after (flat: rows are read and written a batch at a time), and, on a second copy, the peak
of Python allocations under tracemalloc (that pass is slower and is not timed).

    .venv/bin/python bench/scan.py [N] [--db PRISTINE.db] [--cold]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # run from anywhere
os.environ.setdefault(
    "KETNAP_KEY", str(Path(tempfile.gettempdir()) / "ketnap-bench.khoa")
)  # PostgreSQL needs one

from bench.synthetic import generate  # noqa: E402
from models.db import database_url  # noqa: E402
from scheduler.scan import DEFAULT_BATCH, ScanReport, scan  # noqa: E402
from workflow.usecases import tracking  # noqa: E402
from workflow.usecases.clock import VN_TZ, FixedClock  # noqa: E402
from workflow.usecases.context import Context, open_context  # noqa: E402
from workflow.usecases.installation import initialise  # noqa: E402

TODAY = date(2026, 11, 25)


def bare_query(path: Path, today: date) -> tuple[float, int]:
    conn = sqlite3.connect(path)
    start = time.perf_counter()
    rows = conn.execute(
        "SELECT d.id, d.subject, d.kind, d.due, d.milestone, d.last_step, d.created_on,"
        " c.full_name FROM deadline d"
        " LEFT JOIN dossier s ON s.id = d.dossier_id"
        " LEFT JOIN candidate c ON c.id = s.candidate_id"
        " WHERE d.next_fire_on <= ? AND d.done_on IS NULL ORDER BY d.next_fire_on, d.id",
        (today.isoformat(),),
    ).fetchall()
    elapsed = time.perf_counter() - start
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM deadline WHERE next_fire_on <= ? AND done_on IS NULL",
        (today.isoformat(),),
    ).fetchall()
    conn.close()
    print(f"  {elapsed:.3f} s; query plan: {' / '.join(str(p[-1]) for p in plan)}")
    return elapsed, len(rows)


def context(path: Path) -> Context:
    return open_context(
        database_url(str(path)),
        "bench",
        FixedClock(datetime(2026, 11, 25, 6, 0, tzinfo=VN_TZ)),
        require_init=False,
    )


def prepare(path: Path, n: int, cold: bool) -> None:
    """Generate the pristine database once (kept: generating a million takes minutes)."""
    ctx = context(path)
    initialise(ctx)
    start = time.perf_counter()
    generate(
        ctx,
        n,
        as_of=TODAY,
        cells=1000,
        last_scan=None if cold else TODAY - timedelta(days=1),
        on_chunk=lambda k: print(f"\r  generated {k:,}", end="", flush=True),
    )
    print(f"\ngenerate {n:,} open dossiers: {time.perf_counter() - start:.1f} s")
    with ctx.write() as s:  # this year's planning rows, so both sides see the same table
        tracking.sync_cycle(s, TODAY.year, TODAY, ctx.clock.now())
    ctx.engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("ANALYZE")


def timed_scan(work: Path, batch: int) -> tuple[float, ScanReport]:
    ctx = context(work)
    start = time.perf_counter()
    report = scan(ctx, TODAY, batch_size=batch)
    took = time.perf_counter() - start
    again = time.perf_counter()
    repeat = scan(ctx, TODAY)
    print(
        f"second scan the same day: {repeat.raised} raised in {time.perf_counter() - again:.3f} s"
    )
    ctx.engine.dispose()
    return took, report


def traced_scan(work: Path) -> float:
    """The same scan on a fresh copy under tracemalloc (slower: memory only, not time)."""
    ctx = context(work)
    tracemalloc.start()
    scan(ctx, TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ctx.engine.dispose()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument(
        "--db", type=Path, help="pristine database: made if missing, reused if present"
    )
    parser.add_argument("--cold", action="store_true", help="no previous scan (first import)")
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="rows per transaction")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ketnap-bench-"))
    pristine = args.db or folder / "pristine.db"
    if not pristine.exists():
        prepare(pristine, args.n, args.cold)
    with sqlite3.connect(pristine) as conn:
        total = conn.execute("SELECT count(*) FROM dossier").fetchone()[0]
    print(f"database: {pristine} ({total:,} dossiers, {pristine.stat().st_size / 2**20:,.0f} MiB)")
    try:
        runs = [bare_query(pristine, TODAY) for _ in range(3)]
        bare, found = min(runs)
        print(f"bare indexed query: {found:,} rows in {bare:.3f} s (best of 3)")
        work = folder / "work.db"
        shutil.copyfile(pristine, work)
        os.sync()  # the copy's gigabyte must not be written back while the scan fsyncs
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        took, report = timed_scan(work, args.batch)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"scan ({args.batch:,} rows per transaction): {report.summary()}")
        print(
            f"scan: {report.examined:,} rows in {took:.3f} s ({report.examined / took:,.0f} rows/s)"
        )
        rss = f"{rss_before / 1024:.0f} / {rss_after / 1024:.0f} MiB"
        print(f"process max RSS before/after the scan: {rss}")
        shutil.copyfile(pristine, work)
        print(f"scan peak Python memory (tracemalloc): {traced_scan(work) / 2**20:.1f} MiB")
        print(f"ratio scan / bare query: {took / bare:.1f}x   (goal: scan <= 2 s: {took <= 2})")
    finally:
        for leftover in folder.iterdir():
            if leftover != pristine:
                leftover.unlink()
        if not args.db:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
