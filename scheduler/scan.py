"""The scan: deadlines whose next reminder day has come → reminders, exactly once.

The database is the source of truth. A reminder's key is (subject, kind, due, step) under a
unique constraint, inserted with INSERT … ON CONFLICT DO NOTHING, so a second scan, a
restart after a crash or a second scanner running at the same time cannot double it. Work
goes in batches, each one transaction (BEGIN IMMEDIATE on SQLite) that reads the due rows,
writes the reminders (which are the in-app inbox), queues their e-mails in the outbox, moves
each deadline's ``next_fire_on`` past today and appends one audit event; a process killed
between batches leaves whole batches behind, and the next scan takes up the rest.

A setting change's recompute still pending (a command killed in the middle of it) is
finished first, and no batch runs while one is pending: a reminder is never raised from a
deadline computed under the old setting (workflow/usecases/recompute.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from models import audit
from models.among import among
from models.bulk import insert_rows
from models.tables import Candidate, Contact, Deadline, Dossier, Outbox, Reminder
from workflow.domain.calendar import WorkingCalendar
from workflow.domain.planning import shortfall_note
from workflow.domain.reminders import Policy, latest_step, next_step, step_text
from workflow.domain.vocabulary import Role
from workflow.text.vntext import fmt_date
from workflow.usecases import recompute, tracking
from workflow.usecases.access import Action
from workflow.usecases.context import Context
from workflow.usecases.nightly import audit_nightly

DEFAULT_BATCH = 5000

_DUE_ROWS = (
    sa_select(
        col(Deadline.id),
        col(Deadline.subject),
        col(Deadline.kind),
        col(Deadline.rule_id),
        col(Deadline.dossier_id),
        col(Deadline.org_id),
        col(Deadline.label),
        col(Deadline.due),
        col(Deadline.milestone),
        col(Deadline.target),
        col(Deadline.last_step),
        col(Deadline.created_on),
        col(Candidate.full_name),
    )
    .outerjoin(Dossier, col(Dossier.id) == col(Deadline.dossier_id))
    .outerjoin(Candidate, col(Candidate.id) == col(Dossier.candidate_id))
    .where(col(Deadline.next_fire_on) <= bindparam("as_of"), col(Deadline.done_on).is_(None))
    .order_by(col(Deadline.next_fire_on), col(Deadline.id))
    .limit(bindparam("limit"))
)

# Several scheduler nodes on one PostgreSQL database: each batch claims its rows with FOR
# UPDATE SKIP LOCKED, so nodes share the work instead of repeating it; the unique reminder
# key still makes every reminder exactly once. When a claim finds nothing free, the node
# waits on the rows other nodes hold (FOR UPDATE): it ends only when no due row is left, so
# a node killed mid-batch (its rows released by the rollback) is finished by the others.
# SQLite serialises writers (BEGIN IMMEDIATE): the plain query is already a claim there.
_CLAIM = _DUE_ROWS.with_for_update(skip_locked=True, of=Deadline)
_CLAIM_WAIT = _DUE_ROWS.with_for_update(of=Deadline)

_MOVE = (
    update(Deadline)
    .where(among(col(Deadline.id), "ids"))
    .values(last_step=bindparam("step"), next_fire_on=bindparam("next_on"))
)

# The batch's reminders (new, or raised by an earlier scan) with their ids, for the outbox
_REMINDER_IDS = sa_select(
    col(Reminder.id),
    col(Reminder.subject),
    col(Reminder.kind),
    col(Reminder.due),
    col(Reminder.step),
).where(among(col(Reminder.subject), "subjects"))


@dataclass
class ScanReport:
    as_of: date
    raised: int = 0
    late: int = 0
    already: int = 0  # steps another scan had raised already (a restart, a second scanner)
    emails: int = 0
    batches: int = 0
    examined: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    audit: str = ""  # the audit's daily work done by this scan (workflow/usecases/nightly.py)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "raised": self.raised,
            "late": self.late,
            "already": self.already,
            "emails": self.emails,
            "batches": self.batches,
            "examined": self.examined,
            "kinds": dict(sorted(self.kinds.items())),
            "audit": self.audit,
        }

    def summary(self) -> str:
        text = (
            f"Quét nhắc việc ngày {fmt_date(self.as_of)}: {self.raised} nhắc việc mới"
            f" ({self.late} nhắc muộn), {self.emails} thư chờ gửi, {self.examined} hạn đã xét"
        )
        if self.already:
            text += f", {self.already} đã có từ trước (không ghi lại)"
        return text + "." + (f" Nhật ký: {self.audit}." if self.audit else "")


class _ScanState:
    """What one scan reads once: organizations, policies, contacts, this year's progress."""

    def __init__(self, s: Session, as_of: date) -> None:
        self.tree = tracking.OrgTree(s)
        self.policies = tracking.policies(s)
        self.cal: WorkingCalendar = tracking.calendar(s)
        self.contacts: dict[tuple[int, str], list[str]] = {}
        for org_id, role, email in s.connection().execute(
            sa_select(col(Contact.org_id), col(Contact.role), col(Contact.email))
        ):
            self.contacts.setdefault((org_id, role), []).append(email)
        self._admitted: dict[int, list[date]] | None = None
        self._year = as_of.year
        self._s = s
        self._steps: dict[tuple[str, date, bool, int | None], Any] = {}
        self._recipients: dict[tuple[int, str], tuple[list[tuple[Role, int]], str]] = {}
        self.dates: dict[date, str] = {}

    def recipients(self, org_id: int, kind: str) -> tuple[list[tuple[Role, int]], str]:
        """Who receives a kind of reminder for an organization: (role, organization id)
        pairs, and the same as text ("bi_thu@CB-VP chuyen_vien@DUK-CQ")."""
        key = (org_id, kind)
        found = self._recipients.get(key)
        if found is None:
            pairs = self.tree.recipients(org_id, self.policy(kind).roles)
            text = " ".join(f"{role.value}@{node.code}" for role, node in pairs)
            found = self._recipients[key] = ([(r, n.id) for r, n in pairs], text)
        return found

    def fmt(self, day: date) -> str:
        text = self.dates.get(day)
        if text is None:
            text = self.dates[day] = fmt_date(day)
        return text

    def policy(self, kind: str) -> Policy:
        return tracking.policy_for(self.policies, kind)

    def steps(
        self, kind: str, due: date, milestone: bool, last: int | None, as_of: date
    ) -> tuple[tuple[int, date] | None, int | None, date | None]:
        """(step to raise or None, the step now last, the next step's day), memoised: a
        million deadlines share a few thousand (kind, due date, last step) combinations."""
        key = (kind, due, milestone, last)
        found = self._steps.get(key)
        if found is None:
            policy = self.policy(kind)
            reached = latest_step(due, milestone, policy, self.cal, as_of)
            raise_ = reached if reached and (last is None or reached[0] > last) else None
            now_last = raise_[0] if raise_ else last
            following = next_step(now_last, due, milestone, policy, self.cal)
            next_on = following[1] if following else None
            if next_on is not None and next_on <= as_of:  # pragma: no cover - defensive
                next_on = None  # never leave a row that the loop would read again
            found = self._steps[key] = (raise_, now_last, next_on)
        return found

    def admitted(self, org_id: int, as_of: date) -> int:
        if self._admitted is None:
            self._admitted = tracking.rolled_up(
                self.tree, tracking.admissions_by_org(self._s, self._year)
            )
        return sum(1 for d in self._admitted.get(org_id, ()) if d <= as_of)


