"""One progress report over a million dossiers and ten thousand organizations.

Generates (once, kept with --db) 1,000,000 admitted dossiers in 10,000 chi bộ cơ sở with
their targets (bench/synthetic.py), then times:

- the baseline: the bare aggregate with raw sqlite3 — admissions of the year counted per
  organization (``GROUP BY org_id``), the least any report must read;
- ``reports.progress.progress``: the whole report — targets and their roll-up, admissions
  with the thirteen breakdown columns, the same period last year, the pipeline, the
  overdue list, the forecast's history and cut-offs — through the same code as the CLI;
- writing the xlsx workbook of that report.

    .venv/bin/python bench/report.py [N] [--orgs K] [--db PRISTINE.db]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # run from anywhere
os.environ.setdefault(
    "KETNAP_KEY", str(Path(tempfile.gettempdir()) / "ketnap-bench.khoa")
)  # PostgreSQL needs one

from bench.synthetic import generate  # noqa: E402
from models.db import database_url  # noqa: E402
from reports.progress import progress  # noqa: E402
from reports.xlsx import write_xlsx  # noqa: E402
from workflow.usecases.clock import VN_TZ, FixedClock  # noqa: E402
from workflow.usecases.context import Context, open_context  # noqa: E402
from workflow.usecases.installation import initialise  # noqa: E402

TODAY = date(2026, 11, 25)


def context(path: Path) -> Context:
    return open_context(
        database_url(str(path)),
        "bench",
        FixedClock(datetime(2026, 11, 25, 8, 0, tzinfo=VN_TZ)),
        require_init=False,
    )


def baseline(path: Path) -> float:
    conn = sqlite3.connect(path)
    start = time.perf_counter()
    rows = conn.execute(
        "SELECT org_id, count(*) FROM dossier WHERE party_joined_on BETWEEN ? AND ?"
        " GROUP BY org_id",
        (date(TODAY.year, 1, 1).isoformat(), TODAY.isoformat()),
    ).fetchall()
    took = time.perf_counter() - start
    conn.close()
    print(f"  baseline: {len(rows):,} organizations in {took:.3f} s")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--db", type=Path, help="pristine database: made if missing")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ketnap-report-"))
    path = args.db or folder / "report.db"
    if not path.exists():
        ctx = context(path)
        initialise(ctx)
        start = time.perf_counter()
        generate(
            ctx,
            args.n,
            as_of=TODAY,
            cells=args.orgs,
            target_year=TODAY.year,
            on_chunk=lambda k: print(f"\r  generated {k:,}", end="", flush=True),
        )
        print(
            f"\ngenerate {args.n:,} dossiers in {args.orgs:,} organizations: "
            f"{time.perf_counter() - start:.1f} s"
        )
        ctx.engine.dispose()
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("ANALYZE")
    with sqlite3.connect(path) as conn:
        dossiers = conn.execute("SELECT count(*) FROM dossier").fetchone()[0]
        orgs = conn.execute("SELECT count(*) FROM organization").fetchone()[0]
    print(f"database: {path} ({dossiers:,} dossiers, {orgs:,} organizations)")
    base = min(baseline(path) for _ in range(3))
    ctx = context(path)
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        data = progress(ctx, None, None, TODAY)
        runs.append(time.perf_counter() - start)
        print(f"  report: {runs[-1]:.3f} s")
    took = min(runs)
    head = data["rows"][0]
    print(f"report: {len(data['rows']):,} rows; {data['summary']}")
    print(f"report (best of 3): {took:.3f} s   baseline: {base:.3f} s   ratio {took / base:.1f}x")
    print(f"goal: report <= 1 s: {took <= 1}   (top: {head['admitted']:,} admitted)")
    start = time.perf_counter()
    write_xlsx(data, folder / "report.xlsx")
    print(f"xlsx of {len(data['rows']):,} rows: {time.perf_counter() - start:.2f} s")
    ctx.engine.dispose()


if __name__ == "__main__":
    main()
