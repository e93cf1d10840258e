"""The glossary's enumerations, each member with its Vietnamese display label: one word
for one thing in the input models, the tables, the CLI and the pages."""

from __future__ import annotations

from enum import StrEnum

from workflow.text.vntext import fold


def _key(text: str) -> str:
    return "_".join(fold(text).replace("-", " ").replace("/", " ").replace(",", " ").split())


class Labelled(StrEnum):
    """An enum whose members carry a Vietnamese display label."""

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self.value]

    @classmethod
    def typed(cls, text: str) -> str:
        """What a person typed, as the member's value: the code (``dai_hoc``) or the label
        (``Đại học``, ``dai hoc``, ``ĐẠI HỌC``: accents, case and spacing aside); what
        matches neither is returned as typed, for the input model to refuse."""
        key = _key(text)
        for member in cls:
            if key in (_key(member.value), _key(member.label)):
                return member.value
        return text


class Sex(Labelled):
    nam = "nam"
    nu = "nu"


class Education(Labelled):
    """Highest schooling, ordered: comparisons use ``rank``."""

    khong = "khong"
    biet_doc_viet = "biet_doc_viet"
    tieu_hoc = "tieu_hoc"
    thcs = "thcs"
    thpt = "thpt"
    trung_cap = "trung_cap"
    cao_dang = "cao_dang"
    dai_hoc = "dai_hoc"
    sau_dai_hoc = "sau_dai_hoc"

    @property
    def rank(self) -> int:
        return list(Education).index(self)


class EduException(Labelled):
    """R-EDU exceptions."""

    khong = "khong"
    vung_dac_biet = "vung_dac_biet"
    gia_lang = "gia_lang"


class OrgKind(Labelled):
    cap_tinh = "cap_tinh"
    cap_uy_co_tham_quyen = "cap_uy_co_tham_quyen"
    dang_bo_co_so = "dang_bo_co_so"
    chi_bo = "chi_bo"
    chi_bo_co_so = "chi_bo_co_so"


class Sector(Labelled):
    xa_phuong = "xa_phuong"
    co_quan = "co_quan"
    doanh_nghiep = "doanh_nghiep"
    truong_hoc = "truong_hoc"
    luc_luong_vu_trang = "luc_luong_vu_trang"
    khac = "khac"


class Occupation(Labelled):
    """Occupation groups of the report breakdown (docs/reports.md)."""

    can_bo_cong_chuc = "can_bo_cong_chuc"
    vien_chuc = "vien_chuc"
    lao_dong_doanh_nghiep = "lao_dong_doanh_nghiep"
    cong_nhan = "cong_nhan"
    nong_dan = "nong_dan"
    luc_luong_vu_trang = "luc_luong_vu_trang"
    hoc_sinh_sinh_vien = "hoc_sinh_sinh_vien"
    khac = "khac"


class DocumentKind(Labelled):
    """Papers of the dossier before the chi bộ (HD 12-HD/BTCTW part II); form codes are data."""

    don_xin_vao_dang = "don_xin_vao_dang"
    ly_lich = "ly_lich"
    nghi_quyet_doan = "nghi_quyet_doan"
    nghi_quyet_cong_doan = "nghi_quyet_cong_doan"
    tong_hop_y_kien = "tong_hop_y_kien"
    ly_lich_dang_vien = "ly_lich_dang_vien"

    @property
    def form(self) -> str:
        return FORM_CODES[self]

    @property
    def expires(self) -> bool:
        """R-DOCS-12M applies to personal history, resolutions and comment summaries."""
        return self not in {DocumentKind.don_xin_vao_dang, DocumentKind.ly_lich_dang_vien}


FORM_CODES: dict[DocumentKind, str] = {
    DocumentKind.don_xin_vao_dang: "1-KNĐ",
    DocumentKind.ly_lich: "2-KNĐ",
    DocumentKind.nghi_quyet_doan: "4-KNĐ",
    DocumentKind.nghi_quyet_cong_doan: "4A-KNĐ",
    DocumentKind.tong_hop_y_kien: "5-KNĐ",
    DocumentKind.ly_lich_dang_vien: "1-HSĐV",  # D-HISTORY: filled in after the ceremony
}


class Role(Labelled):
    """Who receives what (reminders now; permissions with the roles issue)."""

    chuyen_vien = "chuyen_vien"
    bi_thu = "bi_thu"
    cap_uy = "cap_uy"
    kiem_tra = "kiem_tra"
    quan_tri = "quan_tri"


