"""``calendar set`` on 100,000 open dossiers: the longest write-lock hold and the total time,
next to the same change made the way it was before issue 17, in the same run.

Generates N open dossiers (default 100,000) in a SQLite file through bench/synthetic.py, in
the steady state of a daily scan, then, each on a fresh copy of it:

- baseline: the day off and every open dossier's deadlines in one unit of work (the code
  before issue 17: ``settings.resync_all`` inside the setting's transaction);
- ketnap: ``set_calendar_day`` as the command runs it now: the setting in a small unit of
  work, then the deadlines in batches of ``--batch`` dossiers, each its own transaction.

For each: the total time; every write transaction's hold of the write lock (from BEGIN
IMMEDIATE granted to the commit done), the longest and the median; and a clerk, a process
of its own, adding a candidate through the use case every 0.25 s meanwhile: its longest
write and the writes that failed ("database is locked" after the 15 s busy timeout).

    .venv/bin/python bench/admin_writes.py [N] [--db PRISTINE.db] [--batch 2000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parents[1])  # run from anywhere
os.environ.setdefault("KETNAP_KEY", str(Path(tempfile.gettempdir()) / "ketnap-bench-admin.khoa"))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.synthetic import generate  # noqa: E402
from models import audit  # noqa: E402
from models.db import database_url  # noqa: E402
from models.tables import CalendarOverride  # noqa: E402
from workflow.usecases import tracking  # noqa: E402
from workflow.usecases.clock import VN_TZ, FixedClock  # noqa: E402
from workflow.usecases.context import Context, open_context, replace_row  # noqa: E402
from workflow.usecases.dossiers import add_candidate  # noqa: E402
from workflow.usecases.installation import initialise  # noqa: E402
from workflow.usecases.settings import resync_all, set_calendar_day  # noqa: E402

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ)
DAY_OFF = date(2026, 12, 4)  # a Friday made a day off: the dues after it move a day
CLERK_EVERY = 0.25


def context(path: Path, actor: str = "bench") -> Context:
    return open_context(database_url(str(path)), actor, FixedClock(NOW), require_init=False)


def prepare(path: Path, n: int) -> None:
    ctx = context(path)
    initialise(ctx)
    start = time.perf_counter()
    generate(ctx, n, as_of=TODAY, cells=1000, last_scan=TODAY - timedelta(days=1))
    print(f"generate {n:,} open dossiers: {time.perf_counter() - start:.1f} s")
    with ctx.write() as s:
        tracking.sync_cycle(s, TODAY.year, TODAY, ctx.clock.now())
    ctx.engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("ANALYZE")


def old_calendar_set(ctx: Context, day: date, working: bool, note: str) -> None:
    """``calendar set`` before issue 17: the day and every open deadline in one unit."""
    with ctx.write() as s:
        new = CalendarOverride(
            day=day, working=working, note=note, set_by=ctx.actor, set_at=ctx.clock.now()
        )
        replace_row(s, s.get(CalendarOverride, day), new)
        resync_all(s, ctx)
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="admin",
            event="ghi_de_lich",
            reason=note,
            data={"day": day.isoformat(), "working": working},
        )


class Holds:
    """Every write transaction's hold of the lock in this process: from the session's BEGIN
    (IMMEDIATE: granted) to the end of its commit."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._open: dict[int, float] = {}
        event.listen(Session, "after_begin", self._began)
        event.listen(Session, "after_commit", self._ended)
        event.listen(Session, "after_rollback", self._ended)

    def _began(self, session: Session, _tx: Any, _conn: Any) -> None:
        if not session.info.get("ketnap_read_only", True):
            self._open[id(session)] = time.perf_counter()

    def _ended(self, session: Session) -> None:
        began = self._open.pop(id(session), None)
        if began is not None:
            self.times.append(time.perf_counter() - began)


def clerk(path: str, ready: Any, stop: Any, out: Any) -> None:
    """A clerk adding a candidate every CLERK_EVERY s until told to stop: how long each
    write took, and the failures (``ready`` once the first is written)."""
    ctx = context(Path(path), "bench-clerk")
    took: list[float] = []
    failed: list[str] = []
    n = 0
    while not stop.is_set():
        n += 1
        data = {
            "full_name": "Nguyễn Văn Thắng",
            "birth_date": "15/08/2000",
            "sex": "nam",
            "cccd": f"001200{os.getpid() % 100:02d}{n:04d}",
            "education": "dai_hoc",
            "org_code": "GEN-CB00000",
            "doan_member": True,
        }
        start = time.perf_counter()
        try:
            add_candidate(ctx, data)
        except Exception as exc:  # what the clerk would see: counted, named
            failed.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:60]}")
        took.append(time.perf_counter() - start)
        ready.set()
        stop.wait(CLERK_EVERY)
    ctx.engine.dispose()
    out.put((took, failed))


def fresh(pristine: Path, work: Path) -> None:
    """A copy of the pristine database, nothing left of an earlier copy's journal."""
    for tail in ("-wal", "-shm"):
        Path(f"{work}{tail}").unlink(missing_ok=True)
    shutil.copyfile(pristine, work)


def measure(label: str, work: Path, holds: Holds, change: Any) -> None:
    """``change`` on ``work`` with a clerk writing meanwhile; the figures printed."""
    spawn = mp.get_context("spawn")
    ready, stop, out = spawn.Event(), spawn.Event(), spawn.Queue()
    worker = spawn.Process(target=clerk, args=(str(work), ready, stop, out))
    worker.start()
    ready.wait(timeout=120)  # the clerk is writing: the change begins
    ctx = context(work)
    holds.times.clear()
    start = time.perf_counter()
    change(ctx)
    total = time.perf_counter() - start
    held = list(holds.times)
    stop.set()
    took, failed = out.get(timeout=120)
    worker.join(timeout=60)
    ctx.engine.dispose()
    print(
        f"{label}: total {total:.1f} s; {len(held)} write transactions, longest hold "
        f"{max(held):.2f} s, median {statistics.median(held):.3f} s"
    )
    took = took[1:]  # its first write was before the change
    print(
        f"  clerk meanwhile: {len(took)} writes, longest {max(took):.2f} s, "
        f"median {statistics.median(took):.3f} s, {len(failed)} failed"
        + (f" ({failed[0]})" if failed else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="pristine database: made if missing, reused")
    parser.add_argument("--batch", type=int, default=2000, help="dossiers per transaction")
    parser.add_argument("--no-baseline", action="store_true", help="only ketnap's path")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ketnap-bench-admin-"))
    pristine = args.db or folder / "pristine.db"
    if not pristine.exists():
        prepare(pristine, args.n)
    with sqlite3.connect(pristine) as conn:
        total = conn.execute("SELECT count(*) FROM dossier").fetchone()[0]
    print(f"database: {pristine} ({total:,} open dossiers)")
    holds = Holds()
    work = folder / "work.db"
    try:
        if not args.no_baseline:
            fresh(pristine, work)
            measure(
                "baseline, one transaction (before issue 17)",
                work,
                holds,
                lambda ctx: old_calendar_set(ctx, DAY_OFF, False, "bench"),
            )
        fresh(pristine, work)
        measure(
            f"ketnap calendar set, batches of {args.batch:,}",
            work,
            holds,
            lambda ctx: set_calendar_day(ctx, DAY_OFF, False, "bench", batch=args.batch),
        )
    finally:
        for leftover in folder.iterdir():
            if leftover != pristine:
                leftover.unlink()
        if not args.db:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
