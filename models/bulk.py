"""Many rows into one table, through a statement compiled once per table, columns and
dialect: for an import's hundred thousand rows.

``connection.execute(insert(T), rows)`` builds each row's parameters through SQLAlchemy's
generic path (a dictionary walk per row): at 100,000 rows that costs more than SQLite's own
work. Here the statement is compiled once, each column's bind processor (dates, our aware
timestamps) is applied column by column, and the driver's ``executemany`` gets the values in
the form its parameter style wants (a tuple for ``?``, a mapping for ``%(name)s``). Same
SQL, same types, the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlmodel import SQLModel


@lru_cache(maxsize=64)
def _compiled(
    table: Table, keys: tuple[str, ...], dialect: Dialect, skip_existing: bool = False
) -> tuple[str, tuple[str, ...], bool, list[Any]]:
    """The SQL, the names of its parameters in order (the given keys and the columns with a
    default the compiler added), whether they are positional, and their bind processors."""
    if skip_existing:  # ON CONFLICT DO NOTHING, in the dialect's own construct
        module: Any = postgresql if dialect.name == "postgresql" else sqlite
        statement = module.insert(table).on_conflict_do_nothing()
    else:
        statement = insert(table)
    # inline: nothing fetched back (no RETURNING on PostgreSQL), the caller knows the ids
    compiled = statement.inline().compile(dialect=dialect, column_keys=list(keys))
    positional = bool(compiled.positional and compiled.positiontup)
    names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.params)
    processors = [table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in names]
    return str(compiled), names, positional, processors


def _default(table: Table, name: str) -> Any:
    """A column left out: its scalar default, as SQLAlchemy's compiler asks for it."""
    default = table.c[name].default
    if default is None or not default.is_scalar:
        raise ValueError(f"{table.name}.{name}: no value and no scalar default")
    return default.arg  # type: ignore[attr-defined]


def insert_rows(
    conn: Connection,
    model: type[SQLModel],
    rows: Sequence[Mapping[str, Any]],
    *,
    skip_existing: bool = False,
) -> int:
    """INSERT every row (all with the same keys) of a table model in one ``executemany``;
    the rows written. ``skip_existing``: ON CONFLICT DO NOTHING, and the count is of the new
    rows only (the drivers' ``executemany`` counts exactly; SQLAlchemy's multi-row VALUES
    with RETURNING, the other way to count, makes psycopg parse a statement of thousands of
    parameters for each page of rows)."""
    if not rows:
        return 0
    columns = {k: [row[k] for row in rows] for k in rows[0]}
    return insert_columns(conn, model, columns, skip_existing=skip_existing)


def insert_columns(
    conn: Connection,
    model: type[SQLModel],
    columns: Mapping[str, Sequence[Any]],
    *,
    skip_existing: bool = False,
) -> int:
    """INSERT rows given column by column (each sequence one column, all of one length):
    cheaper to build for a sheet's rows than a mapping per row. Returns the rows written."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    keys = tuple(columns)
    sql, names, positional, processors = _compiled(table, keys, conn.dialect, skip_existing)
    prepared = []
    n = len(next(iter(columns.values()), ()))
    for name, process in zip(names, processors, strict=True):
        values = columns[name] if name in columns else [_default(table, name)] * n
        if process is None:
            prepared.append(values)
        elif values and values.count(values[0]) == len(values):  # one value (a timestamp)
            prepared.append([process(values[0])] * len(values))
        else:
            prepared.append([process(v) for v in values])
    if not prepared or not prepared[0]:
        return 0
    if positional:
        params: Any = list(zip(*prepared, strict=True))
    else:
        params = [dict(zip(names, values, strict=True)) for values in zip(*prepared, strict=True)]
    return int(conn.exec_driver_sql(sql, params).rowcount)


def allocate_ids(conn: Connection, model: type[SQLModel], n: int) -> list[int]:
    """``n`` new primary keys for rows the caller inserts with their ids (to link them to
    other rows in the same batch). PostgreSQL: from the table's sequence, so rows inserted
    later without an id, and other writers, never collide. SQLite: after the largest id
    (writers are serialised by BEGIN IMMEDIATE)."""
    if n <= 0:
        return []
    table: Table = model.__table__  # type: ignore[attr-defined]
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": n},
        )
        return [int(r[0]) for r in rows]
    first = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    return list(range(first, first + n))
