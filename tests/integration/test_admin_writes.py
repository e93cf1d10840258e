"""A setting that moves every open dossier's deadlines (issue 17): one small unit of work
for the setting, then the deadlines in bounded batches, each its own transaction.

The reference is the code from before: the setting and every open dossier's deadlines
recomputed in one unit of work (``settings.resync_all``, ``tracking.refresh_next_fire``),
on a copy of the same database. Thousands of open dossiers, small batches: many batches.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bench.synthetic import generate
from models import audit
from models.tables import CalendarOverride, Dossier, ReminderPolicy
from scheduler.scan import scan
from tests.conftest import NOW, TREE, admit, make_context, new_candidate
from tests.databases import ON_POSTGRES, TestDB, new_db
from workflow.usecases import agenda, recompute, tracking
from workflow.usecases.context import Context, replace_row
from workflow.usecases.dossiers import load_facts, sync_dossier
from workflow.usecases.organizations import add_org
from workflow.usecases.replay import differences
from workflow.usecases.settings import resync_all, set_calendar_day
from workflow.usecases.trust import verify_audit

AS_OF = date(2026, 11, 25)
DOSSIERS = 5000
BATCH = 300  # 17 batches of dossiers
DAY_OFF = date(2026, 12, 1)  # a Tuesday made a day off: the dues after it move
POLICY = {"kind": "D-CEREMONY", "leads": "7,3,0", "overdue_every": "3", "roles": "bi_thu"}

Rows = dict[tuple[str, str], tuple[Any, ...]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDB]:
    """Thousands of open dossiers in the steady state of a daily scan (yesterday's scan has
    run: reminder progress to keep or restart), and two admitted through the use cases."""
    folder = tmp_path_factory.mktemp("admin")
    db = new_db(folder, "admin")
    ctx = make_context(db)
    for org in TREE:
        add_org(ctx, org)
    for _ in range(2):
        admit(ctx, new_candidate(ctx))
    generate(ctx, DOSSIERS, as_of=AS_OF, cells=20, last_scan=date(2026, 11, 24))
    with ctx.write() as s:
        tracking.sync_cycle(s, AS_OF.year, AS_OF, ctx.clock.now())
    ctx.engine.dispose()
    yield db
    db.drop()


def _copy(built: TestDB, folder: Path) -> tuple[TestDB, Context]:
    folder.mkdir()
    db = built.copy(folder)
    return db, make_context(db)


@pytest.fixture
def batched(built: TestDB, tmp_path: Path) -> Iterator[Context]:
    """A copy of the database for one test to change."""
    db, ctx = _copy(built, tmp_path / "batches")
    yield ctx
    ctx.engine.dispose()
    db.drop()


@pytest.fixture(scope="module")
def reference(built: TestDB, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The day off with every open dossier recomputed in one transaction, on a copy: the
    deadlines, and the deadlines and reminders after the day's scan (that one transaction
    gives what the code from before gives: ``test_one_batch_gives_what_the_code_before_gave``)."""
    db, ctx = _copy(built, tmp_path_factory.mktemp("reference") / "db")
    set_calendar_day(ctx, DAY_OFF, False, "Nghỉ bù (thử)", batch=10 * DOSSIERS)
    made = {"set": deadlines(ctx)}
    scan(ctx, AS_OF)
    made.update(scanned=deadlines(ctx), reminders=reminder_keys(ctx))
    ctx.engine.dispose()
    db.drop()
    return made


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pause that lets a waiting clerk in (SQLite) is not what these tests measure."""
    monkeypatch.setattr(recompute, "PAUSE", 0.0)


def deadlines(ctx: Context) -> Rows:
    with ctx.read() as s:
        rows = s.connection().execute(
            text(
                "SELECT subject, kind, dossier_id, org_id, rule_id, label, start, due, done_on,"
                " milestone, target, last_step, next_fire_on, created_on, updated_at FROM deadline"
            )
        )
        return {(r[0], r[1]): tuple(r[2:]) for r in rows}


def events(ctx: Context) -> list[tuple[int, str, str]]:
    with ctx.read() as s:
        rows = s.connection().execute(text("SELECT id, kind, event FROM audit_event ORDER BY id"))
        return [(r[0], r[1], r[2]) for r in rows]


def markers(ctx: Context) -> dict[str, tuple[Any, ...]]:
    with ctx.read() as s:
        rows = s.connection().execute(
            text("SELECT scope, after_id, cause, rows, batches FROM recompute")
        )
        return {r[0]: tuple(r[1:]) for r in rows}


def old_calendar_set(ctx: Context, day: date, working: bool, note: str) -> None:
    """``calendar set`` as it was: the day and every open deadline in one unit of work."""
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


def old_policy_set(ctx: Context, data: dict[str, str], reason: str) -> int:
    """``reminders policy set`` as it was: the policy and every next day in one unit."""
    with ctx.write() as s:
        row = ReminderPolicy(
            kind=data["kind"],
            leads=data["leads"],
            overdue_every=int(data["overdue_every"]),
            roles=data["roles"],
            reason=reason,
            set_by=ctx.actor,
            set_at=ctx.clock.now(),
        )
        replace_row(s, s.get(ReminderPolicy, data["kind"]), row)
        moved = tracking.refresh_next_fire(s, data["kind"], tracking.calendar(s))
        audit.append(
            s, at=ctx.clock.now(), actor=ctx.actor, kind="admin", event="dat_cach_nhac", data=data
        )
    return moved


def new_calendar_set(ctx: Context, on_batch: recompute.OnBatch | None = None) -> dict[str, Any]:
    return set_calendar_day(ctx, DAY_OFF, False, "Nghỉ bù (thử)", batch=BATCH, on_batch=on_batch)


Change = Callable[[Context, list[recompute.Progress]], int]


def _calendar(ctx: Context, seen: list[recompute.Progress]) -> int:
    return int(new_calendar_set(ctx, lambda p: seen.append(replace(p)))["recomputed"])


def _policy(ctx: Context, seen: list[recompute.Progress]) -> int:
    done = agenda.policy_set(
        ctx, POLICY, "Nhắc sát hơn", batch=BATCH, on_batch=lambda p: seen.append(replace(p))
    )
    return int(done["deadlines_moved"])


@pytest.mark.parametrize("change", [_calendar, _policy], ids=["calendar", "policy"])
def test_the_batches_come_to_what_one_big_transaction_gives(
    batched: Context, reference: dict[str, Any], change: Change, tmp_path: Path, built: TestDB
) -> None:
    before = deadlines(batched)
    log_before = events(batched)
    with batched.read() as s:
        state_before = differences(s.connection())[0]
    seen: list[recompute.Progress] = []
    done = change(batched, seen)
    after = deadlines(batched)
    if change is _calendar:
        assert done == DOSSIERS + 2
        assert len(seen) == done // BATCH + 1  # every batch its own transaction
        assert after == reference["set"]
    else:  # the code from before: every next day in the setting's one unit of work
        db, old = _copy(built, tmp_path / "old")
        assert done == old_policy_set(old, POLICY, "Nhắc sát hơn") > DOSSIERS
        assert len(seen) == done // (BATCH * recompute.NEXT_FIRE_RATIO) + 1
        assert after == deadlines(old)
        old.engine.dispose()
        db.drop()
    moved = {k for k in after if after[k] != before.get(k)}
    assert len(moved) > DOSSIERS // 10  # the setting did move deadlines
    assert seen[-1].finished and not [p for p in seen[:-1] if p.finished]
    assert all(r[0] is None for r in markers(batched).values())  # nothing pending
    # the log: the setting, and one event for the whole recompute (not one per dossier)
    added = [e[1:] for e in events(batched)[len(log_before) :]]
    cause = "ghi_de_lich" if change is _calendar else "dat_cach_nhac"
    assert added == [("admin", cause), ("admin", recompute.EVENT)]
    assert verify_audit(batched).ok
    with batched.read() as s:
        assert differences(s.connection())[0] == state_before  # the table still agrees


def test_one_batch_gives_what_the_code_before_gave(
    db: TestDB, ctx: Context, tmp_path: Path
) -> None:
    """Hundreds of dossiers: the batches (small ones, and one for all) come to the rows the
    code from before wrote, one dossier after another in the setting's unit of work."""
    for _ in range(2):
        admit(ctx, new_candidate(ctx))
    generate(ctx, 400, as_of=AS_OF, cells=5, last_scan=date(2026, 11, 24))
    ctx.engine.dispose()  # PostgreSQL copies a database no one is connected to
    copies = [_copy(db, tmp_path / name) for name in ("small", "one", "old")]
    (_, small), (_, one), (_, old) = copies
    set_calendar_day(small, DAY_OFF, False, "Nghỉ bù (thử)", batch=37)
    set_calendar_day(one, DAY_OFF, False, "Nghỉ bù (thử)", batch=1000)
    old_calendar_set(old, DAY_OFF, False, "Nghỉ bù (thử)")
    assert deadlines(small) == deadlines(one) == deadlines(old) != deadlines(ctx)
    for copy, context in copies:
        context.engine.dispose()
        copy.drop()


