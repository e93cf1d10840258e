"""Dossiers entered mid-way: does the stage a sheet gives match the dated facts it gives?

A committee starting with ketnap has dossiers already under way: a person in class, a chi
bộ that has voted, a decision signed. The sheet says the stage and the dates the Party's
papers hold; these pure functions judge them with the guards the transitions use, so an
imported dossier could have got where it is through ketnap. Facts a later step needs
(introducers, papers) are not asked of the past: the import is audited as an import.
Rule ids as in guards.py; ``P-SEQUENCE`` names a fact that belongs to a later stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflow.domain.calendar import WorkingCalendar
from workflow.domain.conditions import guard_age, guard_class_valid
from workflow.domain.facts import DecisionFact, DossierFacts, ResolutionFact
from workflow.domain.process import MAIN_LINE, Stage
from workflow.domain.rules import RuleSet
from workflow.domain.verdicts import Unmet, guard_cb_min, vote_unmet
from workflow.domain.vocabulary import DecisionKind, ResolutionKind
from workflow.inputs.dossier import CandidateIn
from workflow.inputs.imported import MidwayIn
from workflow.text.vntext import fmt_date

# The stages a dossier may be imported at: open ones on the main line. Closed dossiers and
# full members belong to the Party's records (past admissions: workflow/usecases/backfill.py).
IMPORTABLE: tuple[Stage, ...] = MAIN_LINE[: MAIN_LINE.index(Stage.du_bi) + 1]


@dataclass(frozen=True)
class Need:
    """A dated fact: the input field holding its date, from which stage it must be on file
    (the stage its step leads to), and from which stage it may be (where it is recorded)."""

    field: str
    what: str
    rule: str
    required_from: Stage
    allowed_from: Stage


NEEDS: tuple[Need, ...] = (
    Need(
        "certificate_on",
        "giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng",
        "R-CLASS",
        Stage.chi_bo_xet,
        Stage.nguon,  # the certificate is the person's: it may predate the dossier
    ),
    Need(
        "voted_on",
        "nghị quyết chi bộ đề nghị kết nạp",
        "R-VOTE-CB",
        Stage.gui_ho_so,
        Stage.chi_bo_xet,
    ),
    Need("signed_on", "quyết định kết nạp", "P-DOSSIER", Stage.ket_nap, Stage.btv_quyet_dinh),
    Need("ceremony_on", "lễ kết nạp", "D-CEREMONY", Stage.du_bi, Stage.ket_nap),
)


def _rank(stage: Stage) -> int:
    return MAIN_LINE.index(stage)


def _dated(facts: DossierFacts) -> dict[str, date | None]:
    res = facts.resolutions[-1] if facts.resolutions else None
    dec = facts.decisions[-1] if facts.decisions else None
    return {
        "certificate_on": facts.certificate_issued_on,
        "voted_on": res.dated if res else None,
        "signed_on": dec.signed_on if dec else None,
        "ceremony_on": facts.ceremony_on,
    }


def facts_of(
    m: MidwayIn, person: CandidateIn, *, under_dang_uy: bool, unit_has_doan: bool
) -> DossierFacts:
    """The facts a sheet's row gives, as the guards read them."""
    resolutions: tuple[ResolutionFact, ...] = ()
    if m.voted_on is not None:
        assert m.official_members is not None and m.agree is not None
        resolutions = (
            ResolutionFact(ResolutionKind.chi_bo, m.voted_on, m.official_members, 0, m.agree, 0),
        )
    decisions: tuple[DecisionFact, ...] = ()
    if m.signed_on is not None:
        assert m.decision_number is not None
        decisions = (
            DecisionFact(DecisionKind.ket_nap, m.decision_number, m.signed_on, m.signed_on, True),
        )
    return DossierFacts(
        stage=m.stage,
        birth_date=person.birth_date,
        education=person.education,
        edu_exception=person.edu_exception,
        doan_member=person.doan_member,
        cong_doan_member=person.cong_doan_member,
        under_dang_uy=under_dang_uy,
        unit_has_doan=unit_has_doan,
        certificate_issued_on=m.certificate_on,
        resolutions=resolutions,
        decisions=decisions,
        ceremony_on=m.ceremony_on,
    )


def stage_problems(
    facts: DossierFacts, rs: RuleSet, cal: WorkingCalendar
) -> list[tuple[str, Unmet]]:
    """(input field, unmet condition) for each way the stage and the facts disagree."""
    stage = facts.stage
    if stage not in IMPORTABLE:
        allowed = ", ".join(s.label for s in IMPORTABLE)
        return [("stage", Unmet("P-SEQUENCE", f"chỉ nhập hồ sơ đang xử lý ({allowed})"))]
    dated = _dated(facts)
    problems: list[tuple[str, Unmet]] = []
    for need in NEEDS:
        day = dated[need.field]
        if day is None and _rank(stage) >= _rank(need.required_from):
            problems.append(
                (
                    need.field,
                    Unmet(need.rule, f"giai đoạn '{stage.label}' cần có {need.what}; tệp chưa ghi"),
                )
            )
        elif day is not None and _rank(stage) < _rank(need.allowed_from):
            problems.append(
                (
                    "stage",
                    Unmet(
                        "P-SEQUENCE",
                        f"tệp ghi {need.what} ngày {fmt_date(day)} nhưng giai đoạn là "
                        f"'{stage.label}' (từ '{need.allowed_from.label}' mới có)",
                    ),
                )
            )
    # the dates in the order the steps take them
    order = [(n, dated[n.field]) for n in NEEDS if dated[n.field] is not None]
    for (before, early), (after, late) in zip(order, order[1:], strict=False):
        assert early is not None and late is not None
        if late < early:
            problems.append(
                (
                    after.field,
                    Unmet(
                        "P-SEQUENCE",
                        f"ngày {fmt_date(late)} trước ngày của {before.what} ({fmt_date(early)})",
                    ),
                )
            )
    if facts.resolutions:  # the conditions judged at the chi bộ's vote, as the guard does
        res = facts.resolutions[-1]
        for unmet in guard_age(facts, rs, res.dated, cal):
            problems.append(("voted_on", unmet))
        if facts.certificate_issued_on is not None:
            for unmet in guard_class_valid(facts, rs, res.dated, cal):
                problems.append(("certificate_on", unmet))
        for unmet in guard_cb_min(res, rs) + vote_unmet("R-VOTE-CB", res, rs, "Chi bộ biểu quyết"):
            problems.append(("agree", unmet))
    return problems
