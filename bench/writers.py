"""Transitions per second with 1, 2 and 4 writer processes, on SQLite and on PostgreSQL.

Each writer is a process of its own with its own connection, advancing its own share of
the dossiers (no two writers on one dossier: this measures throughput, not conflicts;
tests/e2e/test_concurrency.py measures conflicts) for a fixed time, one transition per
commit through the whole service path (versioned UPDATE, deadline rows, chained audit
event under the chain's lock). The dossiers are under way at "Gửi hồ sơ" in a chi bộ cơ
sở, where "gửi cấp ủy" and "trả lại" alternate without end.

Baseline, on the same database and the same number of processes: a raw commit loop of one
UPDATE of a dossier's stage and version and one INSERT of an event row (a table of its own,
no hash, no reads). On PostgreSQL the same loop runs again taking the chain's advisory lock
before each INSERT, as the audit append does: the ratio of the two is what serialising the
chain's head costs.

    .venv/bin/python bench/writers.py [--seconds S] [--dossiers N] [--pg URL]

``--pg postgresql+psycopg://user@host:port/name`` adds the PostgreSQL runs (database NAME
is created and dropped).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # run from anywhere
os.environ.setdefault(
    "KETNAP_KEY", str(Path(tempfile.gettempdir()) / "ketnap-bench.khoa")
)  # PostgreSQL needs one

from sqlalchemy import bindparam, text  # noqa: E402

from bench.pgdb import scratch  # noqa: E402
from bench.synthetic import one_chi_bo, sent_rows  # noqa: E402
from models import audit  # noqa: E402
from models.db import database_url, make_engine  # noqa: E402
from workflow.domain.process import Event, Stage  # noqa: E402
from workflow.usecases.advancing import advance  # noqa: E402
from workflow.usecases.clock import VN_TZ, FixedClock  # noqa: E402
from workflow.usecases.context import open_context  # noqa: E402

NOW = datetime(2026, 11, 25, 9, tzinfo=VN_TZ)


def prepare(url: str, n: int, folder: Path) -> list[int]:
    ctx = one_chi_bo(url, FixedClock(NOW), sent_rows(n, "CB"), folder / f"ds_{abs(hash(url))}.csv")
    with ctx.engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM dossier ORDER BY id"))]
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS raw_event (id INTEGER PRIMARY KEY, "
                "dossier_id INTEGER, event VARCHAR(30), data TEXT)"
                if ctx.engine.dialect.name == "sqlite"
                else "CREATE TABLE IF NOT EXISTS raw_event (id SERIAL PRIMARY KEY, "
                "dossier_id INTEGER, event VARCHAR(30), data TEXT)"
            )
        )
    ctx.engine.dispose()
    return ids


def ketnap_writer(url: str, ids: list[int], seconds: float, out: mp.Queue) -> None:  # type: ignore[type-arg]
    ctx = open_context(url, "bench", FixedClock(NOW))
    with ctx.engine.connect() as conn:  # where each of this writer's dossiers stands now
        rows = conn.execute(
            text("SELECT id, stage FROM dossier WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        )
        stage = {i: Stage(s) for i, s in rows}
    count, k = 0, 0
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        did = ids[k % len(ids)]
        k += 1
        if stage[did] is Stage.gui_ho_so:
            stage[did] = advance(ctx, did, Event.gui_cap_uy).to_stage
        else:
            stage[did] = advance(
                ctx, did, Event.tra_lai, reason="Bổ sung", back_to=Stage.gui_ho_so
            ).to_stage
        count += 1
    ctx.engine.dispose()
    out.put(count)


def raw_writer(url: str, ids: list[int], seconds: float, out: mp.Queue) -> None:  # type: ignore[type-arg]
    _raw_loop(url, ids, seconds, out, locked=False)


def locked_writer(url: str, ids: list[int], seconds: float, out: mp.Queue) -> None:  # type: ignore[type-arg]
    _raw_loop(url, ids, seconds, out, locked=True)


def _raw_loop(url: str, ids: list[int], seconds: float, out: mp.Queue, *, locked: bool) -> None:  # type: ignore[type-arg]
    """The raw commit loop; ``locked``: each INSERT after the chain's advisory lock, as the
    audit append takes it (what serialising the chain's head costs, on its own)."""
    engine = make_engine(url)
    update = text("UPDATE dossier SET stage = :s, version = version + 1 WHERE id = :i")
    insert = text("INSERT INTO raw_event (dossier_id, event, data) VALUES (:i, :e, '{}')")
    count, k = 0, 0
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        did = ids[k % len(ids)]
        k += 1
        with engine.execution_options(ketnap_write=True).begin() as conn:
            conn.execute(update, {"s": "tham_dinh" if count % 2 == 0 else "gui_ho_so", "i": did})
            if locked:
                conn.execute(audit.CHAIN_LOCK)
            conn.execute(insert, {"i": did, "e": "raw"})
        count += 1
    engine.dispose()
    out.put(count)


def run(target: object, url: str, ids: list[int], writers: int, seconds: float) -> float:
    out: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    shares = [ids[w::writers] for w in range(writers)]
    procs = [mp.Process(target=target, args=(url, s, seconds, out)) for s in shares]  # type: ignore[arg-type]
    for p in procs:
        p.start()
    total = sum(out.get(timeout=seconds + 120) for _ in procs)
    for p in procs:
        p.join()
    return float(total) / seconds


def bench(label: str, url: str, ids: list[int], seconds: float) -> None:
    for writers in (1, 2, 4):
        ours = run(ketnap_writer, url, ids, writers, seconds)
        raw = run(raw_writer, url, ids, writers, seconds)
        lock = ""
        if url.startswith("postgresql"):  # SQLite's BEGIN IMMEDIATE serialises every writer
            locked = run(locked_writer, url, ids, writers, seconds)
            lock = f"; raw loop under the chain's lock {locked:,.0f}/s ({locked / raw:.2f} of raw)"
        print(
            f"{label}, {writers} writer(s): ketnap {ours:,.0f} transitions/s; raw "
            f"UPDATE+INSERT commit loop {raw:,.0f}/s; ratio {ours / raw:.2f}{lock}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--dossiers", type=int, default=400)
    parser.add_argument("--pg", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ketnap-writers-"))
    sqlite_url = database_url(str(folder / "w.db"))
    bench("SQLite", sqlite_url, prepare(sqlite_url, args.dossiers, folder), args.seconds)
    if args.pg:
        with scratch(args.pg) as url:
            bench("PostgreSQL", url, prepare(url, args.dossiers, folder), args.seconds)


if __name__ == "__main__":
    main()
