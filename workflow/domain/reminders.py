"""Reminder policy and steps (pure).

A step is an offset in working days from the due date: -10, -5, -1 before, 0 on the day,
+5, +10 … while overdue. A reminder's identity is (subject, kind, due, step), so a step is
raised once whatever the number of scans. A scan raises, per deadline, the latest step it
has reached; earlier steps it skipped (the scanner was down) are not raised any more — a
"10 days left" message is noise when 3 are left — and the one raised is marked late when
its day had passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from workflow.domain.calendar import WorkingCalendar
from workflow.domain.vocabulary import Role
from workflow.text.vntext import count

DEFAULT_LEADS = (10, 5, 1, 0)
DEFAULT_OVERDUE_EVERY = 5
MAX_LEAD = 120


@dataclass(frozen=True)
class Policy:
    kind: str
    leads: tuple[int, ...] = DEFAULT_LEADS  # working days before the due date
    overdue_every: int = DEFAULT_OVERDUE_EVERY  # 0: no overdue reminders
    roles: tuple[Role, ...] = (Role.chuyen_vien,)
    custom: bool = False  # set by the installation, not the default

    def steps_before(self) -> list[int]:
        return sorted({-k for k in self.leads})


# Who is told by default, per deadline kind (issue 3: "recipients by role and organization").
_ROLES: dict[str, tuple[Role, ...]] = {
    "D-DECIDE": (Role.chuyen_vien, Role.cap_uy),
    "D-CEREMONY": (Role.bi_thu, Role.chuyen_vien),
    "D-HISTORY": (Role.bi_thu,),
    "D-PROBATION": (Role.bi_thu, Role.chuyen_vien),
    "D-OFFICIAL-CB": (Role.bi_thu, Role.chuyen_vien),
    "D-OFFICIAL-QD": (Role.chuyen_vien, Role.cap_uy),
    "R-CLASS": (Role.bi_thu,),
    "R-DOCS-12M": (Role.bi_thu,),
    "P-PLAN": (Role.bi_thu, Role.chuyen_vien),
    "P-HALF": (Role.bi_thu, Role.chuyen_vien),
    "P-YEAR": (Role.bi_thu, Role.chuyen_vien),
}
REPORT_KINDS = (
    "P-BAO-CAO-QUY-1",
    "P-BAO-CAO-6-THANG",
    "P-BAO-CAO-9-THANG",
    "P-BAO-CAO-NAM",
)
KINDS: tuple[str, ...] = (*_ROLES, *REPORT_KINDS)


@cache
def default_policy(kind: str) -> Policy:
    return Policy(kind, roles=_ROLES.get(kind, (Role.bi_thu, Role.chuyen_vien)))


def parse_leads(text: str) -> tuple[int, ...]:
    """'10,5,1,0' → (10, 5, 1, 0); ValueError with a Vietnamese message."""
    try:
        values = tuple(sorted({int(p) for p in text.replace(" ", "").split(",") if p}))
    except ValueError:
        raise ValueError(f"'{text}' phải là các số ngày làm việc cách nhau bởi dấu phẩy") from None
    if not values or any(v < 0 or v > MAX_LEAD for v in values):
        raise ValueError(f"mỗi số ngày phải từ 0 đến {MAX_LEAD}")
    return tuple(reversed(values))


def parse_roles(text: str) -> tuple[Role, ...]:
    names = [p.strip() for p in text.split(",") if p.strip()]
    try:
        roles = tuple(Role(n) for n in names)
    except ValueError:
        raise ValueError(
            f"'{text}' có vai trò không hợp lệ; chọn trong: {', '.join(r.value for r in Role)}"
        ) from None
    if not roles:
        raise ValueError("cần ít nhất một vai trò")
    return roles


def fire_on(due: date, step: int, cal: WorkingCalendar) -> date:
    """The day a step falls due: ``step`` working days before (−) or after (+) the due."""
    if step <= 0:
        return cal.sub_working_days(due, -step)
    return cal.add_working_days(due, step)


def next_step(
    after: int | None, due: date, milestone: bool, policy: Policy, cal: WorkingCalendar
) -> tuple[int, date] | None:
    """The first step after ``after`` (None: the first of all), with its day."""
    for step in policy.steps_before():
        if after is None or step > after:
            return step, fire_on(due, step, cal)
    every = policy.overdue_every
    if milestone or every <= 0:
        return None
    step = every * (max(after or 0, 0) // every + 1)
    return step, fire_on(due, step, cal)


def latest_step(
    due: date, milestone: bool, policy: Policy, cal: WorkingCalendar, today: date
) -> tuple[int, date] | None:
    """The latest step reached on ``today``, with the day it fell due; None before any."""
    reached: tuple[int, date] | None = None
    for step in policy.steps_before():
        day = fire_on(due, step, cal)
        if day <= today:
            reached = (step, day)
    every = policy.overdue_every
    if not milestone and every > 0 and today > due:
        n = cal.working_days_between(due, today) // every
        if n >= 1:
            reached = (n * every, fire_on(due, n * every, cal))
    return reached


def step_text(step: int, milestone: bool) -> str:
    if step < 0:
        return f"còn {count(-step)} ngày làm việc"
    if step == 0:
        return "đến ngày" if milestone else "hôm nay là hạn cuối"
    return f"quá hạn {count(step)} ngày làm việc"
