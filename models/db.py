"""Engine and unit-of-work factory. Nothing is built at import time.

PostgreSQL (``postgresql+psycopg://…``) when many clerks share one database: the same
schema through the same migrations.

SQLite: WAL (readers never block the writer), foreign keys on, a busy timeout, and
``synchronous=FULL`` so a committed audit event survives a power cut. pysqlite's own
transaction handling is switched off and we emit BEGIN ourselves: a write unit of work
starts with ``BEGIN IMMEDIATE``, which serialises writers from their first read, so the
version check and the audit chain's head are read and written in one critical section.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

HEAD_REVISION = "0013"
DEFAULT_DB = "ketnap.db"
BUSY_TIMEOUT_MS = 15_000
CACHE_KIB = 65_536


def database_url(value: str | None = None) -> str:
    """``--db`` or ``KETNAP_DB``: a SQLite file path or an SQLAlchemy URL."""
    raw = value or os.environ.get("KETNAP_DB") or DEFAULT_DB
    if "://" in raw:
        return raw
    return f"sqlite:///{Path(raw).expanduser().resolve()}"


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql"):
        # READ COMMITTED (the server's default): a dossier's version check and row lock, and
        # the audit chain's advisory lock (models/audit.py), serialise what must be
        return create_engine(url, pool_pre_ping=True)
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see module doc)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        # 64 MiB of page cache (the default is 2 MiB): a scan over a million deadlines
        # re-reads index pages it would otherwise evict (bench/RESULTS.md)
        cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("ketnap_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def unit_of_work(engine: Engine, *, write: bool) -> Iterator[Session]:
    """One transaction: committed once at the end, rolled back on any exception."""
    bind = engine.execution_options(ketnap_write=True) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            if write:
                session.commit()
            # a read ends with close(): the pool rolls back, loaded objects stay readable
        except BaseException:
            session.rollback()
            raise


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None when it was never initialised."""
    with engine.connect() as conn:
        has = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'")
            if engine.dialect.name == "sqlite"
            else text("SELECT to_regclass('alembic_version')")
        ).scalar()
        if not has:
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        conn.rollback()
        return str(row) if row else None


def migrate(engine: Engine) -> None:
    """Bring the schema to the head revision with Alembic (the only way tables are made)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def refresh_statistics(engine: Engine) -> None:
    """Let the query planner know the tables' sizes (SQLite keeps no statistics until told:
    without them it sorts a 200,000-row list instead of walking the name index). Cheap:
    SQLite samples at most ``analysis_limit`` rows of each index."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql("ANALYZE")
