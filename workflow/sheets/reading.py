"""Reading the sheets clerks send (.csv or .xlsx) into plain rows, for the importers.

CSV: UTF-8 with or without BOM, UTF-16 or UTF-32 with a BOM, else a legacy file: TCVN3
bytes (workflow/text/legacy.py) or the Windows Vietnamese code page (cp1258); comma,
semicolon or tab. Columns typed in TCVN3 or VNI (in a CSV or an XLSX) are converted to
Unicode and named in ``legacy_columns``. XLSX: the first visible sheet, values as shown
(formulas' cached results); hidden sheets are named in ``hidden_sheets``, never read. Every
file is held to the limits of workflow/sheets/limits.py before it is read
(workflow/sheets/xlsx_guard.py for an .xlsx). Blank rows are skipped; each row keeps its
number in the file, so messages can name it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.domain.errors import BadInput
from workflow.sheets.limits import Limits, megabytes
from workflow.sheets.xlsx_guard import check_xlsx
from workflow.text.legacy import TO_UNICODE_BY_CODE, legacy_code
from workflow.text.vntext import count


@dataclass(frozen=True)
class Sheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the file, cells)
    legacy_columns: list[str] = field(default_factory=list)  # converted from TCVN3 or VNI
    hidden_sheets: list[str] = field(default_factory=list)  # an .xlsx's, not read


def _clean(value: Any) -> Any:
    """Blank cells are None. Text is left as typed (the input models make it NFC), so a
    legacy font's bytes are still there to be recognised."""
    if value.__class__ is str:
        return value.strip() or None
    if value.__class__ is float and value.is_integer():  # Excel keeps every number a double
        return int(value)
    return value


@dataclass(frozen=True)
class _Raw:
    name: str  # the file (and sheet) as messages give it
    rows: Iterator[list[Any]]  # as read: cleaned, not yet numbered
    whole_file: str | None = None  # the legacy code of a CSV read as TCVN3 or VNI bytes
    hidden: list[str] = field(default_factory=list)  # hidden sheets, not read


@contextmanager
def _raw_rows(path: Path) -> Iterator[_Raw]:
    """The file's rows as read, within the limits of workflow/sheets/limits.py (checked
    before the file is read: its size, an .xlsx's unpacked size and how far its sheets
    reach; a CSV's rows and columns as they come)."""
    limits = Limits.from_env()
    if not path.exists():
        raise BadInput.one("Tệp", f"không thấy tệp '{path}'")
    if not path.is_file():
        raise BadInput.one("Tệp", f"'{path.name}' không phải một tệp")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if path.stat().st_size > limits.max_bytes:
            raise BadInput.one(
                "Tệp",
                f"'{path.name}' nặng {megabytes(path.stat().st_size)}, quá giới hạn "
                f"{limits.size_words()}; chia thành nhiều tệp nhỏ hơn",
            )
        text, whole_file = _decoded(path)
        reader = csv.reader(io.StringIO(text), _dialect(text))
        # every CSV cell is text: blank ones become None (inline: 100,000 rows × columns)
        yield _Raw(path.name, _csv_rows(path.name, reader, limits), whole_file)
    elif suffix in {".xlsx", ".xlsm"}:
        check_xlsx(path, limits)
        yield _xlsx_rows(path, limits)
    else:
        raise BadInput.one("Tệp", f"'{path.name}': chỉ đọc được .csv hoặc .xlsx")


