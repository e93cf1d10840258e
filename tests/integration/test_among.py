"""Lists of ids in a WHERE clause (`models/among.py`) must stay served by an index.

A first version rendered ``x IN (…) = 1`` on SQLite: the same rows, so every other test
passed, but no index served it and a scan over a million deadlines went from 10 s to 127 s.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from scheduler import scan
from workflow.usecases import step_reads, tracking
from workflow.usecases.context import Context

# each statement with the tables whose rows the lists pick
STATEMENTS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "the facts, every kind in one statement": (
        step_reads.FACT_ROWS,
        (
            "candidate",
            "certificate",
            "verification",
            "ceremony",
            "prior_membership",
            "introducer",
            "document",
            "relative",
            "resolution",
            "decision",
            "consent",
        ),
    ),
    "deadline rows of subjects": (tracking._EXISTING, ("deadline",)),
    "the scan's moves": (scan._MOVE, ("deadline",)),
    "the scan's reminder ids": (scan._REMINDER_IDS, ("reminder",)),
}
PARAMS = {"dids": [1, 2, 3], "cids": [1, 2, 3], "ids": [1, 2, 3], "subjects": ["dossier:1"]}
PARAMS |= {"step": 0, "next_on": None}


def _plan(ctx: Context, statement: Any) -> list[str]:
    """SQLite's query plan for the statement as SQLAlchemy sends it (EXPLAIN QUERY PLAN
    prefixed to the very text and parameters; nothing is written)."""

    def explain(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> Any:
        return "EXPLAIN QUERY PLAN " + sql, params

    event.listen(ctx.engine, "before_cursor_execute", explain, retval=True)
    try:
        with ctx.engine.connect() as conn:  # the driver's rows: no result type applies
            return [str(row[-1]) for row in conn.execute(statement, PARAMS).cursor.fetchall()]
    finally:
        event.remove(ctx.engine, "before_cursor_execute", explain)


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_a_list_of_ids_is_served_by_an_index(ctx: Context, name: str) -> None:
    statement, tables = STATEMENTS[name]
    if ctx.engine.dialect.name == "postgresql":  # one array parameter, not an IN list
        sql = str(statement.compile(dialect=ctx.engine.dialect))
        assert "= ANY (" in sql and " IN (" not in sql
        return
    plan = _plan(ctx, statement)
    for table in tables:
        assert any(line.startswith(f"SEARCH {table}") for line in plan), (table, plan)
        assert not any(line.startswith(f"SCAN {table}") for line in plan), (table, plan)
