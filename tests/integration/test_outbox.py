"""E-mail delivery through the outbox, against real local SMTP servers (aiosmtpd, plain and
over TLS), and against senders that do in the middle of a send what a second process, a
slow server or a stolen claim would do."""

from __future__ import annotations

import dataclasses
import smtplib
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from scheduler.outbox import Mail, backoff, deliver, lease_for, list_outbox
from scheduler.smtp import ServerUnavailable, SmtpSender, Tls, sender_from_env
from tests.conftest import NOW
from tests.databases import TestDB
from tests.smtp_servers import (
    Recorder,
    free_port,
    queued,
    server_tls,
    silent_port,
    smtp_server,
    trickling_port,
)
from workflow.domain.errors import BadInput
from workflow.usecases.clock import FixedClock
from workflow.usecases.context import Context


def fixed(ctx: Context) -> FixedClock:
    assert isinstance(ctx.clock, FixedClock)
    return ctx.clock


def statuses(ctx: Context) -> list[str]:
    return [r["status"] for r in list_outbox(ctx)]


class Recording:
    """A sender that only records what it was asked to send."""

    limit = 1.0

    def __init__(self) -> None:
        self.sent: list[int] = []

    def send(self, mail: Mail) -> None:
        self.sent.append(mail.outbox_id)


def test_refused_first_then_accepted_once_each(ctx: Context) -> None:
    server = Recorder(refusals=1)
    with smtp_server(server) as port:
        sender = SmtpSender("127.0.0.1", port, "ketnap@example.vn", timeout=10)
        queued(ctx)
        clock = fixed(ctx)

        first = deliver(ctx, sender)
        assert (first.sent, first.retried) == (1, 1)
        assert not first.stopped  # a refusal of one message is no reason to stop
        waiting = [r for r in list_outbox(ctx) if r["status"] == "cho_gui"]
        assert len(waiting) == 1 and waiting[0]["attempts"] == 1
        assert "451" in waiting[0]["last_error"]  # the failure is visible to the clerk
        assert first.waiting == 1 and "1 thư vẫn nằm trong hộp thư đi" in (first.trouble() or "")

        assert deliver(ctx, sender).claimed == 0  # not before its back-off has passed
        clock.at = clock.at + backoff(1) + timedelta(seconds=1)
        second = deliver(ctx, sender)
        assert (second.sent, second.retried) == (1, 0) and second.trouble() is None
        assert deliver(ctx, sender).claimed == 0  # nothing is sent twice

    assert len(server.received) == 2
    keys = [m["X-Ketnap-Idempotency-Key"] for m in server.received]
    assert len(set(keys)) == 2 and all(k.startswith("ketnap-outbox-") for k in keys)
    assert all(
        m["Message-ID"] == f"<{k}@ketnap.local>" for m, k in zip(server.received, keys, strict=True)
    )
    assert all(parsedate_to_datetime(m["Date"]).tzinfo is not None for m in server.received)
    body = server.received[0].get_payload(decode=True).decode()
    assert "kế hoạch tạo nguồn" in body and "Mã nhắc việc" in body
    assert set(statuses(ctx)) == {"da_gui"}


def test_a_server_that_is_down_stops_the_run_and_each_message_ends_failed(ctx: Context) -> None:
    queued(ctx)
    clock = fixed(ctx)
    sender = SmtpSender("127.0.0.1", free_port(), "ketnap@example.vn", timeout=5)
    first = deliver(ctx, sender)
    assert (first.claimed, first.retried, first.stopped) == (1, 1, True)
    rows = list_outbox(ctx)
    assert sorted(r["attempts"] for r in rows) == [0, 1]  # the other one was not tried
    assert "Không kết nối được máy chủ thư (máy chủ từ chối kết nối)" in (first.trouble() or "")
    assert first.waiting == 2
    runs = 1
    while "cho_gui" in statuses(ctx):
        clock.at = clock.at + timedelta(hours=3)  # past any back-off
        report = deliver(ctx, sender)
        assert report.claimed == 1 and report.stopped
        runs += 1
    assert runs == 16  # eight attempts each, one message per run
    rows = list_outbox(ctx)
    assert {r["status"] for r in rows} == {"that_bai"}
    assert all("Không kết nối được máy chủ thư" in r["last_error"] for r in rows)
    assert "không tự gửi nữa" in (report.trouble() or "")
    assert deliver(ctx, sender).claimed == 0


