"""The bad inputs, as data: who types what, the exit code the README documents for it, and
the words (the field's name) the Vietnamese message must hold.

On the demo (tests/hostile/conftest.py): dossier 1 is at nguồn (CB-VP), 3 at chi bộ xét
(CB-GDTH), 7 before the standing board (CBCS-CHE), 8 admitted (CB-VP), 9 probationary,
11 official, 12 closed. ``bt_vp`` is the secretary of CB-VP, ``ubkt`` the inspection
committee (reads only), ``cu_duk`` a committee member of DUK-CQ, ``quantri`` the
administrator, ``cv_tinh`` the province's clerk. Exit codes: 1 refused by a rule, 2 bad
input, 4 not permitted (audited).
"""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    who: str
    line: str
    code: int
    words: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.who}:{self.line}"


def _table(text: str) -> list[Case]:
    """`who | code | word; word | command line` lines; '#' starts a comment."""
    cases = []
    for raw in text.strip().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        who, code, words, command = (part.strip() for part in line.split(" | ", 3))
        cases.append(Case(who, command, int(code), tuple(w for w in words.split("; ") if w)))
    return cases


# Ids: too large for the database, in other scripts' digits, negative, not numbers at all.
BAD_IDS = ["99999999999999999999", "²", "-1", "1.5", "１", "abc", "0x10", "1e3", "'#1'", "0"]
ID_COMMANDS = [
    ("cv_tinh", "candidate show {}", "Mã hồ sơ"),
    ("cv_tinh", "history {}", "Mã hồ sơ"),
    ("cv_tinh", "next {}", "Mã hồ sơ"),
    ("cv_tinh", "advance {} cu_di_hoc", "Mã hồ sơ"),
    ("cv_tinh", "audit timeline {}", "Mã hồ sơ"),
    ("cv_tinh", "record ceremony {} --date 20/11/2026", "Mã hồ sơ"),
    ("cv_tinh", "record document {} --kind ly_lich --date 20/11/2026", "Mã hồ sơ"),
    ("cv_tinh", "reminders done {}", "Mã nhắc việc"),
    ("cv_tinh", "advance-many cu_di_hoc 1 {}", "Mã hồ sơ"),
]
IDS = [
    Case(who, line.format(bad), 2, (field,)) for who, line, field in ID_COMMANDS for bad in BAD_IDS
]

# Dates: impossible, in another order or form, out of any plausible range.
BAD_DATES = ["31/02/2026", "2026-01-01", "00/00/0000", "01/13/2026", "mai", "01/01/99999", "1/1/26"]
DATE_COMMANDS = [
    ("cv_tinh", "record ceremony 8 --date {}", "Ngày"),
    ("cv_tinh", "record certificate 1 --number GCN-9 --issued {} --issuer 'Trung tâm'", "Ngày"),
    ("cv_tinh", "record vote 3 --kind chi_bo --date {} --official 9 --agree 9", "Ngày"),
    ("cv_tinh", "record decision 7 --kind ket_nap --number 9-QĐ --signed {}", "Ngày quyết định"),
    ("cv_tinh", "record document 3 --kind ly_lich --date {}", "Ngày"),
    (
        "cv_tinh",
        "candidate add --name 'Lê Văn Hòa' --birth {} --sex nam --cccd 001200000777 "
        "--education thpt --org CB-VP",
        "Ngày sinh",
    ),
    ("cv_tinh", "candidate show 1 --as-of {}", "Ngày"),
    ("cv_tinh", "report progress --as-of {}", "Ngày"),
    ("quantri", "scan --as-of {}", "Ngày quét"),
    ("quantri", "calendar set {} --note 'CV 1'", "Ngày"),
    ("ubkt", "audit export --out /tmp/khong-ghi.zip --from {}", "Từ ngày"),
]
DATES = [
    Case(who, line.format(bad), 2, (field,))
    for who, line, field in DATE_COMMANDS
    for bad in BAD_DATES
]

