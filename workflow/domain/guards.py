"""Guards: pure functions of (dossier facts, rule set, date) that cite the rule ids.

``check`` runs every guard of an event and returns **all** unmet conditions, so a clerk
learns in one go what is missing. Deadlines that bind the committee rather than the
candidate (D-DECIDE, D-OFFICIAL) never block: they come back as notes.
Ids of our own, for what the rules state as procedure rather than as a numbered rule:
``P-SEQUENCE`` (the order of steps) and ``P-DOSSIER`` (a required paper is missing).
"""

from __future__ import annotations

from dataclasses import dataclass
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
from workflow.domain.facts import DossierFacts, ResolutionFact
from workflow.domain.process import (
    MAIN_LINE,
    TRANSITIONS,
    Event,
    Stage,
    acts_on,
    events_from,
)
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
        what = (
            "nghị quyết của đảng ủy cơ sở được ủy quyền quyết định kết nạp (ít nhất 2/3 tổng số "
            "cấp ủy viên tán thành; hồ sơ không gửi lên cấp trên)"
            if facts.base_decides
            else "nghị quyết của đảng ủy cơ sở (mẫu 8-KNĐ)"
        )
        return [Unmet("R-VOTE-DU", f"Chưa ghi nhận {what}.")]
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
    du = facts.latest_resolution(ResolutionKind.dang_uy)
    if facts.base_decides and du is not None and dec.signed_on < du.dated:
        unmet.append(
            Unmet(
                "R-VOTE-DU",
                "Quyết định kết nạp của đảng ủy cơ sở được ủy quyền có ngày trước nghị quyết "
                "của đảng ủy.",
            )
        )
    if cb is not None:  # the provincial consents must come before this decision
        unmet.extend(guard_age_60(facts, rs, cb, cal))
        unmet.extend(guard_education(facts, rs, cb, cal))
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


def member_history_unmet(facts: DossierFacts, dated: date) -> list[Unmet]:
    """Recording the lý lịch đảng viên: the new member declares it after the ceremony
    (D-HISTORY), so not before the ceremony is recorded, nor dated before it."""
    if facts.ceremony_on is None:
        return [
            Unmet(
                "D-HISTORY",
                "Chưa ghi nhận lễ kết nạp: lý lịch đảng viên do đảng viên mới khai sau lễ kết nạp.",
            )
        ]
    if dated < facts.ceremony_on:
        return [
            Unmet(
                "D-HISTORY",
                f"Lý lịch đảng viên ngày {fmt_date(dated)} trước lễ kết nạp "
                f"({fmt_date(facts.ceremony_on)}).",
            )
        ]
    return []


def ceremony_unmet(facts: DossierFacts, held_on: date) -> list[Unmet]:
    """Recording a ceremony: only once the admission decision is recorded, and not before
    the chi bộ received it (D-CEREMONY's clock and the probation start from these)."""
    dec = facts.latest_decision(DecisionKind.ket_nap)
    if dec is None or not dec.approve:
        return [
            Unmet(
                "P-DOSSIER",
                "Chưa ghi nhận quyết định kết nạp của cấp ủy có thẩm quyền: lễ kết nạp chỉ tổ chức "
                "sau khi chi bộ nhận quyết định.",
            )
        ]
    if held_on < dec.received_on:
        return [
            Unmet(
                "D-CEREMONY",
                f"Lễ kết nạp ngày {fmt_date(held_on)} trước ngày chi bộ nhận quyết định "
                f"({fmt_date(dec.received_on)}).",
            )
        ]
    return []


@dataclass(frozen=True)
class Rounds:
    """Where one body's recognition votes stand (R-VOTE-OFFICIAL): ``outcome`` is "for"
    (a round reached 2/3 for recognition), "strike" (a round reached 2/3 for xóa tên: a
    proposal to strike off), "committee" (the set number of rounds with 2/3 neither way:
    the competent committee decides) or "open" (none of these yet)."""

    outcome: str
    unmet: tuple[Unmet, ...] = ()
    decisive: ResolutionFact | None = None


