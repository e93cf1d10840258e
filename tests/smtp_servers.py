"""SMTP servers for the tests, on 127.0.0.1: aiosmtpd with a handler the test controls (a
gate it opens, a refusal it schedules), a certificate of its own for TLS, and the two
faults that are not a server: a port that listens and never greets, and one that greets a
byte at a time. And the mail to give them: ``queued``."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from scheduler.scan import scan
from workflow.usecases import agenda
from workflow.usecases.context import Context


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Recorder:
    """Keeps every message it accepts. ``refusals`` first messages get a temporary error;
    with ``gate``, each message waits for the test to open it before the server answers,
    then a short pause (``pause`` seconds: the slow server being simulated)."""

    def __init__(
        self, refusals: int = 0, gate: threading.Event | None = None, pause: float = 0.0
    ) -> None:
        self.refusals = refusals
        self.gate = gate
        self.pause = pause
        self.received: list[Message] = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.changed:
            if self.refusals > 0:
                self.refusals -= 1
                return "451 4.3.0 Try again later"
            self.received.append(message_from_bytes(envelope.content))
            self.changed.notify_all()
        if self.gate is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.gate.wait)
        if self.pause:
            await asyncio.sleep(self.pause)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 60) -> None:
        """Until ``count`` messages have arrived (the test fails after ``timeout``)."""
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"{len(self.received)} messages arrived, not {count}")

    def ids(self) -> list[str]:
        with self.changed:
            return [str(m["Message-ID"]) for m in self.received]


@contextmanager
def smtp_server(handler: Recorder, **options: Any) -> Iterator[int]:
    """aiosmtpd on a free port (``ssl_context``: TLS from the first byte; ``tls_context``
    with ``require_starttls``: STARTTLS); its port."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        if handler.gate is not None:
            handler.gate.set()  # nothing left waiting when the server stops
        controller.stop()


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ketnap test SMTP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def server_tls(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """The server's TLS context, and the certificate a client must be told to trust."""
    cert_file, key_file = certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


@contextmanager
def silent_port() -> Iterator[int]:
    """A port that takes connections (the kernel's backlog) and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


@contextmanager
def trickling_port(every: float = 0.1, longest: float = 30.0) -> Iterator[int]:
    """A server that answers one byte of its greeting every ``every`` seconds, never
    finishing a line (a per-read timeout never fires); it gives up after ``longest``."""
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            waited = 0.0
            while not stop.wait(every) and waited < longest:
                waited += every
                try:
                    conn.sendall(b"2")
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def queued(ctx: Context, contacts: int = 1) -> int:
    """Reminder mail in the outbox: the plan reminders of DB and CBCS, to each of DUK's
    clerks (two per clerk)."""
    for n in range(contacts):
        agenda.contact_add(
            ctx,
            {
                "org_code": "DUK",
                "role": "chuyen_vien",
                "name": "Nguyễn Thị Lan",
                "email": f"lan{n}@x.vn",
            },
        )
    report = scan(ctx, dt.date(2026, 2, 1))
    assert report.emails == 2 * contacts
    return report.emails
