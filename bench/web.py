"""The web application under load: N signed-in clients (httpx, one thread each) against a
real `ketnap serve` over a synthetic province of 200,000 dossiers, timing the dossier list
(filtered, paged), a dossier's page and one advance POST, next to a bare endpoint of the
same server returning a constant (`/san-sang`), in the same run.

    .venv/bin/python bench/web.py [--dossiers N] [--orgs K] [--clients C] [--requests R]
        [--sqlite FILE]

Goals (issue 15): list and dossier pages p95 ≤ 150 ms, advance POST p95 ≤ 250 ms with 8
clients on SQLite. The database named by --sqlite is built when empty and reused when full
(the POSTs use up dossiers: a rerun takes fresh ones).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # run from anywhere
os.environ.setdefault(
    "KETNAP_KEY", str(Path(tempfile.gettempdir()) / "ketnap-bench.khoa")
)  # PostgreSQL needs one

import httpx  # noqa: E402

from bench.province import build  # noqa: E402
from workflow.usecases.clock import FixedClock  # noqa: E402
from workflow.usecases.context import open_context  # noqa: E402
from workflow.usecases.installation import initialise  # noqa: E402
from workflow.usecases.users import add_user  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "mat-khau-do-tai-web"
NOW_TEXT = "25/11/2026 09:00"


def prepare(path: Path, dossiers: int, orgs: int) -> None:
    """The province, a rehearsal (its clock is pinned), with an administrator and a clerk
    of the whole province."""
    from bench.province import NOW

    url = f"sqlite:///{path}"
    ctx = open_context(url, "bench", FixedClock(NOW), require_init=False)
    initialise(ctx, rehearsal=True)
    build(url, dossiers, orgs, dossiers)
    conn = sqlite3.connect(path)
    has_users = conn.execute("SELECT count(*) FROM app_user").fetchone()[0]
    root = conn.execute("SELECT code FROM organization WHERE parent_id IS NULL").fetchone()[0]
    conn.close()
    if not has_users:
        add_user(ctx, "quantri", "Quản trị", "quan_tri", password=PASSWORD)
        admin = replace(ctx, actor="quantri")
        add_user(admin, "cv_tinh", "Chuyên viên", "chuyen_vien", root, password=PASSWORD)
    ctx.engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(path: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "KETNAP_DB": str(path), "KETNAP_NOW": NOW_TEXT}
    env["KETNAP_KEY"] = str(path) + ".ed25519"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().decode()
    assert "Đang phục vụ" in line, line
    return proc, f"http://127.0.0.1:{port}"


def signed_in(base: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/dang-nhap").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    answer = client.post(
        "/dang-nhap",
        data={"csrf": token.group(1), "tiep": "/", "username": "cv_tinh", "password": PASSWORD},
    )
    assert answer.status_code == 303, answer.text[:300]
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/ho-so?trang=1").text)
    assert csrf
    return client, csrf.group(1)


def load(
    clients: list[tuple[httpx.Client, str]],
    requests: int,
    one: Callable[[httpx.Client, str, int], httpx.Response],
) -> tuple[float, list[float]]:
    """``requests`` calls of ``one`` shared among the clients, all at once; (req/s, ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    per = requests // len(clients)

    def work(n: int) -> None:
        client, csrf = clients[n]
        mine = []
        for k in range(per):
            start = time.perf_counter()
            answer = one(client, csrf, n * per + k)
            mine.append((time.perf_counter() - start) * 1000)
            if answer.status_code not in (200, 303):
                said = re.findall(r"<code>([^<]+)</code> ([^<]+)", answer.text)
                raise AssertionError(f"{answer.status_code}: {said[:3]}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(clients))]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - start), latencies


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--orgs", type=int, default=1_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--sqlite", type=Path)
    parser.add_argument("--workers", type=int, default=1, help="ketnap serve --workers")
    args = parser.parse_args()
    path = args.sqlite or Path(tempfile.mkdtemp()) / "web.db"
    print(f"province: {args.dossiers:,} dossiers, {args.orgs:,} organizations ({path})", flush=True)
    prepare(path, args.dossiers, args.orgs)
    conn = sqlite3.connect(path)
    orgs = [r[0] for r in conn.execute("SELECT code FROM organization WHERE kind = 'chi_bo_co_so'")]
    ids = [r[0] for r in conn.execute("SELECT id FROM dossier WHERE stage = 'ket_nap'")]
    received = {  # a ceremony can be held once the decision has arrived
        r[0]
        for r in conn.execute(
            "SELECT dossier_id FROM decision WHERE kind = 'ket_nap' AND received_on <= '2026-11-25'"
        )
    }
    rng = random.Random(7)
    rng.shuffle(ids)
    posts = [d for d in ids if d in received][: args.requests]
    # their ceremonies, recorded as a clerk would the day the decision arrived (setup only)
    conn.executemany(
        "INSERT INTO ceremony (dossier_id, held_on) SELECT :d, received_on FROM decision "
        "WHERE dossier_id = :d AND kind = 'ket_nap' AND NOT EXISTS "
        "(SELECT 1 FROM ceremony WHERE dossier_id = :d)",
        [{"d": d} for d in posts],
    )
    conn.commit()
    versions = dict(
        conn.execute(f"SELECT id, version FROM dossier WHERE id IN ({','.join(map(str, posts))})")
    )
    conn.close()
    proc, base = serve(path, args.workers)
    try:
        clients = [signed_in(base) for _ in range(args.clients)]
        steps: dict[str, Callable[[httpx.Client, str, int], httpx.Response]] = {
            "bare /san-sang": lambda c, t, k: c.get("/san-sang"),
            "list (org + stage, page 1..5)": lambda c, t, k: c.get(
                f"/ho-so?to_chuc={orgs[k % len(orgs)]}&giai_doan=ket_nap&trang={1 + k % 5}"
            ),
            "list (whole province, page k)": lambda c, t, k: c.get(f"/ho-so?trang={1 + k % 50}"),
            "dossier page": lambda c, t, k: c.get(f"/ho-so/{ids[(k * 7919) % len(ids)]}"),
            "advance POST (to_chuc_le)": lambda c, t, k: c.post(
                f"/ho-so/{posts[k]}/buoc",
                data={"csrf": t, "event": "to_chuc_le", "version": str(versions[posts[k]])},
            ),
            "bare /san-sang, again": lambda c, t, k: c.get("/san-sang"),
        }
        for c, _ in clients:  # warm: templates compiled, caches filled
            c.get("/ho-so?trang=1")
            c.get(f"/ho-so/{ids[0]}")
        print(
            f"{args.clients} clients, {args.requests} requests each step, {args.workers} worker(s)"
        )
        print(f"{'step':32} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'× bare p95':>10}")
        bare_p95 = 0.0
        for name, one in steps.items():
            rate, lat = load(clients, args.requests, one)
            p95 = p(lat, 95)
            bare_p95 = bare_p95 or p95
            print(f"{name:32} {rate:8.1f} {p(lat, 50):8.1f} {p95:8.1f} {p95 / bare_p95:10.1f}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
