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


# The Government's swap decisions, as sourced data over the package (issue 14).
def test_the_civil_service_calendar_of_january_2026() -> None:
    cal = WorkingCalendar()
    assert not cal.is_working_day(date(2026, 1, 2))  # CV 12729/VPCP-KGVX: Friday off
    assert cal.is_working_day(date(2026, 1, 10))  # and Saturday worked in exchange
    days = {d.day: d for d in cal.unusual_days(2026, {})}
    assert "12729/VPCP-KGVX" in days[date(2026, 1, 2)].source
    assert days[date(2026, 1, 10)].working


def test_a_ceremony_deadline_counted_across_the_swap_and_tet_2026_moves() -> None:
    # received Monday 05/01/2026: with Saturday 10/01 worked, the 30th working day is Friday
    # 13/02, before Tết Bính Ngọ (14–22/02); without the swap it would be Monday 23/02.
    assert WorkingCalendar().add_working_days(date(2026, 1, 5), 30) == date(2026, 2, 13)
    plain = WorkingCalendar({date(2026, 1, 10): False})
    assert plain.add_working_days(date(2026, 1, 5), 30) == date(2026, 2, 23)


def test_an_installations_own_day_still_wins() -> None:
    cal = WorkingCalendar({date(2026, 1, 2): True})
    assert cal.is_working_day(date(2026, 1, 2))
    ours = {d.day: d for d in cal.unusual_days(2026, {date(2026, 1, 2): "Quyết định của tỉnh"})}
    assert date(2026, 1, 2) not in ours  # a working Friday is the plain week
    off = WorkingCalendar({date(2026, 3, 2): False}).unusual_days(2026, {date(2026, 3, 2): "CV 1"})
    assert any(d.day == date(2026, 3, 2) and "CV 1" in d.source for d in off)


# The dates that matter in 2024–2026, pinned: a newer `holidays` must still give them.
OFF = [
    date(2024, 1, 1),
    *(date(2024, 2, d) for d in range(8, 15)),  # Tết Giáp Thìn
    date(2024, 4, 18),
    date(2024, 4, 29),
    date(2024, 4, 30),
    date(2024, 5, 1),
    date(2024, 9, 2),
    date(2024, 9, 3),
    date(2025, 1, 1),
    *(date(2025, 1, d) for d in range(27, 32)),  # Tết Ất Tỵ
    date(2025, 4, 7),
    date(2025, 4, 30),
    date(2025, 5, 1),
    date(2025, 5, 2),
    date(2025, 9, 1),
    date(2025, 9, 2),
    date(2026, 1, 1),
    date(2026, 1, 2),
    *(date(2026, 2, d) for d in range(16, 21)),  # Tết Bính Ngọ
    date(2026, 4, 27),
    date(2026, 4, 30),
    date(2026, 5, 1),
    date(2026, 9, 1),
    date(2026, 9, 2),
]
WORKED_SATURDAYS = [date(2025, 4, 26), date(2026, 1, 10)]


def test_the_2024_2026_holidays_are_pinned() -> None:
    cal = WorkingCalendar()
    assert [d for d in OFF if cal.is_working_day(d)] == []
    assert all(cal.is_working_day(d) for d in WORKED_SATURDAYS)
