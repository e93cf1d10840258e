"""A fault nobody foresaw, as the person and the log see it: an id to quote to the
administrator, and for the log that id with the exception's type and frames, never its
message or a value (either may hold a CCCD or a personal history)."""

from __future__ import annotations

import errno
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


_DATABASE_WORDS = (  # what SQLite or PostgreSQL says, in lower case → what a person reads
    (
        ("readonly", "read-only", "read only"),
        "Cơ sở dữ liệu chỉ cho đọc: không ghi được "
        "(quyền của tệp hoặc thư mục chứa nó, hoặc ổ đĩa chỉ đọc)",
    ),
    (
        ("disk is full", "no space", "disk full", "file too large"),
        "Ổ đĩa đã đầy: cơ sở dữ liệu không ghi được",
    ),
    (
        ("disk i/o",),
        "Ổ đĩa báo lỗi khi đọc ghi cơ sở dữ liệu (đầy, vượt hạn mức hoặc bị ngắt)",
    ),
    (
        ("malformed", "not a database"),
        "Tệp cơ sở dữ liệu bị hỏng hoặc đọc lỗi; hãy dùng bản sao lưu gần nhất",
    ),
    (
        ("connection", "server closed", "terminating", "timeout"),
        "Mất kết nối với máy chủ cơ sở dữ liệu",
    ),
    (("locked", "busy"), "Cơ sở dữ liệu đang bận quá lâu (một việc khác giữ khóa ghi)"),
)
_OS_WORDS = {
    errno.ENOSPC: "Ổ đĩa đã đầy",
    errno.EDQUOT: "Vượt hạn mức ổ đĩa",
    errno.EFBIG: "Tệp vượt kích thước cho phép",
    errno.EROFS: "Ổ đĩa chỉ đọc",
    errno.EACCES: "Không có quyền đọc hoặc ghi tệp",
    errno.EPERM: "Không có quyền đọc hoặc ghi tệp",
    errno.EIO: "Lỗi đọc ghi ổ đĩa",
}


def fault_words(exc: BaseException) -> str:
    """What a person reads of a fault: the kind of trouble (the database's, the disk's) when
    it is known, never the exception's text (it may hold a CCCD, a name, SQL values)."""
    if from_database(exc):
        said = str(getattr(exc, "orig", exc)).lower()
        for words, meaning in _DATABASE_WORDS:
            if any(w in said for w in words):
                return meaning
        return "Cơ sở dữ liệu báo lỗi"
    if isinstance(exc, OSError) and exc.errno in _OS_WORDS:
        return _OS_WORDS[exc.errno]
    return "Hệ thống gặp lỗi"


def from_database(exc: BaseException) -> bool:
    """Whether the database (its file, disk or server) raised it, not the program."""
    from sqlalchemy.exc import DBAPIError

    return isinstance(exc, DBAPIError)
