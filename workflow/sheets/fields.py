"""A clerk's sheet against an input model: which column is which field, what a cell means.

Shared by every importer (candidates, organizations, classes, targets), so a header is
matched, a date serial read and a bad cell named the same way whatever the file holds.
Headers are matched without accents, case, spaces or hyphens; a message names the sheet,
the row and the column as the sheet itself heads it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from models import audit
from workflow.domain.errors import BadInput
from workflow.inputs.base import M, validate
from workflow.sheets.limits import MAX_PROBLEMS, bounded
from workflow.text.vntext import count, fmt_date, fold
from workflow.usecases.context import Context
from workflow.usecases.outfiles import append_row, check_target, staged

EXCEL_EPOCH = date(1899, 12, 30)
_FIRST_DAY = date(1900, 1, 1)  # Excel's serial 1
_EXACT = 2**53  # beyond this a double has lost digits: a number typed is no longer the one read
_TRUE = {"x", "co", "1", "true", "dung"}
_FALSE = {"", "khong", "0", "false"}


@lru_cache(maxsize=4096)
def header_key(header: str) -> str:
    """A header or a word as an identifier; cached: a sheet repeats the same few words."""
    return "_".join(fold(header).replace("-", " ").replace("/", " ").split())


def match_columns(
    headers: list[str], titles: dict[str, str], aliases: dict[str, str] | None = None
) -> dict[str, int]:
    """field → column index, by the field's title or one of the other names clerks use."""
    by_key = {header_key(title): f for f, title in titles.items()} | (aliases or {})
    found: dict[str, int] = {}
    for i, header in enumerate(headers):
        name = by_key.get(header_key(header))
        if name is not None and name not in found:
            found[name] = i
    return found


def labels(members: Iterable[Any]) -> dict[str, str]:
    """Folded value or label → value ("Đại học" and "dai_hoc" both give dai_hoc)."""
    out = {}
    for member in members:
        out[header_key(member.value)] = member.value
        out[header_key(member.label)] = member.value
    return out


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class CellError(ValueError):
    """A cell that cannot become what its column holds, said in Vietnamese; the importer
    names its row and column (Problems.cells)."""


def _shown(value: float | int) -> str:
    """A number as the clerk's sheet shows it (decimal comma), for a message."""
    return str(value).replace(".", ",")


def _excel_day(serial: int) -> date | None:
    """The day an Excel serial means (1 is 01/01/1900; 60 is Excel's 29/02/1900, a day
    that never was; from 61 on, counted from 30/12/1899); None when it means none."""
    if serial < 1 or serial == 60 or serial > 2_958_465:  # 31/12/9999
        return None
    return EXCEL_EPOCH + timedelta(days=serial + (1 if serial < 60 else 0))