CHOICES = _table(
    """
# a coded value that is neither a code nor its label names the field and lists the choices
cv_tinh | 2 | Giới tính | candidate add --name 'Lê Văn Hòa' --birth 01/01/2000 --sex x --cccd 001200000777 --education thpt --org CB-VP
cv_tinh | 2 | Trình độ học vấn | candidate add --name 'Lê Văn Hòa' --birth 01/01/2000 --sex nam --cccd 001200000777 --education 'đại học quốc tế' --org CB-VP
cv_tinh | 2 | Nghề nghiệp | candidate add --name 'Lê Văn Hòa' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-VP --occupation phi_hanh_gia
cv_tinh | 2 | Chi bộ | candidate add --name 'Lê Văn Hòa' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org KHONG-CO
cv_tinh | 2 | Chi bộ | candidate add --name 'Lê Văn Hòa' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org DUK-CQ
cv_tinh | 2 | Loại | record vote 3 --kind zz --date 20/11/2026 --official 9 --agree 9
cv_tinh | 2 | Loại | record document 3 --kind zz --date 20/11/2026
cv_tinh | 2 | Loại | record decision 7 --kind zz --number 9-QĐ --signed 20/11/2026
cv_tinh | 2 | Loại | record consent 7 --kind zz --number 9-CV --date 20/11/2026
cv_tinh | 2 | Quan hệ | record relative 3 --relation ban_than --name 'Lê Thị Hoa' --verified 20/11/2026
cv_tinh | 2 | Lý do | record prior 3 --left 01/01/2010 --cause bo_di
cv_tinh | 2 | Sự kiện | advance 1 bay_len
cv_tinh | 2 | Sự kiện | advance-many bay_len 1 2
cv_tinh | 2 | Bước | advance-many cu_di_hoc --org CB-VP --stage bay
cv_tinh | 2 | Bước | candidate list --stage bay
cv_tinh | 2 | Tổ chức | candidate list --org KHONG-CO
cv_tinh | 2 | Tổ chức | deadlines --org KHONG-CO
cv_tinh | 2 | Kỳ | report progress --period q5
cv_tinh | 2 | Tổ chức | report progress --org KHONG-CO
cv_tinh | 2 | Vai trò | reminders --role vua
quantri | 2 | Loại tổ chức | org add --code CB-MOI --name 'Chi bộ Mới' --kind to_dan_pho --parent DB-SGD
quantri | 2 | Loại hình | org add --code CB-MOI --name 'Chi bộ Mới' --kind chi_bo --parent DB-SGD --sector vu_tru
quantri | 2 | Tổ chức cấp trên | org add --code CB-MOI --name 'Chi bộ Mới' --kind chi_bo --parent KHONG-CO
quantri | 2 | Vai trò | user add moi --name 'Lê Mới' --role vua --password-stdin
quantri | 2 | Tổ chức | user add moi --name 'Lê Mới' --role chuyen_vien --org KHONG-CO --password-stdin
quantri | 2 | Vai trò | contact add --org CB-VP --role vua --name 'Lê An' --email an@example.org
quantri | 2 | Thư điện tử | contact add --org CB-VP --role bi_thu --name 'Lê An' --email 'an@'
quantri | 2 | Thư điện tử | contact add --org CB-VP --role bi_thu --name 'Lê An' --email 'an example.org'
quantri | 2 | Loại hạn | reminders policy set D-BAY --leads 5 --reason thử
quantri | 2 | Nhắc trước | reminders policy set D-CEREMONY --leads 'năm' --reason thử
quantri | 2 | Nhắc trước | reminders policy set D-CEREMONY --leads=-5 --reason thử
quantri | 2 | Người nhận (vai trò) | reminders policy set D-CEREMONY --roles vua --reason thử
quantri | 2 | Thiết lập | cycle set cycle.khong_co 5 --reason thử
quantri | 2 | Giá trị | cycle set cycle.plan_due 31/02 --reason thử
quantri | 2 | Giá trị | cycle set cycle.half_share 150 --reason thử
quantri | 2 | Tham số | rules set khong_co 5 --reason thử --from 01/01/2027
quantri | 2 | Tham số; không phải số | rules set youth_age_max 'ba mươi' --reason thử --from 01/01/2027
quantri | 2 | Tham số | rules set youth_age_max -3 --reason thử --from 01/01/2027
cv_tinh | 2 | Loại | cycle submit --org DB-SGD --kind thu_tay --year 2026 --date 20/11/2026
cv_tinh | 2 | Cấp trường | target school --org CBCS-THPT --year 2026 --level mau_giao
cv_tinh | 2 | Loại | target set --org DB-SGD --year 2026 --value 5 --kind vui
cv_tinh | 2 | --kind; không phải một trong | import /dev/null --kind bang_luong
"""
)

