"""The SMTP server: one message per connection, its whole conversation bounded in time.

``SmtpSender.send`` connects (plain, STARTTLS, or TLS from the first byte on port 465), signs
in if told to, sends one message and says goodbye. Certificates are always verified, with
the server's name, against the system's authorities or, with ``KETNAP_SMTP_CA``, that
file's; nothing turns verification off. Each reply may take ``timeout`` seconds, and the
whole conversation is cut at ``limit`` (four replies' worth) whatever the server does, so
that the outbox's claim on a message (scheduler/outbox.py) always outlives its send. Every
message carries a ``Date:``, and a ``Message-ID`` and ``X-Ketnap-Idempotency-Key`` fixed by
its outbox row: a copy sent again after a crash is the same message to the mailbox.

A failure that says the server cannot take mail from us now (unreachable, refused the
connection, the login or our sender address, too slow, a TLS problem) is
``ServerUnavailable``; a reply refusing this one message is smtplib's own exception.
Either way the text kept for the clerk is Vietnamese, with the server's reply and never
the message.
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from enum import StrEnum
from pathlib import Path

from workflow.domain.errors import BadInput
from workflow.text.vntext import nfc

REPLY_TIMEOUT = 30.0  # seconds a reply of the server may take (KETNAP_SMTP_TIMEOUT)
REPLIES_PER_SEND = 4  # the whole conversation is cut at this many reply timeouts


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


class ServerUnavailable(Exception):
    """The server cannot take mail from us now: not reached, the connection, the login or
    our sender address refused, TLS failed, or too slow; the text says which, in Vietnamese."""


class Tls(StrEnum):
    none = "none"  # plain SMTP (a relay on the same machine or network)
    starttls = "starttls"  # plain, then STARTTLS (port 25 or 587)
    ssl = "ssl"  # TLS from the first byte (port 465)


@dataclass(frozen=True)
class SmtpSender:
    """An SMTP server. TLS always verifies the server's certificate and name, against the
    system's authorities or, with ``ca_file``, against that file's alone."""

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    tls: Tls = Tls.none
    ca_file: str | None = None
    timeout: float = REPLY_TIMEOUT  # one reply of the server
    domain: str = "ketnap.local"

    @property
    def limit(self) -> float:
        """The whole conversation, connection to goodbye, is cut after this many seconds."""
        return self.timeout * REPLIES_PER_SEND

    def message(self, mail: Mail) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = mail.to
        msg["Subject"] = nfc(mail.subject)
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = f"<{mail.idempotency_key}@{self.domain}>"
        msg["X-Ketnap-Idempotency-Key"] = mail.idempotency_key
        msg.set_content(nfc(mail.body))
        return msg

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)  # verifies, checks the name

    def send(self, mail: Mail) -> None:
        msg = self.message(mail)
        deadline = _Deadline(self.limit)
        deadline.start()
        smtp: _Smtp | None = None
        try:
            try:
                smtp = self._open(deadline)
            except OSError as exc:  # smtplib's own errors are OSErrors too
                raise ServerUnavailable(self._why(exc, deadline)) from exc
            try:
                smtp.send_message(msg)
            except smtplib.SMTPSenderRefused as exc:  # our address: every message alike
                raise ServerUnavailable(error_text(exc)) from exc
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
                raise  # a reply refusing this message: the next one may go
            except OSError as exc:  # smtplib's own errors are OSErrors too
                raise ServerUnavailable(self._why(exc, deadline)) from exc
            try:
                smtp.quit()
            except OSError:
                pass  # the server has the message: a slow goodbye must not send it again
        finally:
            deadline.stop()
            if smtp is not None:
                smtp.close()

    def _open(self, deadline: _Deadline) -> _Smtp:
        """A connection to the server, secured as configured and signed in."""
        smtp: _Smtp
        if self.tls is Tls.ssl:
            smtp = _SmtpSsl(deadline, self.host, self.port, self.timeout, self.tls_context())
        else:
            smtp = _Smtp(deadline, self.host, self.port, self.timeout)
        try:
            if self.tls is Tls.starttls:
                smtp.starttls(context=self.tls_context())
            if self.user:
                smtp.login(self.user, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _why(self, exc: BaseException, deadline: _Deadline) -> str:
        if deadline.cut:
            return f"Máy chủ thư trả lời quá chậm: cuộc gửi bị cắt sau {self.limit:g} giây"
        return error_text(exc)


class _Deadline:
    """Cuts one SMTP conversation at ``limit`` seconds whatever the server does (a reply
    trickled a byte at a time outlives any per-read timeout): it shuts the socket down, so a
    blocked read returns at once. It holds a duplicate of the socket, so what it shuts down
    is never a descriptor the process has closed and reused since."""

    def __init__(self, limit: float) -> None:
        self._lock = threading.Lock()
        self._held: socket.socket | None = None
        self.cut = False
        self._timer = threading.Timer(limit, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._release()
            self._held = sock.dup()
            if self.cut:
                self._shut()

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._release()

    def _fire(self) -> None:
        with self._lock:
            self.cut = True
            self._shut()

    def _shut(self) -> None:
        if self._held is not None:
            try:
                self._held.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the other side

    def _release(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None


class _Smtp(smtplib.SMTP):
    """smtplib's client, connected at once, its socket watched by ``deadline`` from the
    moment it exists (for port 465, before the TLS handshake: ``_SmtpSsl`` wraps what
    ``_get_socket`` returns)."""

    def __init__(self, deadline: _Deadline, host: str, port: int, timeout: float) -> None:
        self.deadline = deadline
        super().__init__(host, port, timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection((host, port), timeout, self.source_address)
        self.deadline.watch(sock)
        return sock


class _SmtpSsl(smtplib.SMTP_SSL, _Smtp):
    def __init__(
        self, deadline: _Deadline, host: str, port: int, timeout: float, context: ssl.SSLContext
    ) -> None:
        self.deadline = deadline
        smtplib.SMTP_SSL.__init__(self, host, port, timeout=timeout, context=context)


def error_text(exc: BaseException) -> str:
    """What went wrong, for the clerk: what happened and the server's reply only."""
    if isinstance(exc, ServerUnavailable):
        return str(exc)
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        return f"Máy chủ thư trả lời {exc.smtp_code}: {reply}"[:500]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "Máy chủ thư từ chối người nhận"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "Máy chủ thư không hỗ trợ STARTTLS hoặc đăng nhập (KETNAP_SMTP_TLS, _USER)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        if isinstance(exc.__context__, TimeoutError):  # smtplib turns a timeout into this
            return "Không kết nối được máy chủ thư (máy chủ không trả lời kịp)"
        return "Máy chủ thư ngắt kết nối giữa chừng"
    if isinstance(exc, smtplib.SMTPException):
        return "Máy chủ thư không nhận thư"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            "Không tin được chứng chỉ TLS của máy chủ thư (không do nơi tin cậy cấp, hết hạn "
            "hoặc không đúng tên máy; chứng chỉ của cơ quan: KETNAP_SMTP_CA)"
        )
    if isinstance(exc, ssl.SSLError):
        return "Không bắt tay TLS được với máy chủ thư (cổng và KETNAP_SMTP_TLS có khớp?)"
    reasons: list[tuple[type[BaseException], str]] = [
        (TimeoutError, "máy chủ không trả lời kịp"),
        (ConnectionRefusedError, "máy chủ từ chối kết nối"),
        (socket.gaierror, "không tìm thấy tên máy chủ"),
        (OSError, "lỗi mạng"),
    ]
    for kind, why in reasons:
        if isinstance(exc, kind):
            return f"Không kết nối được máy chủ thư ({why})"
    return "Gửi thư gặp lỗi không lường trước"


