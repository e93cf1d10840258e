"""Deadlines of one dossier, computed from its facts in working days (pure).

Deadlines that bind the committee (D-DECIDE, D-OFFICIAL) never block a transition; they
are shown as met, open, or missed by so many working days, and reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflow.calendar import WorkingCalendar, add_months
from workflow.facts import ConsentKind, DecisionKind, DossierFacts, ResolutionKind
from workflow.process import Stage
from workflow.rules import RuleSet
from workflow.vntext import fmt_date


@dataclass(frozen=True)
class Deadline:
    rule_id: str
    label: str
    start: date
    due: date
    done_on: date | None
    today: date
    missed_by: int  # working days late (0 when met or still open)
    remaining: int  # working days left while open (negative never: see missed_by)
    blocking: bool = False

    @property
    def status(self) -> str:
        if self.done_on is not None:
            if self.missed_by:
                return f"hoàn thành {fmt_date(self.done_on)}, muộn {self.missed_by} ngày làm việc"
            return f"hoàn thành {fmt_date(self.done_on)}, đúng hạn"
        if self.missed_by:
            return f"quá hạn {self.missed_by} ngày làm việc"
        return f"còn {self.remaining} ngày làm việc"

    def describe(self) -> str:
        return f"{self.label}: hạn {fmt_date(self.due)} — {self.status}."


def chi_bo_date(facts: DossierFacts) -> date | None:
    res = facts.latest_resolution(ResolutionKind.chi_bo)
    return res.dated if res else None


def probation_end(facts: DossierFacts, rs: RuleSet) -> date | None:
    """D-PROBATION: 12 months from the ceremony; D-OFFICIAL: recognition takes effect then,
    even when the recognition itself comes late."""
    if facts.ceremony_on is None:
        return None
    return add_months(facts.ceremony_on, rs.probation_months)


def _deadline(
    rule_id: str,
    label: str,
    start: date,
    due: date,
    done_on: date | None,
    today: date,
    cal: WorkingCalendar,
) -> Deadline:
    end = done_on if done_on is not None else today
    missed = cal.working_days_between(due, end) if end > due else 0
    remaining = 0 if done_on is not None or end > due else cal.working_days_between(today, due)
    return Deadline(rule_id, label, start, due, done_on, today, missed, remaining)


_AFTER_CHI_BO = frozenset(
    {
        Stage.gui_ho_so,
        Stage.tham_dinh,
        Stage.btv_quyet_dinh,
        Stage.ket_nap,
        Stage.du_bi,
        Stage.chinh_thuc,
        Stage.xoa_ten,
    }
)


def dossier_deadlines(
    facts: DossierFacts, rs: RuleSet, cal: WorkingCalendar, today: date
) -> list[Deadline]:
    out: list[Deadline] = []
    cb = chi_bo_date(facts)
    admit = facts.latest_decision(DecisionKind.ket_nap)
    if cb is not None and facts.stage in _AFTER_CHI_BO:
        days = rs.decide_working_days
        if facts.consent(ConsentKind.gia_han_xet) is not None:
            days += rs.decide_extension_working_days
        done = admit.signed_on if admit else None
        out.append(
            _deadline(
                "D-DECIDE",
                f"Cấp ủy có thẩm quyền quyết định ({days} ngày làm việc từ nghị quyết chi bộ)",
                cb,
                cal.add_working_days(cb, days),
                done,
                today,
                cal,
            )
        )
    if admit is not None and admit.approve and facts.stage in _AFTER_CHI_BO:
        out.append(
            _deadline(
                "D-CEREMONY",
                f"Tổ chức lễ kết nạp ({rs.ceremony_working_days} ngày làm việc "
                "từ khi nhận quyết định)",
                admit.received_on,
                cal.add_working_days(admit.received_on, rs.ceremony_working_days),
                facts.ceremony_on,
                today,
                cal,
            )
        )
    end = probation_end(facts, rs)
    if end is not None and facts.ceremony_on is not None:
        out.append(
            Deadline(
                "D-PROBATION",
                f"Hết {rs.probation_months} tháng dự bị (ngày công nhận chính thức có hiệu lực)",
                facts.ceremony_on,
                end,
                end if today >= end else None,
                today,
                0,
                0 if today >= end else cal.working_days_between(today, end),
            )
        )
        cb_official = [
            r.dated for r in facts.resolutions if r.kind is ResolutionKind.chi_bo_chinh_thuc
        ]
        first_vote = min(cb_official) if cb_official else None
        out.append(
            _deadline(
                "D-OFFICIAL",
                f"Chi bộ xét công nhận chính thức ({rs.official_consider_working_days} ngày làm "
                "việc từ khi hết dự bị)",
                end,
                cal.add_working_days(end, rs.official_consider_working_days),
                first_vote,
                today,
                cal,
            )
        )
        if cb_official:
            last_vote = max(cb_official)
            recog = facts.latest_decision(DecisionKind.chinh_thuc)
            out.append(
                _deadline(
                    "D-OFFICIAL",
                    f"Cấp ủy quyết định công nhận ({rs.official_decide_working_days} ngày làm việc "
                    "từ nghị quyết chi bộ)",
                    last_vote,
                    cal.add_working_days(last_vote, rs.official_decide_working_days),
                    recog.signed_on if recog else None,
                    today,
                    cal,
                )
            )
    return out
