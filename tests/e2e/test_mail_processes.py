"""`ketnap outbox send` as real processes against real SMTP servers (aiosmtpd in this
process): two senders overlapping on a slow server, a server that is down, one that never
answers, and SMTP over TLS on port 465 with the office's own certificate authority.

The servers are controlled by the test, never by sleeping: the slow server holds every
message until the test opens its gate (then answers each after a short pause, the slowness
being simulated); the processes run on a pinned clock (KETNAP_NOW), the second one six
minutes after the first, past the five-minute lease that once sent 79 of 121 mails twice.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from email.utils import parsedate_to_datetime
from pathlib import Path

from tests.databases import TestDB
from tests.smtp_servers import (
    Recorder,
    free_port,
    queued,
    server_tls,
    silent_port,
    smtp_server,
)
from workflow.usecases.context import Context

ROOT = Path(__file__).resolve().parents[2]


def outbox_send(
    db: TestDB,
    port: int,
    logs: Path,
    *,
    now: str = "25/11/2026 09:00",
    **settings: str,
) -> subprocess.Popen[bytes]:
    """``ketnap outbox send`` on ``db``, its server 127.0.0.1:``port``; ``settings`` are
    more KETNAP_SMTP_ variables (TLS="ssl" is KETNAP_SMTP_TLS=ssl)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETNAP_SMTP_")}
    env.update(db.env())
    env.update(
        KETNAP_NOW=now,
        KETNAP_LOG_DIR=str(logs),
        KETNAP_SMTP_HOST="127.0.0.1",
        KETNAP_SMTP_PORT=str(port),
        KETNAP_SMTP_FROM="ketnap@example.vn",
    )
    env.update({f"KETNAP_SMTP_{name}": value for name, value in settings.items()})
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "outbox", "send"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finished(proc: subprocess.Popen[bytes], timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out.decode(), err.decode()


def message_ids(db: TestDB) -> set[str]:
    rows = db.sql("SELECT id, reminder_id FROM outbox")
    return {f"<ketnap-outbox-{i}-reminder-{r}@ketnap.local>" for i, r in rows}


def test_two_senders_overlapping_on_a_slow_server_send_each_mail_once(
    ctx: Context, db: TestDB, tmp_path: Path
) -> None:
    total = queued(ctx, contacts=60)
    gate = threading.Event()
    server = Recorder(gate=gate, pause=0.005)
    with smtp_server(server) as port:
        first = outbox_send(db, port, tmp_path)
        server.wait_for(1)  # the first sender waits on the server with its first message
        second = outbox_send(db, port, tmp_path, now="25/11/2026 09:06")
        server.wait_for(2)  # the second is sending another one meanwhile
        gate.set()
        results = [finished(first, 300), finished(second, 300)]
    assert [code for code, _, _ in results] == [0, 0], results
    ids = server.ids()
    assert len(ids) == total and set(ids) == message_ids(db)  # every mail, each once
    sent = [int(re.findall(r"(\d+) đã gửi", out)[0]) for _, out, _ in results]
    assert sum(sent) == total and min(sent) > 0  # both sent, neither twice
    assert db.sql("SELECT DISTINCT status, claimed_by FROM outbox") == [("da_gui", None)]


def test_smtp_down_exits_5_says_how_many_and_the_mail_stays_queued(
    ctx: Context, db: TestDB, tmp_path: Path
) -> None:
    total = queued(ctx, contacts=3)
    code, out, err = finished(outbox_send(db, free_port(), tmp_path))
    assert code == 5, (out, err)
    assert "Không gửi được 1 thư" in err and "máy chủ từ chối kết nối" in err
    assert f"{total} thư vẫn nằm trong hộp thư đi" in err
    assert "Traceback" not in out + err
    rows = db.sql("SELECT status, attempts FROM outbox ORDER BY attempts")
    assert rows == [("cho_gui", 0)] * (total - 1) + [("cho_gui", 1)]  # one tried, then stopped
    assert not (tmp_path / "loi.log").exists()  # the server's fault, not the program's


def test_a_server_that_never_answers_is_given_up_after_the_reply_timeout(
    ctx: Context, db: TestDB, tmp_path: Path
) -> None:
    queued(ctx)
    with silent_port() as port:
        code, out, err = finished(outbox_send(db, port, tmp_path, TIMEOUT="1"), 60)
    assert code == 5, (out, err)
    assert "máy chủ không trả lời kịp" in err and "Traceback" not in out + err
    assert db.sql("SELECT DISTINCT status FROM outbox") == [("cho_gui",)]


def test_smtp_over_tls_on_465_verifies_the_server_against_the_offices_ca(
    ctx: Context, db: TestDB, tmp_path: Path
) -> None:
    queued(ctx)
    context, cert = server_tls(tmp_path)
    server = Recorder()
    with smtp_server(server, ssl_context=context) as port:
        code, _, err = finished(outbox_send(db, port, tmp_path, TLS="ssl"))
        assert code == 5 and "chứng chỉ TLS" in err and "KETNAP_SMTP_CA" in err
        assert server.received == []  # nothing goes to a server it cannot verify
        later = "25/11/2026 12:00"  # past the back-off
        code, out, err = finished(
            outbox_send(db, port, tmp_path, now=later, TLS="ssl", CA=str(cert))
        )
    assert code == 0, (out, err)
    assert {str(m["Message-ID"]) for m in server.received} == message_ids(db)
    assert all(parsedate_to_datetime(str(m["Date"])).tzinfo for m in server.received)
    assert db.sql("SELECT DISTINCT status FROM outbox") == [("da_gui",)]


def test_a_server_setting_that_cannot_be_used_is_bad_input_and_sends_nothing(
    ctx: Context, db: TestDB, tmp_path: Path
) -> None:
    queued(ctx)
    code, out, err = finished(outbox_send(db, free_port(), tmp_path, TLS="tls1.3"))
    assert code == 2 and "KETNAP_SMTP_TLS" in err and "none, starttls, ssl" in err
    assert "Traceback" not in out + err
    assert db.sql("SELECT DISTINCT status, attempts FROM outbox") == [("cho_gui", 0)]
