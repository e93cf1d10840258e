"""Guards: pure functions of (dossier facts, rule set, date) that cite the rule ids.

``check`` runs every guard of an event and returns **all** unmet conditions, so a clerk
learns in one go what is missing. Deadlines that bind the committee rather than the
candidate (D-DECIDE, D-OFFICIAL) never block: they come back as notes.
Ids of our own, for what the rules state as procedure rather than as a numbered rule:
``P-SEQUENCE`` (the order of steps) and ``P-DOSSIER`` (a required paper is missing).
"""

from __future__ import annotations

from datetime import date

from workflow.domain.calendar import WorkingCalendar
from workflow.domain.conditions import (
    guard_age,
    guard_age_60,
    guard_class_valid,
    guard_documents,
    guard_education,
    guard_introducers,
    guard_rejoin,
    guard_verification,
)
from workflow.domain.deadlines import chi_bo_date, dossier_deadlines, probation_end
from workflow.domain.facts import DossierFacts
from workflow.domain.process import MAIN_LINE, TRANSITIONS, Event, Stage, events_from
from workflow.domain.rules import RuleSet
from workflow.domain.verdicts import Guard, Unmet, Verdict, guard_cb_min, passes_vote, vote_unmet
from workflow.domain.vocabulary import ConsentKind, DecisionKind, ResolutionKind
from workflow.text.vntext import fmt_date


def _future(day: date, today: date, label: str, rule: str) -> list[Unmet]:
    if day > today:
        return [
            Unmet(rule, f"{label} ghi ngày {fmt_date(day)}, sau ngày hôm nay {fmt_date(today)}.")
        ]
    return []


def check_finish_class(
    facts: DossierFacts, rs: RuleSet, today: date, cal: WorkingCalendar
) -> list[Unmet]:
    return guard_class_valid(facts, rs, today, cal)


def check_chi_bo(
    facts: DossierFacts, rs: RuleSet, today: date, cal: WorkingCalendar
) -> list[Unmet]:
    res = facts.latest_resolution(ResolutionKind.chi_bo)
    if res is None:
        # No vote yet: still judge every other condition as of today, so the clerk sees
        # all that is missing before the chi bộ meets.
        on = today
        unmet = [
            Unmet(
                "R-VOTE-CB",
                "Chưa ghi nhận nghị quyết của chi bộ (mẫu 6-KNĐ) với kết quả biểu quyết.",
            )
        ]
    else:
        on = res.dated
        unmet = _future(on, today, "Nghị quyết chi bộ", "R-VOTE-CB")
    for guard in (
        guard_age,
        guard_age_60,
        guard_education,
        guard_class_valid,
        guard_documents,
        guard_introducers,
        guard_verification,
        guard_rejoin,
    ):
        unmet.extend(guard(facts, rs, on, cal))
    if res is not None:
        unmet.extend(guard_cb_min(res, rs))
        unmet.extend(vote_unmet("R-VOTE-CB", res, rs, "Chi bộ biểu quyết"))
    return unmet


def check_send_up(
    facts: DossierFacts, rs: RuleSet, today: date, cal: WorkingCalendar
) -> list[Unmet]:
    if not facts.under_dang_uy:
        return []  # R-VOTE-DU: a chi bộ cơ sở sends straight to the deciding committee
    res = facts.latest_resolution(ResolutionKind.dang_uy)
    if res is None:
        return [Unmet("R-VOTE-DU", "Chưa ghi nhận nghị quyết của đảng ủy cơ sở (mẫu 8-KNĐ).")]
    unmet = _future(res.dated, today, "Nghị quyết đảng ủy", "R-VOTE-DU")
    cb = chi_bo_date(facts)
    if cb is not None and res.dated < cb:
        unmet.append(Unmet("R-VOTE-DU", "Nghị quyết đảng ủy có ngày trước nghị quyết chi bộ."))
    unmet.extend(vote_unmet("R-VOTE-DU", res, rs, "Đảng ủy biểu quyết"))
    return unmet