def scan(
    ctx: Context,
    as_of: date | None = None,
    *,
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[ScanReport], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> ScanReport:
    """One scan at ``as_of`` (default: the clock's today); safe to run again at any time,
    and to stop between batches (``should_stop``): the next scan takes up the rest."""
    as_of = as_of or ctx.today()
    report = ScanReport(as_of)
    with ctx.write() as s:
        ctx.allow(s, Action.scan)
        tracking.sync_cycle(s, as_of.year, as_of, ctx.clock.now())
    dialect = ctx.engine.dialect.name
    while not should_stop():
        recompute.finish(ctx, should_stop=should_stop)  # a setting's deadlines first
        with ctx.write() as s:
            if recompute.pending(s):  # a setting changed since: recompute, then scan
                continue
            state = _ScanState(s, as_of)
            conn = s.connection()
            params = {"as_of": as_of, "limit": batch_size}
            if dialect == "postgresql":
                rows = conn.execute(_CLAIM, params).all()
                if not rows:
                    rows = conn.execute(_CLAIM_WAIT, params).all()
            else:
                rows = conn.execute(_DUE_ROWS, params).all()
            if not rows:
                break
            now = ctx.clock.now()
            batch = _batch(rows, state, as_of, now)
            report.batches += 1
            report.examined += len(rows)
            # the unique reminder key skips one raised already (another node, a rerun)
            inserted = insert_rows(conn, Reminder, batch.reminders, skip_existing=True)
            emails = _queue_emails(conn, batch, state, now)
            for (step, next_on), ids in batch.moves.items():
                conn.execute(_MOVE, {"ids": ids, "step": step, "next_on": next_on})
            late = sum(1 for r in batch.reminders if r["late"])
            report.raised += inserted
            report.already += len(batch.reminders) - inserted
            report.late += late
            report.emails += emails
            for r in batch.reminders:
                report.kinds[r["kind"]] = report.kinds.get(r["kind"], 0) + 1
            audit.append(
                s,
                at=now,
                actor=ctx.actor,
                kind="scan",
                event="quet_nhac_viec",
                data={
                    "as_of": as_of.isoformat(),
                    "batch": report.batches,
                    "examined": len(rows),
                    "raised": inserted,
                    "late": late,
                    "emails": emails,
                },
            )
        if on_batch is not None:
            on_batch(report)
    if not should_stop():  # the audit's daily checkpoint and nightly state check
        report.audit = audit_nightly(ctx, as_of).summary()
    return report


@dataclass
class _Batch:
    reminders: list[dict[str, Any]]
    to: list[list[tuple[Role, int]]]  # each reminder's recipients: role and organization id
    # deadlines moved together: (new last step, next day) → their ids; rows of the same
    # kind and due date move alike, so a batch needs a few statements, not one per row
    moves: dict[tuple[int | None, date | None], list[int]]


def _batch(rows: Sequence[Any], state: _ScanState, as_of: date, now: datetime) -> _Batch:
    reminders: list[dict[str, Any]] = []
    to: list[list[tuple[Role, int]]] = []
    moves: dict[tuple[int | None, date | None], list[int]] = {}
    for row in rows:
        raise_, last, next_on = state.steps(row.kind, row.due, row.milestone, row.last_step, as_of)
        if raise_ is not None:
            step, fire = raise_
            pairs, text = state.recipients(row.org_id, row.kind)
            reminders.append(_reminder(row, step, fire, text, state, as_of, now))
            to.append(pairs)
        moves.setdefault((last, next_on), []).append(row.id)
    return _Batch(reminders, to, moves)


def _reminder(
    row: Any,
    step: int,
    fire: date,
    recipients: str,
    state: _ScanState,
    as_of: date,
    now: datetime,
) -> dict[str, Any]:
    org = state.tree.nodes[row.org_id]
    if row.dossier_id is not None:
        head = f"Hồ sơ #{row.dossier_id} — {row.full_name} ({org.code})"
    else:
        head = f"{org.code} — {org.name}"
    message = f"{head}: {row.label}. Hạn {state.fmt(row.due)}; {step_text(step, row.milestone)}."
    if row.kind in {"P-HALF", "P-YEAR"} and row.target:
        admitted = state.admitted(row.org_id, as_of)
        message += f" Tính đến {fmt_date(as_of)}: {shortfall_note(row.kind, row.target, admitted)}."
    return {
        "subject": row.subject,
        "kind": row.kind,
        "due": row.due,
        "step": step,
        "rule_id": row.rule_id,
        "dossier_id": row.dossier_id,
        "org_id": row.org_id,
        "fire_on": fire,
        "raised_on": as_of,
        "raised_at": now,
        # late: its day had passed before this scan (the scanner was down); a deadline that
        # appeared today with steps already behind it is not late, it is new
        "late": max(fire, row.created_on) < as_of,
        "message": message,
        "recipients": recipients,
    }


def _queue_emails(conn: Any, batch: _Batch, state: _ScanState, now: datetime) -> int:
    """Outbox rows for the reminders' recipients that have an address (same transaction).
    A reminder that existed already has its rows already: inserting them again is a no-op."""
    rows: list[dict[str, Any]] = []
    addressed = []
    for r, to in zip(batch.reminders, batch.to, strict=True):
        emails = [e for role, oid in to for e in state.contacts.get((oid, role.value), [])]
        if emails:
            addressed.append((r, emails))
    if not addressed:
        return 0
    ids: dict[tuple[Any, ...], int] = {}
    subjects = list(dict.fromkeys(r["subject"] for r, _ in addressed))
    for i in range(0, len(subjects), 5000):
        for rid, *key in conn.execute(_REMINDER_IDS, {"subjects": subjects[i : i + 5000]}):
            ids[tuple(key)] = rid
    for r, emails in addressed:
        rid = ids[(r["subject"], r["kind"], r["due"], r["step"])]
        for email in dict.fromkeys(emails):
            rows.append(
                {
                    "reminder_id": rid,
                    "channel": "email",
                    "recipient": email,
                    "subject": f"[ketnap] Nhắc việc: hạn {fmt_date(r['due'])} — {r['kind']}",
                    "body": f"{r['message']}\n\nMã nhắc việc: {rid}. Thư gửi tự động từ ketnap.",
                    "status": "cho_gui",
                    "attempts": 0,
                    "next_attempt_at": now,
                }
            )
    return insert_rows(conn, Outbox, rows, skip_existing=True)


def due_count(ctx: Context, as_of: date) -> int:
    """How many deadline rows a scan at ``as_of`` would read (the bare indexed query)."""
    with ctx.read() as s:
        return int(
            s.connection()
            .execute(
                sa_select(func.count())
                .select_from(Deadline)
                .where(col(Deadline.next_fire_on) <= as_of, col(Deadline.done_on).is_(None))
            )
            .scalar_one()
        )