def date_cell(value: Any, notes: dict[str, Any], today: date | None = None) -> Any:
    """A date cell, an Excel serial (counted in ``notes``) or text for the input model. A
    serial is a day from 01/01/1900 to ``today``; any other number is not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if _number(value):
        day = _excel_day(math.floor(value)) if math.isfinite(value) else None
        if day is None or day < _FIRST_DAY or (today is not None and day > today):
            last = (
                f"{count((today - EXCEL_EPOCH).days)} (hôm nay, {fmt_date(today)})" if today else ""
            )
            raise CellError(
                f"ô kiểu số {_shown(value)} không phải một ngày: số ngày của Excel chỉ từ 1 "
                f"(01/01/1900){' tới ' + last if last else ''}; gõ ngày dạng dd/mm/yyyy"
            )
        notes["excel_dates"] = notes.get("excel_dates", 0) + 1
        return day
    return str(value)


_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE]\+?[0-9]+")


def cccd_cell(value: Any, notes: dict[str, Any]) -> Any:
    """A CCCD as the input model takes it. A numeric cell has lost the leading zeros of a
    province code 001–096 (10 or 11 digits left): they are put back, counted in ``notes``.
    Any other number is not a CCCD, and says how to type one so that Excel keeps it."""
    as_text = "gõ số CCCD dạng chữ (định dạng ô Text) để Excel giữ đủ 12 chữ số"
    if not _number(value):
        text = str(value).strip()
        if ("E" in text or "e" in text) and _SCIENTIFIC.fullmatch(text):
            raise CellError(f"Excel đã đổi số CCCD thành dạng số mũ và làm mất chữ số; {as_text}")
        return value
    if not math.isfinite(value) or not float(value).is_integer():
        raise CellError(f"ô kiểu số có phần thập phân, không phải số CCCD; {as_text}")
    if value < 0 or abs(value) >= _EXACT:
        raise CellError(f"ô kiểu số này không phải số CCCD; {as_text}")
    digits = str(int(value))
    if len(digits) in (10, 11):
        notes["cccd_zero"] = notes.get("cccd_zero", 0) + 1
        return digits.zfill(12)
    if len(digits) == 12:
        return digits
    raise CellError(f"ô kiểu số chỉ có {len(digits)} chữ số, số CCCD có 12; {as_text}")


def yes_no_cell(value: Any) -> Any:
    word = header_key(str(value))
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return str(value)


def int_cell(value: Any) -> Any:
    """A whole number: 12 and 12.0 are twelve; 12.5 is not a count (never cut to 12)."""
    if not _number(value):
        return value
    if not math.isfinite(value) or not float(value).is_integer() or abs(value) >= _EXACT:
        raise CellError(f"phải là số nguyên (ô ghi {_shown(value)})")
    return int(value)


def text_cell(value: Any) -> Any:
    if _number(value):  # a number typed in a text column
        if not math.isfinite(value) or abs(value) >= _EXACT:
            raise CellError(
                "ô kiểu số quá dài, Excel đã làm tròn nó: gõ lại dạng chữ (định dạng Text)"
            )
        if float(value).is_integer():
            return str(int(value))
    return value if isinstance(value, str) else str(value)


class Problems:
    """Each bad cell of a sheet, as (sheet and row, column) → message; raised at the end so
    the clerk sees them all at once: the first MAX_PROBLEMS, and how many more."""

    def __init__(self, sheet: str, header_of: dict[str, str], titles: dict[str, str]) -> None:
        self.sheet = sheet
        self.header_of = header_of  # field → the sheet's own header
        self.titles = titles
        self.column_of = {titles[f]: h for f, h in header_of.items()}  # a title → header
        self.items: list[tuple[str, str]] = []
        self.more = 0  # problems found beyond MAX_PROBLEMS: counted, not kept

    def _add(self, where: str, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append((where, message))
        else:
            self.more += 1

    def cell(self, number: int, field_or_title: str, message: str) -> None:
        column = self.header_of.get(field_or_title) or self.column_of.get(
            field_or_title, field_or_title
        )
        self._add(f"{self.sheet}, dòng {number}, cột '{column}'", message)

    def row(self, number: int, message: str) -> None:
        self._add(f"{self.sheet}, dòng {number}", message)

    def cells(
        self,
        number: int,
        columns: dict[str, int],
        row: list[Any],
        convert: Callable[[str, Any], Any],
    ) -> tuple[dict[str, Any], frozenset[str]]:
        """A row's non-blank cells converted for the input model, and the fields whose cell
        could not be (each noted)."""
        data: dict[str, Any] = {}
        bad: set[str] = set()
        for name, i in columns.items():
            if row[i] is None:
                continue
            try:
                data[name] = convert(name, row[i])
            except CellError as exc:
                self.cell(number, name, str(exc))
                bad.add(name)
        return data, frozenset(bad)

    def checked(
        self,
        number: int,
        model: type[M],
        data: dict[str, Any],
        today: date,
        bad: frozenset[str] = frozenset(),
    ) -> M | None:
        """The row's values through the input model, or None with each problem noted. The
        fields in ``bad`` were already noted (their cells left out): None, and no second
        message for them."""
        skip = {self.titles.get(f, f) for f in bad}
        try:
            checked = validate(model, data, today)
        except BadInput as exc:
            for title, message in exc.problems:
                if title not in skip:
                    self.cell(number, title, message)
            return None
        return None if bad else checked

    def raise_any(self) -> None:
        if self.items:
            raise BadInput(bounded(self.items, self.more, self.sheet))


def missing_columns(
    sheet: str, found: dict[str, int], required: Iterable[str], titles: dict[str, str]
) -> None:
    missing = [titles[f] for f in required if f not in found]
    if missing:
        raise BadInput([(f"{sheet}, dòng 1", f"thiếu cột: {', '.join(missing)}")])


def finder(items: Iterable[Any]) -> Callable[[str], Any]:
    """Look an organization (or a class) up by its code or by its name without accents."""
    listed = list(items)
    by_code = {i.code: i for i in listed}
    by_name = {fold(i.name): i for i in listed}

    def find(raw: str) -> Any:
        raw = raw.strip()
        return by_code.get(raw.upper()) or by_code.get(raw) or by_name.get(fold(raw))

    return find


def write_personal_export(
    ctx: Context,
    path: Path,
    event: str,
    data: dict[str, Any],
    book: dict[str, Any],
) -> None:
    """An export that holds CCCDs: written beside ``path``, audited, and only then put in
    its place (a file that could not be written leaves no export event)."""
    with staged(path) as temp:
        write_book(temp, **book)
        with ctx.write() as s:
            audit.append(
                s, at=ctx.clock.now(), actor=ctx.actor, kind="personal", event=event, data=data
            )


def write_book(
    path: Path,
    title: str,
    headers: list[str],
    rows: Iterable[list[Any]],
    *,
    help_rows: list[list[str]] | None = None,
    text_columns: Iterable[int] = (),
) -> None:
    """A template or an export: bold frozen headers, the rows, and a sheet saying what each
    column accepts. ``text_columns`` (0-based) stay text, so a CCCD keeps its leading 0."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    check_target(path)
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = title
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(ws, row)
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(14, len(header) + 4)
    for i in text_columns:
        for cell in ws[get_column_letter(i + 1)][1:]:
            cell.number_format = "@"
    if help_rows:
        help_ws = book.create_sheet("Hướng dẫn")
        help_ws.append(["Cột", "Giá trị"])
        for line in help_rows:
            help_ws.append(line)
        help_ws.column_dimensions["A"].width = 28
        help_ws.column_dimensions["B"].width = 90
    with staged(path) as temp:
        book.save(temp)
