"""Deadlines and the planning cycle, pure: working days across Tết, làm bù, weekends."""

from __future__ import annotations

from datetime import date

import pytest

from workflow.domain.calendar import WorkingCalendar
from workflow.domain.deadlines import Due, dossier_dues
from workflow.domain.facts import (
    DecisionFact,
    DocumentFact,
    DossierFacts,
    IntroducerFact,
    ResolutionFact,
)
from workflow.domain.planning import (
    CycleSettings,
    OrgCycleFacts,
    cycle_dues,
    cycle_settings,
    parse_setting,
    required_by_half,
    shortfall_note,
)
from workflow.domain.process import Stage
from workflow.domain.rules import rule_set_for
from workflow.domain.vocabulary import (
    DecisionKind,
    DocumentKind,
    Education,
    EduException,
    ResolutionKind,
    SubmissionKind,
)

CAL = WorkingCalendar()


def facts(stage: Stage, **kw: object) -> DossierFacts:
    base: dict[str, object] = {
        "stage": stage,
        "birth_date": date(2000, 8, 15),
        "education": Education.dai_hoc,
        "edu_exception": EduException.khong,
        "doan_member": True,
        "cong_doan_member": False,
        "under_dang_uy": True,
        "unit_has_doan": True,
    }
    base.update(kw)
    return DossierFacts(**base)  # type: ignore[arg-type]


def admitted(signed: date, received: date, **kw: object) -> DossierFacts:
    return facts(
        Stage.ket_nap,
        resolutions=(ResolutionFact(ResolutionKind.chi_bo, date(2024, 12, 2), 9, 0, 8, 1),),
        decisions=(DecisionFact(DecisionKind.ket_nap, "9-QĐ", signed, received, True),),
        **kw,
    )


def by_kind(f: DossierFacts) -> dict[str, Due]:
    rs = rule_set_for(date(2024, 12, 2))
    return {d.kind: d for d in dossier_dues(f, rs, CAL)}


def test_ceremony_deadline_of_a_friday_decision_counts_across_tet_2025() -> None:
    # Decision received Friday 24/01/2025. 27/01–31/01 are Tết (29 Tết to mùng 3) and
    # 01/02 is a Saturday: counting starts on Monday 03/02. 20 working days in February,
    # 10 in March → 14/03/2025. Without Tết it would have been 07/03/2025.
    dues = by_kind(admitted(date(2025, 1, 24), date(2025, 1, 24)))
    ceremony = dues["D-CEREMONY"]
    assert ceremony.due == date(2025, 3, 14)
    assert CAL.working_days_between(date(2025, 1, 24), date(2025, 2, 3)) == 1
    view = ceremony.at(date(2025, 3, 17), CAL)
    assert view.overdue and view.missed_by == 1
    assert view.status == "quá hạn 1 ngày làm việc"


def test_lam_bu_saturday_26_04_2025_counts_as_a_working_day() -> None:
    assert CAL.is_working_day(date(2025, 4, 26))
    assert CAL.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)
    # A decision received Friday 25/04/2025: the làm bù Saturday is day 1, then 28/04 and
    # 29/04; 30/04, 01/05 and 02/05 (nghỉ bù for 26/04) are off.
    due = by_kind(admitted(date(2025, 4, 25), date(2025, 4, 25)))["D-CEREMONY"]
    assert CAL.working_days_between(date(2025, 4, 25), date(2025, 5, 5)) == 4
    assert due.due == CAL.add_working_days(date(2025, 4, 25), 30)
    # 26/04 (1), 28–29/04 (3), then May: 5–9 (8), 12–16 (13), 19–23 (18), 26–30 (23), June:
    # 2–6 (28), 9 (29), 10 (30). Were the Saturday not worked, it would be 11/06.
    assert due.due == date(2025, 6, 10)
    without = WorkingCalendar({date(2025, 4, 26): False})
    assert without.add_working_days(date(2025, 4, 25), 30) == date(2025, 6, 11)


def test_history_probation_and_official_follow_the_ceremony() -> None:
    f = admitted(date(2025, 6, 20), date(2025, 6, 23), ceremony_on=date(2025, 7, 10))
    f = facts(
        Stage.du_bi,
        resolutions=f.resolutions,
        decisions=f.decisions,
        ceremony_on=date(2025, 7, 10),
    )
    dues = by_kind(f)
    assert dues["D-HISTORY"].due == CAL.add_working_days(date(2025, 7, 10), 30)
    assert dues["D-PROBATION"].due == date(2026, 7, 10)
    assert dues["D-PROBATION"].milestone
    assert "D-OFFICIAL-QD" not in dues  # no chi bộ vote yet
    done = facts(
        Stage.du_bi,
        resolutions=f.resolutions,
        decisions=f.decisions,
        ceremony_on=date(2025, 7, 10),
        documents=(DocumentFact(DocumentKind.ly_lich_dang_vien, date(2025, 8, 1)),),
    )
    assert by_kind(done)["D-HISTORY"].done_on == date(2025, 8, 1)


