"""``column IN (a list given at execution)``, spelled the way each database reads it fast.

SQLite: an expanding IN (one ``?`` per value). PostgreSQL: ``column = ANY(:array)``, one
parameter. An IN list of 5,000 values is a statement SQLAlchemy renders with a cast per
value and psycopg parses anew on every execution (it caches statements under 4 KB only):
a batch of 20,000 dossiers spent seconds there. One construct, so a query is written once
and compiled (and cached) per dialect.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class Among(ColumnElement[bool]):
    """``column`` is one of the values bound to ``name`` at execution (a list)."""

    inherit_cache = True
    type = Boolean()
    # a condition of its own, like the IN it stands for: without this, SQLite (no native
    # boolean) gets "x IN (…) = 1", which no index serves
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("expanding", InternalTraversal.dp_clauseelement),
        ("array", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: Any, name: str) -> None:
        self.expanding = column.in_(bindparam(name, expanding=True))
        self.array = column == any_(bindparam(name, type_=ARRAY(column.type)))


def among(column: Any, name: str) -> Among:
    return Among(column, name)


@compiles(Among)
def _in_list(element: Among, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.expanding, **kw))


@compiles(Among, "postgresql")
def _any_array(element: Among, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.array, **kw))
