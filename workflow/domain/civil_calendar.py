"""The Government's yearly decisions on civil servants' days off and days worked in
exchange, as dated data with their source (the ``holidays`` package follows the Labour
Code; Party committees keep the civil servants' calendar). A new decision is a new row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DecidedDay:
    day: date
    working: bool
    name: str
    source: str


_CV_12729 = "CV 12729/VPCP-KGVX ngày 25/12/2025 (nghỉ Tết Dương lịch 01–04/01/2026)"

DECIDED_DAYS: tuple[DecidedDay, ...] = (
    DecidedDay(date(2026, 1, 2), False, "Nghỉ Tết Dương lịch (hoán đổi)", _CV_12729),
    DecidedDay(date(2026, 1, 10), True, "Làm bù cho ngày 02/01/2026", _CV_12729),
)
BY_DAY: dict[date, DecidedDay] = {d.day: d for d in DECIDED_DAYS}
