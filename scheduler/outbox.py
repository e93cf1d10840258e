"""E-mail delivery from the outbox, after the scan's commit.

A row is claimed in a short transaction (``claimed_until`` is a lease: a worker that dies
gives its rows back when the lease ends), sent outside any transaction, then marked sent or
failed in another. SMTP has no idempotency of its own, so each message carries a stable
``Message-ID`` and an ``X-Ketnap-Idempotency-Key`` made from the outbox row: a resend after
a crash between "sent" and "marked" is recognisable by the receiving side. Failures are
retried with exponential back-off and stay visible (``ketnap outbox``) with their last error;
after ``MAX_ATTEMPTS`` a row is ``that_bai`` and needs a person.
"""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import bindparam, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from models.tables import AwareDateTime, Outbox
from workflow.domain.errors import BadInput
from workflow.text.vntext import nfc
from workflow.usecases.access import Action
from workflow.usecases.context import Context

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=2)

PENDING, SENT, FAILED = "cho_gui", "da_gui", "that_bai"
STATUS_LABELS = {PENDING: "chờ gửi", SENT: "đã gửi", FAILED: "thất bại"}


@dataclass(frozen=True)
class Mail:
    outbox_id: int
    reminder_id: int
    to: str
    subject: str
    body: str

    @property
    def idempotency_key(self) -> str:
        return f"ketnap-outbox-{self.outbox_id}-reminder-{self.reminder_id}"


class Sender(Protocol):
    def send(self, mail: Mail) -> None:
        """Deliver or raise; the exception's text (no personal data) is kept as last_error."""


@dataclass(frozen=True)
class SmtpSender:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0
    domain: str = "ketnap.local"

    def send(self, mail: Mail) -> None:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = mail.to
        msg["Subject"] = nfc(mail.subject)
        msg["Message-ID"] = f"<{mail.idempotency_key}@{self.domain}>"
        msg["X-Ketnap-Idempotency-Key"] = mail.idempotency_key
        msg.set_content(nfc(mail.body))
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(msg)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failure, at most two hours."""
    delay: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def summary(self) -> str:
        return (
            f"Gửi thư: {self.sent} đã gửi, {self.retried} sẽ thử lại, "
            f"{self.failed} thất bại hẳn (trên {self.claimed} thư đã nhận gửi)."
        )


_NOW = bindparam("now", type_=AwareDateTime())
_DUE = (
    sa_select(
        col(Outbox.id),
        col(Outbox.reminder_id),
        col(Outbox.recipient),
        col(Outbox.subject),
        col(Outbox.body),
        col(Outbox.attempts),
    )
    .where(
        col(Outbox.status) == PENDING,
        col(Outbox.next_attempt_at) <= _NOW,
        or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) < _NOW),
    )
    .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
    .limit(bindparam("limit"))
)


def _error_text(exc: BaseException) -> str:
    """What went wrong, for the clerk: the exception class and the server's reply only."""
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        return f"Máy chủ thư trả lời {exc.smtp_code}: {reply}"[:500]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "Máy chủ thư từ chối người nhận"
    if isinstance(exc, (OSError, socket.timeout)):
        return f"Không kết nối được máy chủ thư ({type(exc).__name__})"
    return type(exc).__name__


def deliver(
    ctx: Context,
    sender: Sender,
    *,
    worker: str = "ketnap",
    limit: int = 100,
    on_error: Callable[[Mail, str], None] | None = None,
) -> DeliveryReport:
    """Send what is due in the outbox now; every outcome is recorded."""
    report = DeliveryReport()
    now = ctx.clock.now()
    with ctx.write() as s:
        ctx.allow(s, Action.scan)
        conn = s.connection()
        rows = conn.execute(_DUE, {"now": now, "limit": limit}).all()
        if rows:
            conn.execute(
                update(Outbox)
                .where(col(Outbox.id).in_([r.id for r in rows]))
                .values(claimed_by=worker, claimed_until=now + LEASE)
            )
    report.claimed = len(rows)
    for row in rows:
        mail = Mail(row.id, row.reminder_id, row.recipient, row.subject, row.body)
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "claimed_by": None, "claimed_until": None}
        try:
            sender.send(mail)
        except Exception as exc:  # every failure is recorded, none stops the others
            error = _error_text(exc)
            values["last_error"] = error
            if attempts >= MAX_ATTEMPTS:
                values["status"] = FAILED
                report.failed += 1
            else:
                values["next_attempt_at"] = ctx.clock.now() + backoff(attempts)
                report.retried += 1
            if on_error is not None:
                on_error(mail, error)
        else:
            values.update(status=SENT, sent_at=ctx.clock.now(), last_error=None)
            report.sent += 1
        with ctx.write() as s:
            s.connection().execute(update(Outbox).where(col(Outbox.id) == row.id).values(values))
    return report


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


def sender_from_env() -> SmtpSender | None:
    """The SMTP server from KETNAP_SMTP_HOST, _PORT, _FROM, _USER, _PASSWORD, _STARTTLS."""
    import os

    host = os.environ.get("KETNAP_SMTP_HOST")
    if not host:
        return None
    return SmtpSender(
        host=host,
        port=int(os.environ.get("KETNAP_SMTP_PORT", "25")),
        sender=os.environ.get("KETNAP_SMTP_FROM", "ketnap@localhost"),
        user=os.environ.get("KETNAP_SMTP_USER") or None,
        password=os.environ.get("KETNAP_SMTP_PASSWORD") or None,
        starttls=os.environ.get("KETNAP_SMTP_STARTTLS", "") in {"1", "true", "co"},
    )