def test_a_second_sender_started_while_the_first_waits_never_takes_its_message(
    ctx: Context,
) -> None:
    """The first sender waits on the server with one message; a second one starts six
    minutes later (past the five-minute lease that sent 79 of 121 mails twice) and sends
    everything else; the first then finds nothing left. Each message goes once."""
    total = queued(ctx, contacts=5)
    later = dataclasses.replace(ctx, clock=FixedClock(NOW + timedelta(minutes=6)))
    second = Recording()

    class Slow(Recording):
        def send(self, mail: Mail) -> None:
            super().send(mail)
            if len(self.sent) == 1:  # still "talking to the server" about this one
                inner = deliver(later, second)
                assert inner.sent == total - 1 and inner.trouble() is None

    first = Slow()
    report = deliver(ctx, first)
    assert report.sent == 1 and len(first.sent) == 1
    assert sorted(first.sent + second.sent) == sorted(r["id"] for r in list_outbox(ctx))
    assert first.sent[0] not in second.sent
    assert set(statuses(ctx)) == {"da_gui"}


def test_the_claim_lasts_past_the_longest_send_and_names_the_run(ctx: Context, db: TestDB) -> None:
    queued(ctx)
    seen: list[tuple[Any, ...]] = []

    class Looking(Recording):
        limit = 120.0

        def send(self, mail: Mail) -> None:
            seen.extend(db.sql("SELECT id, claimed_by, claimed_until FROM outbox ORDER BY id"))

    deliver(ctx, Looking())
    claimed = [row for row in seen if row[1] is not None]
    assert len(claimed) == 2 and len(seen) == 4  # one row claimed at a time
    assert len({row[1] for row in claimed}) == 1  # the run's own token
    assert {row[2] for row in claimed} == {"2026-11-25T02:10:00.000000+00:00"}  # 09:00 + 10 min
    assert lease_for(SmtpSender("h", 25, "f", timeout=30)) == timedelta(minutes=10)
    assert lease_for(SmtpSender("h", 25, "f", timeout=120)) == timedelta(minutes=40)
    assert db.sql("SELECT count(*) FROM outbox WHERE claimed_by IS NOT NULL")[0][0] == 0


def test_a_mark_without_the_claim_changes_nothing_and_says_so(ctx: Context, db: TestDB) -> None:
    queued(ctx)

    class Robbed(Recording):
        def send(self, mail: Mail) -> None:  # the lease ended and another sender took it
            db.sql("UPDATE outbox SET claimed_by = 'khac' WHERE id = :id", {"id": mail.outbox_id})

    report = deliver(ctx, Robbed())
    assert report.lost == 2 and "có thể đến hai lần" in (report.trouble() or "")
    assert db.sql("SELECT DISTINCT status, claimed_by FROM outbox") == [("cho_gui", "khac")]


def test_a_run_tries_each_message_once_even_when_it_is_due_again(ctx: Context) -> None:
    queued(ctx)
    clock = fixed(ctx)

    class Refusing(Recording):
        def send(self, mail: Mail) -> None:
            super().send(mail)
            clock.at = clock.at + timedelta(hours=3)  # its retry is due before the run ends
            raise smtplib.SMTPDataError(451, b"4.3.0 later")

    sender = Refusing()
    report = deliver(ctx, sender)
    assert (report.claimed, report.retried, len(sender.sent)) == (2, 2, 2)


def test_smtp_over_tls_on_465_trusts_only_what_it_is_told(ctx: Context, tmp_path: Path) -> None:
    queued(ctx)
    context, cert = server_tls(tmp_path)
    server = Recorder()
    with smtp_server(server, ssl_context=context) as port:
        untrusting = SmtpSender("127.0.0.1", port, "ketnap@example.vn", tls=Tls.ssl, timeout=10)
        refused = deliver(ctx, untrusting)
        assert refused.stopped and "chứng chỉ TLS" in (refused.error or "")
        assert server.received == []
        fixed(ctx).at += timedelta(hours=3)
        trusting = dataclasses.replace(untrusting, ca_file=str(cert))
        assert deliver(ctx, trusting).sent == 2
    assert len(server.received) == 2 and set(statuses(ctx)) == {"da_gui"}


def test_starttls_verifies_the_certificate_too(ctx: Context, tmp_path: Path) -> None:
    queued(ctx)
    context, cert = server_tls(tmp_path)
    server = Recorder()
    options = {"tls_context": context, "require_starttls": True}
    with smtp_server(server, **options) as port:
        plain = SmtpSender("127.0.0.1", port, "ketnap@example.vn", timeout=10)
        plainly = deliver(ctx, plain)  # the server wants STARTTLS first: no message will go
        assert plainly.stopped and "530" in (plainly.error or "")
        fixed(ctx).at += timedelta(hours=3)
        untrusting = dataclasses.replace(plain, tls=Tls.starttls)
        assert "chứng chỉ TLS" in (deliver(ctx, untrusting).error or "")
        fixed(ctx).at += timedelta(hours=3)
        assert deliver(ctx, dataclasses.replace(untrusting, ca_file=str(cert))).sent == 2
    assert len(server.received) == 2


