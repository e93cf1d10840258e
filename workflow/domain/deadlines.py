"""Deadlines of one dossier, computed from its facts in working days (pure).

A ``Due`` is what the database stores (``deadline`` rows, recomputed in the transaction of
the change that moves them); a ``Deadline`` is a due seen on a given day (met, open, or
missed by so many working days). Deadlines that bind the committee (D-DECIDE, D-OFFICIAL)
never block a transition; they are shown and reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from workflow.domain.calendar import WorkingCalendar, add_months
from workflow.domain.facts import DossierFacts, IntroducerFact
from workflow.domain.process import Stage
from workflow.domain.rules import RuleSet
from workflow.domain.vocabulary import ConsentKind, DecisionKind, DocumentKind, ResolutionKind
from workflow.text.vntext import count, fmt_date


@dataclass(frozen=True)
class Due:
    """A deadline as stored: ``kind`` is unique per subject, ``rule_id`` cites docs/rules.md.

    A milestone (the end of probation, a paper's expiry) is a day that arrives, not a task
    that can be late: it is reminded before and on the day, never as overdue.
    """

    kind: str
    rule_id: str
    label: str
    start: date
    due: date
    done_on: date | None = None
    milestone: bool = False
    target: int | None = None  # planning checks: the number to reach

    def at(self, today: date, cal: WorkingCalendar) -> Deadline:
        done = self.done_on if self.done_on is not None and self.done_on <= today else None
        if self.milestone:
            passed = today >= self.due
            return Deadline(
                self.rule_id,
                self.label,
                self.start,
                self.due,
                self.due if passed and done is None else done,
                today,
                0,
                0 if passed else cal.working_days_between(today, self.due),
                kind=self.kind,
                milestone=True,
            )
        end = done if done is not None else today
        missed = cal.working_days_between(self.due, end) if end > self.due else 0
        remaining = (
            0 if done is not None or end > self.due else cal.working_days_between(today, self.due)
        )
        return Deadline(
            self.rule_id,
            self.label,
            self.start,
            self.due,
            done,
            today,
            missed,
            remaining,
            kind=self.kind,
        )


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
    kind: str = ""
    milestone: bool = False

    @property
    def overdue(self) -> bool:
        return self.done_on is None and self.missed_by > 0

    @property
    def status(self) -> str:
        if self.milestone:
            if self.today >= self.due:
                return f"đã đến ngày {fmt_date(self.due)}"
            return f"còn {count(self.remaining)} ngày làm việc"
        if self.done_on is not None:
            if self.missed_by:
                late = count(self.missed_by)
                return f"hoàn thành {fmt_date(self.done_on)}, muộn {late} ngày làm việc"
            return f"hoàn thành {fmt_date(self.done_on)}, đúng hạn"
        if self.missed_by:
            return f"quá hạn {count(self.missed_by)} ngày làm việc"
        return f"còn {count(self.remaining)} ngày làm việc"

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
_BEFORE_VOTE = frozenset({Stage.nguon, Stage.hoc_lop, Stage.chi_bo_xet})
_EXPIRING = frozenset(kind for kind in DocumentKind if kind.expires)
_KIND_ORDER = {kind: n for n, kind in enumerate(DocumentKind)}  # ties go to the first listed


def dossier_dues(
    facts: DossierFacts, rs: RuleSet, cal: WorkingCalendar, *, papers: bool = True
) -> list[Due]:
    """Every deadline the dossier's facts start, with the day it was met when it was.
    ``papers=False`` leaves out the papers' validity (R-CLASS, R-DOCS-12M): the deadlines
    that bind the committee are then all there is to compute."""
    out: list[Due] = []
    if papers and facts.stage in _BEFORE_VOTE:
        out.extend(_before_vote(facts, rs))
    cb = chi_bo_date(facts)
    admit = facts.latest_decision(DecisionKind.ket_nap)
    if cb is not None and facts.stage in _AFTER_CHI_BO:
        days = rs.decide_working_days
        if facts.consent(ConsentKind.gia_han_xet) is not None:
            days += rs.decide_extension_working_days
        out.append(
            Due(
                "D-DECIDE",
                "D-DECIDE",
                f"Cấp ủy có thẩm quyền quyết định ({days} ngày làm việc từ nghị quyết chi bộ)",
                cb,
                cal.add_working_days(cb, days),
                admit.signed_on if admit else None,
            )
        )
    if admit is not None and admit.approve and facts.stage in _AFTER_CHI_BO:
        out.append(
            Due(
                "D-CEREMONY",
                "D-CEREMONY",
                f"Tổ chức lễ kết nạp ({rs.ceremony_working_days} ngày làm việc "
                "từ khi nhận quyết định)",
                admit.received_on,
                cal.add_working_days(admit.received_on, rs.ceremony_working_days),
                facts.ceremony_on,
            )
        )
    if facts.ceremony_on is not None:
        out.extend(_after_ceremony(facts, rs, cal, facts.ceremony_on))
    return out


def _before_vote(facts: DossierFacts, rs: RuleSet) -> list[Due]:
    """R-CLASS and R-DOCS-12M as deadlines: the chi bộ must vote while the papers hold.
    The due date is their last valid day; past it they are overdue (expired: the candidate
    must attend the class again, the papers be made anew) until the vote or new papers."""
    out: list[Due] = []
    voted = chi_bo_date(facts)  # met when the chi bộ votes (the vote's date is judged)
    issued = facts.certificate_issued_on
    if issued is not None:
        out.append(
            Due(
                "R-CLASS",
                "R-CLASS",
                f"Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng còn hiệu lực "
                f"({rs.class_valid_months} tháng): chi bộ phải xét trước khi hết hạn",
                issued,
                add_months(issued, rs.class_valid_months) - timedelta(days=1),
                voted,
            )
        )
    # The oldest paper that expires: each kind's latest copy counts (a new copy replaces
    # the old one), the introducers' letters each count. Labels are built for that one only.
    latest: dict[DocumentKind, date] = {}
    for doc in facts.documents:
        if doc.kind in _EXPIRING and doc.dated > latest.get(doc.kind, date.min):
            latest[doc.kind] = doc.dated
    papers: list[tuple[date, int, DocumentKind | IntroducerFact]] = [
        (dated, _KIND_ORDER[kind], kind) for kind, dated in latest.items()
    ]
    papers += [(i.introduced_on, len(_KIND_ORDER) + n, i) for n, i in enumerate(facts.introducers)]
    if papers and rs.docs_rule_enabled:
        dated, _, paper = min(papers, key=lambda p: p[:2])
        label = (
            f"{paper.label} (mẫu {paper.form})"
            if isinstance(paper, DocumentKind)
            else f"Giấy giới thiệu của {paper.name} (mẫu 3-KNĐ)"
        )
        out.append(
            Due(
                "R-DOCS-12M",
                "R-DOCS-12M",
                f"{label} còn giá trị {rs.docs_valid_months} tháng: chi bộ phải xét trước khi "
                "hết hạn",
                dated,
                add_months(dated, rs.docs_valid_months) - timedelta(days=1),
                voted,
            )
        )
    return out


def _after_ceremony(
    facts: DossierFacts, rs: RuleSet, cal: WorkingCalendar, ceremony: date
) -> list[Due]:
    history = facts.document(DocumentKind.ly_lich_dang_vien)
    end = add_months(ceremony, rs.probation_months)
    cb_official = [r.dated for r in facts.resolutions if r.kind is ResolutionKind.chi_bo_chinh_thuc]
    out = [
        Due(
            "D-HISTORY",
            "D-HISTORY",
            f"Đảng viên mới khai lý lịch đảng viên ({rs.history_working_days} ngày làm việc "
            "từ lễ kết nạp)",
            ceremony,
            cal.add_working_days(ceremony, rs.history_working_days),
            history.dated if history and history.dated >= ceremony else None,
        ),
        Due(
            "D-PROBATION",
            "D-PROBATION",
            f"Hết {rs.probation_months} tháng dự bị (ngày công nhận chính thức có hiệu lực)",
            ceremony,
            end,
            milestone=True,
        ),
        Due(
            "D-OFFICIAL-CB",
            "D-OFFICIAL",
            f"Chi bộ xét công nhận chính thức ({rs.official_consider_working_days} ngày làm "
            "việc từ khi hết dự bị)",
            end,
            cal.add_working_days(end, rs.official_consider_working_days),
            min(cb_official) if cb_official else None,
        ),
    ]
    if cb_official:
        last_vote = max(cb_official)
        recog = facts.latest_decision(DecisionKind.chinh_thuc)
        days = rs.official_decide_working_days
        if facts.consent(ConsentKind.gia_han_cong_nhan) is not None:  # like D-DECIDE's
            days += rs.official_extension_working_days
        out.append(
            Due(
                "D-OFFICIAL-QD",
                "D-OFFICIAL",
                f"Cấp ủy quyết định công nhận ({days} ngày làm việc từ nghị quyết chi bộ)",
                last_vote,
                cal.add_working_days(last_vote, days),
                recog.signed_on if recog else None,
            )
        )
    return out


def dossier_deadlines(
    facts: DossierFacts, rs: RuleSet, cal: WorkingCalendar, today: date, *, papers: bool = True
) -> list[Deadline]:
    """The dossier's deadlines as seen on ``today``."""
    return [due.at(today, cal) for due in dossier_dues(facts, rs, cal, papers=papers)]
