"""A fault nobody foresaw, as the person and the log see it: an id to quote to the
administrator, and for the log that id with the exception's type and frames, never its
message or a value (either may hold a CCCD or a personal history)."""

from __future__ import annotations

import secrets
import traceback


def fault_id() -> str:
    return secrets.token_hex(4).upper()


def where(exc: BaseException) -> str:
    """'TypeName tại file:line function < …', innermost frame first."""
    frames = " < ".join(
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}"
        for f in reversed(traceback.extract_tb(exc.__traceback__))
    )
    return f"{type(exc).__name__} tại {frames}"


def from_database(exc: BaseException) -> bool:
    """Whether the database (its file, disk or server) raised it, not the program."""
    from sqlalchemy.exc import DBAPIError

    return isinstance(exc, DBAPIError)
