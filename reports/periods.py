"""Reporting periods (docs/reports.md: quarter, 6 months to 30/6, 9 months, year; terms 2020–2025,
2025–2030). A period ends on the report's "as of" day when that comes first."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from workflow.domain.errors import BadInput
from workflow.text.vntext import fmt_date

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
CODES = ("nam", "q1", "q2", "q3", "q4", "6t", "9t", "nhiem-ky")


@dataclass(frozen=True)
class Period:
    code: str
    label: str
    start: date
    end: date  # inclusive, never after the as-of day
    target_period: str  # the target that applies: "2021" or "2020-2025"

    def year_before(self) -> Period:
        """The same period of the previous year ("cùng kỳ năm trước")."""
        start = _minus_year(self.start)
        end = _minus_year(self.end)
        label = self.label.replace(str(self.start.year), str(start.year))
        return replace(self, label=label, start=start, end=end, target_period=str(start.year))


def _minus_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29/02
        return day.replace(year=day.year - 1, day=28)


def term_of(year: int) -> tuple[int, int]:
    """The congress term whose admission years hold ``year``: 2021–2025 belong to the term
    2020–2025, 2026–2030 to 2025–2030 (an assumption, U: the term's years follow its
    congress)."""
    first = 2020 + 5 * ((year - 2021) // 5)
    return first, first + 5


def resolve(code: str | None, as_of: date) -> Period:
    code = (code or "nam").strip().lower()
    y = as_of.year
    if code == "nam":
        start, end, label = date(y, 1, 1), date(y, 12, 31), f"năm {y}"
    elif code in {"q1", "q2", "q3", "q4"}:
        q = int(code[1])
        start = date(y, 3 * q - 2, 1)
        end = date(y, 3 * q, 30 if q in (2, 3) else 31)
        label = f"quý {ROMAN[q]} năm {y}"
    elif code == "6t":
        start, end, label = date(y, 1, 1), date(y, 6, 30), f"6 tháng đầu năm {y}"
    elif code == "9t":
        start, end, label = date(y, 1, 1), date(y, 9, 30), f"9 tháng năm {y}"
    elif code == "nhiem-ky":
        a, b = term_of(y)
        start, end, label = date(a + 1, 1, 1), date(b, 12, 31), f"nhiệm kỳ {a}–{b}"
        if as_of < end:
            label += f" (đến {fmt_date(as_of)})"
        return Period(code, label, start, min(end, as_of), f"{a}-{b}")
    else:
        raise BadInput.one("Kỳ báo cáo", f"'{code}' không hợp lệ; chọn: {', '.join(CODES)}")
    if as_of < start:
        raise BadInput.one(
            "Kỳ báo cáo", f"{label} bắt đầu {fmt_date(start)}, sau ngày báo cáo {fmt_date(as_of)}"
        )
    if as_of < end:
        label += f" (đến {fmt_date(as_of)})"
    return Period(code, label, start, min(end, as_of), str(y))