def recognition_rounds(facts: DossierFacts, kind: ResolutionKind, rs: RuleSet) -> Rounds:
    """One body's rounds (the chi bộ's, or the đảng ủy's where there is one), in order."""
    rounds = sorted(
        (r for r in facts.resolutions if r.kind is kind), key=lambda r: (r.round, r.dated)
    )
    who = "Chi bộ" if kind is ResolutionKind.chi_bo_chinh_thuc else "Đảng ủy cơ sở"
    if not rounds:
        return Rounds("open", (Unmet("R-VOTE-OFFICIAL", f"Chưa ghi nhận {kind.label.lower()}."),))
    unmet: list[Unmet] = []
    for r in rounds:
        if kind is ResolutionKind.chi_bo_chinh_thuc:
            unmet.extend(guard_cb_min(r, rs))
        if passes_vote(r.agree, r.eligible, rs):
            return Rounds("for", tuple(unmet), r)
        if passes_vote(r.against, r.eligible, rs):
            return Rounds("strike", tuple(unmet), r)
    if len(rounds) >= rs.official_vote_rounds:
        return Rounds("committee", tuple(unmet))
    last = rounds[-1]
    unmet += vote_unmet(
        "R-VOTE-OFFICIAL", last, rs, f"{who} biểu quyết công nhận chính thức (lần {last.round})"
    )
    return Rounds("open", tuple(unmet))


