"""Reminder steps (pure): which step a scan raises on which day, and that none repeats."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.domain.calendar import WorkingCalendar
from workflow.domain.reminders import (
    Policy,
    fire_on,
    latest_step,
    next_step,
    parse_leads,
    parse_roles,
    step_text,
)
from workflow.domain.vocabulary import Role

CAL = WorkingCalendar()
DEFAULT = Policy("D-CEREMONY")


def test_default_steps_for_the_ceremony_across_tet_2025() -> None:
    due = date(2025, 3, 14)  # the ceremony deadline of a decision received 24/01/2025
    assert [fire_on(due, s, CAL) for s in (-10, -5, -1, 0, 5)] == [
        date(2025, 2, 28),
        date(2025, 3, 7),
        date(2025, 3, 13),
        date(2025, 3, 14),
        date(2025, 3, 21),
    ]
    assert latest_step(due, False, DEFAULT, CAL, date(2025, 2, 27)) is None
    assert latest_step(due, False, DEFAULT, CAL, date(2025, 3, 1)) == (-10, date(2025, 2, 28))
    # After downtime: on 26/03 the latest step reached is +5 (21/03); the others are skipped.
    assert latest_step(due, False, DEFAULT, CAL, date(2025, 3, 26)) == (5, date(2025, 3, 21))
    assert next_step(None, due, False, DEFAULT, CAL) == (-10, date(2025, 2, 28))
    assert next_step(0, due, False, DEFAULT, CAL) == (5, date(2025, 3, 21))
    assert next_step(5, due, False, DEFAULT, CAL) == (10, date(2025, 3, 28))


def test_a_milestone_is_never_overdue() -> None:
    due = date(2026, 7, 10)
    assert next_step(0, due, True, DEFAULT, CAL) is None
    assert latest_step(due, True, DEFAULT, CAL, date(2026, 9, 1)) == (0, due)
    assert step_text(0, True) == "đến ngày"
    assert step_text(-5, False) == "còn 5 ngày làm việc"
    assert step_text(10, False) == "quá hạn 10 ngày làm việc"


def test_policy_text_is_parsed_with_vietnamese_errors() -> None:
    assert parse_leads("5, 10,0,1") == (10, 5, 1, 0)
    assert parse_roles("bi_thu,chuyen_vien") == (Role.bi_thu, Role.chuyen_vien)
    with pytest.raises(ValueError, match="cách nhau bởi dấu phẩy"):
        parse_leads("mười")
    with pytest.raises(ValueError, match="từ 0 đến"):
        parse_leads("500")
    with pytest.raises(ValueError, match="vai trò không hợp lệ"):
        parse_roles("giam_doc")


policies = st.builds(
    Policy,
    kind=st.just("X"),
    leads=st.lists(st.integers(0, 30), min_size=1, max_size=5, unique=True).map(
        lambda v: tuple(sorted(v, reverse=True))
    ),
    overdue_every=st.integers(0, 10),
)
days = st.dates(date(2024, 6, 1), date(2027, 6, 1))


@settings(max_examples=150, deadline=None)
@given(
    due=days,
    milestone=st.booleans(),
    policy=policies,
    start=days,
    gaps=st.lists(st.integers(1, 12), min_size=1, max_size=40),
)
def test_scans_on_any_days_raise_each_step_at_most_once_in_order(
    due: date, milestone: bool, policy: Policy, start: date, gaps: list[int]
) -> None:
    """Whatever days the scanner happens to run (daily, or after downtime), the steps it
    raises strictly increase, each was reached on its day, and the next one lies ahead."""
    raised: list[int] = []
    last: int | None = None
    today = start
    for gap in gaps:
        today += timedelta(days=gap)
        reached = latest_step(due, milestone, policy, CAL, today)
        if reached is not None and (last is None or reached[0] > last):
            step, day = reached
            assert day <= today
            raised.append(step)
            last = step
        following = next_step(last, due, milestone, policy, CAL)
        if following is not None:
            assert following[1] > today
    assert raised == sorted(set(raised))
    if milestone or policy.overdue_every == 0:
        assert all(s <= 0 for s in raised)