NUMBERS = _table(
    """
# counts and limits: not numbers, negative, fractions, beyond any real office
cv_tinh | 2 | Số đảng viên chính thức | record vote 3 --kind chi_bo --date 20/11/2026 --official nhieu --agree 9
cv_tinh | 2 | Số đảng viên chính thức | record vote 3 --kind chi_bo --date 20/11/2026 --official -9 --agree 9
cv_tinh | 2 | Số đảng viên chính thức | record vote 3 --kind chi_bo --date 20/11/2026 --official 9.5 --agree 9
cv_tinh | 2 | Số đảng viên chính thức | record vote 3 --kind chi_bo --date 20/11/2026 --official 99999999999999999999 --agree 9
cv_tinh | 2 | Số phiếu tán thành | record vote 3 --kind chi_bo --date 20/11/2026 --official 9 --agree 12
cv_tinh | 2 | Số phiếu tán thành | record vote 3 --kind chi_bo --date 20/11/2026 --official 9 --agree ²
cv_tinh | 2 | Số phiếu không tán thành | record vote 3 --kind chi_bo --date 20/11/2026 --official 9 --agree 5 --against -1
cv_tinh | 2 | Lần | record vote 3 --kind chi_bo --date 20/11/2026 --official 9 --agree 9 --round 0
cv_tinh | 2 | Số tháng | record introducer 3 --name 'Phan Văn Hùng' --months mười --date 20/11/2026
cv_tinh | 2 | Số tháng | record introducer 3 --name 'Phan Văn Hùng' --months -3 --date 20/11/2026
cv_tinh | 2 | --limit | deadlines --limit 0
cv_tinh | 2 | --limit | deadlines --limit 99999999999999999999
cv_tinh | 2 | --limit | deadlines --limit abc
cv_tinh | 2 | --within | deadlines --within -1
cv_tinh | 2 | --within | deadlines --within 99999999999
cv_tinh | 2 | --limit | reminders --limit 0
cv_tinh | 2 | Phiên bản | advance 1 cu_di_hoc --version abc
cv_tinh | 2 | Phiên bản | advance 1 cu_di_hoc --version -2
cv_tinh | 2 | Chỉ tiêu | target set --org DB-SGD --year 2026 --value -5
cv_tinh | 2 | Chỉ tiêu | target set --org DB-SGD --year 2026 --value 1,5
cv_tinh | 2 | Chỉ tiêu | target set --org DB-SGD --year 2026 --value nhieu
cv_tinh | 2 | Chỉ tiêu | target set --org DB-SGD --year 2026 --value 99999999999999999999
cv_tinh | 2 | Năm hoặc nhiệm kỳ | target set --org DB-SGD --year 20x6 --value 5
cv_tinh | 2 | Năm hoặc nhiệm kỳ | target set --org DB-SGD --year 1800 --value 5
cv_tinh | 2 | Năm hoặc nhiệm kỳ | target set --org DB-SGD --period 2030-2025 --value 5
cv_tinh | 2 | Năm | cycle submit --org DB-SGD --kind ke_hoach --year 99999 --date 20/11/2026
quantri | 2 | --batch | scan --batch 0
quantri | 2 | --batch | scan --batch abc
quantri | 2 | --port | serve --port 0
quantri | 2 | --port | serve --port 70000
quantri | 2 | --port | serve --port abc
quantri | 2 | --workers | serve --workers 0
quantri | 2 | --workers | serve --workers 99
quantri | 2 | --interval | scheduler run --interval 0
quantri | 2 | Nhắc khi quá hạn | reminders policy set D-CEREMONY --overdue-every -1 --reason thử
quantri | 2 | Năm | calendar list --year 20x6
quantri | 2 | Năm | calendar list --year 1800
"""
)

