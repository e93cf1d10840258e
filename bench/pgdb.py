"""PostgreSQL databases for the benches: made on the server a URL names, dropped after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine


def _admin(url: str) -> tuple[Engine, str]:
    base, name = url.rsplit("/", 1)
    return create_engine(base + "/postgres", isolation_level="AUTOCOMMIT"), name


@contextmanager
def scratch(url: str) -> Iterator[str]:
    """The database ``url`` names, made empty for the bench and dropped after it."""
    admin, name = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def ensure(url: str) -> str:
    """The database ``url`` names, made when missing and kept (a bench reuses what it built)."""
    admin, name = _admin(url)
    with admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not found.scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


@contextmanager
def copied(url: str, suffix: str) -> Iterator[str]:
    """A copy of the database ``url`` names (``CREATE DATABASE … TEMPLATE``), dropped after:
    a step that changes the data (a scan) then runs again on the same state."""
    admin, name = _admin(url)
    copy = f"{name}_{suffix}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"'))
    try:
        yield url.rsplit("/", 1)[0] + "/" + copy
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
        admin.dispose()
