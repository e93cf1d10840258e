"""Files ketnap writes for a person (exports, reports, bundles, templates): the target is
checked before anything is read or audited, the file is written beside it under a
temporary name and appears under its own name only when everything before it (the audit
event's commit included) succeeded. A target that cannot be written is a Vietnamese
message naming the option, never a traceback; nothing half-written is left behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workflow.domain.errors import BadInput

OUT_FIELD = "Tệp sẽ ghi (--out)"


def check_target(path: Path, label: str = OUT_FIELD, *, fresh: bool = False) -> Path:
    """Refuse an empty name, a folder, a missing or read-only folder, a device; with
    ``fresh`` (evidence: bundles, checkpoints) an existing file too, never overwritten."""
    if not str(path).strip() or str(path) in {".", ".."}:
        raise BadInput.one(label, "chưa có tên tệp")
    target = Path(path).expanduser()
    if target.is_dir():
        raise BadInput.one(label, f"'{target}' là một thư mục; hãy ghi tên tệp")
    if target.exists() and not target.is_file():
        raise BadInput.one(label, f"'{target}' không phải tệp thường")
    if _a_database(target):
        raise BadInput.one(
            label, f"'{target}' là một cơ sở dữ liệu (hoặc tệp đi kèm của nó); không ghi đè"
        )
    if fresh and target.exists():
        raise BadInput.one(
            label, f"đã có tệp '{target}'; tệp làm chứng cứ không bị ghi đè, hãy chọn tên khác"
        )
    folder = target.parent
    if not folder.is_dir():
        raise BadInput.one(label, f"không có thư mục '{folder}'")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BadInput.one(label, f"không được ghi vào thư mục '{folder}'")
    return target


_COMPANIONS = ("-wal", "-shm", "-journal")


def _a_database(target: Path) -> bool:
    """A SQLite database, or the log and index files SQLite keeps beside one: an export
    aimed at them would destroy the installation's data."""
    for suffix in _COMPANIONS:
        if target.name.endswith(suffix):
            target = target.with_name(target.name.removesuffix(suffix))
            break
    try:
        with target.open("rb") as head:
            return head.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


@contextmanager
def staged(path: Path, label: str = OUT_FIELD) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; renamed onto ``path`` when the block ends
    without an error, removed when it does not."""
    target = check_target(path, label)
    # the temporary name keeps the suffix: some writers choose the format by it
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent
        )
    except OSError as exc:
        raise BadInput.one(
            label, f"không ghi được vào thư mục '{target.parent}': {_why(exc)}"
        ) from None
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        os.replace(temp, target)
    except OSError as exc:
        raise BadInput.one(label, f"không ghi được '{target}': {_why(exc)}") from None
    finally:
        temp.unlink(missing_ok=True)


def _why(exc: OSError) -> str:
    import errno

    return {
        errno.ENOSPC: "ổ đĩa đã đầy",
        errno.EACCES: "không có quyền ghi",
        errno.EROFS: "ổ đĩa chỉ đọc",
        errno.EDQUOT: "vượt hạn mức ổ đĩa",
    }.get(exc.errno or 0, "lỗi ghi tệp")


def append_row(ws: Any, values: list[Any], formulas: Collection[int] = ()) -> None:
    """Append a row to an openpyxl sheet as data: text that starts with '=' stays text
    (a name typed as ``=HYPERLINK(…)`` must not run when a clerk opens the file), and
    characters a sheet cannot hold are dropped instead of failing the whole export.
    ``formulas``: the 0-based columns that are ketnap's own formulas."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    clean = [ILLEGAL_CHARACTERS_RE.sub("", v) if v.__class__ is str else v for v in values]
    ws.append(clean)
    texts = [
        i
        for i, v in enumerate(clean)
        if v.__class__ is str and v.startswith("=") and i not in formulas
    ]
    if texts:
        row = ws[ws.max_row]
        for i in texts:
            row[i].data_type = "s"
