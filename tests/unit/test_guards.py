"""Every guard at its boundaries: pure functions, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from workflow.domain.calendar import WorkingCalendar
from workflow.domain.conditions import (
    guard_age,
    guard_age_60,
    guard_class_valid,
    guard_education,
    guard_introducers,
    guard_rejoin,
    guard_verification,
)
from workflow.domain.facts import (
    ConsentFact,
    DecisionFact,
    DocumentFact,
    DossierFacts,
    IntroducerFact,
    PriorMembershipFact,
    RelativeFact,
    ResolutionFact,
)
from workflow.domain.guards import check
from workflow.domain.process import Event, Stage
from workflow.domain.rules import RULE_SETS, rule_set_for
from workflow.domain.verdicts import passes_vote
from workflow.domain.vocabulary import (
    AgeGround,
    ConsentKind,
    DecisionKind,
    DocumentKind,
    Education,
    EduException,
    ExitCause,
    Relation,
    ResolutionKind,
    Sector,
)

CAL = WorkingCalendar()
RS = rule_set_for(date(2025, 2, 3))


def facts(**kw: object) -> DossierFacts:
    base = DossierFacts(
        stage=Stage.chi_bo_xet,
        birth_date=date(1990, 5, 1),
        education=Education.dai_hoc,
        edu_exception=EduException.khong,
        doan_member=False,
        cong_doan_member=False,
        under_dang_uy=True,
        unit_has_doan=True,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def ids(unmet: list) -> list[str]:  # type: ignore[type-arg]
    return [u.rule_id for u in unmet]


# R-AGE: counted by month at the chi bộ's date.
def test_born_august_2003_is_old_enough_on_10_august_2021() -> None:
    assert guard_age(facts(birth_date=date(2003, 8, 31)), RS, date(2021, 8, 10), CAL) == []


def test_born_september_2003_is_not_old_enough_on_10_august_2021() -> None:
    unmet = guard_age(facts(birth_date=date(2003, 9, 1)), RS, date(2021, 8, 10), CAL)
    assert ids(unmet) == ["R-AGE"]
    assert "17 tuổi 11 tháng" in unmet[0].message


# R-AGE-60: exactly 60 years by month passes; one month more needs the consent.
def test_exactly_sixty_by_month_passes() -> None:
    assert guard_age_60(facts(birth_date=date(1965, 5, 20)), RS, date(2025, 5, 2), CAL) == []


def test_sixty_and_one_month_fails_without_consent_and_passes_with_it() -> None:
    older = facts(birth_date=date(1965, 4, 20))
    assert ids(guard_age_60(older, RS, date(2025, 5, 2), CAL)) == ["R-AGE-60"]
    consent = ConsentFact(
        ConsentKind.tuoi_60, "12-CV/TU", date(2025, 4, 1), AgeGround.khong_co_dang_vien
    )
    assert guard_age_60(replace(older, consents=(consent,)), RS, date(2025, 5, 2), CAL) == []


def test_age_60_consent_after_the_decision_does_not_count() -> None:
    older = facts(
        birth_date=date(1960, 1, 1),
        consents=(
            ConsentFact(ConsentKind.tuoi_60, "1", date(2025, 7, 1), AgeGround.yeu_cau_dac_biet),
        ),
        decisions=(
            DecisionFact(DecisionKind.ket_nap, "9", date(2025, 6, 1), date(2025, 6, 2), True),
        ),
    )
    assert ids(guard_age_60(older, RS, date(2025, 5, 2), CAL)) == ["R-AGE-60"]


# R-EDU and its exceptions.
@pytest.mark.parametrize(
    ("education", "exception", "consent", "ok"),
    [
        (Education.thcs, EduException.khong, False, True),
        (Education.tieu_hoc, EduException.khong, False, False),
        (Education.tieu_hoc, EduException.vung_dac_biet, False, True),
        (Education.biet_doc_viet, EduException.vung_dac_biet, False, False),
        (Education.biet_doc_viet, EduException.gia_lang, False, False),
        (Education.biet_doc_viet, EduException.gia_lang, True, True),
        (Education.khong, EduException.gia_lang, True, False),
    ],
)
def test_education(education: Education, exception: EduException, consent: bool, ok: bool) -> None:
    consents = (ConsentFact(ConsentKind.hoc_van, "5", date(2025, 1, 1)),) if consent else ()
    f = facts(education=education, edu_exception=exception, consents=consents)
    assert (guard_education(f, RS, date(2025, 5, 2), CAL) == []) is ok


# R-CLASS: 60 months from issue, judged at the resolution date.
def test_certificate_of_15_01_2020_is_expired_on_03_02_2025() -> None:
    unmet = guard_class_valid(
        facts(certificate_issued_on=date(2020, 1, 15)), RS, date(2025, 2, 3), CAL
    )
    assert ids(unmet) == ["R-CLASS"]
    assert "15/01/2025" in unmet[0].message


def test_certificate_valid_the_day_before_expiry() -> None:
    f = facts(certificate_issued_on=date(2020, 1, 15))
    assert guard_class_valid(f, RS, date(2025, 1, 14), CAL) == []


# R-DOCS-12M via the chi bộ check.
def test_papers_older_than_twelve_months_must_be_redone() -> None:
    f = facts(
        documents=(
            DocumentFact(DocumentKind.don_xin_vao_dang, date(2023, 1, 1)),
            DocumentFact(DocumentKind.ly_lich, date(2024, 5, 2)),
            DocumentFact(DocumentKind.tong_hop_y_kien, date(2024, 5, 3)),
        ),
        resolutions=(ResolutionFact(ResolutionKind.chi_bo, date(2025, 5, 2), 9, 0, 9, 0),),
    )
    verdict = check(Event.chi_bo_thong_qua, f, RS, date(2025, 6, 1), CAL)
    stale = [u for u in verdict.unmet if u.rule_id == "R-DOCS-12M"]
    assert len(stale) == 1 and "Lý lịch" in stale[0].message  # the application letter never expires


# R-INTRO, R-INTRO-DOAN, R-INTRO-CD.
def intro(name: str, official: bool = True, months: int = 24) -> IntroducerFact:
    return IntroducerFact(name, official, months, date(2025, 4, 1))


def test_a_probationary_member_cannot_introduce() -> None:
    f = facts(introducers=(intro("A"), intro("B", official=False)))
    unmet = guard_introducers(f, RS, date(2025, 5, 2), CAL)
    assert ids(unmet) == ["R-INTRO", "R-INTRO"]
    assert "dự bị" in unmet[0].message


def test_introducer_must_have_known_the_candidate_twelve_months() -> None:
    f = facts(introducers=(intro("A"), intro("B", months=11)))
    assert "11 tháng" in guard_introducers(f, RS, date(2025, 5, 2), CAL)[0].message
    assert (
        guard_introducers(
            facts(introducers=(intro("A"), intro("B", months=12))), RS, date(2025, 5, 2), CAL
        )
        == []
    )


def test_youth_in_a_unit_with_doan_needs_doan_membership_and_its_resolution() -> None:
    young = facts(birth_date=date(2000, 1, 1), introducers=(intro("A"),))
    assert ids(guard_introducers(young, RS, date(2025, 5, 2), CAL)) == [
        "R-INTRO-DOAN",
        "R-INTRO-DOAN",
    ]
    ready = replace(
        young,
        doan_member=True,
        documents=(DocumentFact(DocumentKind.nghi_quyet_doan, date(2025, 4, 1)),),
    )
    assert guard_introducers(ready, RS, date(2025, 5, 2), CAL) == []


def test_youth_band_is_an_installation_override() -> None:
    f = facts(birth_date=date(1993, 1, 1), introducers=(intro("A"),))  # 32 years old
    assert ids(guard_introducers(f, RS, date(2025, 5, 2), CAL)) == ["R-INTRO"]
    wide = RS.with_overrides({"youth_age_max": 35})
    assert wide.id.startswith(RS.id + "+cfg:")
    assert "R-INTRO-DOAN" in ids(guard_introducers(f, wide, date(2025, 5, 2), CAL))


def test_union_resolution_replaces_one_introducer_for_a_youth_in_an_enterprise() -> None:
    # R-INTRO-CD (issue 14): only for a candidate of youth age, in an agency or enterprise
    # with no Đoàn; the test that let a 35-year-old through this way asserted the wrong rule.
    f = facts(
        birth_date=date(2000, 1, 1),
        cong_doan_member=True,
        unit_has_doan=False,
        unit_sector=Sector.doanh_nghiep,
        introducers=(intro("A"),),
        documents=(DocumentFact(DocumentKind.nghi_quyet_cong_doan, date(2025, 4, 1)),),
    )
    assert guard_introducers(f, RS, date(2025, 5, 2), CAL) == []
    past_youth = replace(f, birth_date=date(1990, 5, 1))
    assert ids(guard_introducers(past_youth, RS, date(2025, 5, 2), CAL)) == ["R-INTRO"]


# R-VERIFY.
def test_verification_before_the_vote_and_relatives_checked() -> None:
    f = facts(
        verified_on=date(2025, 4, 28),
        relatives=(
            RelativeFact(Relation.cha, True, None),
            RelativeFact(Relation.me, False, None),
        ),
    )
    unmet = guard_verification(f, RS, date(2025, 5, 2), CAL)
    assert ids(unmet) == ["R-VERIFY"] and "Mẹ" in unmet[0].message
    late = replace(f, verified_on=date(2025, 5, 3), relatives=())
    assert ids(guard_verification(late, RS, date(2025, 5, 2), CAL)) == ["R-VERIFY"]


# R-VOTE-CB, R-CB-MIN: 2/3 of official members less the exempted; probationary do not count.
def test_six_of_nine_passes_five_of_nine_fails() -> None:
    assert passes_vote(6, 9, RS)
    assert not passes_vote(5, 9, RS)


def chi_bo_vote(official: int, agree: int, exempted: int = 0) -> DossierFacts:
    return facts(
        resolutions=(
            ResolutionFact(ResolutionKind.chi_bo, date(2025, 5, 2), official, exempted, agree, 0),
        )
    )


def test_vote_counts_official_members_not_those_present() -> None:
    unmet = check(Event.chi_bo_thong_qua, chi_bo_vote(9, 5), RS, date(2025, 6, 1), CAL).unmet
    assert "R-VOTE-CB" in ids(list(unmet))
    unmet = check(Event.chi_bo_thong_qua, chi_bo_vote(9, 6), RS, date(2025, 6, 1), CAL).unmet
    assert "R-VOTE-CB" not in ids(list(unmet))


def test_exempted_members_leave_the_count() -> None:
    unmet = check(
        Event.chi_bo_thong_qua, chi_bo_vote(9, 5, exempted=2), RS, date(2025, 6, 1), CAL
    ).unmet
    assert "R-VOTE-CB" not in ids(list(unmet))  # 5 of 7 >= 2/3


def test_a_chi_bo_with_two_official_members_cannot_vote() -> None:
    unmet = check(Event.chi_bo_thong_qua, chi_bo_vote(2, 2), RS, date(2025, 6, 1), CAL).unmet
    assert "R-CB-MIN" in ids(list(unmet))


# R-VOTE-DU: a chi bộ cơ sở has no đảng ủy step.
def test_chi_bo_co_so_sends_up_without_dang_uy_resolution() -> None:
    under = facts(stage=Stage.gui_ho_so)
    assert ids(list(check(Event.gui_cap_uy, under, RS, date(2025, 6, 1), CAL).unmet)) == [
        "R-VOTE-DU"
    ]
    cell = replace(under, under_dang_uy=False)
    assert check(Event.gui_cap_uy, cell, RS, date(2025, 6, 1), CAL).ok


# R-REJOIN.
def test_rejoin_needs_36_months_consent_and_an_allowed_cause() -> None:
    f = facts(prior_membership=PriorMembershipFact(date(2022, 6, 1), ExitCause.bi_xoa_ten, False))
    assert ids(guard_rejoin(f, RS, date(2025, 5, 2), CAL)) == ["R-REJOIN", "R-REJOIN"]
    ok = replace(f, consents=(ConsentFact(ConsentKind.ket_nap_lai, "3", date(2025, 4, 1)),))
    assert guard_rejoin(ok, RS, date(2025, 6, 1), CAL) == []
    never = replace(
        ok, prior_membership=PriorMembershipFact(date(2010, 1, 1), ExitCause.tu_xin_ra, False)
    )
    assert ids(guard_rejoin(never, RS, date(2025, 6, 1), CAL)) == ["R-REJOIN"]


# D-CEREMONY: 30 working days from receipt, later only with consent.
def ceremony_facts(held: date, consent: bool = False) -> DossierFacts:
    return facts(
        stage=Stage.ket_nap,
        decisions=(
            DecisionFact(DecisionKind.ket_nap, "1", date(2025, 1, 24), date(2025, 1, 24), True),
        ),
        ceremony_on=held,
        consents=(ConsentFact(ConsentKind.le_muon, "2", date(2025, 3, 1)),) if consent else (),
    )


def test_ceremony_deadline_counts_working_days_across_tet() -> None:
    assert check(Event.to_chuc_le, ceremony_facts(date(2025, 3, 14)), RS, date(2025, 4, 1), CAL).ok
    late = check(Event.to_chuc_le, ceremony_facts(date(2025, 3, 17)), RS, date(2025, 4, 1), CAL)
    assert ids(list(late.unmet)) == ["D-CEREMONY"] and "14/03/2025" in late.unmet[0].message
    assert check(
        Event.to_chuc_le, ceremony_facts(date(2025, 3, 17), consent=True), RS, date(2025, 4, 1), CAL
    ).ok


# D-PROBATION, R-VOTE-OFFICIAL, D-OFFICIAL.
def official_facts(*rounds: tuple[int, int, int], decision: bool = True) -> DossierFacts:
    return facts(
        stage=Stage.du_bi,
        under_dang_uy=False,
        ceremony_on=date(2024, 7, 10),
        resolutions=tuple(
            ResolutionFact(
                ResolutionKind.chi_bo_chinh_thuc, date(2025, 7, 15), 9, 0, agree, against, n
            )
            for n, agree, against in rounds
        ),
        decisions=(
            DecisionFact(DecisionKind.chinh_thuc, "5", date(2025, 8, 1), date(2025, 8, 1), True),
        )
        if decision
        else (),
    )


def test_recognition_waits_for_twelve_months() -> None:
    verdict = check(
        Event.cong_nhan_chinh_thuc, official_facts((1, 8, 0)), RS, date(2025, 7, 9), CAL
    )
    assert "D-PROBATION" in verdict.rule_ids


def test_recognition_needs_two_thirds_or_three_undecided_rounds() -> None:
    today = date(2025, 9, 1)
    assert check(Event.cong_nhan_chinh_thuc, official_facts((1, 6, 3)), RS, today, CAL).ok
    two = official_facts((1, 5, 4), (2, 5, 4))
    assert "R-VOTE-OFFICIAL" in check(Event.cong_nhan_chinh_thuc, two, RS, today, CAL).rule_ids
    three = official_facts((1, 5, 4), (2, 5, 4), (3, 5, 4))
    assert check(Event.cong_nhan_chinh_thuc, three, RS, today, CAL).ok
    no_decision = official_facts((1, 8, 0), decision=False)
    assert "D-OFFICIAL" in check(Event.cong_nhan_chinh_thuc, no_decision, RS, today, CAL).rule_ids


# Every refusal lists every unmet rule, not just the first.
def test_all_unmet_conditions_are_reported_together() -> None:
    f = facts(birth_date=date(2010, 1, 1), education=Education.tieu_hoc)
    verdict = check(Event.chi_bo_thong_qua, f, RS, date(2025, 6, 1), CAL)
    assert {"R-AGE", "R-EDU", "R-CLASS", "P-DOSSIER", "R-INTRO", "R-VERIFY", "R-VOTE-CB"} <= set(
        verdict.rule_ids
    )


def test_skipping_a_step_is_refused_with_sequence_rule() -> None:
    verdict = check(Event.quyet_dinh_ket_nap, facts(), RS, date(2025, 6, 1), CAL)
    assert verdict.rule_ids[0] == "P-SEQUENCE"
    assert "Thẩm định" in verdict.unmet[0].message


# Rule sets are chosen by the date of the judged fact.
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 7, 29), "QD29-2016"),
        (date(2021, 7, 30), "QD24-2021"),
        (date(2021, 9, 27), "QD24-2021"),
        (date(2021, 9, 28), "HD01-2021"),  # HD 01-HD/TW is dated 28/09/2021
        (date(2025, 1, 19), "HD01-2021"),
        (date(2025, 1, 20), "QD232-2025"),  # QĐ 232 is a set of its own (issue 14)
        (date(2025, 6, 30), "QD232-2025"),
        (date(2025, 7, 1), "QD294-2025"),
    ],
)
def test_rule_set_by_effective_date(day: date, expected: str) -> None:
    assert rule_set_for(day).id == expected
    assert {rs.id for rs in RULE_SETS} >= {"QD24-2021", "QD294-2025"}