TEXTS = _table(
    """
# names and free text: empty, invisible, formulas, controls, digits, too long
cv_tinh | 2 | Họ và tên | candidate add --name '' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-VP
cv_tinh | 2 | Họ và tên | candidate add --name ' ' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-VP
cv_tinh | 2 | Họ và tên | candidate add --name '\u200b\u200b' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-VP
cv_tinh | 2 | Họ và tên | candidate add --name '=1+1' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-VP
cv_tinh | 2 | Họ và tên | candidate add --name '@SUM(A1)' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-VP
cv_tinh | 2 | Họ và tên | candidate add --name 'Lê [/] An' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-VP
cv_tinh | 2 | Họ và tên | candidate add --name 'Lê Văn 001200000001' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-VP
cv_tinh | 2 | Họ và tên | candidate add --name 'Lê Văn An Bình Cường Dũng Em Giang Hà Yến Khoa Long Minh Nam Oanh Phúc Quang Sơn Tâm Uyên Vân Xuân Yến An Bình Cường Dũng Em Giang Hà Khoa Long' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-VP
cv_tinh | 2 | Nơi cư trú | candidate add --name 'Lê Văn Hòa' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-VP --residence 'Thôn 1 \u202e2 nôhT'
cv_tinh | 2 | Dân tộc | candidate add --name 'Lê Văn Hòa' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-VP --ethnicity 'Sao Hỏa'
cv_tinh | 2 | Họ tên người giới thiệu | record introducer 3 --name '' --months 36 --date 20/11/2026
cv_tinh | 2 | Họ tên người giới thiệu | record introducer 3 --name '=cmd()' --months 36 --date 20/11/2026
cv_tinh | 2 | Họ tên người thân | record relative 3 --relation me --name '' --verified 20/11/2026
cv_tinh | 2 | Số giấy chứng nhận | record certificate 1 --number '' --issued 20/11/2026 --issuer 'Trung tâm'
cv_tinh | 2 | Số giấy chứng nhận | record certificate 1 --number XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX --issued 20/11/2026 --issuer 'Trung tâm'
cv_tinh | 2 | Nơi cấp | record certificate 1 --number GCN-9 --issued 20/11/2026 --issuer ''
cv_tinh | 2 | Lý do | advance 1 tra_lai --reason 'CCCD 001200000008 sai'
cv_tinh | 2 | Lý do | advance 5 tra_lai --reason ''
cv_tinh | 2 | Lý do | advance 1 rut_ho_so --reason 'có\x1b[2Jký tự'
cv_tinh | 2 | Ghi chú | reminders done 2 --note 'a\x07b'
quantri | 2 | Mã tổ chức | org add --code 'mã có dấu' --name 'Chi bộ Mới' --kind chi_bo --parent DB-SGD
quantri | 2 | Mã tổ chức | org add --code '' --name 'Chi bộ Mới' --kind chi_bo --parent DB-SGD
quantri | 2 | Mã tổ chức | org add --code CB-VP --name 'Chi bộ Mới' --kind chi_bo --parent DB-SGD
quantri | 2 | Tên tổ chức | org add --code CB-MOI --name '' --kind chi_bo --parent DB-SGD
quantri | 2 | Tên tổ chức | org add --code CB-MOI --name 'Chi bộ\x1b[31m' --kind chi_bo --parent DB-SGD
quantri | 2 | Tên tổ chức | org add --code CB-MOI --name 'Chi bộ \u202eMới' --kind chi_bo --parent DB-SGD
quantri | 2 | Tên đăng nhập | user add 'lê an' --name 'Lê An' --role chuyen_vien --password-stdin
quantri | 2 | Tên đăng nhập | user add '' --name 'Lê An' --role chuyen_vien --password-stdin
quantri | 2 | Tên đăng nhập | user add cv_tinh --name 'Lê An' --role chuyen_vien --password-stdin
quantri | 2 | Họ tên | user add moi --name '' --role chuyen_vien --password-stdin
quantri | 2 | Ghi chú; bắt buộc | calendar set 05/01/2027 --note ''
quantri | 2 | Lý do | rules set youth_age_max 32 --reason '' --from 01/01/2027
quantri | 2 | Lý do | cycle set cycle.half_share 50 --reason ''
cv_tinh | 2 | Tìm theo tên | candidate list --search aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
cv_tinh | 2 | Địa danh | report progress --place 'Đà\x01Lạt' --xlsx /tmp/ketnap-khong-ghi.xlsx
cv_tinh | 2 | Số văn bản | report progress --number '\x07' --docx /tmp/ketnap-khong-ghi.docx
cv_tinh | 2 | đuôi .xlsx | report progress --xlsx /tmp/ketnap-khong-ghi.docx
cv_tinh | 2 | trùng tên | report progress --xlsx /tmp/ketnap-khong-ghi.xlsx --png /tmp/ketnap-khong-ghi.xlsx
cv_tinh | 2 | Ngày báo cáo | report progress --as-of 01/01/1800
quantri | 2 | Họ tên; không in được | user add moi --name 'Lê\u200bMới' --role chuyen_vien --org CB-VP --password-stdin
"""
)

FRAMEWORK = _table(
    """
# what the command-line framework itself answers: in Vietnamese, exit 2
cv_tinh | 2 | Không có tùy chọn --bogus | candidate list --bogus
cv_tinh | 2 | Không có lệnh | candidat list
cv_tinh | 2 | Không có lệnh | khong-co-lenh
cv_tinh | 2 | Thiếu tham số | advance
cv_tinh | 2 | Thiếu tham số | advance 1
cv_tinh | 2 | Thiếu tham số | candidate show
cv_tinh | 2 | Thừa tham số | candidate show 1 2
cv_tinh | 2 | Thừa tham số | history 1 thua
cv_tinh | 2 | --date | record ceremony 8 --date
cv_tinh | 2 | Thiếu tùy chọn | target school --org CBCS-THPT --year 2026
cv_tinh | 2 | Thiếu tùy chọn | contact add --org CB-VP --role bi_thu --name 'Lê An'
cv_tinh | 2 | Thiếu tùy chọn | export candidates
cv_tinh | 2 | Thiếu tùy chọn | audit verify-bundle /tmp/x.zip
cv_tinh | 2 | --json | candidate list --json=yes
cv_tinh | 2 | Họ và tên: bắt buộc; Số CCCD: bắt buộc | candidate add
cv_tinh | 2 | Loại nghị quyết: bắt buộc | record vote 3
cv_tinh | 2 | Vỏ lệnh | completion powershell-cu
"""
)