class SubmissionKind(Labelled):
    """What an organization sends up in the planning cycle (seeds 002, 003)."""

    ke_hoach = "ke_hoach"
    bao_cao_quy_1 = "bao_cao_quy_1"
    bao_cao_6_thang = "bao_cao_6_thang"
    bao_cao_9_thang = "bao_cao_9_thang"
    bao_cao_nam = "bao_cao_nam"


class TargetKind(Labelled):
    """Kinds of chỉ tiêu the seeds use: admissions, sympathizers trained (cảm tình Đảng,
    who finished the awareness class), learners sent to the class."""

    ket_nap = "ket_nap"
    cam_tinh = "cam_tinh"
    hoc_lop = "hoc_lop"


class SchoolLevel(Labelled):
    """Seed 001: upper-secondary schools train 15–20 sympathizers and admit ≥ 5 pupils a
    year; colleges and the university train 5–10 and admit ≥ 3."""

    thpt = "thpt"
    cao_dang = "cao_dang"


class ResolutionKind(Labelled):
    chi_bo = "chi_bo"
    dang_uy = "dang_uy"
    chi_bo_chinh_thuc = "chi_bo_chinh_thuc"
    dang_uy_chinh_thuc = "dang_uy_chinh_thuc"
    chi_bo_xoa_ten = "chi_bo_xoa_ten"


class DecisionKind(Labelled):
    ket_nap = "ket_nap"
    chinh_thuc = "chinh_thuc"
    xoa_ten = "xoa_ten"


class XoaTenGround(Labelled):
    """L-XOA-TEN: why a probationary member's name is struck off (recorded on the competent
    committee's decision; R-REJOIN reads it)."""

    bo_sinh_hoat = "bo_sinh_hoat"
    giam_sut_y_chi = "giam_sut_y_chi"
    khong_du_tu_cach = "khong_du_tu_cach"


class AnnulOutcome(Labelled):
    """L-ANNUL: what follows the annulment of an admission decision."""

    xoa_ten = "xoa_ten"
    lam_lai = "lam_lai"


class ConsentKind(Labelled):
    tuoi_60 = "tuoi_60"
    hoc_van = "hoc_van"
    le_muon = "le_muon"
    gia_han_xet = "gia_han_xet"
    gia_han_cong_nhan = "gia_han_cong_nhan"
    ket_nap_lai = "ket_nap_lai"


class AgeGround(Labelled):
    """R-AGE-60: why a person over 60 may be considered (recorded with the consent)."""

    khong_co_to_chuc = "khong_co_to_chuc"
    khong_co_dang_vien = "khong_co_dang_vien"
    yeu_cau_dac_biet = "yeu_cau_dac_biet"


class Relation(Labelled):
    cha = "cha"
    me = "me"
    cha_vo_chong = "cha_vo_chong"
    me_vo_chong = "me_vo_chong"
    nguoi_nuoi_duong = "nguoi_nuoi_duong"
    vo_chong = "vo_chong"
    con = "con"
    anh_chi_em_ruot = "anh_chi_em_ruot"
    anh_chi_em_vo_chong = "anh_chi_em_vo_chong"

    @property
    def spouse_side(self) -> bool:
        """R-VERIFY's family exemption works side by side: the candidate's, the spouse's."""
        return self in SPOUSE_SIDE

    @property
    def to_verify(self) -> bool:
        """The relatives whose history is verified (siblings are recorded for the exemption)."""
        return self not in {Relation.anh_chi_em_ruot, Relation.anh_chi_em_vo_chong}

    @property
    def exempts_side(self) -> bool:
        """A member among them, history fully declared, exempts that side (HD 01 §3.4.c)."""
        return self in EXEMPTING


SPOUSE_SIDE = frozenset(
    {Relation.vo_chong, Relation.cha_vo_chong, Relation.me_vo_chong, Relation.anh_chi_em_vo_chong}
)
EXEMPTING = frozenset(
    {
        Relation.cha,
        Relation.me,
        Relation.anh_chi_em_ruot,
        Relation.con,
        Relation.cha_vo_chong,
        Relation.me_vo_chong,
        Relation.anh_chi_em_vo_chong,
    }
)