def _strike_unmet(who: str, r: ResolutionFact, rs: RuleSet) -> Unmet:
    return Unmet(
        "R-VOTE-OFFICIAL",
        f"{who} biểu quyết lần {r.round} ngày {fmt_date(r.dated)}: {r.against}/{r.eligible} đề "
        f"nghị xóa tên (đủ {rs.vote_num}/{rs.vote_den}). Đây là đề nghị xóa tên, không phải "
        "công nhận chính thức: chuyển sang bước xóa tên (xoa_ten).",
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
    cb_rounds = recognition_rounds(facts, ResolutionKind.chi_bo_chinh_thuc, rs)
    unmet.extend(cb_rounds.unmet)
    if cb_rounds.outcome == "strike" and cb_rounds.decisive is not None:
        unmet.append(_strike_unmet("Chi bộ", cb_rounds.decisive, rs))
    for r in facts.resolutions:
        if r.kind is ResolutionKind.chi_bo_chinh_thuc and r.dated < end:
            unmet.append(
                Unmet(
                    "D-PROBATION",
                    f"Chi bộ xét công nhận ngày {fmt_date(r.dated)}, trước khi hết dự bị "
                    f"({fmt_date(end)}).",
                )
            )
    if facts.under_dang_uy and cb_rounds.outcome == "for":
        # the đảng ủy's rounds count the same way (2/3 of its committee members)
        du_rounds = recognition_rounds(facts, ResolutionKind.dang_uy_chinh_thuc, rs)
        unmet.extend(du_rounds.unmet)
        if du_rounds.outcome == "strike" and du_rounds.decisive is not None:
            unmet.append(_strike_unmet("Đảng ủy cơ sở", du_rounds.decisive, rs))
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


def xoa_ten_proposal(facts: DossierFacts, rs: RuleSet) -> ResolutionFact | None:
    """The chi bộ's resolution proposing xóa tên (L-XOA-TEN): a vote of its own
    (``chi_bo_xoa_ten``, 2/3 of the members entitled to vote for it: the ground may arise
    at any time of the probation), or a recognition round with 2/3 against (R-VOTE-OFFICIAL's
    "strike", where the probation failed)."""
    own = facts.latest_resolution(ResolutionKind.chi_bo_xoa_ten)
    if own is not None and passes_vote(own.agree, own.eligible, rs):
        return own
    rounds = recognition_rounds(facts, ResolutionKind.chi_bo_chinh_thuc, rs)
    return rounds.decisive if rounds.outcome == "strike" else None


def xoa_ten_ground(facts: DossierFacts) -> str | None:
    """The ground the competent committee's xóa tên decision records (L-XOA-TEN)."""
    dec = facts.latest_decision(DecisionKind.xoa_ten)
    return dec.ground if dec is not None and dec.approve else None


def check_xoa_ten(
    facts: DossierFacts, rs: RuleSet, today: date, cal: WorkingCalendar
) -> list[Unmet]:
    """L-XOA-TEN (Điều lệ art. 8, QĐ 294): the chi bộ's resolution proposing it, then the
    competent committee's decision (number, date) recording its ground; all that is missing
    is said at once."""
    unmet: list[Unmet] = []
    res = xoa_ten_proposal(facts, rs)
    if res is None:
        own = facts.latest_resolution(ResolutionKind.chi_bo_xoa_ten)
        said = (
            f" (nghị quyết ngày {fmt_date(own.dated)}: {own.agree}/{own.eligible} tán thành, "
            f"cần {rs.vote_num}/{rs.vote_den})"
            if own is not None
            else ""
        )
        unmet.append(
            Unmet(
                "L-XOA-TEN",
                "Chưa có nghị quyết của chi bộ đề nghị xóa tên đảng viên dự bị (nghị quyết "
                "chi_bo_xoa_ten, hoặc biểu quyết công nhận chính thức có 2/3 không tán "
                f"thành){said}.",
            )
        )
    else:
        unmet.extend(_future(res.dated, today, "Nghị quyết chi bộ đề nghị xóa tên", "L-XOA-TEN"))
    dec = facts.latest_decision(DecisionKind.xoa_ten)
    if dec is None or not dec.approve:
        unmet.append(
            Unmet(
                "L-XOA-TEN",
                "Chưa ghi nhận quyết định xóa tên (số, ngày) của cấp ủy có thẩm quyền.",
            )
        )
        return unmet
    unmet.extend(_future(dec.signed_on, today, "Quyết định xóa tên", "L-XOA-TEN"))
    if res is not None and dec.signed_on < res.dated:
        unmet.append(
            Unmet("L-XOA-TEN", "Quyết định xóa tên có ngày trước nghị quyết chi bộ đề nghị.")
        )
    if dec.ground is None:
        unmet.append(
            Unmet("L-XOA-TEN", f"Quyết định xóa tên số {dec.number} chưa ghi căn cứ xóa tên.")
        )
    return unmet


def check_annul_by_advance(
    facts: DossierFacts, rs: RuleSet, today: date, cal: WorkingCalendar
) -> list[Unmet]:
    """L-ANNUL is its own unit of work (the committee's decision, the outcome, what the row
    held): never a bare step."""
    return [
        Unmet(
            "L-ANNUL",
            "Hủy quyết định kết nạp phải ghi quyết định hủy của cấp ủy đã quyết định: dùng lệnh "
            "'ketnap annul'.",
        )
    ]


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
    Event.xoa_ten: check_xoa_ten,
    Event.huy_quyet_dinh_ket_nap: check_annul_by_advance,
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
    elif event is Event.xoa_ten:
        dec = facts.latest_decision(DecisionKind.xoa_ten)
        day = dec.signed_on if dec else None
    return min(day, today) if day else today


_BASIS = {
    Event.chi_bo_thong_qua: "ngày nghị quyết chi bộ",
    Event.gui_cap_uy: "ngày nghị quyết đảng ủy cơ sở",
    Event.quyet_dinh_ket_nap: "ngày quyết định kết nạp",
    Event.to_chuc_le: "ngày lễ kết nạp",
    Event.cong_nhan_chinh_thuc: "ngày quyết định công nhận",
    Event.xoa_ten: "ngày quyết định xóa tên",
}


def judged_basis(event: Event, facts: DossierFacts, today: date) -> str:
    """What the day an event is judged on is, in words: the fact's own date once that fact
    is recorded, else today (then the fact's date will be used once it is)."""
    what = _BASIS.get(event)
    if what is None:
        return "hôm nay"
    if judged_on(event, facts, today) == today and not _has_basis(event, facts):
        return f"hôm nay, vì chưa ghi nhận {what}; khi có sẽ xét theo {what}"
    return what


def _has_basis(event: Event, facts: DossierFacts) -> bool:
    if event is Event.chi_bo_thong_qua:
        return chi_bo_date(facts) is not None
    if event is Event.gui_cap_uy:
        return facts.latest_resolution(ResolutionKind.dang_uy) is not None
    if event is Event.to_chuc_le:
        return facts.ceremony_on is not None
    kinds = {Event.quyet_dinh_ket_nap: DecisionKind.ket_nap, Event.xoa_ten: DecisionKind.xoa_ten}
    return facts.latest_decision(kinds.get(event, DecisionKind.chinh_thuc)) is not None


def sequence_unmet(event: Event, stage: Stage) -> list[Unmet]:
    """P-SEQUENCE: the table has no such move from this stage; say which steps come first."""
    if event in events_from(stage) or event in acts_on(stage):
        return []  # an act outside the steps: its own guard says how it is recorded
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
