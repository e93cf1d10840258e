"""A synthetic province on SQLite and on PostgreSQL: build it, then time the scan, the
progress report and the audit verification on it, each next to a bare query for the same
rows in the same run, with each step's peak memory.

The province: 1,000 base organizations (chi bộ cơ sở under one committee), 200,000
candidates with open dossiers (bench/synthetic.py, the steady state of a running
installation: yesterday's scan has run), and 1,000,000 audit events chained exactly as the
service chains them (``audit.append_many``: five events per dossier).

Each timed step runs in a process of its own, so its peak RSS is its own.

    .venv/bin/python bench/province.py [--candidates N] [--orgs K] [--events E]
        [--sqlite FILE] [--pg postgresql+psycopg://user@host:port/name]

A database named by ``--sqlite``/``--pg`` is built when empty and reused when full; the
scan runs on a copy of it, so every run measures the same day's scan.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parents[1])  # run from anywhere
os.environ.setdefault(
    "KETNAP_KEY", str(Path(tempfile.gettempdir()) / "ketnap-bench.khoa")
)  # PostgreSQL needs one

from sqlalchemy import create_engine, text  # noqa: E402

from bench.pgdb import copied, ensure  # noqa: E402
from bench.synthetic import generate  # noqa: E402
from models import audit  # noqa: E402
from models.db import database_url  # noqa: E402
from workflow.usecases.clock import VN_TZ, FixedClock  # noqa: E402
from workflow.usecases.context import Context, open_context  # noqa: E402
from workflow.usecases.installation import initialise  # noqa: E402
from workflow.usecases.trust import verify_audit  # noqa: E402

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, tzinfo=VN_TZ)
EVENTS_PER_CHUNK = 50_000


def _context(url: str) -> Context:
    return open_context(url, "bench", FixedClock(NOW), require_init=False)


def build(url: str, candidates: int, orgs: int, events: int) -> None:
    ctx = _context(url)
    initialise(ctx)
    with ctx.engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM dossier")).scalar() or 0
    if have >= candidates:
        print(f"  reusing {url}: {have:,} dossiers", flush=True)
        ctx.engine.dispose()
        return
    start = time.perf_counter()
    generate(
        ctx,
        candidates,
        as_of=TODAY,
        cells=orgs,
        target_year=TODAY.year,
        last_scan=TODAY - timedelta(days=1),  # yesterday's scan has run
    )
    print(
        f"  {candidates:,} dossiers in {orgs:,} organizations: {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    start = time.perf_counter()
    with ctx.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM dossier ORDER BY id"))]
    made = 0
    kinds = ("cu_di_hoc", "hoan_thanh_lop", "chi_bo_thong_qua", "gui_cap_uy", "trinh_btv")
    while made < events:
        size = min(EVENTS_PER_CHUNK, events - made)
        batch: list[dict[str, Any]] = []
        for k in range(made, made + size):
            did = ids[(k // len(kinds)) % len(ids)]
            batch.append(
                {
                    "kind": "transition",
                    "event": kinds[k % len(kinds)],
                    "dossier_id": did,
                    "to_stage": "btv_quyet_dinh",
                    "data": {"judged_on": "2026-11-20", "notes": [], "n": k},
                }
            )
        with ctx.write() as s:
            audit.append_many(s, NOW, "bench", batch)
        made += size
    print(f"  {events:,} audit events: {time.perf_counter() - start:.1f} s", flush=True)
    ctx.engine.dispose()


def _peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _step(name: str, url: str, out: Any) -> None:
    """One timed step and its bare baseline, in this (child) process."""
    from reports.progress import progress
    from scheduler.scan import due_count, scan

    ctx = _context(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        if name == "scan":
            start = time.perf_counter()
            conn.execute(
                text(
                    "SELECT id, subject, kind, due FROM deadline "
                    "WHERE next_fire_on <= :d AND done_on IS NULL"
                ),
                {"d": TODAY},
            ).all()
            base = time.perf_counter() - start
            rows = due_count(ctx, TODAY)
            start = time.perf_counter()
            scanned = scan(ctx, TODAY)
            took = time.perf_counter() - start
            detail = f"{rows:,} due rows, {scanned.raised:,} reminders"
        elif name == "report":
            start = time.perf_counter()
            conn.execute(
                text(
                    "SELECT org_id, count(*) FROM dossier WHERE party_joined_on >= :y "
                    "GROUP BY org_id"
                ),
                {"y": date(TODAY.year, 1, 1)},
            ).all()
            base = time.perf_counter() - start
            start = time.perf_counter()
            data = progress(ctx, None, None, TODAY)
            took = time.perf_counter() - start
            detail = f"{len(data['rows']):,} rows; {data['summary'][:60]}…"
        else:
            start = time.perf_counter()
            count = 0
            result = conn.execution_options(stream_results=True).execute(
                text("SELECT id, data, hash FROM audit_event ORDER BY id")
            )
            for chunk in result.partitions(10_000):
                count += len(chunk)
            result.close()
            base = time.perf_counter() - start
            start = time.perf_counter()
            chain = verify_audit(ctx)
            took = time.perf_counter() - start
            assert chain.ok, chain.problem
            detail = f"{chain.length:,} events ({chain.length / took:,.0f}/s)"
    engine.dispose()
    ctx.engine.dispose()
    out.put((name, took, base, detail, _peak()))


@contextmanager
def _working_copy(url: str) -> Iterator[str]:
    """The scan raises reminders and marks them sent: it runs on a copy, so the province
    stays in yesterday's state and a second run of the bench measures the same scan."""
    if url.startswith("postgresql"):
        with copied(url, "scan") as copy:
            yield copy
        return
    source = Path(url.removeprefix("sqlite:///"))
    target = source.with_name(source.stem + "-scan.db")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    try:
        yield database_url(str(target))
    finally:
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)


def _run(name: str, url: str) -> tuple[str, float, float, str, float]:
    out: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    proc = mp.Process(target=_step, args=(name, url, out))
    proc.start()
    result = out.get(timeout=3600)
    proc.join()
    return result  # type: ignore[no-any-return]


def measure(label: str, url: str) -> None:
    for name in ("scan", "report", "verify"):
        if name == "scan":
            with _working_copy(url) as copy:
                step, took, base, detail, peak = _run(name, copy)
        else:
            step, took, base, detail, peak = _run(name, url)
        print(
            f"{label} {step}: {took:.2f} s; bare query {base:.2f} s; ratio {took / base:.1f}x; "
            f"peak RSS {peak:.0f} MiB; {detail}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=200_000)
    parser.add_argument("--orgs", type=int, default=1_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--sqlite", type=Path, default=None)
    parser.add_argument("--pg", default=None)
    args = parser.parse_args()
    sqlite_path = args.sqlite or Path(tempfile.mkdtemp(prefix="ketnap-province-")) / "p.db"
    targets = [("SQLite", database_url(str(sqlite_path)))]
    if args.pg:
        targets.append(("PostgreSQL", ensure(args.pg)))
    for label, url in targets:
        print(f"{label}: building", flush=True)
        build(url, args.candidates, args.orgs, args.events)
        measure(label, url)


if __name__ == "__main__":
    main()
