"""Who acts, on which database, at what time: the context every use case receives, its
units of work (the only commits), and the row helpers they share.

The path of every change: validate input → open a write transaction → load the dossier
and its facts → judge with the pure guards → fire the shared machine → write the new
stage, the audit event and whatever else changed → commit once. A refusal rolls all of
that back and records only the refusal itself, in its own transaction, for inspectors.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, SQLAlchemyError
from sqlmodel import Session, SQLModel

from models import audit, heads
from models.db import HEAD_REVISION, database_url, make_engine, schema_revision, unit_of_work
from models.tables import Installation, Setting
from workflow.domain.errors import BadInput, Forbidden, LogTampered, NotInitialised
from workflow.usecases.access import Action, authorize
from workflow.usecases.clock import Clock, today
from workflow.usecases.signing import KEY_FIELD, Signer, key_path, load_signer


@dataclass
class Context:
    """Who acts, on which database, at what time, and how they came in. An adapter builds
    it from a proven identity (a session, once the installation has users); the use cases
    trust it. The audit events of its units of work record ``channel`` (web, cli,
    scheduler, import) and, for the web, the ``client`` address."""

    engine: Engine
    clock: Clock
    actor: str
    channel: str = "cli"
    client: str | None = None
    # the installation key: every unit of work that appends events signs the new head with
    # it before committing (models/heads.py, AUD-HEAD); None before ``ketnap init`` made one
    signer: Signer | None = None
    key_file: Path | None = None  # where configuration says the key lives (for messages)
    signing_database: bool = False  # seen to name its key (then a write needs the key)

    def today(self) -> date:
        return today(self.clock)

    def write(self) -> AbstractContextManager[Session]:
        return self._unit(write=True)

    def read(self) -> AbstractContextManager[Session]:
        return self._unit(write=False)

    @contextmanager
    def _unit(self, *, write: bool) -> Iterator[Session]:
        try:
            with unit_of_work(self.engine, write=write) as session:
                session.info["ketnap_channel"] = self.channel
                session.info["ketnap_client"] = self.client
                session.info["ketnap_read_only"] = not write
                yield session
                self._seal(session)
        except Forbidden as exc:
            self._denied(exc)
            raise

    def _denied(self, exc: Forbidden) -> None:
        """A refused action is itself audited, in its own transaction after the rollback."""
        with unit_of_work(self.engine, write=True) as session:
            session.info["ketnap_channel"] = self.channel
            session.info["ketnap_client"] = self.client
            audit.append(
                session,
                at=self.clock.now(),
                actor=self.actor,
                kind="denied",
                event=exc.action,
                reason=str(exc),
                data={"org_id": exc.org_id},
            )
            self._seal(session)

    def _signs(self, session: Session) -> bool:
        """The database names its key (once it does, it always will: asked once)."""
        if not self.signing_database:
            self.signing_database = session.get(Installation, "public_key") is not None
        return self.signing_database

    def _seal(self, session: Session) -> None:
        """The head this unit of work appended up to, signed, in its own transaction. A
        database that signs (it names its key) refuses a write without the key, and any
        write over a chain its newest signed head does not end at, and a write stamped
        before the event it follows (AUD-TIME: a clock, or KETNAP_NOW, set back)."""
        before = audit.set_back(session, self.clock.now())
        if before is not None:
            raise BadInput.one(
                "Thời điểm ghi (đồng hồ máy chủ, KETNAP_NOW)",
                f"sớm hơn sự kiện cuối của nhật ký ({audit.shown(before)}); nhật ký không "
                "ghi lùi thời gian, nên không ghi gì",
            )
        if self.signer is None:
            if audit.NEW_HEAD in session.info and self._signs(session):
                raise BadInput.one(
                    KEY_FIELD,
                    f"không có tệp khóa ký '{self.key_file}'; cơ sở dữ liệu này ký mọi lần "
                    "ghi nhật ký, nên không ghi gì. Hãy đặt KETNAP_KEY tới tệp khóa của hệ thống",
                )
            return
        try:
            heads.seal(session, self.signer.key_id_hex, self.signer.sign, self.clock.now())
        except heads.UnsignedBase as exc:
            raise LogTampered(str(exc)) from None

    def require(self, action: Action) -> None:
        """Before a form is shown: refuse (audited) who could not submit it anyway."""
        with self.read() as s:
            self.allow(s, action)

    def allow(self, s: Session, action: Action, org_id: int | None = None) -> None:
        """Check the actor may do ``action`` (in ``org_id``'s subtree); raise Forbidden."""
        authorize(s, self.actor, action, org_id)


def open_context(db: str | None, actor: str, clock: Clock, *, require_init: bool = True) -> Context:
    """A context on ``db``: a SQLite file path or an SQLAlchemy URL (``--db``, ``KETNAP_DB``,
    else ``ketnap.db`` here)."""
    url = database_url(db)
    _check_target(url, require_init)
    signer, key_file = installation_signer(url)  # first: a refused key leaves nothing open
    try:
        engine = make_engine(url)
        revision = schema_revision(engine)
    except (SQLAlchemyError, ImportError) as exc:
        raise BadInput.one(DB_FIELD, _why_not_opened(url, exc)) from None
    if require_init and revision != HEAD_REVISION:
        engine.dispose()
        raise NotInitialised(
            "Cơ sở dữ liệu chưa được khởi tạo hoặc chưa cập nhật; hãy chạy 'ketnap init'."
        )
    return Context(engine, clock, actor, signer=signer, key_file=key_file)


def installation_signer(url: str) -> tuple[Signer | None, Path | None]:
    """The installation key where configuration says it lives (signing.key_path), once
    ``ketnap init`` has made it, and that place; a key file others may read is refused."""
    try:
        path = key_path(url)
    except BadInput:
        return None, None  # PostgreSQL without KETNAP_KEY: a signing database refuses writes
    return (load_signer(path) if path.exists() else None), path


DB_FIELD = "Cơ sở dữ liệu (--db, KETNAP_DB)"


def _check_target(url: str, require_init: bool) -> None:
    """Refuse, before anything is opened (or created), a URL of a server ketnap does not
    speak and a SQLite path that cannot be a database; a missing file is made only by
    ``init``."""
    if url.startswith(("postgresql://", "postgresql+psycopg://")):
        return
    if not url.startswith("sqlite:///"):
        raise BadInput.one(
            DB_FIELD, "chỉ dùng đường dẫn một tệp SQLite hoặc URL postgresql+psycopg://…"
        )
    path = Path(url.removeprefix("sqlite:///"))
    if path.is_dir():
        raise BadInput.one(DB_FIELD, f"'{path}' là một thư mục, không phải tệp")
    if not path.parent.is_dir():
        raise BadInput.one(DB_FIELD, f"không có thư mục '{path.parent}'")
    if require_init and not path.exists():
        raise NotInitialised(f"Không có tệp cơ sở dữ liệu '{path}'; hãy chạy 'ketnap init'.")


def _why_not_opened(url: str, exc: BaseException) -> str:
    """What the clerk or the administrator can act on; the driver's words (English, and
    for a server the address) stay out."""
    if url.startswith("sqlite"):
        if isinstance(exc, DatabaseError) and "not a database" in str(exc.orig):
            return "tệp này không phải cơ sở dữ liệu SQLite (hoặc đã hỏng)"
        if isinstance(exc, DatabaseError) and "malformed" in str(exc.orig):
            return "tệp cơ sở dữ liệu đã hỏng; hãy khôi phục từ bản sao lưu"
        folder = Path(url.removeprefix("sqlite:///")).parent
        if _read_only_disk(folder):
            return (
                f"ổ đĩa chứa thư mục '{folder}' chỉ cho đọc; cơ sở dữ liệu cần ghi được "
                "(cả tệp -wal, -shm bên cạnh)"
            )
        return "không mở được tệp (kiểm tra quyền đọc, ghi thư mục)"
    if isinstance(exc, ImportError):
        return "máy này chưa cài trình kết nối PostgreSQL (psycopg)"
    return "không kết nối được máy chủ PostgreSQL (địa chỉ, cổng, tên, mật khẩu)"


def _read_only_disk(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def replace_row(s: Session, old: SQLModel | None, new: SQLModel) -> None:
    """Put ``new`` where ``old`` was (one row per key); the caller audits the old value."""
    if old is not None:
        s.delete(old)
        s.flush()
    s.add(new)
    s.flush()


def put_setting(
    s: Session,
    ctx: Context,
    key: str,
    value: str,
    reason: str,
) -> str | None:
    """Store one installation setting (a date or share of the planning cycle) in place of
    the previous one, and return the previous value for the audit event."""
    old = s.get(Setting, key)
    previous = old.value if old else None
    new = Setting(key=key, value=value, reason=reason, set_by=ctx.actor, set_at=ctx.clock.now())
    replace_row(s, old, new)
    return previous
