"""Reading the sheets clerks send (.csv or .xlsx) into plain rows, for the importers.

CSV: UTF-8 with or without BOM, else a legacy file: TCVN3 bytes (workflow/legacy.py) or the
Windows Vietnamese code page (cp1258); comma or semicolon. Columns typed in TCVN3 (in a CSV
or an XLSX) are converted to Unicode and named in ``legacy_columns``. XLSX: the first
sheet, values as shown (formulas' cached results). Blank rows are
skipped; each row keeps its number in the file, so messages can name it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.errors import BadInput
from workflow.legacy import looks_tcvn3, tcvn3_to_unicode
from workflow.vntext import nfc


@dataclass(frozen=True)
class Sheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the file, cells)
    legacy_columns: list[str] = field(default_factory=list)  # converted from TCVN3


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
        whole_file = False
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:  # a legacy file: TCVN3 bytes, or Windows-1258
            latin = raw.decode("latin-1")
            whole_file = looks_tcvn3(latin)
            text = latin if whole_file else raw.decode("cp1258")
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
        whole_file = False
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
    legacy = _convert_tcvn3(headers, rows, whole_file)
    return Sheet(name, headers, rows, legacy)


def _latin(text: str) -> bool:
    return all(ord(ch) < 0x100 for ch in text)


def _convert_tcvn3(
    headers: list[str], rows: list[tuple[int, list[Any]]], whole_file: bool
) -> list[str]:
    """TCVN3 text becomes Unicode: every column of a file read as TCVN3 bytes; in a sheet,
    each column holding TCVN3 (a column is one typist's font), cells beyond Latin-1 (already
    Unicode) left alone; a header when it is itself TCVN3."""
    converted = []
    for i in range(len(headers)):
        cells = [row[i] for _, row in rows if isinstance(row[i], str)]
        if whole_file or looks_tcvn3(headers[i]):
            headers[i] = tcvn3_to_unicode(headers[i])
        if whole_file or any(looks_tcvn3(c) for c in cells):
            for _, row in rows:
                if isinstance(row[i], str) and _latin(row[i]):
                    row[i] = tcvn3_to_unicode(row[i])
            converted.append(headers[i])
    return converted
