"""Reading the sheets clerks send (.csv or .xlsx) into plain rows, for the importers.

CSV: UTF-8 with or without BOM, else a legacy file: TCVN3 bytes (workflow/text/legacy.py) or the
Windows Vietnamese code page (cp1258); comma or semicolon. Columns typed in TCVN3 or VNI (in a
CSV or an XLSX) are converted to Unicode and named in ``legacy_columns``. XLSX: the first
sheet, values as shown (formulas' cached results). Blank rows are
skipped; each row keeps its number in the file, so messages can name it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.domain.errors import BadInput
from workflow.text.legacy import TO_UNICODE_BY_CODE, legacy_code


@dataclass(frozen=True)
class Sheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the file, cells)
    legacy_columns: list[str] = field(default_factory=list)  # converted from TCVN3 or VNI


def _clean(value: Any) -> Any:
    """Blank cells are None. Text is left as typed (the input models make it NFC), so a
    legacy font's bytes are still there to be recognised."""
    if value.__class__ is str:
        return value.strip() or None
    if value.__class__ is float and value.is_integer():  # Excel keeps every number a double
        return int(value)
    return value


@contextmanager
def _raw_rows(path: Path) -> Iterator[tuple[str, Iterator[list[Any]], str | None]]:
    """The file's name as messages give it, its rows as read (cleaned, not yet numbered),
    and the legacy code of a whole CSV file read as TCVN3 or VNI bytes."""
    if not path.exists():
        raise BadInput.one("Tệp", f"không thấy tệp '{path}'")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = path.read_bytes()
        whole_file: str | None = None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:  # a legacy file: TCVN3 or VNI bytes, or Windows-1258
            latin = raw.decode("latin-1")
            whole_file = legacy_code(latin)
            text = latin if whole_file else raw.decode("cp1258")
        if "\x00" in text:
            raise BadInput.one(
                "Tệp", f"'{path.name}' không phải tệp CSV văn bản (hãy lưu lại dạng CSV UTF-8)"
            )
        reader = csv.reader(io.StringIO(text), _dialect(text))
        # every CSV cell is text: blank ones become None (inline: 100,000 rows × columns)
        yield path.name, _csv_rows(path.name, reader), whole_file
    elif suffix in {".xlsx", ".xlsm"}:
        # python-calamine (Rust) reads a 100,000-row sheet in about 1.5 s; openpyxl takes
        # over 20 s (bench/RESULTS.md). openpyxl still writes our templates and reports.
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_path(str(path))
            title = book.sheet_names[0]
            # skip_empty_area=False: row i of the list is row i + 1 of the sheet
            table = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception:  # a broken or mislabelled file
            raise BadInput.one("Tệp", f"'{path.name}' không đọc được như một tệp Excel") from None
        yield f"{path.name} / {title}", ([_clean(c) for c in row] for row in table), None
    else:
        raise BadInput.one("Tệp", f"'{path.name}': chỉ đọc được .csv hoặc .xlsx")


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The separator the header line uses (comma, semicolon or tab); a one-column file,
    which has none, reads as plain CSV."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _csv_rows(name: str, reader: Iterator[list[str]]) -> Iterator[list[Any]]:
    try:
        for row in reader:
            yield [c.strip() or None for c in row]
    except csv.Error:  # a cell over the csv module's limit (128 KiB), a broken quote …
        raise BadInput.one(
            "Tệp", f"'{name}' dòng {getattr(reader, 'line_num', '?')}: không đọc được như CSV"
        ) from None


def read_headers(path: Path) -> list[str]:
    """The header row alone (to tell what a sheet holds without reading it all)."""
    with _raw_rows(path) as (_, rows, whole_file):
        for row in rows:
            if row.count(None) != len(row):
                headers = [str(h) if h is not None else "" for h in row]
                _convert_legacy(headers, [], whole_file)
                return headers
    raise BadInput.one("Tệp", f"'{path.name}' không có dữ liệu")


def read_table(path: Path) -> Sheet:
    with _raw_rows(path) as (name, rows, whole_file):
        numbered = [(i + 1, row) for i, row in enumerate(rows) if row.count(None) != len(row)]
    if not numbered:
        raise BadInput.one("Tệp", f"'{path.name}' không có dữ liệu")
    (_, header), *body = numbered
    width = len(header)
    headers = [str(h) if h is not None else "" for h in header]
    body_rows = [(n, (row + [None] * width)[:width]) for n, row in body]
    legacy = _convert_legacy(headers, body_rows, whole_file)
    return Sheet(name, headers, body_rows, legacy)


# Text a legacy font could have typed is not plain ASCII and has nothing beyond Latin-1 (a
# TCVN3 or VNI byte read as Latin-1); Unicode Vietnamese has letters beyond it (ă, ễ, ư …).
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")


def _convert_legacy(
    headers: list[str], rows: list[tuple[int, list[Any]]], whole_file: str | None
) -> list[str]:
    """Legacy text becomes Unicode: every column of a file read as TCVN3 or VNI bytes; in a
    sheet, each column holding such text (a column is one typist's font), cells beyond
    Latin-1 (already Unicode) left alone; a header when it is itself in a legacy code."""
    converted = []
    columns = list(zip(*(row for _, row in rows), strict=True))
    for i in range(len(headers)):
        texts = [c for c in columns[i] if c.__class__ is str and not c.isascii()] if rows else []
        cells = [c for c in set(texts) if not _BEYOND_LATIN1.search(c)]
        # one look at the whole column (a regex pass in C), not one per cell
        code = whole_file or (legacy_code("\n".join(cells)) if cells else None)
        header_code = whole_file or legacy_code(headers[i])
        if header_code:
            headers[i] = TO_UNICODE_BY_CODE[header_code](headers[i])
        if code:
            convert = TO_UNICODE_BY_CODE[code]
            for _, row in rows:
                if row[i].__class__ is str and not _BEYOND_LATIN1.search(row[i]):
                    row[i] = convert(row[i])
            converted.append(f"{headers[i]} ({code})")
    return converted
