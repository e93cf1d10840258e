"""Guards: pure functions of (dossier facts, rule set, date) that cite RULES.md ids.

``check`` runs every guard of an event and returns **all** unmet conditions, so a clerk
learns in one go what is missing. Deadlines that bind the committee rather than the
candidate (D-DECIDE, D-OFFICIAL) never block: they come back as notes.
Ids of our own, for what RULES.md states as procedure rather than as a numbered rule:
``P-SEQUENCE`` (the order of steps) and ``P-DOSSIER`` (a required paper is missing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from workflow.domain.calendar import WorkingCalendar, add_months, full_months, months_between
from workflow.domain.deadlines import chi_bo_date, dossier_deadlines, probation_end
from workflow.domain.facts import (
    ConsentKind,
    DecisionKind,
    DocumentKind,
    DossierFacts,
    Education,
    EduException,
    ExitCause,
    ResolutionFact,
    ResolutionKind,
)
from workflow.domain.process import MAIN_LINE, TRANSITIONS, Event, Stage, events_from
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

# R-REJOIN: the causes RULES.md names as never allowing re-admission; its list ends with
# "…", so further causes belong in a later rule set once verified.
_NO_REJOIN = frozenset({ExitCause.tu_xin_ra, ExitCause.an_tham_nhung})


def passes_vote(agree: int, eligible: int, rs: RuleSet) -> bool:
    """agree >= num/den of eligible, in integers (6 of 9 passes at 2/3, 5 of 9 does not)."""
    return eligible > 0 and agree * rs.vote_den >= rs.vote_num * eligible


def _threshold(eligible: int, rs: RuleSet) -> int:
    return -(-rs.vote_num * eligible // rs.vote_den)


def age_months(facts: DossierFacts, on: date) -> int:
    """R-AGE: age counted by month (born 08/2003 is 216 months in all of 08/2021)."""
    return months_between(facts.birth_date, on)


# --- conditions on the candidate, judged at the chi bộ resolution date -------------------


def guard_age(facts: DossierFacts, rs: RuleSet, on: date, cal: WorkingCalendar) -> list[Unmet]:
    months = age_months(facts, on)
    if months < rs.age_min_months:
        return [
            Unmet(
                "R-AGE",
                f"Chưa đủ {rs.age_min_months // 12} tuổi (tính theo tháng) vào ngày chi bộ xét "
                f"{fmt_date(on)}: mới {months // 12} tuổi {months % 12} tháng.",
            )
        ]
    return []


def guard_age_60(facts: DossierFacts, rs: RuleSet, on: date, cal: WorkingCalendar) -> list[Unmet]:
    months = age_months(facts, on)
    if months <= rs.age_max_months:
        return []
    consent = facts.consent(ConsentKind.tuoi_60)
    decision = facts.latest_decision(DecisionKind.ket_nap)
    if consent is None:
        return [
            Unmet(
                "R-AGE-60",
                f"Trên {rs.age_max_months // 12} tuổi ({months // 12} tuổi {months % 12} tháng) "
                "mà chưa có văn bản đồng ý của Ban Thường vụ Tỉnh ủy.",
            )
        ]
    if decision is not None and consent.dated > decision.signed_on:
        return [
            Unmet(
                "R-AGE-60",
                f"Văn bản đồng ý số {consent.number} ngày {fmt_date(consent.dated)} có sau quyết "
                f"định kết nạp ngày {fmt_date(decision.signed_on)}; phải có trước.",
            )
        ]
    return []


def guard_education(
    facts: DossierFacts, rs: RuleSet, on: date, cal: WorkingCalendar
) -> list[Unmet]:
    edu, exc = facts.education, facts.edu_exception
    if edu.rank >= Education.thcs.rank:
        return []
    if exc is EduException.vung_dac_biet and edu.rank >= Education.tieu_hoc.rank:
        return []
    if exc is EduException.gia_lang and edu.rank >= Education.biet_doc_viet.rank:
        if facts.consent(ConsentKind.hoc_van) is not None:
            return []
        return [
            Unmet(
                "R-EDU",
                "Già làng, người có uy tín chỉ cần biết đọc, biết viết chữ Quốc ngữ nhưng phải có "
                "văn bản đồng ý của Ban Thường vụ Tỉnh ủy; chưa có.",
            )
        ]
    needed = "Tiểu học" if exc is EduException.vung_dac_biet else "Trung học cơ sở"
    return [Unmet("R-EDU", f"Trình độ học vấn '{edu.label}' chưa đạt tối thiểu: {needed}.")]


def guard_class_valid(
    facts: DossierFacts, rs: RuleSet, on: date, cal: WorkingCalendar
) -> list[Unmet]:
    issued = facts.certificate_issued_on
    if issued is None:
        return [Unmet("R-CLASS", "Chưa có giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng.")]
    if issued > on:
        return [
            Unmet(
                "R-CLASS",
                f"Giấy chứng nhận cấp ngày {fmt_date(issued)}, sau ngày xét {fmt_date(on)}.",
            )
        ]
    expires = add_months(issued, rs.class_valid_months)
    if on >= expires:
        return [
            Unmet(
                "R-CLASS",
                f"Giấy chứng nhận cấp ngày {fmt_date(issued)} đã hết hạn {rs.class_valid_months} "
                f"tháng từ {fmt_date(expires)}; phải học lại trước khi chi bộ xét "
                f"({fmt_date(on)}).",
            )
        ]
    return []


def guard_documents(
    facts: DossierFacts, rs: RuleSet, on: date, cal: WorkingCalendar
) -> list[Unmet]:
    unmet: list[Unmet] = []
    required = [DocumentKind.don_xin_vao_dang, DocumentKind.ly_lich, DocumentKind.tong_hop_y_kien]
    for kind in required:
        if facts.document(kind) is None:
            unmet.append(Unmet("P-DOSSIER", f"Thiếu {kind.label} (mẫu {kind.form})."))
    dated: list[tuple[str, date]] = [
        (f"{d.kind.label} (mẫu {d.kind.form})", d.dated)
        for kind in DocumentKind
        if kind.expires and (d := facts.document(kind)) is not None
    ]
    dated += [
        (f"Giấy giới thiệu của {i.name} (mẫu 3-KNĐ)", i.introduced_on) for i in facts.introducers
    ]
    for label, day in dated:
        if day > on:
            unmet.append(
                Unmet("R-DOCS-12M", f"{label} ghi ngày {fmt_date(day)}, sau ngày chi bộ xét.")
            )
        elif rs.docs_rule_enabled and on >= add_months(day, rs.docs_valid_months):
            unmet.append(
                Unmet(
                    "R-DOCS-12M",
                    f"{label} ngày {fmt_date(day)} đã quá {rs.docs_valid_months} tháng vào ngày "
                    f"{fmt_date(on)}; phải làm lại.",
                )
            )
    return unmet


def guard_introducers(
    facts: DossierFacts, rs: RuleSet, on: date, cal: WorkingCalendar
) -> list[Unmet]:
    unmet: list[Unmet] = []
    years = age_months(facts, on) // 12
    youth = rs.youth_age_min <= years <= rs.youth_age_max
    needed = rs.introducers_required
    if youth and facts.unit_has_doan:
        if not facts.doan_member:
            unmet.append(
                Unmet(
                    "R-INTRO-DOAN",
                    f"Trong độ tuổi đoàn ({years} tuổi) ở nơi có tổ chức Đoàn: phải là đoàn viên.",
                )
            )
        if facts.document(DocumentKind.nghi_quyet_doan) is None:
            unmet.append(
                Unmet(
                    "R-INTRO-DOAN",
                    "Trong độ tuổi đoàn: thiếu nghị quyết giới thiệu của BCH Đoàn cơ sở (4-KNĐ), "
                    "thay cho một đảng viên giới thiệu.",
                )
            )
        needed -= 1
    elif (
        rs.union_may_introduce
        and facts.cong_doan_member
        and facts.document(DocumentKind.nghi_quyet_cong_doan) is not None
    ):
        needed -= 1  # R-INTRO-CD: the union committee's resolution replaces one introducer
    valid = 0
    for person in facts.introducers:
        if not person.official:
            unmet.append(
                Unmet(
                    "R-INTRO",
                    f"Người giới thiệu {person.name} là đảng viên dự bị; "
                    "phải là đảng viên chính thức.",
                )
            )
        elif person.months_together < rs.introducer_months:
            unmet.append(
                Unmet(
                    "R-INTRO",
                    f"Người giới thiệu {person.name} mới công tác/sinh hoạt cùng "
                    f"{person.months_together} tháng; cần ít nhất {rs.introducer_months} tháng.",
                )
            )
        else:
            valid += 1
    if valid < needed:
        unmet.append(
            Unmet(
                "R-INTRO",
                f"Cần {needed} đảng viên chính thức giới thiệu hợp lệ; mới có {valid}.",
            )
        )
    return unmet


def guard_verification(
    facts: DossierFacts, rs: RuleSet, on: date, cal: WorkingCalendar
) -> list[Unmet]:
    unmet: list[Unmet] = []
    if facts.verified_on is None:
        unmet.append(Unmet("R-VERIFY", "Lý lịch chưa được thẩm tra và cấp ủy cơ sở chứng nhận."))
    elif facts.verified_on > on:
        unmet.append(
            Unmet(
                "R-VERIFY",
                f"Lý lịch được chứng nhận ngày {fmt_date(facts.verified_on)}, sau ngày chi bộ "
                f"xét {fmt_date(on)}; phải thẩm tra trước khi chi bộ biểu quyết.",
            )
        )
    for rel in facts.relatives:
        if rel.party_member:
            continue  # members already in the Party are not verified again
        if rel.verified_on is None or rel.verified_on > on:
            unmet.append(
                Unmet("R-VERIFY", f"Chưa thẩm tra lý lịch người thân: {rel.relation.label}.")
            )
    return unmet


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


def guard_rejoin(facts: DossierFacts, rs: RuleSet, on: date, cal: WorkingCalendar) -> list[Unmet]:
    prior = facts.prior_membership
    if prior is None:
        return []
    unmet: list[Unmet] = []
    if prior.cause in _NO_REJOIN:
        unmet.append(Unmet("R-REJOIN", f"Không xem xét kết nạp lại: {prior.cause.label}."))
    if prior.readmitted_before:
        unmet.append(Unmet("R-REJOIN", "Đã được kết nạp lại một lần; không kết nạp lại lần nữa."))
    out = full_months(prior.left_on, on)
    if out < rs.rejoin_months:
        unmet.append(
            Unmet(
                "R-REJOIN",
                f"Ra khỏi Đảng từ {fmt_date(prior.left_on)}, mới {out} tháng; cần ít nhất "
                f"{rs.rejoin_months} tháng.",
            )
        )
    if facts.consent(ConsentKind.ket_nap_lai) is None:
        unmet.append(
            Unmet("R-REJOIN", "Kết nạp lại cần văn bản đồng ý của Ban Thường vụ Tỉnh ủy; chưa có.")
        )
    return unmet


# --- guards per event ---------------------------------------------------------------------


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
