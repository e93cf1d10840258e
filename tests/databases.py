"""The test suite's databases: a SQLite file per test, or, when KETNAP_TEST_PG names a
PostgreSQL server, a database of its own per test on that server.

Tests reach the database only through ``TestDB``: its URL (for the services and the CLI),
``sql`` for the few direct reads and the tampering an inspector must detect, ``copy`` for
a fixture built once and copied per test. The same tests then run unchanged on both.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from models.db import database_url

SERVER = os.environ.get(
    "KETNAP_TEST_PG"
)  # e.g. postgresql+psycopg://ketnap@127.0.0.1:54329/postgres
ON_POSTGRES = bool(SERVER)
_admin: Engine | None = None
_template: str | None = None


def _server() -> Engine:
    global _admin
    if _admin is None:
        assert SERVER is not None
        _admin = create_engine(SERVER, isolation_level="AUTOCOMMIT", pool_size=1)
    return _admin


def _url_of(name: str) -> str:
    assert SERVER is not None
    return SERVER.rsplit("/", 1)[0] + "/" + name


@dataclass
class TestDB:
    url: str
    home: Path  # a folder of the test's own (the signing key lives there)
    path: Path | None = None  # the SQLite file
    name: str | None = None  # the PostgreSQL database

    __test__ = False  # not a test class, despite its name

    @property
    def key(self) -> Path:
        """The installation's signing key (KETNAP_KEY)."""
        return self.home / f"{self.name or (self.path.name if self.path else 'k')}.ed25519"

    def env(self) -> dict[str, str]:
        """What the CLI needs to reach this database."""
        return {
            "KETNAP_DB": self.url,
            "KETNAP_KEY": str(self.key),
            "KETNAP_SESSION_DIR": str(self.home / "phien"),  # this test's CLI sessions
        }

    def snapshot(self) -> dict[str, list[str]]:
        """Every row of every table (to show that a refused command changed nothing)."""
        from sqlalchemy import inspect

        engine = create_engine(self.url)
        try:
            names = sorted(inspect(engine).get_table_names())
        finally:
            engine.dispose()
        return {n: sorted(repr(r) for r in self.sql(f"SELECT * FROM {n}")) for n in names}

    def sql(self, statement: str, params: dict[str, Any] | None = None) -> list[Sequence[Any]]:
        """Run one statement in its own committed transaction; the rows it returns."""
        engine = create_engine(self.url)
        try:
            with engine.begin() as conn:
                result = conn.execute(text(statement), params or {})
                return [tuple(r) for r in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def copy(self, tmp_path: Path) -> TestDB:
        """A copy of this database (its schema and rows) and of its signing key, for one
        test to change."""
        if self.path is not None:
            other = tmp_path / f"copy-{uuid.uuid4().hex[:8]}.db"
            with sqlite3.connect(self.path) as src, sqlite3.connect(other) as dst:
                src.backup(dst)
            made = TestDB(database_url(str(other)), tmp_path, path=other)
        else:
            name = f"t_{uuid.uuid4().hex[:16]}"
            with _server().connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"'))
            made = TestDB(_url_of(name), tmp_path, name=name)
        if self.key.exists():
            made.key.write_bytes(self.key.read_bytes())
            made.key.chmod(0o600)
        return made

    def drop(self) -> None:
        if self.name is not None:
            with _server().connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


def _migrated_template() -> str:
    """A database with the schema at head and nothing in it, made once per test process:
    copying it is much faster than running the migrations for every test."""
    global _template
    if _template is None:
        from models.db import make_engine, migrate

        name = f"tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with _server().connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(_url_of(name))
        migrate(engine)
        engine.dispose()
        _template = name
        atexit.register(TestDB(_url_of(name), Path("."), name=name).drop)
    return _template


def new_db(tmp_path: Path, stem: str = "ketnap", *, schema: bool = True) -> TestDB:
    """A database with no installation in it yet: a file under ``tmp_path``, or a new
    database on the server (its schema copied from a migrated template, unless ``schema``
    is False: then nothing at all, as before ``ketnap init``)."""
    if not ON_POSTGRES:
        path = tmp_path / f"{stem}.db"
        return TestDB(database_url(str(path)), tmp_path, path=path)
    name = f"t_{uuid.uuid4().hex[:16]}"
    template = f' TEMPLATE "{_migrated_template()}"' if schema else ""
    with _server().connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
    return TestDB(_url_of(name), tmp_path, name=name)


def counts(db: TestDB, tables: Sequence[str]) -> list[int]:
    return [int(db.sql(f"SELECT count(*) FROM {t}")[0][0]) for t in tables]


def table_counts(db: TestDB) -> dict[str, int]:
    """Rows per table, every table of the schema."""
    from sqlalchemy import inspect

    engine = create_engine(db.url)
    try:
        names = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    return {n: int(db.sql(f"SELECT count(*) FROM {n}")[0][0]) for n in names}