def test_a_crash_in_a_batch_leaves_a_marker_the_next_scan_finishes_first(
    batched: Context, reference: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tracking.sync_many
    calls = []

    def crashing(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        if len(calls) == 5:  # the setting's cycle, then the fourth batch of dossiers
            raise RuntimeError("mất điện giữa lô")
        return real(*args, **kwargs)

    monkeypatch.setattr(tracking, "sync_many", crashing)
    with pytest.raises(RuntimeError):
        new_calendar_set(batched)
    monkeypatch.setattr(tracking, "sync_many", real)
    (marker,) = markers(batched).values()
    after_id, cause, rows, batches = marker
    assert (cause, rows, batches) == ("ghi_de_lich", 3 * BATCH, 3)
    assert after_id is not None and after_id > 0  # where the third batch ended
    assert [e[2] for e in events(batched)][-1] == "ghi_de_lich"  # no completion yet
    assert deadlines(batched) != reference["set"]  # the dossiers after it: the old day

    scan(batched, AS_OF)  # finishes the recompute before it raises anything
    assert deadlines(batched) == reference["scanned"]
    assert reminder_keys(batched) == reference["reminders"]
    assert all(r[0] is None for r in markers(batched).values())
    assert [e[2] for e in events(batched)].count(recompute.EVENT) == 1
    assert verify_audit(batched).ok

    # idempotent: the same recompute again, from the first dossier, writes nothing
    with batched.write() as s:
        recompute.mark(s, batched, recompute.DEADLINES, "thu_lai")
    (again,) = recompute.finish(batched, size=BATCH * 4)
    assert again.done == DOSSIERS + 2 and again.moved == 0
    assert deadlines(batched) == reference["scanned"]


def reminder_keys(ctx: Context) -> set[tuple[Any, ...]]:
    with ctx.read() as s:
        rows = s.connection().execute(
            text(
                "SELECT subject, kind, due, step, fire_on FROM reminder"
                " WHERE subject NOT LIKE 'audit:%'"
            )
        )
        return {tuple(r) for r in rows}


def test_no_scan_batch_runs_while_a_recompute_is_pending(
    batched: Context, reference: dict[str, Any]
) -> None:
    """A scan that finds a setting's recompute pending (its command was killed before any
    batch) recomputes first: it raises the reminders of the new deadlines, never the old."""
    with batched.write() as s:  # the setting's own unit of work, and then the process died
        day = CalendarOverride(
            day=DAY_OFF, working=False, note="", set_by="x", set_at=batched.clock.now()
        )
        s.add(day)
        s.flush()
        tracking.sync_cycle(s, AS_OF.year, AS_OF, batched.clock.now())
        recompute.mark(s, batched, recompute.DEADLINES, "ghi_de_lich")
    scan(batched, AS_OF, batch_size=BATCH)
    assert reminder_keys(batched) == reference["reminders"]
    assert deadlines(batched) == reference["scanned"]


def test_a_clerk_write_between_batches_is_kept(batched: Context) -> None:
    """Each batch reads the facts as they are when it runs: a dossier changed by a clerk
    after the setting and before its batch keeps what the clerk's write computed."""
    late = {}

    def clerk(p: recompute.Progress) -> None:
        if p.batches == 1:  # the last dossiers are not recomputed yet: a clerk writes one
            late["id"] = new_candidate(batched)
            admit(batched, late["id"])

    new_calendar_set(batched, clerk)
    before = deadlines(batched)
    mine = {k: v for k, v in before.items() if k[0] == f"dossier:{late['id']}"}
    assert mine  # D-DECIDE, D-CEREMONY
    with batched.write() as s:  # what a clerk's write computes for it now
        d = s.get(Dossier, late["id"])
        assert d is not None
        sync_dossier(s, d, load_facts(s, d), batched)
    assert deadlines(batched) == before


def test_a_batch_size_below_one_is_refused_before_anything_is_written(ctx: Context) -> None:
    before = events(ctx)
    from workflow.domain.errors import BadInput

    with pytest.raises(BadInput):
        set_calendar_day(ctx, DAY_OFF, False, "", batch=0)
    assert events(ctx) == before and markers(ctx) == {}


def test_the_state_replayed_from_the_log_still_agrees(ctx: Context) -> None:
    """``audit verify --state``: a batched recompute changes no dossier row and no event the
    replay reads (its one event names no dossier)."""
    ids = [new_candidate(ctx) for _ in range(12)]
    for did in ids[:3]:
        admit(ctx, did)
    set_calendar_day(ctx, DAY_OFF, False, "Nghỉ bù (thử)", batch=5)
    report = verify_audit(ctx, state=True)
    assert report.ok, report.problems
    assert [e[2] for e in events(ctx)][-2:] == ["ghi_de_lich", recompute.EVENT]


def _pending_day_off(ctx: Context) -> None:
    """The day off's own unit of work, its recompute marked (as ``set_calendar_day``)."""
    with ctx.write() as s:
        s.add(CalendarOverride(day=DAY_OFF, working=False, note="", set_by="x", set_at=NOW))
        s.flush()
        tracking.sync_cycle(s, AS_OF.year, AS_OF, ctx.clock.now())
        recompute.mark(s, ctx, recompute.DEADLINES, "ghi_de_lich")


_LOCK_WAITS = text(
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serialises writers: no row is ever held")
def test_postgresql_a_dossier_a_clerk_holds_is_waited_for_not_skipped(
    batched: Context, reference: dict[str, Any]
) -> None:
    """A batch stops before the dossier another transaction holds (it never waits while
    holding other rows: no deadlock with a clerk's transaction), then waits for it alone."""
    _pending_day_off(batched)
    with batched.read() as s:
        ids = [r[0] for r in s.connection().execute(text("SELECT id FROM dossier ORDER BY id"))]
    held = ids[2 * BATCH + 10]  # in the third batch
    engine = create_engine(batched.engine.url.render_as_string(hide_password=False))
    clerk = engine.connect()
    sizes: list[int] = []

    def release_once_waited_for() -> None:
        """The clerk's transaction ends once the server shows the runner waiting for it."""
        with engine.connect() as watch:
            while not watch.execute(_LOCK_WAITS).scalar():
                watch.rollback()
                time.sleep(0.01)
        clerk.commit()

    releaser = threading.Thread(target=release_once_waited_for)

    def on_batch(p: recompute.Progress) -> None:
        sizes.append(p.done - sum(sizes))
        if p.batches == 1:  # a clerk's transaction takes the dossier's row and keeps it
            clerk.execute(text("SELECT id FROM dossier WHERE id = :d FOR UPDATE"), {"d": held})
            releaser.start()

    recompute.finish(batched, size=BATCH, on_batch=on_batch)
    releaser.join(timeout=60)
    clerk.close()
    engine.dispose()
    assert sizes[:5] == [BATCH, BATCH, 10, 1, BATCH]  # stopped before it, then it alone
    assert deadlines(batched) == reference["set"]


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite: a transaction open now holds no lock")
def test_postgresql_the_batches_wait_for_transactions_older_than_the_setting(
    batched: Context, reference: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clerk's transaction open when the setting commits may have read the old setting:
    no batch begins before it ends (what it writes, the batches then see)."""
    _pending_day_off(batched)
    engine = create_engine(batched.engine.url.render_as_string(hide_password=False))
    clerk = engine.connect()
    clerk.execute(text("SELECT day FROM calendar_override"))  # open, the old setting read
    settling = threading.Event()
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        settling.set()
        real_sleep(seconds)

    monkeypatch.setattr(recompute.time, "sleep", sleep)
    runner = threading.Thread(target=recompute.finish, args=(batched,))
    runner.start()
    assert settling.wait(timeout=30)  # the runner waits for the clerk's transaction
    assert [r[0] for r in markers(batched).values()] == [0]  # and has recomputed nothing
    clerk.commit()
    runner.join(timeout=60)
    clerk.close()
    engine.dispose()
    assert not runner.is_alive()
    assert deadlines(batched) == reference["set"]
