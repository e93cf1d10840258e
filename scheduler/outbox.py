"""E-mail delivery from the outbox, after the scan's commit: at least once, and never twice
while the senders are alive.

One message at a time. A row is claimed in a short transaction of its own: this run's
token in ``claimed_by`` and a lease in ``claimed_until`` (``lease_for``: ten minutes, and at
least five times ``Sender.limit``, the longest one send may take: scheduler/smtp.py cuts
the whole SMTP conversation at that limit, whatever the server does). The message is sent
outside any transaction, then marked sent or failed in another transaction that changes the
row only while it still holds this run's token. Two ``outbox send`` at once (cron
overlapping itself, two scheduler nodes) never take the same row: a row is one sender's
from its claim to its mark, and its lease cannot end while that sender is still talking to
the server (the hosts' clocks agreeing within a few minutes).

What SMTP cannot close: the server takes the message and the sender dies, or loses the
database, before the mark. The row stays claimed until its lease ends and is then sent
again: at most one copy more per such crash. Every message carries a ``Message-ID`` and an
``X-Ketnap-Idempotency-Key`` fixed by its outbox row, the same on every attempt, so the
receiving server or mailbox can drop the second copy.

Failures are retried with exponential back-off and stay visible (``ketnap outbox``) with
their last error; after ``MAX_ATTEMPTS`` a row is ``that_bai`` and needs a person. A server
that cannot be reached (or answers too slowly) stops the run after the message that found
it so: the others stay queued as they were, without an attempt counted.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Select, func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from models.tables import Outbox
from scheduler.smtp import Mail, ServerUnavailable, SmtpSender, error_text, sender_from_env
from workflow.domain.errors import BadInput
from workflow.usecases.access import Action
from workflow.usecases.context import Context

__all__ = ["Mail", "Sender", "SmtpSender", "deliver", "list_outbox", "sender_from_env"]

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=10)  # at least; see lease_for
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=2)

PENDING, SENT, FAILED = "cho_gui", "da_gui", "that_bai"
STATUS_LABELS = {PENDING: "chờ gửi", SENT: "đã gửi", FAILED: "thất bại"}


class Sender(Protocol):
    @property
    def limit(self) -> float:
        """The longest one send may take, in seconds (the claim's lease is longer)."""

    def send(self, mail: Mail) -> None:
        """Deliver or raise; the exception's text (no personal data) is kept as last_error.
        ``ServerUnavailable`` stops the run: the other messages are not tried."""


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failure, at most two hours."""
    delay: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


def lease_for(sender: Sender) -> timedelta:
    """How long a claim holds: well past the longest send, so that it never ends while its
    sender still talks to the server, with room for the mark and for the hosts' clocks."""
    return max(LEASE, timedelta(seconds=5 * sender.limit))


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0  # sent, but the claim had passed to another sender before the mark
    stopped: bool = False  # the server could not be reached: the rest were not tried
    error: str | None = None  # the last failure's text
    waiting: int = 0  # messages still queued after the run (counted when some were not sent)

    def summary(self) -> str:
        return (
            f"Gửi thư: {self.sent} đã gửi, {self.retried} sẽ thử lại, "
            f"{self.failed} thất bại hẳn (trên {self.claimed} thư đã nhận gửi)."
        )

    @property
    def complete(self) -> bool:
        """Everything this run took was delivered and recorded, and nothing stopped it."""
        return not (self.retried or self.failed or self.lost or self.stopped)

    def trouble(self) -> str | None:
        """What went wrong, in one line for whoever runs the delivery; None when nothing."""
        if self.complete:
            return None
        parts = []
        if self.retried or self.failed:
            parts.append(
                f"Không gửi được {self.retried + self.failed} thư ({self.error}); "
                f"{self.waiting} thư vẫn nằm trong hộp thư đi, sẽ gửi ở lần sau (ketnap outbox)."
            )
        if self.failed:
            parts.append(
                f"{self.failed} thư đã thử {MAX_ATTEMPTS} lần không được, không tự gửi nữa "
                "(ketnap outbox --status that_bai)."
            )
        if self.lost:
            parts.append(
                f"{self.lost} thư đã gửi nhưng lượt giữ thư đã hết trước khi ghi nhận (đồng hồ "
                "các máy lệch nhau?): thư đó có thể đến hai lần."
            )
        return " ".join(parts)


def _due(now: datetime, tried: list[int]) -> Select[*tuple[Any, ...]]:
    """The next message due and free (never claimed, or its lease has ended); on PostgreSQL
    a row another sender is claiming is skipped (SQLite serialises writers at BEGIN)."""
    query = sa_select(
        col(Outbox.id),
        col(Outbox.reminder_id),
        col(Outbox.recipient),
        col(Outbox.subject),
        col(Outbox.body),
        col(Outbox.attempts),
    ).where(
        col(Outbox.status) == PENDING,
        col(Outbox.next_attempt_at) <= now,
        or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) < now),
    )
    if tried:  # a run tries each message once
        query = query.where(col(Outbox.id).not_in(tried))
    return (
        query.order_by(col(Outbox.next_attempt_at), col(Outbox.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def claim_token() -> str:
    """This run's name on the rows it claims: the machine, the process and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def _claim(ctx: Context, token: str, lease: timedelta, tried: list[int]) -> tuple[Mail, int] | None:
    """Claim the next message due, in its own transaction: it and its attempts so far."""
    now = ctx.clock.now()
    with ctx.write() as s:
        conn = s.connection()
        row = conn.execute(_due(now, tried)).first()
        if row is None:
            return None
        taken = conn.execute(
            update(Outbox)
            .where(
                col(Outbox.id) == row.id,
                col(Outbox.status) == PENDING,
                or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) < now),
            )
            .values(claimed_by=token, claimed_until=now + lease)
        )
        if taken.rowcount != 1:  # pragma: no cover - the row is locked or the writer alone
            raise RuntimeError("outbox row claimed twice")
    return Mail(row.id, row.reminder_id, row.recipient, row.subject, row.body), row.attempts


def _mark(ctx: Context, outbox_id: int, token: str, values: dict[str, Any]) -> bool:
    """Record the outcome, only while this run still holds the claim."""
    with ctx.write() as s:
        done = s.connection().execute(
            update(Outbox)
            .where(col(Outbox.id) == outbox_id, col(Outbox.claimed_by) == token)
            .values(claimed_by=None, claimed_until=None, **values)
        )
    return done.rowcount == 1


def deliver(
    ctx: Context,
    sender: Sender,
    *,
    limit: int = 100,
    on_error: Callable[[Mail, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Send what is due in the outbox now, one claimed message at a time; every outcome is
    recorded. ``should_stop`` is asked before each message (the scheduler's SIGTERM)."""
    ctx.require(Action.scan)
    report = DeliveryReport()
    token = claim_token()
    lease = lease_for(sender)
    tried: list[int] = []
    while report.claimed < limit and not (should_stop is not None and should_stop()):
        claimed = _claim(ctx, token, lease, tried)
        if claimed is None:
            break
        mail, attempts = claimed[0], claimed[1] + 1
        tried.append(mail.outbox_id)
        report.claimed += 1
        values: dict[str, Any] = {"attempts": attempts}
        try:
            sender.send(mail)
        except Exception as exc:  # every failure is recorded, none stops the others…
            report.error = error = error_text(exc)
            report.stopped = isinstance(exc, ServerUnavailable)  # … but a server down
            values["last_error"] = error
            if attempts >= MAX_ATTEMPTS:
                values["status"] = FAILED
                report.failed += 1
            else:
                values["next_attempt_at"] = ctx.clock.now() + backoff(attempts)
                report.retried += 1
            if on_error is not None:
                on_error(mail, error)
            _mark(ctx, mail.outbox_id, token, values)  # lost: another sender has it now
        else:
            values.update(status=SENT, sent_at=ctx.clock.now(), last_error=None)
            report.sent += 1
            if not _mark(ctx, mail.outbox_id, token, values):
                report.lost += 1  # it may go once more (clocks apart by more than the lease)
        if report.stopped:
            break
    if not report.complete:
        report.waiting = _waiting(ctx)
    return report


def _waiting(ctx: Context) -> int:
    with ctx.read() as s:
        counted = s.connection().execute(
            sa_select(func.count()).select_from(Outbox).where(col(Outbox.status) == PENDING)
        )
        return int(counted.scalar_one())


def list_outbox(ctx: Context, status: str | None = None) -> list[dict[str, Any]]:
    """The mail waiting, sent or failed: addresses and subjects, for who runs the scan."""
    with ctx.read() as s:
        ctx.allow(s, Action.scan)
        if status is not None and status not in STATUS_LABELS:
            raise BadInput.one("Trạng thái", f"chọn một trong: {', '.join(STATUS_LABELS)}")
        query = select(Outbox)
        if status is not None:
            query = query.where(Outbox.status == status)
        rows = s.exec(query.order_by(col(Outbox.id))).all()
    out = []
    for r in rows:
        out.append(
            {
                "id": r.id,
                "reminder_id": r.reminder_id,
                "recipient": r.recipient,
                "subject": r.subject,
                "status": r.status,
                "status_label": STATUS_LABELS.get(r.status, r.status),
                "attempts": r.attempts,
                "next_attempt_at": _iso(r.next_attempt_at),
                "last_error": r.last_error,
                "sent_at": _iso(r.sent_at),
            }
        )
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