_YES = {"1", "true", "co", "có"}


def sender_from_env() -> SmtpSender | None:
    """The SMTP server from KETNAP_SMTP_HOST, _PORT, _FROM, _USER, _PASSWORD, _TLS (ssl,
    starttls or none; port 465 means ssl, _STARTTLS=1 means starttls), _CA (a PEM file of
    the authorities to trust instead of the system's) and _TIMEOUT (seconds per reply).
    None without a host; a value that cannot be used is bad input."""
    env = os.environ
    host = env.get("KETNAP_SMTP_HOST", "").strip()
    if not host:
        return None
    port = _number("KETNAP_SMTP_PORT", 1, 65_535)
    tls = _tls(port, env.get("KETNAP_SMTP_STARTTLS", "").strip().lower() in _YES)
    ca_file = env.get("KETNAP_SMTP_CA", "").strip() or None
    if ca_file is not None:
        if tls is Tls.none:
            raise BadInput.one("KETNAP_SMTP_CA", "chỉ dùng khi có TLS (KETNAP_SMTP_TLS)")
        _check_ca(ca_file)
    timeout = _number("KETNAP_SMTP_TIMEOUT", 1, 120)
    return SmtpSender(
        host=host,
        port=port or (465 if tls is Tls.ssl else 25),
        sender=_address("KETNAP_SMTP_FROM", env.get("KETNAP_SMTP_FROM", "ketnap@localhost")),
        user=env.get("KETNAP_SMTP_USER") or None,
        password=env.get("KETNAP_SMTP_PASSWORD") or None,
        tls=tls,
        ca_file=ca_file,
        timeout=float(timeout or REPLY_TIMEOUT),
    )


_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+")


def _address(name: str, raw: str) -> str:
    """One bare address (no line break: a header cannot be smuggled in after it)."""
    value = raw.strip()
    if not _ADDRESS.fullmatch(value) or not value.isprintable():
        raise BadInput.one(name, "phải là một địa chỉ thư, ví dụ ketnap@btc.example.vn")
    return value


def _number(name: str, low: int, high: int) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and low <= int(raw) <= high):
        raise BadInput.one(name, f"'{raw}' không phải số nguyên từ {low} đến {high}")
    return int(raw)


def _tls(port: int | None, starttls: bool) -> Tls:
    raw = os.environ.get("KETNAP_SMTP_TLS", "").strip().lower()
    if not raw:
        return Tls.starttls if starttls else Tls.ssl if port == 465 else Tls.none
    if raw not in Tls.__members__:
        raise BadInput.one("KETNAP_SMTP_TLS", f"chọn một trong: {', '.join(Tls)}")
    if starttls and raw != Tls.starttls:
        raise BadInput.one("KETNAP_SMTP_STARTTLS", f"mâu thuẫn với KETNAP_SMTP_TLS={raw}")
    return Tls(raw)


def _check_ca(ca_file: str) -> None:
    if not Path(ca_file).is_file():
        raise BadInput.one("KETNAP_SMTP_CA", f"không có tệp '{ca_file}'")
    try:
        ssl.create_default_context(cafile=ca_file)
    except (ssl.SSLError, OSError, ValueError):
        raise BadInput.one("KETNAP_SMTP_CA", f"'{ca_file}' không phải tệp chứng chỉ PEM") from None