def test_papers_and_certificate_expire_only_before_the_vote() -> None:
    waiting = facts(
        Stage.chi_bo_xet,
        certificate_issued_on=date(2022, 3, 10),
        documents=(DocumentFact(DocumentKind.ly_lich, date(2025, 4, 5)),),
        introducers=(IntroducerFact("Phan Văn Hùng", True, 36, date(2025, 3, 1)),),
    )
    dues = by_kind(waiting)
    assert dues["R-CLASS"].due == date(2027, 3, 9)
    papers = dues["R-DOCS-12M"]
    assert papers.due == date(2026, 2, 28)  # the oldest paper
    assert "Phan Văn Hùng" in papers.label
    voted = admitted(date(2025, 6, 20), date(2025, 6, 23), certificate_issued_on=date(2022, 3, 10))
    assert "R-CLASS" not in by_kind(voted)


def test_extension_adds_thirty_working_days_to_the_decision_deadline() -> None:
    from workflow.domain.facts import ConsentFact
    from workflow.domain.vocabulary import ConsentKind

    sent = facts(
        Stage.tham_dinh,
        resolutions=(ResolutionFact(ResolutionKind.chi_bo, date(2025, 3, 3), 9, 0, 8, 1),),
    )
    plain = by_kind(sent)["D-DECIDE"]
    extended = facts(
        Stage.tham_dinh,
        resolutions=sent.resolutions,
        consents=(ConsentFact(ConsentKind.gia_han_xet, "5-CV", date(2025, 5, 1)),),
    )
    longer = by_kind(extended)["D-DECIDE"]
    assert plain.due == CAL.add_working_days(date(2025, 3, 3), 60)
    assert longer.due == CAL.add_working_days(date(2025, 3, 3), 90)


# --- the planning cycle ----------------------------------------------------------------------


def cycle(
    year: int,
    *,
    plan: date | None = None,
    target: int | None = None,
    admissions: tuple[date, ...] = (),
    settings: CycleSettings | None = None,
) -> dict[str, Due]:
    subs = {SubmissionKind.ke_hoach: plan} if plan else {}
    f = OrgCycleFacts(year, True, subs, target, admissions)
    return {d.kind: d for d in cycle_dues(f, settings or CycleSettings(), CAL)}


@pytest.mark.parametrize(
    ("year", "rule", "expected"),
    [
        (2025, "truoc", date(2025, 2, 14)),  # Saturday 15/02 → Friday 14/02
        (2025, "sau", date(2025, 2, 17)),  # → Monday 17/02 (Bộ luật Dân sự art. 148)
        (2025, "giu", date(2025, 2, 15)),
        (2026, "truoc", date(2026, 2, 13)),  # Sunday 15/02/2026 → Friday 13/02
        (2026, "sau", date(2026, 2, 23)),  # 16–20/02/2026 is Tết: the Monday after
    ],
)
def test_plan_due_on_15_02_falling_on_a_weekend(year: int, rule: str, expected: date) -> None:
    settings = cycle_settings({"cycle.weekend": rule})
    assert cycle(year, settings=settings)["P-PLAN"].due == expected


def test_submitted_plan_marks_the_plan_done() -> None:
    assert cycle(2026, plan=date(2026, 1, 20))["P-PLAN"].done_on == date(2026, 1, 20)
    assert cycle(2026)["P-PLAN"].done_on is None


def test_target_checks_on_30_06_and_31_10() -> None:
    days = tuple(date(2026, m, 10) for m in (2, 3, 5, 7, 8))
    dues = cycle(2026, target=10, admissions=days)
    half, year = dues["P-HALF"], dues["P-YEAR"]
    assert half.due == date(2026, 6, 30)
    assert half.target == required_by_half(10, 45) == 5
    assert half.done_on == date(2026, 8, 10)  # the 5th admission
    assert year.due == date(2026, 10, 30)  # 31/10/2026 is a Saturday
    assert year.done_on is None
    assert shortfall_note("P-YEAR", 15, 3) == (
        "đã kết nạp 3/15, còn thiếu 12 đảng viên so với chỉ tiêu năm"
    )
    assert "P-HALF" not in cycle(2026, target=0)  # target 0: nothing to check, no division


def test_settings_are_validated_in_vietnamese() -> None:
    assert parse_setting("cycle.plan_due", "20/02") == (20, 2)
    with pytest.raises(ValueError, match="dd/mm"):
        parse_setting("cycle.plan_due", "31/02")
    with pytest.raises(ValueError, match="phần trăm"):
        parse_setting("cycle.half_share", "150")
    with pytest.raises(ValueError, match="không có thiết lập"):
        parse_setting("cycle.nothing", "1")