def test_a_server_that_never_greets_is_given_up_after_the_reply_timeout() -> None:
    with silent_port() as port:
        sender = SmtpSender("127.0.0.1", port, "ketnap@example.vn", timeout=0.5)
        with pytest.raises(ServerUnavailable, match="không trả lời kịp"):
            sender.send(Mail(1, 1, "lan@x.vn", "Nhắc việc", "Nội dung"))


def test_a_server_that_trickles_its_reply_is_cut_at_the_limit() -> None:
    """Each byte comes within the reply timeout, so only the whole-send limit ends it."""
    with trickling_port(every=0.05) as port:
        sender = SmtpSender("127.0.0.1", port, "ketnap@example.vn", timeout=0.5)
        with pytest.raises(ServerUnavailable, match="bị cắt sau 2 giây"):
            sender.send(Mail(1, 1, "lan@x.vn", "Nhắc việc", "Nội dung"))


@pytest.mark.parametrize(
    ("env", "tls", "port"),
    [
        ({}, Tls.none, 25),
        ({"KETNAP_SMTP_PORT": "465"}, Tls.ssl, 465),
        ({"KETNAP_SMTP_TLS": "ssl"}, Tls.ssl, 465),
        ({"KETNAP_SMTP_STARTTLS": "1", "KETNAP_SMTP_PORT": "587"}, Tls.starttls, 587),
        ({"KETNAP_SMTP_TLS": "starttls"}, Tls.starttls, 25),
        ({"KETNAP_SMTP_TLS": "none", "KETNAP_SMTP_PORT": "465"}, Tls.none, 465),
    ],
)
def test_the_server_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], tls: Tls, port: int
) -> None:
    monkeypatch.setenv("KETNAP_SMTP_HOST", "mail.example.vn")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sender = sender_from_env()
    assert sender is not None and (sender.tls, sender.port) == (tls, port)
    assert sender.ca_file is None and sender.timeout == 30


@pytest.mark.parametrize(
    ("env", "field"),
    [
        ({"KETNAP_SMTP_TLS": "tls1.3"}, "KETNAP_SMTP_TLS"),
        ({"KETNAP_SMTP_TLS": "ssl", "KETNAP_SMTP_STARTTLS": "1"}, "KETNAP_SMTP_STARTTLS"),
        ({"KETNAP_SMTP_PORT": "hai lăm"}, "KETNAP_SMTP_PORT"),
        ({"KETNAP_SMTP_PORT": "70000"}, "KETNAP_SMTP_PORT"),
        ({"KETNAP_SMTP_TIMEOUT": "0"}, "KETNAP_SMTP_TIMEOUT"),
        ({"KETNAP_SMTP_TLS": "ssl", "KETNAP_SMTP_CA": "/khong/co.pem"}, "KETNAP_SMTP_CA"),
        ({"KETNAP_SMTP_CA": "{cert}"}, "KETNAP_SMTP_CA"),  # a CA for a plain connection
        ({"KETNAP_SMTP_TLS": "ssl", "KETNAP_SMTP_CA": "{junk}"}, "KETNAP_SMTP_CA"),
    ],
)
def test_a_server_setting_that_cannot_be_used_is_bad_input(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], field: str
) -> None:
    _, cert = server_tls(tmp_path)
    junk = tmp_path / "junk.pem"
    junk.write_text("không phải chứng chỉ", encoding="utf-8")
    monkeypatch.setenv("KETNAP_SMTP_HOST", "mail.example.vn")
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(cert=cert, junk=junk))
    with pytest.raises(BadInput) as raised:
        sender_from_env()
    assert raised.value.problems[0][0] == field


def test_the_ca_file_is_taken_with_tls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _, cert = server_tls(tmp_path)
    monkeypatch.setenv("KETNAP_SMTP_HOST", "mail.example.vn")
    monkeypatch.setenv("KETNAP_SMTP_PORT", "465")
    monkeypatch.setenv("KETNAP_SMTP_CA", str(cert))
    monkeypatch.setenv("KETNAP_SMTP_TIMEOUT", "10")
    sender = sender_from_env()
    assert sender is not None and sender.ca_file == str(cert)
    assert (sender.tls, sender.timeout, sender.limit) == (Tls.ssl, 10.0, 40.0)


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(30) == timedelta(hours=2)
