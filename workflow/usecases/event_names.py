"""How an audit event reads for a person: its kind, its event and its stages as Vietnamese
labels, one wording for the history command, the timeline and the dossier page (an
inspector reads the same words in every one of them; the codes stay in --json)."""

from __future__ import annotations

from workflow.domain.process import Event, Stage
from workflow.usecases.access import LABELS as ACTIONS
from workflow.usecases.access import Action

KINDS: dict[str, str] = {
    "create": "Mở hồ sơ",
    "fact": "Ghi nhận",
    "transition": "Chuyển bước",
    "import": "Nhập từ tệp",
    "refusal": "Bị từ chối",
    "denied": "Không có quyền",
    "reminder": "Nhắc việc",
    "personal": "Dữ liệu cá nhân",
    "admin": "Quản trị",
    "inspection": "Kiểm tra",
    "signin": "Đăng nhập",
    "export": "Xuất dữ liệu",
    "rule_change": "Thay đổi quy định",
    "move": "Chuyển tổ chức",
    "transfer": "Chuyển sinh hoạt đảng",
    "correction": "Đính chính",
    "finding": "Phát hiện",
}

# Audit events that are not transitions (the transitions say their step: Event.label).
RECORDED: dict[str, str] = {
    "tao_ho_so": "Mở hồ sơ",
    "nhap_ket_nap_truoc_day": "Nhập kết nạp trước khi dùng hệ thống",
    "nhap_ho_so_dang_xu_ly": "Nhập hồ sơ đang xử lý từ tệp",
    "cap_nhat_tu_tep": "Cập nhật thông tin từ tệp",
    "ghi_hoc_vien_lop": "Ghi học viên lớp nhận thức",
    "ghi_giay_chung_nhan": "Ghi giấy chứng nhận lớp nhận thức",
    "ghi_nguoi_gioi_thieu": "Ghi người giới thiệu",
    "ghi_giay_to": "Ghi giấy tờ",
    "ghi_tham_tra": "Ghi thẩm tra lý lịch",
    "ghi_nguoi_than": "Ghi người thân",
    "ghi_nghi_quyet": "Ghi nghị quyết, kết quả biểu quyết",
    "ghi_quyet_dinh": "Ghi quyết định",
    "ghi_le_ket_nap": "Ghi lễ kết nạp",
    "ghi_van_ban_dong_y": "Ghi văn bản đồng ý",
    "ghi_qua_trinh_dang_truoc": "Ghi quá trình trong Đảng trước đây",
    "xem_cccd": "Xem số CCCD",
    "xong_nhac_viec": "Đánh dấu xong nhắc việc",
    "ap_dung_quy_dinh": "Áp dụng bộ quy định mới cho hồ sơ",
    "chuyen_sinh_hoat": "Chuyển sinh hoạt đảng sang chi bộ khác (L-TRANSFER)",
    "gui_chuyen_sinh_hoat": "Gửi giấy giới thiệu chuyển sinh hoạt đảng (L-TRANSFER)",
    "huy_chuyen_sinh_hoat": "Hủy lần chuyển sinh hoạt đảng (L-TRANSFER)",
    "chi_dinh_chi_bo_giup_do": "Cấp ủy chỉ định chi bộ giúp đỡ người vào Đảng (L-NO-MEMBER)",
    "dinh_chinh": "Đính chính thông tin đã ghi",
    "ket_luan_phat_hien": "Kết luận phát hiện",
    "nop_lai_ho_so": "Nộp lại hồ sơ (người có hồ sơ trước đã kết thúc)",
    "ket_thuc_to_chuc": "Tổ chức kết thúc hoạt động, giao lại cho tổ chức kế thừa",
    "sap_nhap_to_chuc": "Chuyển hồ sơ sang tổ chức kế thừa (sáp nhập, chia tách, đổi tên)",
    "chuyen_truc_thuoc": "Chuyển trực thuộc tổ chức cấp trên khác",
    "doi_ten_to_chuc": "Đổi tên tổ chức",
    "dat_ten_van_ban": "Đặt tên tổ chức trên văn bản",
}


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def event_label(kind: str, event: str) -> str:
    """What happened, in words; a refusal or a denial says so first."""
    if event in Event.__members__:
        said = Event(event).label
    elif kind == "denied" and event in Action.__members__:
        said = ACTIONS[Action(event)]
    else:
        said = RECORDED.get(event, event)
    if kind in ("refusal", "denied"):
        return f"{KINDS[kind]}: {said}"
    return said


def stage_label(stage: str | None) -> str:
    if not stage:
        return ""
    return Stage(stage).label if stage in Stage.__members__ else stage
