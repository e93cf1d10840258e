"""Working days across Tết, làm bù Saturdays and the override table."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.domain.calendar import WorkingCalendar, add_months, full_months, months_between


def test_ceremony_deadline_from_friday_24_01_2025_crosses_tet() -> None:
    # Tết At Tỵ: 27/01–01/02/2025 off; 30 working days from Friday 24/01 end on 14/03.
    cal = WorkingCalendar()
    assert cal.add_working_days(date(2025, 1, 24), 30) == date(2025, 3, 14)
    assert not cal.is_working_day(date(2025, 1, 29))


def test_lam_bu_saturday_26_04_2025_is_a_working_day() -> None:
    cal = WorkingCalendar()
    assert cal.is_working_day(date(2025, 4, 26))
    assert not cal.is_working_day(date(2025, 5, 2))  # the day off it paid for
    assert not cal.is_working_day(date(2025, 4, 19))  # an ordinary Saturday


def test_override_table_wins_over_the_package() -> None:
    cal = WorkingCalendar({date(2025, 3, 3): False, date(2025, 3, 8): True})
    assert not cal.is_working_day(date(2025, 3, 3))
    assert cal.is_working_day(date(2025, 3, 8))
    assert cal.holiday_name(date(2025, 3, 3)) is not None


def test_working_days_between_counts_only_working_days() -> None:
    cal = WorkingCalendar()
    assert cal.working_days_between(date(2025, 1, 24), date(2025, 2, 3)) == 1
    assert cal.working_days_between(date(2025, 2, 3), date(2025, 1, 24)) == -1


def test_month_arithmetic() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert months_between(date(2003, 8, 31), date(2021, 8, 1)) == 216
    assert full_months(date(2022, 3, 12), date(2022, 4, 11)) == 0
    assert full_months(date(2022, 3, 12), date(2022, 4, 12)) == 1


def _naive_add(cal: WorkingCalendar, start: date, n: int, step: int) -> date:
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=step)
        if cal.is_working_day(day):
            counted += 1
    return day


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(date(2023, 1, 1), date(2027, 12, 31)),
    n=st.integers(0, 400),
    other=st.dates(date(2023, 1, 1), date(2027, 12, 31)),
)
def test_indexed_working_day_arithmetic_equals_counting_day_by_day(
    start: date, n: int, other: date
) -> None:
    cal = WorkingCalendar({date(2025, 4, 26): True, date(2026, 3, 2): False})
    assert cal.add_working_days(start, n) == _naive_add(cal, start, n, 1)
    assert cal.sub_working_days(start, n) == _naive_add(cal, start, n, -1)
    lo, hi = sorted((start, other))
    naive = sum(cal.is_working_day(lo + timedelta(days=i + 1)) for i in range((hi - lo).days))
    assert cal.working_days_between(lo, hi) == naive
    assert cal.working_days_between(hi, lo) == -naive
