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
    from workflow.domain.errors import BadInput
    from workflow.text.vntext import parse_date

    day_part, _, time_part = raw.strip().partition(" ")
    try:
        day = parse_date(day_part)
    except ValueError as exc:
        raise BadInput.one("KETNAP_NOW", str(exc)) from None
    if not 2000 <= day.year <= 2100:  # the years the working calendar can count
        raise BadInput.one("KETNAP_NOW", f"năm {day.year} ngoài 2000–2100")
    hour_text, _, minute_text = (time_part.strip() or "09:00").partition(":")
    if not (hour_text.isascii() and hour_text.isdigit() and minute_text.isascii()):
        raise BadInput.one("KETNAP_NOW", f"giờ '{time_part}' không đúng dạng HH:MM")
    if not minute_text.isdigit() or int(hour_text) > 23 or int(minute_text) > 59:
        raise BadInput.one("KETNAP_NOW", f"giờ '{time_part}' không đúng dạng HH:MM (00:00–23:59)")
    when = datetime(day.year, day.month, day.day, int(hour_text), int(minute_text), tzinfo=VN_TZ)
    return FixedClock(when)