_BOMS = (  # the longest first: UTF-32's little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def _decoded(path: Path) -> tuple[str, str | None]:
    """A CSV's text: by its byte-order mark (UTF-8, UTF-16 as Excel's "Unicode Text"
    writes it, UTF-32); else UTF-8; else a legacy file: TCVN3 or VNI bytes (the code is
    returned), or Windows-1258."""
    try:
        raw = path.read_bytes()
    except OSError:
        raise BadInput.one("Tệp", f"không đọc được tệp '{path.name}'") from None
    for mark, codec, label in _BOMS:
        if raw.startswith(mark):
            try:
                return raw.decode(codec), None
            except UnicodeDecodeError:
                raise BadInput.one(
                    "Tệp", f"'{path.name}' có dấu {label} nhưng không đọc được như văn bản {label}"
                ) from None
    whole_file: str | None = None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:  # a legacy file: TCVN3 or VNI bytes, or Windows-1258
        latin = raw.decode("latin-1")
        whole_file = legacy_code(latin)
        text = latin if whole_file else raw.decode("cp1258")
    if "\x00" in text:
        raise BadInput.one(
            "Tệp", f"'{path.name}' không phải tệp CSV văn bản (hãy lưu lại dạng CSV UTF-8)"
        )
    return text, whole_file


def _xlsx_rows(path: Path, limits: Limits) -> _Raw:
    """The first visible sheet of a workbook already checked by check_xlsx. Hidden sheets
    are never read: they are named, so that the report can say they were left out."""
    # python-calamine (Rust) reads a 100,000-row sheet in about 1.5 s; openpyxl takes
    # over 20 s (bench/RESULTS.md). openpyxl still writes our templates and reports.
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    unreadable = BadInput.one("Tệp", f"'{path.name}' không đọc được như một tệp Excel")
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        shown = [m.name for m in sheets if m.visible == SheetVisibleEnum.Visible]
        hidden = [m.name for m in sheets if m.visible != SheetVisibleEnum.Visible]
        if not shown:
            raise BadInput.one(
                "Tệp",
                f"'{path.name}': mọi trang đều đang ẩn ({_listed(hidden)}); không nhập trang "
                "ẩn: hiện trang cần nhập (Unhide) rồi lưu lại",
            )
        sheet = book.get_sheet_by_name(shown[0])
        end = sheet.end or (0, 0)
        if limits.beyond(end[0] + 1, end[1] + 1):  # check_xlsx saw to it; kept as a bound
            raise BadInput.one(f"{path.name} / {shown[0]}", f"quá giới hạn {limits.table_words()}")
        # skip_empty_area=False: row i of the list is row i + 1 of the sheet
        table = sheet.to_python(skip_empty_area=False, nrows=limits.max_rows)
    except BadInput:
        raise
    except BaseException as exc:  # a broken or mislabelled file; the Rust side panics
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise  # Ctrl+C, exit
        raise unreadable from None
    rows = ([_clean(c) for c in row] for row in table)
    return _Raw(f"{path.name} / {shown[0]}", rows, None, hidden)


def _listed(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The separator the header line uses (comma, semicolon or tab); a one-column file,
    which has none, reads as plain CSV."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _csv_rows(name: str, reader: Iterator[list[str]], limits: Limits) -> Iterator[list[Any]]:
    cells = 0
    try:
        for number, row in enumerate(reader, 1):
            cells += len(row)
            if number > limits.max_rows or cells > limits.max_cells:
                raise BadInput.one(
                    "Tệp",
                    f"'{name}' dòng {count(number)}: quá giới hạn {limits.table_words()}; chia "
                    "thành nhiều tệp nhỏ hơn",
                )
            if len(row) > limits.max_columns:
                raise BadInput.one(
                    f"{name}, dòng {number}",
                    f"{count(len(row))} cột, quá giới hạn {count(limits.max_columns)} cột "
                    "(KETNAP_IMPORT_MAX_COLUMNS)",
                )
            yield [c.strip() or None for c in row]
    except csv.Error:  # a cell over the csv module's limit (128 KiB), a broken quote …
        raise BadInput.one(
            "Tệp", f"'{name}' dòng {getattr(reader, 'line_num', '?')}: không đọc được như CSV"
        ) from None


def read_headers(path: Path) -> list[str]:
    """The header row alone (to tell what a sheet holds without reading it all)."""
    with _raw_rows(path) as raw:
        for row in raw.rows:
            if row.count(None) != len(row):
                headers = [str(h) if h is not None else "" for h in row]
                _convert_legacy(headers, [], raw.whole_file)
                return headers
    raise _no_data(path, raw)


def read_table(path: Path) -> Sheet:
    with _raw_rows(path) as raw:
        numbered = [(i + 1, row) for i, row in enumerate(raw.rows) if row.count(None) != len(row)]
    if not numbered or (len(numbered) == 1 and raw.hidden):  # headers alone: no data here
        raise _no_data(path, raw)
    (_, header), *body = numbered
    width = len(header)
    headers = [str(h) if h is not None else "" for h in header]
    body_rows = [(n, (row + [None] * width)[:width]) for n, row in body]
    legacy = _convert_legacy(headers, body_rows, raw.whole_file)
    return Sheet(raw.name, headers, body_rows, legacy, raw.hidden)


def sheet_notes(sheet: Sheet) -> dict[str, Any]:
    """What the report says about reading the file itself: legacy columns converted, hidden
    sheets left out."""
    notes: dict[str, Any] = {}
    if sheet.legacy_columns:
        notes["legacy_columns"] = sheet.legacy_columns
    if sheet.hidden_sheets:
        notes["hidden_sheets"] = sheet.hidden_sheets
    return notes


def _no_data(path: Path, raw: _Raw) -> BadInput:
    if raw.hidden:  # the data may be on a hidden sheet: never imported without being seen
        return BadInput.one(
            raw.name,
            f"trang này không có dữ liệu; không nhập trang ẩn ({_listed(raw.hidden)}): hiện "
            "trang cần nhập (Unhide), đặt nó lên đầu rồi lưu lại",
        )
    return BadInput.one("Tệp", f"'{path.name}' không có dữ liệu")


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
