"""The injected clock. Domain code receives dates; only this module reads the wall clock."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that says what it is told: tests and `KETNAP_NOW` (demos, re-runs)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=VN_TZ)
        self.at = at

    def now(self) -> datetime:
        return self.at


def today(clock: Clock) -> date:
    """The date in Vietnam, which is what every deadline and rule counts in."""
    return clock.now().astimezone(VN_TZ).date()


def local(ts: datetime) -> datetime:
    return ts.astimezone(VN_TZ)


def clock_from_env() -> Clock:
    """``KETNAP_NOW=dd/mm/yyyy`` (optionally `` HH:MM``) pins the clock; else the system's."""
    raw = os.environ.get("KETNAP_NOW")
    if not raw:
        return SystemClock()
    from workflow.text.vntext import parse_date

    day_part, _, time_part = raw.strip().partition(" ")
    day = parse_date(day_part)
    hour, minute = (int(x) for x in (time_part or "09:00").split(":"))
    return FixedClock(datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ))
