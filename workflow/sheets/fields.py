"""A clerk's sheet against an input model: which column is which field, what a cell means.

Shared by every importer (candidates, organizations, classes, targets), so a header is
matched, a date serial read and a bad cell named the same way whatever the file holds.
Headers are matched without accents, case, spaces or hyphens; a message names the sheet,
the row and the column as the sheet itself heads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from models import audit
from workflow.domain.errors import BadInput
from workflow.inputs.base import M, validate
from workflow.text.vntext import fold
from workflow.usecases.context import Context
from workflow.usecases.outfiles import append_row, check_target, staged

EXCEL_EPOCH = date(1899, 12, 30)
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


def date_cell(value: Any, notes: dict[str, Any]) -> Any:
    """A date cell, an Excel serial (counted in ``notes``) or text for the input model."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if _number(value):
        notes["excel_dates"] = notes.get("excel_dates", 0) + 1
        return EXCEL_EPOCH + timedelta(days=int(value))
    return str(value)


def yes_no_cell(value: Any) -> Any:
    word = header_key(str(value))
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return str(value)


def int_cell(value: Any) -> Any:
    return int(value) if _number(value) and float(value).is_integer() else value


def text_cell(value: Any) -> Any:
    if _number(value) and float(value).is_integer():  # a number typed in a text column
        return str(int(value))
    return value if isinstance(value, str) else str(value)


class Problems:
    """Each bad cell of a sheet, as (sheet and row, column) → message; raised at the end so
    the clerk sees them all at once."""

    def __init__(self, sheet: str, header_of: dict[str, str], titles: dict[str, str]) -> None:
        self.sheet = sheet
        self.header_of = header_of  # field → the sheet's own header
        self.column_of = {titles[f]: h for f, h in header_of.items()}  # a title → header
        self.items: list[tuple[str, str]] = []

    def cell(self, number: int, field_or_title: str, message: str) -> None:
        column = self.header_of.get(field_or_title) or self.column_of.get(
            field_or_title, field_or_title
        )
        self.items.append((f"{self.sheet}, dòng {number}, cột '{column}'", message))

    def row(self, number: int, message: str) -> None:
        self.items.append((f"{self.sheet}, dòng {number}", message))

    def checked(self, number: int, model: type[M], data: dict[str, Any], today: date) -> M | None:
        """The row's values through the input model, or None with each problem noted."""
        try:
            return validate(model, data, today)
        except BadInput as exc:
            for title, message in exc.problems:
                self.cell(number, title, message)
            return None

    def raise_any(self) -> None:
        if self.items:
            raise BadInput(self.items)


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
