"""What a guard answers: an unmet condition with its rule id, the verdict on an event, and
the vote arithmetic several rules share (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from workflow.domain.calendar import WorkingCalendar, months_between
from workflow.domain.facts import DossierFacts, ResolutionFact
from workflow.domain.process import Event
from workflow.domain.rules import RuleSet
from workflow.text.vntext import fmt_date


@dataclass(frozen=True)
class Unmet:
    rule_id: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule_id}] {self.message}"


@dataclass(frozen=True)
class Verdict:
    event: Event
    rule_set_id: str
    judged_on: date
    unmet: tuple[Unmet, ...] = ()
    notes: tuple[Unmet, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.unmet

    @property
    def rule_ids(self) -> list[str]:
        return [u.rule_id for u in self.unmet]


Guard = Callable[[DossierFacts, RuleSet, date, WorkingCalendar], Iterable[Unmet]]


def passes_vote(agree: int, eligible: int, rs: RuleSet) -> bool:
    """agree >= num/den of eligible, in integers (6 of 9 passes at 2/3, 5 of 9 does not)."""
    return eligible > 0 and agree * rs.vote_den >= rs.vote_num * eligible


def _threshold(eligible: int, rs: RuleSet) -> int:
    return -(-rs.vote_num * eligible // rs.vote_den)


def age_text(months: int) -> str:
    """'30 tuổi 1 tháng': an age counted by month, as the refusals say it."""
    years, rest = divmod(months, 12)
    return f"{years} tuổi {rest} tháng" if rest else f"{years} tuổi"


def in_youth_age(months: int, rs: RuleSet) -> bool:
    """Youth age counted by month as R-AGE counts (docs/rules.md, 'Tuổi đoàn'): from full
    ``youth_age_min`` years to full ``youth_age_max`` years; 30 years 1 month is past it."""
    return rs.youth_age_min * 12 <= months <= rs.youth_age_max * 12


def age_months(facts: DossierFacts, on: date) -> int:
    """R-AGE: age counted by month (born 08/2003 is 216 months in all of 08/2021)."""
    return months_between(facts.birth_date, on)


def vote_unmet(rule: str, res: ResolutionFact, rs: RuleSet, who: str) -> list[Unmet]:
    if passes_vote(res.agree, res.eligible, rs):
        return []
    return [
        Unmet(
            rule,
            f"{who} ngày {fmt_date(res.dated)}: {res.agree}/{res.eligible} tán thành, cần ít "
            f"nhất {_threshold(res.eligible, rs)} ({rs.vote_num}/{rs.vote_den} số đảng viên "
            "chính thức, trừ người được miễn hoặc đang sinh hoạt tạm thời nơi khác).",
        )
    ]


def guard_cb_min(res: ResolutionFact, rs: RuleSet) -> list[Unmet]:
    if res.official_members >= rs.cb_min_official:
        return []
    return [
        Unmet(
            "R-CB-MIN",
            f"Chi bộ có {res.official_members} đảng viên chính thức; cần ít nhất "
            f"{rs.cb_min_official} để biểu quyết.",
        )
    ]