PERMISSIONS = _table(
    """
# who may, before anything typed is judged or answered (exit 4, an audited refusal)
ubkt | 4 | Không có quyền | candidate add --name 'Lê Văn Hòa' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-VP
ubkt | 4 | Không có quyền | candidate add --name 'Lê Văn Hòa' --birth 31/02/2000 --sex x --cccd 1 --education thpt --org CB-VP
ubkt | 4 | Không có quyền | advance 1 cu_di_hoc
ubkt | 4 | Không có quyền | record ceremony 8 --date 20/11/2026
ubkt | 4 | Không có quyền | record vote 3 --kind chi_bo --date 31/02/2026 --official 9 --agree 9
ubkt | 4 | Không có quyền | advance-many cu_di_hoc 1
ubkt | 4 | Không có quyền | target set --org DB-SGD --year 2026 --value 5
ubkt | 4 | Không có quyền | calendar set 05/01/2027 --note 'CV 1'
ubkt | 4 | Không có quyền | org add --code CB-MOI --name 'Chi bộ Mới' --kind chi_bo --parent DB-SGD
ubkt | 4 | Không có quyền | reminders done 1
ubkt | 4 | Không có quyền | reminders done 99999
ubkt | 4 | Không có quyền | outbox send
ubkt | 4 | Không có quyền | import /tmp/ketnap-khong-co.xlsx
ubkt | 4 | Không có quyền | import /tmp/ketnap-khong-co.csv --dry-run
bt_vp | 4 | Không có quyền | advance 3 chi_bo_thong_qua
bt_vp | 4 | Không có quyền | candidate show 3
bt_vp | 4 | Không có quyền | history 3
bt_vp | 4 | Không có quyền | next 3
bt_vp | 4 | Không có quyền | record document 3 --kind ly_lich --date 20/11/2026
bt_vp | 4 | Không có quyền | candidate add --name 'Lê Văn Hòa' --birth 01/01/2000 --sex nam --cccd 001200000777 --education thpt --org CB-GDTH
bt_vp | 4 | Không có quyền | candidate list --org CB-GDTH
bt_vp | 4 | Không có quyền | outbox
bt_vp | 4 | Không có quyền | audit export --out /tmp/khong-ghi.zip
bt_vp | 4 | Không có quyền | user list
bt_vp | 4 | Không có quyền | scan
cv_tinh | 4 | Không có quyền | user add moi --name 'Lê Mới' --role quan_tri --password-stdin
cv_tinh | 4 | Không có quyền | org add --code CB-MOI --name 'Chi bộ Mới' --kind zz --parent DB-SGD
cv_tinh | 4 | Không có quyền | rules set youth_age_max 99 --reason thử --from 31/02/2027
cv_tinh | 4 | Không có quyền | cycle set cycle.half_share 150 --reason thử
cv_tinh | 4 | Không có quyền | reminders policy set D-BAY --leads x --reason thử
cv_tinh | 4 | Không có quyền | contact add --org CB-VP --role bi_thu --name 'Lê An' --email sai
cv_tinh | 4 | Không có quyền | calendar set 31/02/2026
cv_tinh | 4 | Không có quyền | audit rotate-key
cu_duk | 4 | Không có quyền | candidate show 16
cu_duk | 4 | Không có quyền | report progress --org TU-LD
"""
)

RULES = _table(
    """
# steps the rules refuse (exit 1, every unmet condition with its rule id, audited)
cv_tinh | 1 | Không được phép; [ | advance 1 hoan_thanh_lop
cv_tinh | 1 | Không được phép; [ | advance 1 quyet_dinh_ket_nap
cv_tinh | 1 | Không được phép | advance 11 tra_lai --reason 'Thiếu giấy tờ'
cv_tinh | 1 | Không được phép | advance 12 cu_di_hoc
cv_tinh | 1 | Không được phép | advance-many hoan_thanh_lop 1 2
"""
)

ALL = IDS + DATES + CHOICES + NUMBERS + TEXTS + FRAMEWORK + PERMISSIONS + RULES
