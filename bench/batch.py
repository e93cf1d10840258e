"""Batch advance: one step for a long list in one transaction (issue 7's goal: 20,000/s).

A fresh database gets N dossiers in class (at "Học lớp nhận thức", with a certificate,
entered through the importer); ``service.advance_many`` then sends them all back to their
chi bộ (``hoan_thanh_lop``) in one unit of work: facts read in bulk, every dossier judged
by the guards, the versioned updates, the deadline rows, the audit events chained.

Baseline, measured in the same run on a second fresh database with the same dossiers: the
raw writes alone in one transaction — one UPDATE of the stage and version per dossier
(executemany) and one INSERT of an audit row per dossier, with no reads, no guard, no hash.

    .venv/bin/python bench/batch.py [N] [--db URL-or-file-prefix]

With ``--db postgresql+psycopg://…/name`` the two databases are NAME_a and NAME_b on that
server (created, then dropped).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # run from anywhere
os.environ.setdefault(
    "KETNAP_KEY", str(Path(tempfile.gettempdir()) / "ketnap-bench.khoa")
)  # PostgreSQL needs one

from sqlalchemy import text  # noqa: E402

from bench.pgdb import scratch  # noqa: E402
from bench.synthetic import class_rows, one_chi_bo  # noqa: E402
from models.db import database_url  # noqa: E402
from workflow.domain.process import Event  # noqa: E402
from workflow.usecases.advancing import advance_many  # noqa: E402
from workflow.usecases.clock import VN_TZ, FixedClock  # noqa: E402
from workflow.usecases.context import Context  # noqa: E402

NOW = datetime(2026, 11, 25, 9, tzinfo=VN_TZ)


@contextmanager
def _databases(spec: str | None, folder: Path) -> Iterator[tuple[str, str]]:
    """Two fresh databases: NAME_a and NAME_b on a PostgreSQL server, or two SQLite files."""
    if spec and spec.startswith("postgresql"):
        with scratch(spec + "_a") as a, scratch(spec + "_b") as b:
            yield a, b
        return
    prefix = spec or str(folder / "batch")
    yield database_url(prefix + "_a.db"), database_url(prefix + "_b.db")


def _prepared(url: str, n: int, folder: Path) -> tuple[Context, list[int]]:
    ctx = one_chi_bo(
        url, FixedClock(NOW), class_rows(n, "CB"), folder / f"lop_{abs(hash(url))}.csv"
    )
    with ctx.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM dossier ORDER BY id"))]
    return ctx, ids


def _raw(ctx: Context, ids: list[int]) -> float:
    """The writes alone: one UPDATE per dossier and one audit INSERT, one transaction."""
    start = time.perf_counter()
    with ctx.engine.begin() as conn:
        last = conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_event")).scalar() or 0
        conn.execute(
            text("UPDATE dossier SET stage = 'chi_bo_xet', version = version + 1 WHERE id = :i"),
            [{"i": i} for i in ids],
        )
        conn.execute(
            text(
                "INSERT INTO audit_event (id, at, actor, dossier_id, kind, event, from_stage, "
                "to_stage, data, prev_hash, hash) VALUES (:id, :at, 'bench', :d, 'transition', "
                "'hoan_thanh_lop', 'hoc_lop', 'chi_bo_xet', :data, :prev, :hash)"
            ),
            [
                {
                    "id": last + k + 1,
                    "at": NOW.isoformat(),
                    "d": i,
                    "data": "{}",
                    "prev": "0" * 64,
                    "hash": f"{last + k + 1:064d}",
                }
                for k, i in enumerate(ids)
            ],
        )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=20_000)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ketnap-batch-"))
    with _databases(args.db, folder) as (url_a, url_b):
        ctx, ids = _prepared(url_a, args.n, folder)
        raw_ctx, raw_ids = _prepared(url_b, args.n, folder)
        base = _raw(raw_ctx, raw_ids)
        # `ketnap advance-many` runs in a fresh process; this one still holds what preparing
        # two databases of N dossiers left. Frozen, those objects are not walked again by
        # each of the batch's garbage collections (about 1 s of 20,000 otherwise).
        gc.collect()
        gc.freeze()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        done = advance_many(ctx, ids, Event.hoan_thanh_lop)
        took = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert len(done) == args.n
        dialect = ctx.engine.dialect.name
        print(
            f"{dialect}: {args.n:,} transitions in one batch: {took:.2f} s "
            f"({args.n / took:,.0f}/s); raw UPDATE+INSERT of the same rows: {base:.2f} s "
            f"({args.n / base:,.0f}/s); ratio {base / took:.2f}; "
            f"goal >= 20,000/s: {args.n / took >= 20_000}; peak RSS {rss_before:.0f} MiB before "
            f"the batch, {rss:.0f} MiB after"
        )
        ctx.engine.dispose()
        raw_ctx.engine.dispose()


if __name__ == "__main__":
    main()
