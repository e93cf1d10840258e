"""Working days (ngày làm việc): weekends and Vietnam's public holidays are not counted.

Three layers, the last word first: the installation's own days (the database's override
table: what a province adds), the Government's decisions for civil servants
(``civil_calendar``: dated, with their source), then the maintained ``holidays`` package
(the Labour Code's holidays, Tết, nghỉ bù and làm bù).
"""

from __future__ import annotations

import calendar as _cal
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import Any

from workflow.domain.civil_calendar import BY_DAY


@dataclass(frozen=True)
class UnusualDay:
    """A day that is not as the plain week has it: a holiday on a weekday, a Saturday worked."""

    day: date
    working: bool
    name: str
    source: str


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (31/01 + 1 month = 28/02)."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    last = _cal.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months counted by month only (R-AGE: 08/2003 → 08/2021 is 216)."""
    return (later.year - earlier.year) * 12 + (later.month - earlier.month)


def full_months(earlier: date, later: date) -> int:
    """Completed months between two dates (12/03 → 11/04 is 0, → 12/04 is 1)."""
    months = months_between(earlier, later)
    if later.day < earlier.day and add_months(earlier, months) > later:
        months -= 1
    return months


@cache
def _vn_holidays() -> Any:
    """One holiday table per process: building it is the costly part."""
    import holidays

    return holidays.country_holidays("VN", language="vi")


@lru_cache(maxsize=8)
def _year_cache(overrides: frozenset[tuple[date, bool]]) -> dict[int, list[int]]:
    """Working days per year, shared by every calendar with the same overrides (a pure
    cache: the same inputs always give the same lists)."""
    return {}


class WorkingCalendar:
    """Pure working-day arithmetic; overrides map a date to True (work) or False (off)."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._years = _year_cache(frozenset(self._overrides.items()))

    @property
    def _holidays(self) -> Any:
        return _vn_holidays()

    def is_working_day(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        if day in BY_DAY:
            return BY_DAY[day].working
        return bool(self._holidays.is_working_day(day))

    def holiday_name(self, day: date) -> str | None:
        if day in self._overrides and not self._overrides[day]:
            return "Ngày nghỉ theo quyết định bổ sung"
        if day in BY_DAY:
            return None if BY_DAY[day].working else BY_DAY[day].name
        name = self._holidays.get(day)
        return str(name) if name else None

    def unusual_days(self, year: int, notes: Mapping[date, str]) -> list[UnusualDay]:
        """Every day of ``year`` that differs from the plain week (Monday to Friday worked),
        with its name and where it comes from: ``notes`` are the installation's own days."""
        out = []
        day = date(year, 1, 1)
        while day.year == year:
            working = self.is_working_day(day)
            if working != (day.weekday() < 5):
                out.append(UnusualDay(day, working, *self._why(day, working, notes)))
            day = date.fromordinal(day.toordinal() + 1)
        return out

    def _why(self, day: date, working: bool, notes: Mapping[date, str]) -> tuple[str, str]:
        if day in self._overrides:
            name = "Ngày làm việc bổ sung" if working else "Ngày nghỉ bổ sung"
            return name, f"Bổ sung của hệ thống: {notes.get(day) or 'không ghi căn cứ'}"
        if day in BY_DAY:
            return BY_DAY[day].name, BY_DAY[day].source
        name = self._holidays.get(day)
        if working or (name and "thay cho" in str(name)):  # a swap the package carries
            return (str(name) if name else "Làm bù"), "Hoán đổi ngày làm việc (thư viện holidays)"
        return str(name), "Bộ luật Lao động 2019, Điều 112 (thư viện holidays)"

    def _year(self, year: int) -> list[int]:
        """Ordinals of the working days of one year, built once per calendar."""
        days = self._years.get(year)
        if days is None:
            first = date(year, 1, 1).toordinal()
            last = date(year, 12, 31).toordinal()
            days = [o for o in range(first, last + 1) if self.is_working_day(date.fromordinal(o))]
            self._years[year] = days
        return days

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (start itself is not counted)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return start
        year = start.year
        days = self._year(year)
        i = bisect_right(days, start.toordinal())
        while i + n > len(days):
            n -= len(days) - i
            year += 1
            days = self._year(year)
            i = 0
        return date.fromordinal(days[i + n - 1])

    def sub_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day before ``start`` (start itself is not counted)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return start
        year = start.year
        days = self._year(year)
        i = bisect_left(days, start.toordinal())  # working days strictly before start
        while i < n:
            n -= i
            year -= 1
            days = self._year(year)
            i = len(days)
        return date.fromordinal(days[i - n])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        s_days, e_days = self._year(start.year), self._year(end.year)
        if start.year == end.year:
            return bisect_right(e_days, end.toordinal()) - bisect_right(s_days, start.toordinal())
        count = len(s_days) - bisect_right(s_days, start.toordinal())
        count += sum(len(self._year(y)) for y in range(start.year + 1, end.year))
        return count + bisect_right(e_days, end.toordinal())

    def previous_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the last working day before it."""
        return day if self.is_working_day(day) else self.sub_working_days(day, 1)

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        return day if self.is_working_day(day) else self.add_working_days(day, 1)
