"""Who is acting: password sign-in, sessions as database rows (so several servers share
them and an administrator can end them), sign-in throttling, and the proof every adapter
asks for once the installation has users.

A session is a random token given to the client (an HttpOnly cookie, or a file of the OS
user for the CLI); the database keeps only its SHA-256. A session ends on sign-out, on its
idle or absolute timeout, and when its user is deactivated, changes role or password.
Repeated failures lock a username (and a client address) for a while; every failure and
lock-out is audited, at most a few per key and window, so a flood cannot grow the log.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from models import audit
from models.tables import AppUser, LoginThrottle, UserSession
from workflow.domain.errors import BadInput, NotSignedIn
from workflow.domain.vocabulary import Role
from workflow.text.vntext import nfc
from workflow.usecases.access import enforced
from workflow.usecases.clock import local
from workflow.usecases.context import Context
from workflow.usecases.installation import is_rehearsal
from workflow.usecases.passwords import password_matches, spend_a_verification

# Timeouts: a clerk's working day, and a break without being signed out.
ABSOLUTE = {"web": timedelta(hours=12), "cli": timedelta(hours=12)}
IDLE = {"web": timedelta(minutes=60), "cli": timedelta(hours=12)}
TOUCH_EVERY = timedelta(minutes=1)  # a page view refreshes last_seen at most this often

WINDOW = timedelta(minutes=15)
LOCK_AFTER = 5  # failures of one username in a window
ADDRESS_LOCK_AFTER = 50  # failures from one address in a window (many usernames)
AUDITED_PER_ADDRESS = 20  # failures from one address that are audited in a window

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


@dataclass(frozen=True)
class SignedIn:
    """A session as the adapter keeps it: the token (shown once), and who it proves."""

    token: str
    username: str
    full_name: str
    role: Role
    csrf: str
    expires_at: datetime


def installation_key(db: str | None) -> str:
    """A short name for the database ``db`` names (as ``open_context`` takes it), for the
    adapter that keeps a session per database (the CLI's token file)."""
    from models.db import database_url

    return hashlib.sha256(database_url(db).encode("utf-8")).hexdigest()[:20]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sign_in(ctx: Context, username: str, password: str) -> SignedIn:
    """A new session for ``username`` if ``password`` is theirs and the sign-in is not
    locked; NotSignedIn (exit 4) otherwise, the failure recorded (and audited within the
    cap) in its own unit of work."""
    name = nfc(username).strip().lower()
    if not name or not password:
        raise BadInput.one("Đăng nhập", "cần tên đăng nhập và mật khẩu")
    now = ctx.clock.now()
    with ctx.write() as s:
        user = s.get(AppUser, name)
        locked = _locked_until(s, name, ctx.client, now)
        if locked is None:
            if user is None or not user.active:
                spend_a_verification(password)
                ok = False
            else:
                ok = password_matches(user.password_hash, password)
            if ok and user is not None:
                _clear(s, name)
                return _open(s, ctx, user, now)
    message = _failed(ctx, name, now, locked)
    raise NotSignedIn(message)


def _locked_until(s: Session, name: str, client: str | None, now: datetime) -> datetime | None:
    """When the sign-in of ``name`` (or from ``client``) opens again, if it is locked now."""
    for key, limit in ((f"u:{name}", LOCK_AFTER), (f"a:{client}", ADDRESS_LOCK_AFTER)):
        if key == "a:None":
            continue
        row = s.get(LoginThrottle, key)
        if row and row.window_start + WINDOW > now and row.count >= limit:
            return row.window_start + WINDOW
    return None


def _clear(s: Session, name: str) -> None:
    row = s.get(LoginThrottle, f"u:{name}")
    if row is not None:
        s.delete(row)


def _count(s: Session, key: str, now: datetime) -> int:
    """One more failure under ``key`` in its window (a new window once the last is over)."""
    row = s.get(LoginThrottle, key)
    if row is None or row.window_start + WINDOW <= now:
        row = row or LoginThrottle(key=key, window_start=now, count=0)
        row.window_start, row.count = now, 0
    row.count += 1
    s.add(row)
    return row.count


def _failed(ctx: Context, name: str, now: datetime, locked: datetime | None) -> str:
    """Record a failed sign-in; the message the person reads (the same whether or not the
    username exists, until it is locked)."""
    with ctx.write() as s:
        mine = _count(s, f"u:{name}", now)
        theirs = _count(s, f"a:{ctx.client}", now) if ctx.client else 0
        lock_now = locked is None and mine == LOCK_AFTER
        if lock_now or (mine <= LOCK_AFTER and theirs <= AUDITED_PER_ADDRESS):
            audit.append(
                s,
                at=now,
                actor=name[:80],
                kind="signin",
                event="khoa_dang_nhap" if lock_now else "dang_nhap_sai",
                data={"failures": mine},
            )
    until = locked or (now + WINDOW if mine >= LOCK_AFTER else None)
    if until is not None:
        return (
            f"Đăng nhập tạm khóa đến {local(until):%H:%M} ngày {local(until):%d/%m/%Y} do nhập "
            "sai nhiều lần; hãy thử lại sau hoặc nhờ quản trị viên."
        )
    return WRONG


def _open(s: Session, ctx: Context, user: AppUser, now: datetime) -> SignedIn:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    channel = ctx.channel if ctx.channel in ABSOLUTE else "cli"
    expires = now + ABSOLUTE[channel]
    s.add(
        UserSession(
            token_hash=_digest(token),
            username=user.username,
            channel=channel,
            client=ctx.client,
            csrf=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=expires,
        )
    )
    audit.append(s, at=now, actor=user.username, kind="signin", event="dang_nhap", data={})
    return SignedIn(token, user.username, user.full_name, Role(user.role), csrf, expires)


@dataclass(frozen=True)
class Proven:
    """The identity a session proves right now."""

    username: str
    full_name: str
    role: Role
    csrf: str
    session_id: int


def resolve(ctx: Context, token: str | None) -> Proven | None:
    """The live session of ``token`` (its last use refreshed), or None: unknown, ended,
    past its idle or absolute timeout, or its user deactivated."""
    if not token:
        return None
    now = ctx.clock.now()
    with ctx.read() as s:
        found = _live(s, token, now)
    if found is None:
        return None
    row, user = found
    if now - row.last_seen_at >= TOUCH_EVERY:
        with ctx.write() as s:
            s.connection().execute(
                update(UserSession).where(col(UserSession.id) == row.id).values(last_seen_at=now)
            )
    assert row.id is not None
    return Proven(user.username, user.full_name, Role(user.role), row.csrf, row.id)


def _live(s: Session, token: str, now: datetime) -> tuple[UserSession, AppUser] | None:
    found = s.exec(
        select(UserSession, AppUser)
        .join(AppUser, col(AppUser.username) == col(UserSession.username))
        .where(UserSession.token_hash == _digest(token))
    ).first()
    if found is None:
        return None
    row, user = found
    idle = IDLE.get(row.channel, IDLE["web"])
    if row.ended_at is not None or now >= row.expires_at or now - row.last_seen_at >= idle:
        return None
    if not user.active:
        return None
    return row, user


def sign_out(ctx: Context, token: str | None) -> bool:
    """End the session of ``token``; True when there was a live one."""
    if not token:
        return False
    now = ctx.clock.now()
    with ctx.write() as s:
        found = _live(s, token, now)
        if found is None:
            return False
        row, user = found
        row.ended_at, row.end_reason = now, "dang_xuat"
        s.add(row)
        audit.append(s, at=now, actor=user.username, kind="signin", event="dang_xuat", data={})
    return True


def end_sessions(s: Session, username: str, now: datetime, reason: str) -> int:
    """End every live session of ``username`` in the caller's unit of work (deactivated,
    role or password changed); returns how many."""
    result = s.connection().execute(
        update(UserSession)
        .where(col(UserSession.username) == username, col(UserSession.ended_at).is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return int(result.rowcount or 0)


def check_clock(ctx: Context, pinned: bool) -> None:
    """A clock pinned by ``KETNAP_NOW`` is refused once the installation has users, unless
    the database was created as a rehearsal: audit events carry the server's time."""
    if not pinned:
        return
    with ctx.read() as s:
        if not enforced(s) or is_rehearsal(s):
            return
    raise BadInput.one(
        "KETNAP_NOW",
        "chỉ dùng được với cơ sở dữ liệu diễn tập (tạo bằng 'ketnap init --rehearsal' hoặc "
        "'ketnap demo'); hệ thống thật luôn dùng đồng hồ của máy chủ",
    )


def _any_password(s: Session) -> bool:
    return (
        s.exec(select(AppUser.username).where(col(AppUser.password_hash).is_not(None))).first()
        is not None
    )


def prove(ctx: Context, token: str | None, claimed: str | None, *, pinned_clock: bool) -> str:
    """Who acts for an adapter without a login form (the CLI): in single-user mode (no users
    yet) the name given; once users exist, the user of a live session, and ``--as`` /
    ``KETNAP_USER`` may only repeat it. A clock pinned by ``KETNAP_NOW`` is refused then,
    unless the database was created as a rehearsal."""
    with ctx.read() as s:
        # before its first user (single-user mode), and in an installation from before
        # passwords until its first one is set ('ketnap user passwd'), the name given acts
        if not enforced(s) or not _any_password(s):
            return claimed or ctx.actor
    check_clock(ctx, pinned_clock)
    proven = resolve(ctx, token)
    if proven is None:
        raise NotSignedIn(
            "Hệ thống đã có người dùng: hãy đăng nhập ('ketnap login'); phiên cũ đã hết hạn "
            "hoặc đã đăng xuất."
        )
    if claimed and claimed.strip().lower() != proven.username:
        raise NotSignedIn(
            f"Không thể hành động với tên '{claimed}': '--as' và KETNAP_USER chỉ dùng khi hệ "
            f"thống chưa có người dùng; phiên đăng nhập là của '{proven.username}'."
        )
    return proven.username
