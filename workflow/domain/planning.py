"""The planning cycle of an organization as deadlines (pure).

The dates are local and configurable (docs/rules.md, P-PLAN … P-YEAR, U): the defaults come
from the seeds — the source plan due before 15/02 (seed 002), 45–50% of the year's target
by 30/06 and the whole target by the end of October (seed 003), and the quarter, 6-month,
9-month and year reports. The texts give these no ids; ours are P-PLAN, P-REPORT, P-HALF
and P-YEAR.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from workflow.domain.calendar import WorkingCalendar
from workflow.domain.deadlines import Due
from workflow.domain.vocabulary import SubmissionKind
from workflow.text.vntext import count

# How a due date that falls on a day off moves. "truoc": to the last working day before it
# (the seeds say "trước ngày 15/02", so a weekend 15/02 is met by the Friday, and reminders
# never come too late); "sau": to the next working day, as Bộ luật Dân sự 2015 art. 148
# counts legal periods; "giu": kept as written.
WEEKEND_RULES = ("truoc", "sau", "giu")

# Reports and the day (dd, mm) each is due by default (U: no central rule fixes them).
REPORT_DEFAULTS: dict[SubmissionKind, tuple[int, int]] = {
    SubmissionKind.bao_cao_quy_1: (31, 3),
    SubmissionKind.bao_cao_6_thang: (30, 6),
    SubmissionKind.bao_cao_9_thang: (30, 9),
    SubmissionKind.bao_cao_nam: (15, 12),
}


@dataclass(frozen=True)
class CycleSettings:
    """One installation's planning cycle. Keys are ``cycle.<field>`` in the setting table."""

    plan_due: tuple[int, int] = (15, 2)
    half_due: tuple[int, int] = (30, 6)
    half_share: int = 45  # per cent of the year's target by half_due (seed 003: 45–50%)
    year_due: tuple[int, int] = (31, 10)
    report_q1_due: tuple[int, int] = REPORT_DEFAULTS[SubmissionKind.bao_cao_quy_1]
    report_6m_due: tuple[int, int] = REPORT_DEFAULTS[SubmissionKind.bao_cao_6_thang]
    report_9m_due: tuple[int, int] = REPORT_DEFAULTS[SubmissionKind.bao_cao_9_thang]
    report_year_due: tuple[int, int] = REPORT_DEFAULTS[SubmissionKind.bao_cao_nam]
    weekend: str = "truoc"
    reports_enabled: bool = field(default=True)

    def report_dues(self) -> dict[SubmissionKind, tuple[int, int]]:
        return {
            SubmissionKind.bao_cao_quy_1: self.report_q1_due,
            SubmissionKind.bao_cao_6_thang: self.report_6m_due,
            SubmissionKind.bao_cao_9_thang: self.report_9m_due,
            SubmissionKind.bao_cao_nam: self.report_year_due,
        }

    def as_text(self) -> dict[str, str]:
        """Every setting as the text a clerk types (``cycle set`` takes the same)."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                out[f"cycle.{f.name}"] = f"{value[0]:02d}/{value[1]:02d}"
            elif isinstance(value, bool):
                out[f"cycle.{f.name}"] = "co" if value else "khong"
            else:
                out[f"cycle.{f.name}"] = str(value)
        return out


SETTING_KEYS = frozenset(CycleSettings().as_text())


def parse_setting(key: str, text: str) -> object:
    """The typed value of one ``cycle.*`` setting; ValueError with a Vietnamese message."""
    if key not in SETTING_KEYS:
        raise ValueError(f"không có thiết lập '{key}'; chọn: {', '.join(sorted(SETTING_KEYS))}")
    name = key.removeprefix("cycle.")
    default = getattr(CycleSettings(), name)
    text = text.strip()
    if isinstance(default, tuple):
        try:
            dd, mm = (int(p) for p in text.split("/"))
            date(2024, mm, dd)  # a leap year, so 29/02 is accepted
        except ValueError:
            raise ValueError(f"'{text}' không phải ngày/tháng dạng dd/mm") from None
        return (dd, mm)
    if isinstance(default, bool):
        if text.lower() not in {"co", "có", "khong", "không"}:
            raise ValueError(f"'{text}' phải là 'có' hoặc 'không'")
        return text.lower() in {"co", "có"}
    if isinstance(default, int):
        if not text.isdigit() or not 0 < int(text) <= 100:
            raise ValueError(f"'{text}' phải là số phần trăm từ 1 đến 100")
        return int(text)
    if text not in WEEKEND_RULES:
        raise ValueError(f"'{text}' phải là một trong: {', '.join(WEEKEND_RULES)}")
    return text


def cycle_settings(stored: dict[str, str]) -> CycleSettings:
    """Defaults overlaid with the installation's stored settings."""
    values: dict[str, Any] = {
        key.removeprefix("cycle."): parse_setting(key, v) for key, v in stored.items()
    }
    return replace(CycleSettings(), **values)


