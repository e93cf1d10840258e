"""How much of a sheet ketnap agrees to read, and how many of its problems it lists.

A sheet comes from outside: a 5 KB .xlsx can declare a cell at XFD1048576 (a table of
17 billion cells for the reader), a 4 MB one can unpack to gigabytes. Each limit is checked
before the file is read, and each can be raised by an environment variable:

=============================  ===============  ==========================================
variable                       default          what it bounds
=============================  ===============  ==========================================
``KETNAP_IMPORT_MAX_BYTES``    300,000,000      a .csv file's size; an .xlsx's unpacked size
``KETNAP_IMPORT_MAX_ROWS``     200,000          rows of a sheet, the header row included
``KETNAP_IMPORT_MAX_COLUMNS``  200              columns of a sheet
``KETNAP_IMPORT_MAX_CELLS``    10,000,000       rows × columns (the table the reader builds)
``KETNAP_IMPORT_MAX_RATIO``    100              how much one .xlsx part may unpack per byte
=============================  ===============  ==========================================

The defaults are twice the 100,000-row sheet of ``bench/import.py`` (a 70 MB sheet part,
unpacked; a sheet of identical rows unpacks 24 times its size, a zip bomb a thousand).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from workflow.domain.errors import BadInput
from workflow.text.vntext import count

MAX_PROBLEMS = 200
"""A sheet's problems listed at most; the others are counted ("… và 4.800 lỗi khác")."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 300_000_000
    max_rows: int = 200_000
    max_columns: int = 200
    max_cells: int = 10_000_000
    max_ratio: int = 100

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, each replaced by its environment variable when set; a value that is
        not a whole number above zero is bad input naming the variable."""
        values = {}
        for name, variable in _VARIABLES.items():
            raw = os.environ.get(variable, "").strip()
            if not raw:
                continue
            digits = raw.replace("_", "").replace(".", "").replace(",", "")
            if not (digits.isascii() and digits.isdigit()) or int(digits) == 0 or len(digits) > 15:
                raise BadInput.one(variable, f"'{raw[:20]}' phải là một số nguyên dương")
            values[name] = int(digits)
        return cls(**values)

    def size_words(self) -> str:
        return f"{megabytes(self.max_bytes)} (KETNAP_IMPORT_MAX_BYTES)"

    def table_words(self) -> str:
        return (
            f"{count(self.max_rows)} dòng × {count(self.max_columns)} cột, "
            f"{count(self.max_cells)} ô (KETNAP_IMPORT_MAX_ROWS, KETNAP_IMPORT_MAX_COLUMNS, "
            "KETNAP_IMPORT_MAX_CELLS)"
        )

    def beyond(self, rows: int, columns: int) -> bool:
        """Is a table of ``rows`` × ``columns`` more than these limits let be read?"""
        return rows > self.max_rows or columns > self.max_columns or rows * columns > self.max_cells


_VARIABLES = {
    "max_bytes": "KETNAP_IMPORT_MAX_BYTES",
    "max_rows": "KETNAP_IMPORT_MAX_ROWS",
    "max_columns": "KETNAP_IMPORT_MAX_COLUMNS",
    "max_cells": "KETNAP_IMPORT_MAX_CELLS",
    "max_ratio": "KETNAP_IMPORT_MAX_RATIO",
}


def megabytes(n: int) -> str:
    """A size as a clerk reads it: '3,2 GB', '70,7 MB', '4,9 KB' (the decimal comma)."""
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= size:
            return f"{n / size:.1f}".replace(".", ",") + f" {unit}"
    return f"{n} byte"


def column_letters(index: int) -> str:
    """1 → 'A', 16384 → 'XFD': a column as the sheet's own header names it."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """'A' → 1, 'XFD' → 16384 (any case); 0 for no letters."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - ord("A") + 1
    return index


def bounded(problems: list[tuple[str, str]], more: int, where: str) -> list[tuple[str, str]]:
    """At most MAX_PROBLEMS problems, then one line counting the ones left off."""
    shown = problems[:MAX_PROBLEMS]
    left = more + len(problems) - len(shown)
    if left:
        shown.append(
            (where, f"… và {count(left)} lỗi khác (chỉ liệt kê {MAX_PROBLEMS} lỗi đầu tiên)")
        )
    return shown
