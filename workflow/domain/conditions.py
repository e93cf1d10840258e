"""Conditions on the candidate (R-AGE, R-AGE-60, R-EDU, R-CLASS, R-DOCS-12M, R-INTRO …),
each a pure function of the facts, the rule set and the day it is judged on (the chi bộ's
resolution date)."""

from __future__ import annotations

from datetime import date

from workflow.domain.calendar import WorkingCalendar, add_months, full_months
from workflow.domain.facts import DossierFacts
from workflow.domain.rules import RuleSet
from workflow.domain.verdicts import Unmet, age_months, age_text, in_youth_age
from workflow.domain.vocabulary import (
    ConsentKind,
    DecisionKind,
    DocumentKind,
    Education,
    EduException,
    ExitCause,
    Sector,
)
from workflow.text.vntext import fmt_date

# R-INTRO-CD: "ở cơ quan, doanh nghiệp không có tổ chức Đoàn" (Điều lệ Đảng, Điều 4).
AGENCY_OR_ENTERPRISE = frozenset({Sector.co_quan, Sector.doanh_nghiep})


def consent_before_decision(
    rule: str, facts: DossierFacts, kind: ConsentKind, what: str
) -> list[Unmet]:
    """R-AGE-60, R-EDU: the provincial consent must be dated before the competent
    committee's admission decision (HD 01-2021, HD 06-2025)."""
    consent = facts.consent(kind)
    decision = facts.latest_decision(DecisionKind.ket_nap)
    if consent is None or decision is None or consent.dated <= decision.signed_on:
        return []
    return [
        Unmet(
            rule,
            f"Văn bản đồng ý {what} số {consent.number} ngày {fmt_date(consent.dated)} có sau "
            f"quyết định kết nạp ngày {fmt_date(decision.signed_on)}; phải có trước.",
        )
    ]


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
    if consent is None:
        return [
            Unmet(
                "R-AGE-60",
                f"Trên {rs.age_max_months // 12} tuổi ({age_text(months)}) mà chưa có văn bản "
                "đồng ý của Ban Thường vụ Tỉnh ủy.",
            )
        ]
    unmet = []
    if consent.ground is None:
        unmet.append(
            Unmet(
                "R-AGE-60",
                f"Văn bản đồng ý số {consent.number} chưa ghi căn cứ: nơi chưa có tổ chức đảng, "
                "chưa có đảng viên, hoặc có yêu cầu đặc biệt.",
            )
        )
    return unmet + consent_before_decision(
        "R-AGE-60", facts, ConsentKind.tuoi_60, "cho người trên 60 tuổi"
    )


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
            return consent_before_decision("R-EDU", facts, ConsentKind.hoc_van, "về học vấn")
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
    """R-INTRO, R-INTRO-DOAN, R-INTRO-CD (Điều lệ Đảng, Điều 4): two official members; for a
    candidate of youth age, the Đoàn's resolution replaces one where the Đoàn exists, and in
    an agency or enterprise with no Đoàn the union's resolution does (the candidate must
    then be a union member). Past youth age: two official members, always."""
    unmet: list[Unmet] = []
    months = age_months(facts, on)
    youth = in_youth_age(months, rs)
    union_paper = facts.document(DocumentKind.nghi_quyet_cong_doan)
    needed = rs.introducers_required
    if youth and facts.unit_has_doan:
        if not facts.doan_member:
            unmet.append(
                Unmet(
                    "R-INTRO-DOAN",
                    f"Trong độ tuổi đoàn ({age_text(months)}) ở nơi có tổ chức Đoàn: phải là "
                    "đoàn viên.",
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
    elif youth and rs.union_may_introduce and facts.unit_sector in AGENCY_OR_ENTERPRISE:
        if not facts.cong_doan_member:
            unmet.append(
                Unmet(
                    "R-INTRO-CD",
                    f"Trong độ tuổi đoàn ({age_text(months)}) ở cơ quan, doanh nghiệp không có tổ "
                    "chức Đoàn: phải là công đoàn viên.",
                )
            )
        if union_paper is None:
            unmet.append(
                Unmet(
                    "R-INTRO-CD",
                    "Ở cơ quan, doanh nghiệp không có tổ chức Đoàn: thiếu nghị quyết giới thiệu "
                    "của BCH Công đoàn cơ sở (4A-KNĐ), thay cho một đảng viên giới thiệu.",
                )
            )
        needed -= 1
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
        why = ""
        if union_paper is not None and needed == rs.introducers_required:
            why = (
                " Nghị quyết của Công đoàn chỉ thay một người giới thiệu cho người trong độ tuổi "
                "đoàn ở cơ quan, doanh nghiệp không có tổ chức Đoàn (R-INTRO-CD)."
            )
        unmet.append(
            Unmet(
                "R-INTRO",
                f"Cần {needed} đảng viên chính thức giới thiệu hợp lệ; mới có {valid}.{why}",
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
    # HD 01 §3.4.c (HD 06 the same): a member among the father, mother, siblings or
    # children, history fully declared, exempts that side; the spouse's side likewise.
    exempt = {
        rel.relation.spouse_side
        for rel in facts.relatives
        if rel.party_member and rel.history_declared and rel.relation.exempts_side
    }
    for rel in facts.relatives:
        if not rel.relation.to_verify or rel.party_member or rel.relation.spouse_side in exempt:
            continue  # members are not verified again; an exempted side is not verified
        if rel.abroad:
            if rel.confirmed_abroad_on is None or rel.confirmed_abroad_on > on:
                unmet.append(
                    Unmet(
                        "R-VERIFY",
                        f"Người thân ở nước ngoài ({rel.relation.label}): chưa có xác nhận của "
                        "Đảng ủy Ngoài nước.",
                    )
                )
        elif rel.verified_on is None or rel.verified_on > on:
            unmet.append(
                Unmet("R-VERIFY", f"Chưa thẩm tra lý lịch người thân: {rel.relation.label}.")
            )
    return unmet


def guard_rejoin(facts: DossierFacts, rs: RuleSet, on: date, cal: WorkingCalendar) -> list[Unmet]:
    """R-REJOIN (QĐ 294 §3.5): never for the causes the rule set bars; 36 months out, or 60
    months after the record of a lesser crime was cleared; provincial consent; once only."""
    prior = facts.prior_membership
    if prior is None:
        return []
    unmet: list[Unmet] = []
    if prior.cause.value in rs.rejoin_barred:
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
    if prior.cause is ExitCause.an_it_nghiem_trong:
        cleared = prior.record_cleared_on
        if cleared is None:
            unmet.append(
                Unmet(
                    "R-REJOIN", "Bị kết án về tội ít nghiêm trọng: chưa ghi ngày được xóa án tích."
                )
            )
        elif full_months(cleared, on) < rs.rejoin_cleared_months:
            unmet.append(
                Unmet(
                    "R-REJOIN",
                    f"Được xóa án tích từ {fmt_date(cleared)}, mới {full_months(cleared, on)} "
                    f"tháng; cần ít nhất {rs.rejoin_cleared_months} tháng.",
                )
            )
    if facts.consent(ConsentKind.ket_nap_lai) is None:
        unmet.append(
            Unmet("R-REJOIN", "Kết nạp lại cần văn bản đồng ý của Ban Thường vụ Tỉnh ủy; chưa có.")
        )
    return unmet
