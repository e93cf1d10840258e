"""Committed, audited transitions per second, next to a raw sqlite3 UPDATE+INSERT loop.

Both sides run in this process, on SQLite files in the same folder, with the same pragmas
(WAL, synchronous=FULL, foreign keys) and one commit per transition. The ketnap side goes
through the whole service path: BEGIN IMMEDIATE, load dossier and facts, pure guards,
the shared machine, versioned UPDATE, hash-chained audit INSERT, commit.

    .venv/bin/python bench/transitions.py [N]
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

# This file's own name would shadow the `transitions` package: run from the project root.
sys.path[0] = str(Path(__file__).resolve().parents[1])
os.environ.setdefault(
    "KETNAP_KEY", str(Path(tempfile.gettempdir()) / "ketnap-bench.khoa")
)  # PostgreSQL needs one

from sqlmodel import col, delete  # noqa: E402

from models.db import database_url  # noqa: E402
from models.tables import Installation  # noqa: E402
from workflow.domain.identity import make_cccd  # noqa: E402
from workflow.domain.process import Event  # noqa: E402
from workflow.domain.vocabulary import Sex  # noqa: E402
from workflow.usecases.advancing import advance  # noqa: E402
from workflow.usecases.clock import VN_TZ, FixedClock  # noqa: E402
from workflow.usecases.context import open_context  # noqa: E402
from workflow.usecases.dossiers import add_candidate  # noqa: E402
from workflow.usecases.installation import initialise  # noqa: E402
from workflow.usecases.organizations import add_org  # noqa: E402


def raw_loop(path: Path, n: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE dossier (id INTEGER PRIMARY KEY, stage TEXT, version INTEGER)")
    conn.execute(
        "CREATE TABLE audit_event (id INTEGER PRIMARY KEY, dossier_id INTEGER, event TEXT, "
        "data TEXT, prev_hash TEXT, hash TEXT UNIQUE)"
    )
    conn.executemany("INSERT INTO dossier VALUES (?, 'nguon', 1)", [(i,) for i in range(1, n + 1)])
    prev = "0" * 64
    start = time.perf_counter()
    for i in range(1, n + 1):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE dossier SET stage='hoc_lop', version=version+1 WHERE id=?", (i,))
        data = json.dumps({"event": "cu_di_hoc"})
        digest = hashlib.sha256((prev + data).encode()).hexdigest()
        conn.execute(
            "INSERT INTO audit_event (dossier_id, event, data, prev_hash, hash) VALUES (?,?,?,?,?)",
            (i, "cu_di_hoc", data, prev, digest),
        )
        conn.execute("COMMIT")
        prev = digest
    elapsed = time.perf_counter() - start
    conn.close()
    return n / elapsed


def ketnap_loop(path: Path, n: int, *, signed: bool = True) -> float:
    """``signed=False`` measures the same loop without the signed head of each commit
    (AUD-HEAD): what one Ed25519 signature and one row per commit cost."""
    ctx = open_context(
        database_url(str(path)),
        "bench",
        FixedClock(datetime(2026, 11, 25, 9, tzinfo=VN_TZ)),
        require_init=False,
    )
    initialise(ctx)
    add_org(ctx, {"code": "TU", "name": "Tỉnh ủy", "kind": "cap_tinh"})
    add_org(
        ctx, {"code": "DU", "name": "Đảng ủy", "kind": "cap_uy_co_tham_quyen", "parent_code": "TU"}
    )
    add_org(ctx, {"code": "CB", "name": "Chi bộ", "kind": "chi_bo_co_so", "parent_code": "DU"})
    ids = [
        add_candidate(
            ctx,
            {
                "full_name": "Nguyễn Văn Thắng",
                "birth_date": "15/08/2000",
                "sex": "nam",
                "cccd": make_cccd(date(2000, 8, 15), Sex.nam, i, "001"),
                "education": "dai_hoc",
                "org_code": "CB",
            },
        )["dossier_id"]
        for i in range(n)
    ]
    if not signed:  # an installation that does not sign: no key, and none recorded
        with ctx.write() as s:
            s.exec(delete(Installation).where(col(Installation.key) == "public_key"))
        ctx.signer = None
    start = time.perf_counter()
    for did in ids:
        advance(ctx, did, Event.cu_di_hoc)
    elapsed = time.perf_counter() - start
    ctx.engine.dispose()
    return n / elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        raw = raw_loop(Path(tmp) / "raw.db", n)
        # the unsigned baseline first: a loop run later in the same process measures slower
        unsigned = ketnap_loop(Path(tmp) / "unsigned.db", n, signed=False)
        ours = ketnap_loop(Path(tmp) / "ketnap.db", n)
    print(f"transitions: {n}")
    print(f"raw sqlite3 UPDATE+INSERT commit loop: {raw:,.0f} /s")
    print(f"ketnap advance (service, guards, audit, signed head): {ours:,.0f} /s")
    print(f"ratio ketnap/raw: {ours / raw:.2f} (goal >= 0.5)")
    cost = (1 / ours - 1 / unsigned) * 1e6
    print(
        f"the same without the signed head: {unsigned:,.0f} /s; the signed head costs "
        f"{cost:,.0f} µs a commit (ratio signed/unsigned {ours / unsigned:.2f})"
    )


if __name__ == "__main__":
    main()
