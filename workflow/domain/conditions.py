"""Conditions on the candidate (R-AGE, R-AGE-60, R-EDU, R-CLASS, R-DOCS-12M, R-INTRO …),
each a pure function of the facts, the rule set and the day it is judged on (the chi bộ's
resolution date)."""

from __future__ import annotations

from datetime import date

from workflow.domain.calendar import WorkingCalendar, add_months, full_months
from workflow.domain.facts import DossierFacts
from workflow.domain.rules import RuleSet
from workflow.domain.verdicts import Unmet, age_months
from workflow.domain.vocabulary import (
    ConsentKind,
    DecisionKind,
    DocumentKind,
    Education,
    EduException,
    ExitCause,
)
from workflow.text.vntext import fmt_date

# R-REJOIN: the causes the rules name as never allowing re-admission; its list ends with
# "…", so further causes belong in a later rule set once verified.
_NO_REJOIN = frozenset({ExitCause.tu_xin_ra, ExitCause.an_tham_nhung})


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
