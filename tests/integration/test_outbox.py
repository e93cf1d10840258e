"""E-mail delivery through the outbox, against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date, timedelta
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from scheduler.outbox import SmtpSender, backoff, deliver, list_outbox
from scheduler.scan import scan
from workflow.usecases import agenda
from workflow.usecases.clock import FixedClock
from workflow.usecases.context import Context


class FlakyServer:
    """Refuses the first ``refusals`` messages with a temporary error, then accepts."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.received: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusals > 0:
            self.refusals -= 1
            return "451 4.3.0 Try again later"
        self.received.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[FlakyServer, SmtpSender]]:
    handler = FlakyServer(refusals=1)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, SmtpSender("127.0.0.1", port, "ketnap@example.vn", timeout=10)
    finally:
        controller.stop()


def queued(ctx: Context) -> None:
    agenda.contact_add(
        ctx,
        {"org_code": "DUK", "role": "chuyen_vien", "name": "Nguyễn Thị Lan", "email": "lan@x.vn"},
    )
    report = scan(ctx, date(2026, 2, 1))
    assert report.emails == 2  # DB's and CBCS's plan reminders both go to DUK's clerk


def test_refused_first_then_accepted_once_each(
    ctx: Context, smtp: tuple[FlakyServer, SmtpSender]
) -> None:
    server, sender = smtp
    queued(ctx)
    clock = ctx.clock
    assert isinstance(clock, FixedClock)

    first = deliver(ctx, sender)
    assert (first.sent, first.retried) == (1, 1)
    waiting = [r for r in list_outbox(ctx) if r["status"] == "cho_gui"]
    assert len(waiting) == 1 and waiting[0]["attempts"] == 1
    assert "451" in waiting[0]["last_error"]  # the failure is visible to the clerk

    assert deliver(ctx, sender).claimed == 0  # not before its back-off has passed
    clock.at = clock.at + backoff(1) + timedelta(seconds=1)
    second = deliver(ctx, sender)
    assert (second.sent, second.retried) == (1, 0)
    assert deliver(ctx, sender).claimed == 0  # nothing is sent twice

    assert len(server.received) == 2
    keys = [m["X-Ketnap-Idempotency-Key"] for m in server.received]
    assert len(set(keys)) == 2 and all(k.startswith("ketnap-outbox-") for k in keys)
    assert all(
        m["Message-ID"] == f"<{k}@ketnap.local>" for m, k in zip(server.received, keys, strict=True)
    )
    body = server.received[0].get_payload(decode=True).decode()
    assert "kế hoạch tạo nguồn" in body and "Mã nhắc việc" in body
    assert all(r["status"] == "da_gui" for r in list_outbox(ctx))


def test_a_server_that_never_answers_ends_as_failed_and_visible(ctx: Context) -> None:
    queued(ctx)
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    sender = SmtpSender("127.0.0.1", free_port(), "ketnap@example.vn", timeout=5)
    for attempt in range(1, 9):
        report = deliver(ctx, sender)
        assert report.claimed == 2, attempt
        clock.at = clock.at + backoff(attempt) + timedelta(seconds=1)
    rows = list_outbox(ctx)
    assert {r["status"] for r in rows} == {"that_bai"}
    assert all("Không kết nối được máy chủ thư" in r["last_error"] for r in rows)
    assert deliver(ctx, sender).claimed == 0


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(30) == timedelta(hours=2)
