"""Issue 14's verdicts at their boundaries, pure: each of these was wrong before (the old
verdict is named in the test), and each now follows the texts (docs/rules.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from workflow.domain.calendar import WorkingCalendar
from workflow.domain.conditions import guard_introducers, guard_rejoin, guard_verification
from workflow.domain.deadlines import dossier_dues
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
from workflow.domain.guards import ceremony_unmet, check
from workflow.domain.process import Event, Stage
from workflow.domain.rules import (
    LOCKED,
    RULE_SETS,
    Override,
    check_override,
    rule_set_for,
    sets_from,
)
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
VOTE = date(2025, 5, 2)
RS = rule_set_for(VOTE)


def facts(**kw: object) -> DossierFacts:
    base = DossierFacts(
        stage=Stage.chi_bo_xet,
        birth_date=date(1980, 5, 1),  # 45 on the vote's day
        education=Education.dai_hoc,
        edu_exception=EduException.khong,
        doan_member=False,
        cong_doan_member=True,
        under_dang_uy=True,
        unit_has_doan=False,
        unit_sector=Sector.doanh_nghiep,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def ids(unmet: object) -> list[str]:
    return [u.rule_id for u in unmet]  # type: ignore[attr-defined]


ONE = (IntroducerFact("Phan Văn Hùng", True, 36, date(2025, 4, 1)),)
UNION = (DocumentFact(DocumentKind.nghi_quyet_cong_doan, date(2025, 4, 1)),)


# 1. R-INTRO-CD: the union's resolution replaces an introducer only for a youth, in an
# agency or enterprise without Đoàn; before, a 45-year-old passed with it.
def test_a_45_year_old_needs_two_members_even_with_the_unions_resolution() -> None:
    unmet = guard_introducers(facts(introducers=ONE, documents=UNION), RS, VOTE, CAL)
    assert ids(unmet) == ["R-INTRO"] and "R-INTRO-CD" in unmet[0].message


def test_a_youth_without_doan_must_be_a_union_member_and_have_its_resolution() -> None:
    young = facts(birth_date=date(2000, 1, 1), introducers=ONE, cong_doan_member=False)
    assert ids(guard_introducers(young, RS, VOTE, CAL)) == ["R-INTRO-CD", "R-INTRO-CD"]
    ready = replace(young, cong_doan_member=True, documents=UNION)
    assert guard_introducers(ready, RS, VOTE, CAL) == []
    # a commune without Đoàn is not an agency or enterprise: two members
    commune = replace(ready, unit_sector=Sector.xa_phuong)
    assert ids(guard_introducers(commune, RS, VOTE, CAL)) == ["R-INTRO"]


# 2. R-VERIFY: a member among father, mother, siblings, children, history declared, exempts
# that side; before, the mother was demanded though the father is a member.
def rel(relation: Relation, **kw: object) -> RelativeFact:
    return RelativeFact(relation, kw.pop("member", False), kw.pop("verified", None), **kw)  # type: ignore[arg-type]


def verify(*relatives: RelativeFact) -> list[str]:
    f = facts(verified_on=date(2025, 4, 28), relatives=relatives)
    return ids(guard_verification(f, RS, VOTE, CAL))


def test_the_fathers_membership_exempts_his_side_when_the_history_is_declared() -> None:
    assert verify(rel(Relation.cha, member=True, history_declared=True), rel(Relation.me)) == []
    # not declared fully: the mother is verified as before
    assert verify(rel(Relation.cha, member=True), rel(Relation.me)) == ["R-VERIFY"]


def test_a_sibling_exempts_the_candidates_side_not_the_spouses() -> None:
    sibling = rel(Relation.anh_chi_em_ruot, member=True, history_declared=True)
    assert verify(sibling, rel(Relation.cha), rel(Relation.me)) == []
    assert verify(sibling, rel(Relation.vo_chong), rel(Relation.me_vo_chong)) == [
        "R-VERIFY",
        "R-VERIFY",
    ]
    in_law = rel(Relation.anh_chi_em_vo_chong, member=True, history_declared=True)
    assert verify(sibling, in_law, rel(Relation.vo_chong), rel(Relation.me_vo_chong)) == []


def test_siblings_are_recorded_not_verified() -> None:
    assert verify(rel(Relation.anh_chi_em_ruot)) == []


def test_a_relative_abroad_is_confirmed_through_the_committee_abroad() -> None:
    abroad = rel(Relation.me, abroad=True)
    unmet = guard_verification(
        facts(verified_on=date(2025, 4, 28), relatives=(abroad,)), RS, VOTE, CAL
    )
    assert ids(unmet) == ["R-VERIFY"] and "Đảng ủy Ngoài nước" in unmet[0].message
    confirmed = replace(abroad, confirmed_abroad_on=date(2025, 4, 20))
    assert verify(confirmed) == []


# 3. R-REJOIN: the bars are data of the rule set; before, abandoning Party life passed.
def prior(cause: ExitCause, left: date = date(2015, 1, 1), **kw: object) -> DossierFacts:
    consent = ConsentFact(ConsentKind.ket_nap_lai, "3-CV/TU", date(2025, 4, 1))
    return facts(
        prior_membership=PriorMembershipFact(left, cause, False, **kw),  # type: ignore[arg-type]
        consents=(consent,),
    )


def test_the_barred_causes_never_allow_readmission() -> None:
    for cause in (
        ExitCause.tu_bo_sinh_hoat,
        ExitCause.tu_xin_ra,
        ExitCause.gay_mat_doan_ket,
        ExitCause.tham_nhung,
        ExitCause.an_nghiem_trong,
    ):
        assert ids(guard_rejoin(prior(cause), RS, VOTE, CAL)) == ["R-REJOIN"], cause
    assert guard_rejoin(prior(ExitCause.tu_xin_ra_hoan_canh), RS, VOTE, CAL) == []
    assert set(RS.rejoin_barred) == {
        "tu_bo_sinh_hoat",
        "tu_xin_ra",
        "gay_mat_doan_ket",
        "tham_nhung",
        "an_nghiem_trong",
    }


def test_a_lesser_crime_waits_60_months_after_the_record_is_cleared() -> None:
    crime = ExitCause.an_it_nghiem_trong
    assert ids(guard_rejoin(prior(crime), RS, VOTE, CAL)) == ["R-REJOIN"]  # no clearing date
    waited = prior(crime, record_cleared_on=date(2020, 5, 2))
    assert guard_rejoin(waited, RS, VOTE, CAL) == []  # 60 months exactly
    early = prior(crime, record_cleared_on=date(2020, 5, 3))
    assert ids(guard_rejoin(early, RS, VOTE, CAL)) == ["R-REJOIN"]  # 59 months


def test_readmission_once_only_and_36_months_out() -> None:
    again = replace(
        prior(ExitCause.khac),
        prior_membership=PriorMembershipFact(date(2015, 1, 1), ExitCause.khac, True),
    )
    assert ids(guard_rejoin(again, RS, VOTE, CAL)) == ["R-REJOIN"]
    assert ids(guard_rejoin(prior(ExitCause.khac, date(2022, 5, 3)), RS, VOTE, CAL)) == ["R-REJOIN"]
    assert guard_rejoin(prior(ExitCause.khac, date(2022, 5, 2)), RS, VOTE, CAL) == []


# 4. R-EDU and R-AGE-60: the provincial consent comes before the decision; R-AGE-60 records
# its ground. Before, a consent dated after the decision passed for R-EDU.
def decided(signed: date, **kw: object) -> DossierFacts:
    return facts(
        stage=Stage.btv_quyet_dinh,
        resolutions=(ResolutionFact(ResolutionKind.chi_bo, VOTE, 9, 0, 9, 0),),
        decisions=(DecisionFact(DecisionKind.ket_nap, "9-QĐ", signed, signed, True),),
        **kw,
    )


def test_an_education_consent_after_the_decision_is_refused() -> None:
    elder = {"education": Education.biet_doc_viet, "edu_exception": EduException.gia_lang}
    late = (ConsentFact(ConsentKind.hoc_van, "5-CV/TU", date(2025, 6, 21)),)
    verdict = check(
        Event.quyet_dinh_ket_nap,
        decided(date(2025, 6, 20), consents=late, **elder),
        RS,
        date(2025, 7, 1),
        CAL,
    )
    assert verdict.rule_ids == ["R-EDU"]
    on_time = (ConsentFact(ConsentKind.hoc_van, "5-CV/TU", date(2025, 6, 20)),)
    assert check(
        Event.quyet_dinh_ket_nap,
        decided(date(2025, 6, 20), consents=on_time, **elder),
        RS,
        date(2025, 7, 1),
        CAL,
    ).ok


def test_an_over_60_consent_states_its_ground() -> None:
    old = {"birth_date": date(1960, 1, 1)}
    bare = (ConsentFact(ConsentKind.tuoi_60, "7-CV/TU", date(2025, 4, 1)),)
    verdict = check(Event.chi_bo_thong_qua, facts(consents=bare, **old), RS, VOTE, CAL)
    assert "căn cứ" in next(u.message for u in verdict.unmet if u.rule_id == "R-AGE-60")
    grounded = (replace(bare[0], ground=AgeGround.khong_co_to_chuc),)
    verdict = check(Event.chi_bo_thong_qua, facts(consents=grounded, **old), RS, VOTE, CAL)
    assert "R-AGE-60" not in verdict.rule_ids


# 5. D-OFFICIAL: the extension moves the recognition decision's deadline; before, no change.
def test_an_extension_adds_30_working_days_to_the_recognition_decision() -> None:
    base = facts(
        stage=Stage.du_bi,
        ceremony_on=date(2024, 7, 10),
        resolutions=(
            ResolutionFact(ResolutionKind.chi_bo_chinh_thuc, date(2025, 7, 15), 9, 0, 8, 0),
        ),
    )
    extended = replace(
        base, consents=(ConsentFact(ConsentKind.gia_han_cong_nhan, "8-CV", date(2025, 8, 1)),)
    )
    due = {d.kind: d.due for d in dossier_dues(base, RS, CAL)}["D-OFFICIAL-QD"]
    longer = {d.kind: d.due for d in dossier_dues(extended, RS, CAL)}["D-OFFICIAL-QD"]
    assert due == CAL.add_working_days(date(2025, 7, 15), 30)
    assert longer == CAL.add_working_days(date(2025, 7, 15), 60)


# 6. R-VOTE-OFFICIAL: the đảng ủy's rounds count; 2/3 for xóa tên is a proposal to strike off.
def official(*rounds: tuple[ResolutionKind, int, int, int]) -> DossierFacts:
    return facts(
        stage=Stage.du_bi,
        ceremony_on=date(2024, 7, 10),
        resolutions=tuple(
            ResolutionFact(kind, date(2025, 7, 15), 9, 0, agree, against, n)
            for kind, n, agree, against in rounds
        ),
        decisions=(
            DecisionFact(DecisionKind.chinh_thuc, "5", date(2025, 8, 1), date(2025, 8, 1), True),
        ),
    )


CB, DU = ResolutionKind.chi_bo_chinh_thuc, ResolutionKind.dang_uy_chinh_thuc
TODAY = date(2025, 9, 1)


def test_three_undecided_rounds_at_the_dang_uy_leave_it_to_the_committee() -> None:
    # before: the đảng ủy's latest round alone was judged, so this was refused
    three = official((CB, 1, 8, 0), (DU, 1, 5, 4), (DU, 2, 5, 4), (DU, 3, 5, 4))
    assert check(Event.cong_nhan_chinh_thuc, three, RS, TODAY, CAL).ok
    two = official((CB, 1, 8, 0), (DU, 1, 5, 4), (DU, 2, 5, 4))
    assert "R-VOTE-OFFICIAL" in check(Event.cong_nhan_chinh_thuc, two, RS, TODAY, CAL).rule_ids


def test_two_thirds_for_xoa_ten_is_a_proposal_to_strike_off() -> None:
    strike = official((CB, 1, 2, 7), (CB, 2, 5, 4), (CB, 3, 5, 4))
    verdict = check(Event.cong_nhan_chinh_thuc, strike, RS, TODAY, CAL)
    assert not verdict.ok
    assert any("xóa tên" in u.message and "xoa_ten" in u.message for u in verdict.unmet)
    # the round with 2/3 against is the chi bộ's proposal (L-XOA-TEN); the step then needs
    # the competent committee's decision recording its ground, and only that
    without = check(Event.xoa_ten, strike, RS, TODAY, CAL)
    assert [u.rule_id for u in without.unmet] == ["L-XOA-TEN"]
    assert "quyết định xóa tên" in without.unmet[0].message
    decided = DecisionFact(
        DecisionKind.xoa_ten, "6", date(2025, 8, 20), date(2025, 8, 20), True, "khong_du_tu_cach"
    )
    struck = replace(strike, decisions=(*strike.decisions, decided))
    assert check(Event.xoa_ten, struck, RS, TODAY, CAL).ok


# 7. Youth age at its upper edge, counted by month: full 30 years is youth age, 30 years and
# one month is not (before, "30 years 11 months" was still youth age).
def test_youth_age_ends_at_full_30_years_by_month() -> None:
    doan = (DocumentFact(DocumentKind.nghi_quyet_doan, date(2025, 4, 1)),)
    at_30 = facts(
        birth_date=date(1995, 5, 31), unit_has_doan=True, doan_member=True, documents=doan
    )
    assert guard_introducers(replace(at_30, introducers=ONE), RS, VOTE, CAL) == []
    past = replace(at_30, birth_date=date(1995, 4, 1), introducers=ONE)  # 30 years 1 month
    assert ids(guard_introducers(past, RS, VOTE, CAL)) == ["R-INTRO"]


# 8. A ceremony is recorded only after the decision (the service refuses with these ids).
def test_a_ceremony_needs_the_decision_and_follows_its_receipt() -> None:
    assert ids(ceremony_unmet(facts(), date(2025, 7, 1))) == ["P-DOSSIER"]
    received = decided(date(2025, 6, 20))
    assert ids(ceremony_unmet(received, date(2025, 6, 19))) == ["D-CEREMONY"]
    assert ceremony_unmet(received, date(2025, 6, 20)) == []


# Rule sets: locked numbers, dated and scoped local overrides.
def test_charter_numbers_are_locked_and_local_ones_bounded() -> None:
    assert {"probation_months", "age_min_months", "vote_num", "rejoin_months"} <= set(LOCKED)
    for key, raw, needle in (
        ("probation_months", "0", "không ghi đè"),
        ("youth_age_max", "10" * 10, "không phải số nguyên"),
        ("youth_age_max", "100", "28–35"),
        ("youth_age_min", "10", "16–18"),
    ):
        try:
            check_override(key, raw)
        except ValueError as exc:
            assert needle in str(exc), (key, str(exc))
        else:
            raise AssertionError(key)
    assert check_override("youth_age_max", "35") == 35


def test_an_override_never_reaches_a_fact_dated_before_it() -> None:
    wide = Override("youth_age_max", 35, date(2026, 1, 1), tuple(rs.id for rs in RULE_SETS))
    in_2019 = rule_set_for(date(2019, 6, 3), [wide])
    assert in_2019 == rule_set_for(date(2019, 6, 3)) and in_2019.youth_age_max == 30
    assert rule_set_for(date(2026, 1, 1), [wide]).youth_age_max == 35


def test_an_override_applies_to_the_sets_it_names() -> None:
    scoped = Override("youth_age_max", 35, date(2016, 1, 1), ("QD294-2025",))
    assert rule_set_for(date(2025, 5, 2), [scoped]).youth_age_max == 30
    assert rule_set_for(date(2025, 7, 1), [scoped]).youth_age_max == 35
    assert sets_from(date(2025, 5, 2)) == ("QD232-2025", "QD294-2025")


def test_rule_sets_follow_the_dates_of_their_texts() -> None:
    dates = {rs.id: rs.effective_from for rs in RULE_SETS}
    assert dates["HD01-2021"] == date(2021, 9, 28)
    assert dates["QD232-2025"] == date(2025, 1, 20)
    assert dates["QD294-2025"] == date(2025, 7, 1)
