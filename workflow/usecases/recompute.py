"""Deadlines recomputed after a setting changed, in bounded batches (issue 17).

A calendar day, a rule override or a reminder policy moves deadlines of every open dossier.
Recomputing them all in the setting's own unit of work held the write lock for as long as
100,000 dossiers take, and a clerk's write waiting behind it failed. Instead:

- the setting is one small unit of work: its row, its audit event, the planning cycle's
  rows (one per organization) and the marker of what is left, the ``recompute`` row of its
  scope set to "after id 0" (``mark``);
- each batch is then a unit of work of its own (``finish``): it reads the marker, takes the
  next ``size`` rows after it, recomputes them from the rows and the settings as they are
  now (a clerk's write between two batches is never overwritten by an older read), writes
  only what changed and moves the marker on; the batch that reaches the end clears it and
  appends one audit event for the whole recompute (``tinh_lai_han``), not one per dossier;
- recomputing a row twice gives the same row (a due that did not move keeps its reminder
  progress): a batch done again after a crash, or by two processes, changes nothing.

A process killed in or between batches leaves the marker where its last committed batch put
it; the next setting command, or the next ``ketnap scan`` (which raises no reminder while a
recompute is pending, so never from a deadline of the old setting), finishes it. Until
then a dossier not yet recomputed shows its deadlines under the old setting.

SQLite serialises writers, and a writer that waits polls the lock every 100 ms at most: a
runner that began its next batch at once would keep a clerk waiting for the whole
recompute. It pauses ``PAUSE`` between batches, so a waiting clerk gets the lock within one
batch. PostgreSQL locks rows, not the database: a batch skips the dossiers (and deadline
rows) a clerk's transaction holds and stops before the first of them, then waits for that
one alone; before the first batch it waits for the transactions that began before the
setting committed (they may have read the old setting and write after the batch has gone
by).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, text, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

from models import audit
from models.among import among
from models.bulk import insert_rows
from models.tables import Deadline, Dossier, Recompute
from workflow.domain.deadlines import chi_bo_date, dossier_dues
from workflow.domain.errors import BadInput
from workflow.domain.reminders import next_step
from workflow.domain.rules import rule_set_for
from workflow.text.vntext import count
from workflow.usecases import tracking
from workflow.usecases.context import Context
from workflow.usecases.dossiers import CLOSED_STAGES, DOSSIER_TABLE, load_facts_many
from workflow.usecases.step_reads import rule_overrides

DEADLINES = "deadlines"  # every open dossier's deadline rows (a calendar day, a rule override)
NEXT_FIRE = "next_fire:"  # + a kind: the next reminder day of its open deadlines (a policy)
BATCH = 2000  # dossiers per batch, each batch one transaction
NEXT_FIRE_RATIO = 10  # a deadline's next reminder day is cheap: ten times as many per batch
PAUSE = 0.12  # s between batches on SQLite: more than a waiting writer's longest poll (100 ms)
SETTLE = 10.0  # s at most, PostgreSQL: waiting for transactions older than the setting
EVENT = "tinh_lai_han"


def next_fire(kind: str) -> str:
    """The scope of a policy change: the next reminder day of one kind of deadline."""
    return NEXT_FIRE + kind


def mark(s: Session, ctx: Context, scope: str, cause: str) -> None:
    """In the setting's unit of work: all of ``scope`` is to be recomputed from its first
    row (from the first again when an earlier recompute of it is still pending: the rows
    that one did were computed under the setting before this one)."""
    conn = s.connection()
    now = ctx.clock.now()
    values: dict[str, Any] = {
        "after_id": 0,
        "cause": cause,
        "requested_by": ctx.actor,
        "requested_at": now,
        "rows": 0,
        "moved": 0,
        "batches": 0,
        "finished_at": None,
    }
    # the row exists once (two first settings at once on PostgreSQL: the second waits)
    insert_rows(conn, Recompute, [{"scope": scope, **values}], skip_existing=True)
    conn.execute(update(Recompute).where(col(Recompute.scope) == scope).values(values))


_PENDING = (
    sa_select(col(Recompute.scope), col(Recompute.cause), col(Recompute.after_id))
    .where(col(Recompute.after_id).is_not(None))
    .order_by(col(Recompute.scope))  # "deadlines" before "next_fire:…"
)


def pending(s: Session) -> list[str]:
    """The scopes a recompute is pending for (none: every deadline is under the settings)."""
    return [row.scope for row in s.connection().execute(_PENDING)]


@dataclass
class Progress:
    """One pending recompute as a run sees it, after each of its batches."""

    scope: str
    cause: str
    total: int  # rows to recompute when the run began (dossiers, or deadlines of the kind)
    done: int = 0  # rows this run recomputed
    moved: int = 0  # deadline rows this run wrote
    batches: int = 0
    finished: bool = False  # at its end (this run's last batch, or another process's)

    def line(self) -> str:
        shown = f"{count(self.done)}/{count(max(self.total, self.done))}"
        if self.scope == DEADLINES:
            what = f"Tính lại hạn: {shown} hồ sơ đang mở"
        else:
            what = f"Tính lại ngày nhắc {self.scope.removeprefix(NEXT_FIRE)}: {shown} hạn"
        return f"{what} (lô {self.batches}{', xong' if self.finished else ''})"


OnBatch = Callable[[Progress], None]


def check_size(size: int) -> None:
    """The batch size a setting was given, judged before anything is written."""
    if size < 1:
        raise BadInput.one("Số hồ sơ mỗi lô", "phải lớn hơn 0")


def after_setting(ctx: Context, scope: str, size: int, on_batch: OnBatch | None) -> int:
    """After a setting's commit: every pending recompute finished, batch by batch (the
    command returns when the deadlines are all under the new setting); the rows of
    ``scope`` this run recomputed."""
    return sum(p.done for p in finish(ctx, size=size, on_batch=on_batch) if p.scope == scope)


def finish(
    ctx: Context,
    *,
    size: int = BATCH,
    on_batch: OnBatch | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> list[Progress]:
    """Run every pending recompute to its end, batch after batch, each batch a unit of work
    of its own. Safe at any time, in several processes at once (each batch reads the marker
    in its own transaction, under the lock), and to stop between batches."""
    with ctx.read() as s:
        marked = s.connection().execute(_PENDING).all()
        work = [Progress(r.scope, r.cause, _left(s, r.scope, r.after_id)) for r in marked]
    if not work:
        return []
    postgres = ctx.engine.dialect.name == "postgresql"
    if postgres:
        _settle(ctx.engine)
    for progress in work:
        rows = size if progress.scope == DEADLINES else size * NEXT_FIRE_RATIO
        wait_for: int | None = None
        while not should_stop():
            if not postgres:
                time.sleep(PAUSE)  # a clerk waiting for the lock gets it before each batch
            with ctx.write() as s:
                step = _batch(s, ctx, progress.scope, rows, wait_for)
            progress.done += step.rows
            progress.moved += step.moved
            progress.finished = step.finished
            wait_for = step.busy if step.rows == 0 else None  # waited for alone, next
            if step.rows or step.finished:
                progress.batches += 1
                if on_batch is not None:
                    on_batch(progress)
            if step.finished:
                break
    return work


@dataclass(frozen=True)
class _Step:
    rows: int  # rows recomputed
    moved: int  # deadline rows written
    busy: int | None  # PostgreSQL: the first row a clerk's transaction held (stopped before)
    finished: bool


_MARKER = (
    sa_select(Recompute.__table__)  # type: ignore[attr-defined]
    .where(col(Recompute.scope) == bindparam("scope"))
    .with_for_update()  # PostgreSQL: one batch of a scope at a time (SQLite: BEGIN IMMEDIATE)
)


def _batch(s: Session, ctx: Context, scope: str, size: int, wait_for: int | None) -> _Step:
    """One batch of ``scope`` after its marker (only ``wait_for`` when given), the marker
    moved on; at the end the marker cleared and the recompute audited."""
    conn = s.connection()
    marker = conn.execute(_MARKER, {"scope": scope}).first()
    if marker is None or marker.after_id is None:
        return _Step(0, 0, None, True)  # finished meanwhile by another process
    if scope == DEADLINES:
        rows, moved, last, busy = _dossiers(s, ctx, marker.after_id, size, wait_for)
    else:
        kind = scope.removeprefix(NEXT_FIRE)
        rows, moved, last, busy = _next_fire(s, kind, marker.after_id, size, wait_for)
    end = busy is None and wait_for is None and rows < size
    now = ctx.clock.now()
    values: dict[str, Any] = {
        "after_id": None if end else last,
        "rows": marker.rows + rows,
        "moved": marker.moved + moved,
        "batches": marker.batches + (1 if rows or end else 0),
    }
    if end:
        values["finished_at"] = now
        audit.append(
            s,
            at=now,
            actor=ctx.actor,
            kind="admin",
            event=EVENT,
            data={
                "scope": scope,
                "cause": marker.cause,
                "requested_by": marker.requested_by,
                "requested_at": marker.requested_at.isoformat(),
                "rows": values["rows"],
                "moved": values["moved"],
                "batches": values["batches"],
            },
        )
    conn.execute(update(Recompute).where(col(Recompute.scope) == scope).values(values))
    return _Step(rows, moved, busy, end)


_OPEN_AFTER = (
    sa_select(DOSSIER_TABLE)
    .where(col(Dossier.id) > bindparam("after"), col(Dossier.stage).notin_(CLOSED_STAGES))
    .order_by(col(Dossier.id))
    .limit(bindparam("limit"))
)
_OPEN_ONE = (
    sa_select(DOSSIER_TABLE)
    .where(col(Dossier.id) == bindparam("id"), col(Dossier.stage).notin_(CLOSED_STAGES))
    .with_for_update()
)
_LOCK_DOSSIERS = (
    sa_select(col(Dossier.id))
    .where(among(col(Dossier.id), "ids"))
    .with_for_update(skip_locked=True)
)
_ROWS_OF = sa_select(col(Deadline.id), col(Deadline.dossier_id)).where(
    among(col(Deadline.dossier_id), "ids")
)


def _dossiers(
    s: Session, ctx: Context, after: int, size: int, wait_for: int | None
) -> tuple[int, int, int, int | None]:
    """The open dossiers after ``after`` (at most ``size``), their deadline rows made equal
    to what their facts and the settings give now: (dossiers, rows written, last id, the
    dossier a clerk holds that the batch stopped before)."""
    conn = s.connection()
    busy = None
    if wait_for is not None:  # PostgreSQL: wait for the clerk's transaction on it, then it
        rows: Sequence[Any] = conn.execute(_OPEN_ONE, {"id": wait_for}).all()
        conn.execute(_ROWS_OF.with_for_update(), {"ids": [wait_for]})
        last = wait_for
    else:
        rows = conn.execute(_OPEN_AFTER, {"after": after, "limit": size}).all()
        if rows and conn.dialect.name == "postgresql":
            rows, busy = _claimed(conn, rows)
        last = rows[-1].id if rows else after
    if not rows:
        return 0, 0, last, busy
    facts = load_facts_many(s, rows)
    cal = tracking.calendar(s)
    overrides = rule_overrides(s)
    today_, now = ctx.today(), ctx.clock.now()
    subjects: list[tracking.Subject] = []
    for d in rows:
        f = facts[d.id]
        rs = rule_set_for(chi_bo_date(f) or today_, overrides)
        dues = [] if f.stage.closed else dossier_dues(f, rs, cal)
        subjects.append((tracking.dossier_subject(d.id), d.org_id, d.id, dues))
    moved = tracking.sync_many(s, subjects, today_, now, cal, tracking.policies(s))
    return len(rows), moved, last, busy


def _claimed(conn: Connection, rows: Sequence[Any]) -> tuple[Sequence[Any], int | None]:
    """PostgreSQL: lock the batch's dossiers and their deadline rows, skipping those a
    clerk's transaction holds (it writes them under the new setting: it began after it,
    see ``_settle``); the batch is the rows before the first one skipped."""
    ids: list[int] = [r.id for r in rows]
    held = set(conn.execute(_LOCK_DOSSIERS, {"ids": ids}).scalars())
    every = conn.execute(_ROWS_OF, {"ids": ids}).all()
    got = set(conn.execute(_ROWS_OF.with_for_update(skip_locked=True), {"ids": ids}).scalars())
    busy: set[int] = {i for i in ids if i not in held}
    busy |= {d for r, d in every if r not in got and d is not None}
    if not busy:
        return rows, None
    first = min(busy)
    return [r for r in rows if r.id < first], first


# What a policy's recompute reads of a deadline (one kind's next reminder day).
_KIND_COLUMNS = sa_select(
    col(Deadline.id),
    col(Deadline.due),
    col(Deadline.milestone),
    col(Deadline.last_step),
    col(Deadline.next_fire_on),
)
_KIND_AFTER = (
    _KIND_COLUMNS.where(
        col(Deadline.kind) == bindparam("kind"),
        col(Deadline.done_on).is_(None),
        col(Deadline.id) > bindparam("after"),
    )
    .order_by(col(Deadline.id))
    .limit(bindparam("limit"))
)
_KIND_ONE = _KIND_COLUMNS.where(
    col(Deadline.id) == bindparam("id"),
    col(Deadline.kind) == bindparam("kind"),
    col(Deadline.done_on).is_(None),
).with_for_update()
_LOCK_ROWS = (
    sa_select(col(Deadline.id))
    .where(among(col(Deadline.id), "ids"))
    .with_for_update(skip_locked=True)
)
_SET_NEXT = (
    update(Deadline).where(among(col(Deadline.id), "ids")).values(next_fire_on=bindparam("next_on"))
)


def _next_fire(
    s: Session, kind: str, after: int, size: int, wait_for: int | None
) -> tuple[int, int, int, int | None]:
    """The open deadlines of ``kind`` after id ``after`` (at most ``size``), each with its
    next reminder day under the policy now: (rows, rows changed, last id, the row a clerk
    holds that the batch stopped before). Rows sharing a due date and a last step move
    alike: one UPDATE per group."""
    conn = s.connection()
    busy = None
    if wait_for is not None:  # PostgreSQL: wait for the transaction that holds it
        rows: Sequence[Any] = conn.execute(_KIND_ONE, {"id": wait_for, "kind": kind}).all()
        last = wait_for
    else:
        rows = conn.execute(_KIND_AFTER, {"kind": kind, "after": after, "limit": size}).all()
        if rows and conn.dialect.name == "postgresql":
            got = set(conn.execute(_LOCK_ROWS, {"ids": [r.id for r in rows]}).scalars())
            skipped = [r.id for r in rows if r.id not in got]
            if skipped:
                busy = skipped[0]
                rows = [r for r in rows if r.id < busy]
        last = rows[-1].id if rows else after
    if not rows:
        return 0, 0, last, busy
    policy = tracking.policy_for(tracking.policies(s), kind)
    cal = tracking.calendar(s)
    following: dict[tuple[date, bool, int | None], date | None] = {}
    groups: dict[date | None, list[int]] = {}
    for r in rows:
        key = (r.due, r.milestone, r.last_step)
        if key not in following:
            step = next_step(r.last_step, r.due, r.milestone, policy, cal)
            following[key] = step[1] if step else None
        if following[key] != r.next_fire_on:
            groups.setdefault(following[key], []).append(r.id)
    for next_on, ids in groups.items():
        conn.execute(_SET_NEXT, {"ids": ids, "next_on": next_on})
    return len(rows), sum(len(ids) for ids in groups.values()), last, busy


def _left(s: Session, scope: str, after: int) -> int:
    """How many rows of ``scope`` lie after ``after`` (for the progress shown)."""
    if scope == DEADLINES:
        query = (
            sa_select(func.count())
            .select_from(Dossier)
            .where(col(Dossier.id) > after, col(Dossier.stage).notin_(CLOSED_STAGES))
        )
    else:
        query = (
            sa_select(func.count())
            .select_from(Deadline)
            .where(
                col(Deadline.kind) == scope.removeprefix(NEXT_FIRE),
                col(Deadline.done_on).is_(None),
                col(Deadline.id) > after,
            )
        )
    return int(s.connection().execute(query).scalar_one())


# The transactions open on this database now, but this one: each holds its virtual
# transaction id's lock until it ends (the way CREATE INDEX CONCURRENTLY waits for them).
_OTHERS = text(
    "SELECT l.virtualxid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'virtualxid' AND l.granted AND l.pid <> pg_backend_pid()"
    " AND a.datname = current_database()"
)


def _settle(engine: Engine, timeout: float = SETTLE) -> None:
    """PostgreSQL: wait (``timeout`` at most) until every transaction open now has ended. A
    clerk's transaction that read the old setting before it committed may write a dossier's
    deadlines after a batch has recomputed it; once those have ended, every writer reads the
    new setting, and the batches after this see what they wrote."""
    end = time.monotonic() + timeout
    with engine.connect() as conn:
        waiting = set(conn.execute(_OTHERS).scalars())
        conn.rollback()  # pg_stat_activity is read once per transaction
        while waiting and time.monotonic() < end:
            time.sleep(0.005)
            waiting &= set(conn.execute(_OTHERS).scalars())
            conn.rollback()