def check_decision(
    facts: DossierFacts, rs: RuleSet, today: date, cal: WorkingCalendar
) -> list[Unmet]:
    dec = facts.latest_decision(DecisionKind.ket_nap)
    if dec is None or not dec.approve:
        return [
            Unmet(
                "P-DOSSIER", "Chưa ghi nhận quyết định kết nạp (số, ngày) của cấp ủy có thẩm quyền."
            )
        ]
    unmet = _future(dec.signed_on, today, "Quyết định kết nạp", "P-DOSSIER")
    cb = chi_bo_date(facts)
    if cb is not None and dec.signed_on < cb:
        unmet.append(Unmet("P-DOSSIER", "Quyết định kết nạp có ngày trước nghị quyết chi bộ."))
    if cb is not None:
        unmet.extend(guard_age_60(facts, rs, cb, cal))
    return unmet


def check_ceremony(
    facts: DossierFacts, rs: RuleSet, today: date, cal: WorkingCalendar
) -> list[Unmet]:
    dec = facts.latest_decision(DecisionKind.ket_nap)
    held = facts.ceremony_on
    if held is None:
        return [Unmet("D-CEREMONY", "Chưa ghi nhận ngày tổ chức lễ kết nạp.")]
    unmet = _future(held, today, "Lễ kết nạp", "D-CEREMONY")
    if dec is None:
        return unmet + [Unmet("P-DOSSIER", "Chưa có quyết định kết nạp.")]
    if held < dec.received_on:
        unmet.append(Unmet("D-CEREMONY", "Lễ kết nạp có ngày trước khi nhận quyết định."))
    due = cal.add_working_days(dec.received_on, rs.ceremony_working_days)
    if held > due and facts.consent(ConsentKind.le_muon) is None:
        late = cal.working_days_between(due, held)
        unmet.append(
            Unmet(
                "D-CEREMONY",
                f"Lễ kết nạp ngày {fmt_date(held)} muộn {late} ngày làm việc so với hạn "
                f"{fmt_date(due)} ({rs.ceremony_working_days} ngày làm việc từ khi nhận quyết "
                "định); cần văn bản đồng ý của cấp ủy cấp trên trực tiếp.",
            )
        )
    return unmet


def official_outcome(facts: DossierFacts, rs: RuleSet) -> tuple[bool, list[Unmet]]:
    """R-VOTE-OFFICIAL: a round with 2/3 for decides; after the set number of rounds with
    2/3 neither way, the competent committee decides (its decision is then enough)."""
    rounds = sorted(
        (r for r in facts.resolutions if r.kind is ResolutionKind.chi_bo_chinh_thuc),
        key=lambda r: (r.round, r.dated),
    )
    if not rounds:
        return False, [
            Unmet(
                "R-VOTE-OFFICIAL", "Chưa ghi nhận nghị quyết chi bộ đề nghị công nhận chính thức."
            )
        ]
    unmet: list[Unmet] = []
    for r in rounds:
        unmet.extend(guard_cb_min(r, rs))
        if passes_vote(r.agree, r.eligible, rs):
            return True, unmet
    undecided = [r for r in rounds if not passes_vote(r.against, r.eligible, rs)]
    if len(undecided) >= rs.official_vote_rounds:
        return True, unmet  # the committee decides; check_official requires its decision
    last = rounds[-1]
    return False, unmet + vote_unmet(
        "R-VOTE-OFFICIAL", last, rs, f"Chi bộ biểu quyết công nhận chính thức (lần {last.round})"
    )


def check_official(
    facts: DossierFacts, rs: RuleSet, today: date, cal: WorkingCalendar
) -> list[Unmet]:
    end = probation_end(facts, rs)
    unmet: list[Unmet] = []
    if end is None:
        return [Unmet("D-PROBATION", "Chưa có ngày lễ kết nạp để tính 12 tháng dự bị.")]
    if today < end:
        unmet.append(
            Unmet(
                "D-PROBATION",
                f"Chưa hết {rs.probation_months} tháng dự bị: hết ngày {fmt_date(end)}.",
            )
        )
    _, rounds_unmet = official_outcome(facts, rs)
    unmet.extend(rounds_unmet)
    for r in facts.resolutions:
        if r.kind is ResolutionKind.chi_bo_chinh_thuc and r.dated < end:
            unmet.append(
                Unmet(
                    "D-PROBATION",
                    f"Chi bộ xét công nhận ngày {fmt_date(r.dated)}, trước khi hết dự bị "
                    f"({fmt_date(end)}).",
                )
            )
    if facts.under_dang_uy:
        du = facts.latest_resolution(ResolutionKind.dang_uy_chinh_thuc)
        if du is None:
            unmet.append(
                Unmet("R-VOTE-DU", "Chưa có nghị quyết đảng ủy cơ sở đề nghị công nhận chính thức.")
            )
        else:
            unmet.extend(vote_unmet("R-VOTE-DU", du, rs, "Đảng ủy biểu quyết công nhận chính thức"))
    dec = facts.latest_decision(DecisionKind.chinh_thuc)
    if dec is None or not dec.approve:
        unmet.append(
            Unmet(
                "D-OFFICIAL",
                "Chưa có quyết định công nhận đảng viên chính thức của cấp ủy có thẩm quyền.",
            )
        )
    else:
        unmet.extend(_future(dec.signed_on, today, "Quyết định công nhận", "D-OFFICIAL"))
    return unmet