class ExitCause(Labelled):
    """Why a former member left (R-REJOIN reads it; the rule set says which bar for ever)."""

    tu_bo_sinh_hoat = "tu_bo_sinh_hoat"
    tu_xin_ra = "tu_xin_ra"
    tu_xin_ra_hoan_canh = "tu_xin_ra_hoan_canh"
    gay_mat_doan_ket = "gay_mat_doan_ket"
    tham_nhung = "tham_nhung"
    an_nghiem_trong = "an_nghiem_trong"
    an_it_nghiem_trong = "an_it_nghiem_trong"
    bi_xoa_ten = "bi_xoa_ten"
    bi_khai_tru = "bi_khai_tru"
    khac = "khac"


# R-REJOIN reads a xóa tên's ground as the former member's exit cause (L-XOA-TEN): leaving
# the chi bộ's life bars readmission for ever; the other grounds are a xóa tên like any.
EXIT_CAUSE_OF: dict[XoaTenGround, ExitCause] = {
    XoaTenGround.bo_sinh_hoat: ExitCause.tu_bo_sinh_hoat,
    XoaTenGround.giam_sut_y_chi: ExitCause.bi_xoa_ten,
    XoaTenGround.khong_du_tu_cach: ExitCause.bi_xoa_ten,
}


_LABELS: dict[str, dict[str, str]] = {
    "Sex": {"nam": "Nam", "nu": "Nữ"},
    "Education": {
        "khong": "Chưa biết chữ",
        "biet_doc_viet": "Biết đọc, biết viết chữ Quốc ngữ",
        "tieu_hoc": "Tiểu học",
        "thcs": "Trung học cơ sở",
        "thpt": "Trung học phổ thông",
        "trung_cap": "Trung cấp",
        "cao_dang": "Cao đẳng",
        "dai_hoc": "Đại học",
        "sau_dai_hoc": "Sau đại học",
    },
    "EduException": {
        "khong": "Không",
        "vung_dac_biet": "Miền núi, biên giới, hải đảo, vùng đồng bào dân tộc, ngư dân",
        "gia_lang": "Già làng, trưởng bản, người có uy tín",
    },
    "OrgKind": {
        "cap_tinh": "Tỉnh ủy / Thành ủy",
        "cap_uy_co_tham_quyen": "Cấp ủy có thẩm quyền",
        "dang_bo_co_so": "Đảng bộ cơ sở",
        "chi_bo": "Chi bộ",
        "chi_bo_co_so": "Chi bộ cơ sở",
    },
    "Sector": {
        "xa_phuong": "Xã, phường, thị trấn",
        "co_quan": "Cơ quan",
        "doanh_nghiep": "Doanh nghiệp",
        "truong_hoc": "Trường học",
        "luc_luong_vu_trang": "Lực lượng vũ trang",
        "khac": "Khác",
    },
    "Occupation": {
        "can_bo_cong_chuc": "Cán bộ, công chức",
        "vien_chuc": "Viên chức",
        "lao_dong_doanh_nghiep": "Người lao động trong doanh nghiệp",
        "cong_nhan": "Công nhân",
        "nong_dan": "Nông dân",
        "luc_luong_vu_trang": "Lực lượng vũ trang",
        "hoc_sinh_sinh_vien": "Học sinh, sinh viên",
        "khac": "Khác",
    },
    "DocumentKind": {
        "don_xin_vao_dang": "Đơn xin vào Đảng",
        "ly_lich": "Lý lịch của người xin vào Đảng",
        "nghi_quyet_doan": "Nghị quyết giới thiệu của BCH Đoàn cơ sở",
        "nghi_quyet_cong_doan": "Nghị quyết giới thiệu của BCH Công đoàn cơ sở",
        "tong_hop_y_kien": "Tổng hợp ý kiến nhận xét của đoàn thể và chi bộ nơi cư trú",
        "ly_lich_dang_vien": "Lý lịch đảng viên (khai sau lễ kết nạp)",
    },
    "Role": {
        "chuyen_vien": "Chuyên viên Ban Tổ chức",
        "bi_thu": "Bí thư chi bộ / tổ chức cơ sở đảng",
        "cap_uy": "Cấp ủy có thẩm quyền",
        "kiem_tra": "Ủy ban Kiểm tra",
        "quan_tri": "Quản trị hệ thống",
    },
    "SubmissionKind": {
        "ke_hoach": "Kế hoạch tạo nguồn phát triển đảng viên",
        "bao_cao_quy_1": "Báo cáo quý I",
        "bao_cao_6_thang": "Báo cáo 6 tháng",
        "bao_cao_9_thang": "Báo cáo 9 tháng",
        "bao_cao_nam": "Báo cáo năm",
    },
    "TargetKind": {
        "ket_nap": "Kết nạp đảng viên",
        "cam_tinh": "Bồi dưỡng quần chúng cảm tình Đảng",
        "hoc_lop": "Cử đi học lớp bồi dưỡng nhận thức về Đảng",
    },
    "SchoolLevel": {
        "thpt": "Trường trung học phổ thông",
        "cao_dang": "Trường cao đẳng, đại học",
    },
    "ResolutionKind": {
        "chi_bo": "Nghị quyết chi bộ đề nghị kết nạp",
        "dang_uy": "Nghị quyết đảng ủy cơ sở đề nghị kết nạp",
        "chi_bo_chinh_thuc": "Nghị quyết chi bộ đề nghị công nhận chính thức",
        "dang_uy_chinh_thuc": "Nghị quyết đảng ủy cơ sở đề nghị công nhận chính thức",
        "chi_bo_xoa_ten": "Nghị quyết chi bộ đề nghị xóa tên đảng viên dự bị",
    },
    "DecisionKind": {
        "ket_nap": "Quyết định kết nạp đảng viên",
        "chinh_thuc": "Quyết định công nhận đảng viên chính thức",
        "xoa_ten": "Quyết định xóa tên đảng viên dự bị",
    },
    "XoaTenGround": {
        "bo_sinh_hoat": "Bỏ sinh hoạt chi bộ hoặc không đóng đảng phí 3 tháng trong năm không "
        "có lý do chính đáng",
        "giam_sut_y_chi": "Giảm sút ý chí phấn đấu, không làm nhiệm vụ đảng viên",
        "khong_du_tu_cach": "Không đủ tư cách đảng viên trong thời gian dự bị",
    },
    "AnnulOutcome": {
        "xoa_ten": "Người được kết nạp không đủ điều kiện: xóa tên",
        "lam_lai": "Sai thẩm quyền hoặc quy trình: làm lại thủ tục",
    },
    "ConsentKind": {
        "tuoi_60": "Đồng ý của Ban Thường vụ Tỉnh ủy cho người trên 60 tuổi",
        "hoc_van": "Đồng ý của Ban Thường vụ Tỉnh ủy về trình độ học vấn",
        "le_muon": "Đồng ý của cấp ủy cấp trên cho tổ chức lễ kết nạp muộn",
        "gia_han_xet": "Gia hạn thời gian xem xét, quyết định kết nạp",
        "gia_han_cong_nhan": "Gia hạn thời gian xem xét, quyết định công nhận đảng viên chính thức",
        "ket_nap_lai": "Đồng ý của Ban Thường vụ Tỉnh ủy cho kết nạp lại",
    },
    "Relation": {
        "cha": "Cha",
        "me": "Mẹ",
        "cha_vo_chong": "Cha vợ/chồng",
        "me_vo_chong": "Mẹ vợ/chồng",
        "nguoi_nuoi_duong": "Người nuôi dưỡng",
        "vo_chong": "Vợ/chồng",
        "con": "Con đã thành niên",
        "anh_chi_em_ruot": "Anh, chị, em ruột",
        "anh_chi_em_vo_chong": "Anh, chị, em ruột của vợ/chồng",
    },
    "AgeGround": {
        "khong_co_to_chuc": "Nơi chưa có tổ chức đảng",
        "khong_co_dang_vien": "Nơi chưa có đảng viên",
        "yeu_cau_dac_biet": "Có yêu cầu đặc biệt",
    },
    "ExitCause": {
        "tu_bo_sinh_hoat": "Tự bỏ sinh hoạt đảng",
        "tu_xin_ra": "Tự nguyện xin ra khỏi Đảng",
        "tu_xin_ra_hoan_canh": "Xin ra khỏi Đảng vì hoàn cảnh gia đình đặc biệt khó khăn",
        "gay_mat_doan_ket": "Gây mất đoàn kết nội bộ nghiêm trọng",
        "tham_nhung": "Tham nhũng",
        "an_nghiem_trong": "Bị kết án về tội nghiêm trọng trở lên",
        "an_it_nghiem_trong": "Bị kết án về tội ít nghiêm trọng",
        "bi_xoa_ten": "Bị xóa tên (lý do khác)",
        "bi_khai_tru": "Bị khai trừ (lý do khác)",
        "khac": "Lý do khác",
    },
}