@dataclass(frozen=True)
class OrgCycleFacts:
    """What the cycle of one organization in one year depends on."""

    year: int
    is_base: bool  # tổ chức cơ sở đảng: sends the plan and the reports
    submissions: dict[SubmissionKind, date]
    target: int | None  # the year's own admission target, when one is set
    admissions: tuple[date, ...]  # admission decisions of the year in its subtree, sorted


def _lower_first(label: str) -> str:
    """'Báo cáo quý I' → 'báo cáo quý I' (lower() would make it 'quý i')."""
    return label[:1].lower() + label[1:]


def _day(year: int, dm: tuple[int, int], rule: str, cal: WorkingCalendar) -> date:
    dd, mm = dm
    if (dd, mm) == (29, 2) and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        dd = 28
    day = date(year, mm, dd)
    if rule == "truoc":
        return cal.previous_working_day(day)
    if rule == "sau":
        return cal.next_working_day(day)
    return day


def required_by_half(target: int, share: int) -> int:
    """The number of admissions the half-year check asks for (rounded up)."""
    return math.ceil(target * share / 100)


def cycle_dues(facts: OrgCycleFacts, st: CycleSettings, cal: WorkingCalendar) -> list[Due]:
    y = facts.year
    start = date(y, 1, 1)
    out: list[Due] = []
    if facts.is_base:
        plan = SubmissionKind.ke_hoach
        out.append(
            Due(
                "P-PLAN",
                "P-PLAN",
                f"Gửi {_lower_first(plan.label)} năm {y}",
                start,
                _day(y, st.plan_due, st.weekend, cal),
                facts.submissions.get(plan),
            )
        )
        if st.reports_enabled:
            for kind, dm in st.report_dues().items():
                out.append(
                    Due(
                        f"P-{kind.value.upper().replace('_', '-')}",
                        "P-REPORT",
                        f"Gửi {_lower_first(kind.label)} năm {y}",
                        start,
                        _day(y, dm, st.weekend, cal),
                        facts.submissions.get(kind),
                    )
                )
    if facts.target:
        for check, label, need, dm in (
            (
                "P-HALF",
                f"Kết nạp {st.half_share}% chỉ tiêu năm {y} ({count(facts.target)} đảng viên) "
                "trong 6 tháng",
                required_by_half(facts.target, st.half_share),
                st.half_due,
            ),
            ("P-YEAR", f"Hoàn thành chỉ tiêu kết nạp năm {y}", facts.target, st.year_due),
        ):
            reached = facts.admissions[need - 1] if len(facts.admissions) >= need else None
            out.append(
                Due(check, check, label, start, _day(y, dm, st.weekend, cal), reached, target=need)
            )
    return out


def shortfall_note(kind: str, need: int, admitted: int) -> str:
    """'còn thiếu 12 đảng viên so với chỉ tiêu năm', for the target checks' reminders."""
    scope = "chỉ tiêu năm" if kind == "P-YEAR" else "mức cần đạt 6 tháng"
    if admitted >= need:
        return f"đã kết nạp {count(admitted)}/{count(need)}, đạt {scope}"
    return (
        f"đã kết nạp {count(admitted)}/{count(need)}, còn thiếu {count(need - admitted)} đảng "
        f"viên so với {scope}"
    )