def _no_guard(facts: DossierFacts, rs: RuleSet, today: date, cal: WorkingCalendar) -> list[Unmet]:
    return []


GUARDS: dict[Event, Guard] = {
    Event.cu_di_hoc: _no_guard,
    Event.hoan_thanh_lop: check_finish_class,
    Event.chi_bo_thong_qua: check_chi_bo,
    Event.gui_cap_uy: check_send_up,
    Event.trinh_btv: _no_guard,
    Event.quyet_dinh_ket_nap: check_decision,
    Event.to_chuc_le: check_ceremony,
    Event.cong_nhan_chinh_thuc: check_official,
    Event.tra_lai: _no_guard,
    Event.khong_dat: _no_guard,
    Event.rut_ho_so: _no_guard,
    Event.xoa_ten: _no_guard,
}


def judged_on(event: Event, facts: DossierFacts, today: date) -> date:
    """The date whose rule set judges the event: the date of the fact the event rests on."""
    day: date | None = None
    if event is Event.chi_bo_thong_qua:
        day = chi_bo_date(facts)
    elif event is Event.gui_cap_uy:
        res = facts.latest_resolution(ResolutionKind.dang_uy)
        day = res.dated if res else None
    elif event is Event.quyet_dinh_ket_nap:
        dec = facts.latest_decision(DecisionKind.ket_nap)
        day = dec.signed_on if dec else None
    elif event is Event.to_chuc_le:
        day = facts.ceremony_on
    elif event is Event.cong_nhan_chinh_thuc:
        dec = facts.latest_decision(DecisionKind.chinh_thuc)
        day = dec.signed_on if dec else None
    return min(day, today) if day else today


def sequence_unmet(event: Event, stage: Stage) -> list[Unmet]:
    """P-SEQUENCE: the table has no such move from this stage; say which steps come first."""
    if event in events_from(stage):
        return []
    if stage.closed:
        return [Unmet("P-SEQUENCE", f"Hồ sơ đã kết thúc ở bước '{stage.label}'.")]
    message = f"Không thể '{event.label}' khi hồ sơ đang ở bước '{stage.label}'."
    sources = {t.source for t in TRANSITIONS if t.event is event}
    if stage in MAIN_LINE:
        here = MAIN_LINE.index(stage)
        later = [i for i, s in enumerate(MAIN_LINE) if s in sources and i > here]
        if later:
            steps = ", ".join(f"'{s.label}'" for s in MAIN_LINE[here + 1 : later[0] + 1])
            message += f" Phải qua trước các bước: {steps}."
    allowed = ", ".join(e.value for e in events_from(stage))
    return [Unmet("P-SEQUENCE", f"{message} Được phép: {allowed}.")]


def check(
    event: Event, facts: DossierFacts, rs: RuleSet, today: date, cal: WorkingCalendar
) -> Verdict:
    """Every unmet condition of ``event`` for this dossier on ``today``, with rule ids."""
    unmet = sequence_unmet(event, facts.stage)
    unmet.extend(GUARDS[event](facts, rs, today, cal))
    notes = tuple(decide_notes(event, facts, rs, today, cal))
    return Verdict(event, rs.id, judged_on(event, facts, today), tuple(unmet), notes)


def decide_notes(
    event: Event, facts: DossierFacts, rs: RuleSet, today: date, cal: WorkingCalendar
) -> list[Unmet]:
    """D-DECIDE and D-OFFICIAL bind the committee: reported, never blocking."""
    return [
        Unmet(d.rule_id, d.describe())
        for d in dossier_deadlines(facts, rs, cal, today, papers=False)
        if d.rule_id in {"D-DECIDE", "D-OFFICIAL"} and d.missed_by
    ]
