"""Reading the sheets clerks send (.csv or .xlsx) into plain rows, for the importers.

CSV: UTF-8 with or without BOM, else the Windows Vietnamese code page (cp1258); comma or
semicolon. XLSX: the first sheet, values as shown (formulas' cached results). Blank rows are
skipped; each row keeps its number in the file, so messages can name it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.errors import BadInput
from workflow.vntext import nfc


@dataclass(frozen=True)
class Sheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the file, cells)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = nfc(value.strip())
        return value or None
    return value


def read_table(path: Path) -> Sheet:
    if not path.exists():
        raise BadInput.one("Tệp", f"không thấy tệp '{path}'")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "cp1258"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else None
        reader = csv.reader(io.StringIO(text), dialect or csv.excel)
        table = [[_clean(c) for c in row] for row in reader]
        name = path.name
    elif suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception:  # a broken or mislabelled file
            raise BadInput.one("Tệp", f"'{path.name}' không đọc được như một tệp Excel") from None
        ws = book.worksheets[0]
        table = [[_clean(c) for c in row] for row in ws.iter_rows(values_only=True)]
        name = f"{path.name} / {ws.title}"
        book.close()
    else:
        raise BadInput.one("Tệp", f"'{path.name}': chỉ đọc được .csv hoặc .xlsx")
    numbered = [(i + 1, row) for i, row in enumerate(table) if any(c is not None for c in row)]
    if not numbered:
        raise BadInput.one("Tệp", f"'{path.name}' không có dữ liệu")
    (_, header), *body = numbered
    width = len(header)
    headers = [str(h) if h is not None else "" for h in header]
    rows = [(n, (row + [None] * width)[:width]) for n, row in body]
    return Sheet(name, headers, rows)
