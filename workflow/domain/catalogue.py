"""Every rule id the program can print, with its Vietnamese wording, the numbers of the rule
set it reads, and the texts it comes from: the one source of ``docs/rules.md``
(``ketnap rules doc`` writes it; a test keeps the two, and the ids the guards emit, equal).

Ids starting ``R-`` and ``D-`` number the Party's conditions and deadlines; ``P-`` ids are
ours, for what the texts state as procedure or as a local planning cycle rather than as a
numbered rule. Confidence: V regulation wording quoted by a public legal or Party portal,
S a secondary source (guides, training material), U not verified (a local parameter).
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow.domain.civil_calendar import DECIDED_DAYS
from workflow.domain.rules import LOCAL, RULE_SETS, RuleSet


@dataclass(frozen=True)
class Rule:
    id: str
    wording: str  # what the rule says, in the words a clerk reads
    sources: str
    confidence: str
    numbers: tuple[str, ...] = ()  # RuleSet fields the rule reads
    kinds: tuple[str, ...] = ()  # deadline kinds under this id (reminder policies use them)


CHARTER = "Điều lệ Đảng (2011)"
REGULATION = (
    "Quy định thi hành Điều lệ Đảng (QĐ 29-QĐ/TW 2016, QĐ 24-QĐ/TW 2021, QĐ 294-QĐ/TW 2025)"
)
GUIDANCE = "Hướng dẫn HD 01-HD/TW (2016, 28/9/2021), HD 06-HD/TW (09/6/2025)"
PROCEDURE = "HD 12-HD/BTCTW (2022), phần II: thủ tục, hồ sơ, biểu mẫu"

RULES: tuple[Rule, ...] = (
    Rule(
        "R-AGE",
        "Tuổi đời vào ngày chi bộ xét, tính theo tháng: từ đủ 18 tuổi đến đủ 60 tuổi (sinh tháng "
        "08/2003 thì đủ 18 tuổi trong cả tháng 08/2021).",
        f"{CHARTER}, Điều 1; {REGULATION}",
        "V",
        ("age_min_months", "age_max_months"),
    ),
    Rule(
        "R-AGE-60",
        "Trên 60 tuổi chỉ xem xét khi có đủ sức khỏe, uy tín, ở nơi chưa có tổ chức đảng hoặc "
        "đảng viên, hoặc có yêu cầu đặc biệt (căn cứ được ghi cùng văn bản); phải có văn bản "
        "đồng ý của Ban Thường vụ Tỉnh ủy ký trước quyết định kết nạp.",
        GUIDANCE,
        "V",
        ("age_max_months",),
    ),
    Rule(
        "R-EDU",
        "Trình độ học vấn tối thiểu Trung học cơ sở; miền núi, biên giới, hải đảo, vùng đồng bào "
        "dân tộc, ngư dân: Tiểu học; già làng, người có uy tín: biết đọc, biết viết chữ Quốc "
        "ngữ, có văn bản đồng ý của Ban Thường vụ Tỉnh ủy ký trước quyết định kết nạp.",
        f"{REGULATION}; {GUIDANCE}",
        "V",
    ),
    Rule(
        "R-CLASS",
        "Có giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng do trung tâm chính trị hoặc cấp "
        "ủy có thẩm quyền cấp, còn giá trị (60 tháng từ ngày cấp) vào ngày chi bộ xét.",
        PROCEDURE,
        "S",
        ("class_valid_months",),
        ("R-CLASS",),
    ),
    Rule(
        "R-DOCS-12M",
        "Giấy giới thiệu, nghị quyết giới thiệu của Đoàn, Công đoàn, tổng hợp nhận xét và lý lịch "
        "có giá trị 12 tháng; quá hạn phải làm lại trước khi chi bộ xét.",
        PROCEDURE,
        "S",
        ("docs_valid_months", "docs_rule_enabled"),
        ("R-DOCS-12M",),
    ),
    Rule(
        "R-INTRO",
        "Hai đảng viên chính thức giới thiệu, đã cùng công tác, học tập hoặc sinh hoạt với người "
        "vào Đảng ít nhất 12 tháng.",
        f"{CHARTER}, Điều 4",
        "V",
        ("introducers_required", "introducer_months"),
    ),
    Rule(
        "R-INTRO-DOAN",
        "Người trong độ tuổi đoàn ở nơi có tổ chức Đoàn phải là đoàn viên; nghị quyết giới "
        "thiệu của Ban Chấp hành Đoàn cơ sở thay một đảng viên giới thiệu. Tuổi đoàn tính theo "
        "tháng như R-AGE: từ đủ 18 tuổi đến đủ 30 tuổi (30 tuổi 1 tháng là quá tuổi đoàn).",
        f"{CHARTER}, Điều 4; Luật Thanh niên 2020, Điều 1",
        "V",
        ("youth_age_min", "youth_age_max"),
    ),
    Rule(
        "R-INTRO-CD",
        "Ở cơ quan, doanh nghiệp không có tổ chức Đoàn, người trong độ tuổi đoàn phải là công đoàn "
        "viên; nghị quyết giới thiệu của Ban Chấp hành Công đoàn cơ sở thay một đảng viên giới "
        "thiệu. Quá tuổi đoàn: luôn cần hai đảng viên chính thức.",
        f"{CHARTER}, Điều 4, khoản 1 (cách hiểu của Ban Tổ chức Tỉnh ủy Nghệ An)",
        "V",
        ("youth_age_min", "youth_age_max", "union_may_introduce"),
    ),
    Rule(
        "R-VERIFY",
        "Lý lịch được thẩm tra và cấp ủy cơ sở chứng nhận trước khi chi bộ biểu quyết; người thân "
        "cần thẩm tra: cha, mẹ, cha mẹ vợ/chồng hoặc người nuôi dưỡng, vợ/chồng, con đã thành "
        "niên. Miễn thẩm tra: nếu cha, mẹ, anh chị em ruột hoặc con là đảng viên đã khai đầy đủ "
        "lý lịch thì không thẩm tra bên gia đình đó; bên vợ/chồng cũng vậy (qua cha mẹ, anh chị "
        "em ruột của vợ/chồng). Người thân ở nước ngoài: xác nhận qua Đảng ủy Ngoài nước.",
        f"{GUIDANCE} (HD 01 §3.4.c; HD 06 như vậy)",
        "V",
    ),
    Rule(
        "R-REJOIN",
        "Kết nạp lại: ra khỏi Đảng ít nhất 36 tháng (60 tháng kể từ khi được xóa án tích nếu bị "
        "kết án về tội ít nghiêm trọng), có văn bản đồng ý của Ban Thường vụ Tỉnh ủy, chỉ một "
        "lần. Không xem xét với người đã tự bỏ sinh hoạt đảng, tự nguyện xin ra khỏi Đảng (trừ vì "
        "hoàn cảnh gia đình đặc biệt khó khăn), gây mất đoàn kết nội bộ nghiêm trọng, tham "
        "nhũng, bị kết án về tội nghiêm trọng trở lên.",
        f"{REGULATION} (QĐ 294 §3.5)",
        "V",
        ("rejoin_months", "rejoin_cleared_months", "rejoin_barred"),
    ),
    Rule(
        "R-VOTE-CB",
        "Chi bộ xét, biểu quyết từng người: ít nhất 2/3 tổng số đảng viên chính thức tán thành "
        "(không tính người được miễn sinh hoạt, sinh hoạt tạm thời nơi khác).",
        f"{CHARTER}, Điều 4; {REGULATION}",
        "V",
        ("vote_num", "vote_den"),
    ),
    Rule(
        "R-CB-MIN",
        "Chi bộ có ít nhất 3 đảng viên chính thức.",
        f"{CHARTER}, Điều 24",
        "V",
        ("cb_min_official",),
    ),
    Rule(
        "R-VOTE-DU",
        "Đảng ủy cơ sở xét, biểu quyết: ít nhất 2/3 tổng số cấp ủy viên tán thành. Đảng ủy cơ sở "
        "được ủy quyền quyết định kết nạp thì tự quyết định (2/3 tổng số cấp ủy viên), hồ sơ "
        "không gửi lên cấp trên; từ 01/7/2025 không còn cấp huyện: đảng ủy xã, phường trực thuộc "
        "Tỉnh ủy là cấp ủy có thẩm quyền.",
        f"{REGULATION}; {GUIDANCE} (HD 06 §3.7.a)",
        "S",
        ("vote_num", "vote_den"),
    ),
    Rule(
        "R-VOTE-OFFICIAL",
        "Công nhận đảng viên chính thức: ít nhất 2/3 số đảng viên chính thức của chi bộ và 2/3 "
        "số cấp ủy viên của đảng ủy cơ sở tán thành; một lần biểu quyết có 2/3 đề nghị xóa tên "
        "là đề nghị xóa tên, không phải công nhận; sau 3 lần (ở chi bộ hoặc ở đảng ủy) không đủ "
        "2/3 bên nào, cấp ủy có thẩm quyền quyết định.",
        f"{CHARTER}, Điều 5; {REGULATION}",
        "V",
        ("vote_num", "vote_den", "official_vote_rounds"),
    ),
    Rule(
        "D-DECIDE",
        "Cấp ủy có thẩm quyền quyết định kết nạp trong 60 ngày làm việc từ ngày chi bộ có nghị "
        "quyết; trường hợp đặc biệt gia hạn không quá 30 ngày làm việc.",
        REGULATION,
        "V",
        ("decide_working_days", "decide_extension_working_days"),
        ("D-DECIDE",),
    ),
    Rule(
        "D-CEREMONY",
        "Chi bộ tổ chức lễ kết nạp trong 30 ngày làm việc từ khi nhận quyết định; muộn hơn phải "
        "có văn bản đồng ý của cấp ủy cấp trên trực tiếp.",
        REGULATION,
        "V",
        ("ceremony_working_days",),
        ("D-CEREMONY",),
    ),
    Rule(
        "D-HISTORY",
        "Đảng viên mới khai lý lịch đảng viên trong 30 ngày làm việc từ lễ kết nạp.",
        PROCEDURE,
        "S",
        ("history_working_days",),
        ("D-HISTORY",),
    ),
    Rule(
        "D-PROBATION",
        "Thời gian dự bị 12 tháng tính từ ngày lễ kết nạp.",
        f"{CHARTER}, Điều 5",
        "V",
        ("probation_months",),
        ("D-PROBATION",),
    ),
    Rule(
        "D-OFFICIAL",
        "Hết dự bị: chi bộ xét công nhận trong 30 ngày làm việc; cấp ủy có thẩm quyền quyết định "
        "trong 30 ngày làm việc từ nghị quyết của chi bộ, trường hợp đặc biệt gia hạn không quá 30 "
        "ngày làm việc; công nhận có hiệu lực từ ngày hết 12 tháng dự bị.",
        REGULATION,
        "V",
        (
            "official_consider_working_days",
            "official_decide_working_days",
            "official_extension_working_days",
        ),
        ("D-OFFICIAL-CB", "D-OFFICIAL-QD"),
    ),
    Rule(
        "L-XOA-TEN",
        "Xóa tên đảng viên dự bị: cần nghị quyết của chi bộ và quyết định của cấp ủy có thẩm "
        "quyền, ghi rõ căn cứ: bỏ sinh hoạt chi bộ hoặc không đóng đảng phí 3 tháng trong năm "
        "không có lý do chính đáng; giảm sút ý chí phấn đấu; không đủ tư cách qua thời gian dự "
        "bị. Căn cứ được ghi lại: xét kết nạp lại (R-REJOIN) đọc căn cứ đó.",
        f"{CHARTER}, Điều 8; QĐ 294-QĐ/TW (2025)",
        "V",
    ),
    Rule(
        "L-KHAI-TRU",
        "Khai trừ là hình thức kỷ luật, không phải xóa tên; đảng viên dự bị chỉ bị khiển trách "
        "hoặc cảnh cáo, không bị khai trừ.",
        "QĐ 296-QĐ/TW, Điều 9",
        "S",
    ),
    Rule(
        "L-ANNUL",
        "Kết nạp sai quy định: nếu người đó không đủ điều kiện thì cấp ủy đã quyết định hủy "
        "quyết định kết nạp và xóa tên; nếu chỉ sai thẩm quyền hoặc thủ tục thì hủy quyết định, "
        "làm lại thủ tục, và xem xét trách nhiệm.",
        "QĐ 29-QĐ/TW (2016) / QĐ 24-QĐ/TW (2021) §4.4",
        "V",
    ),
    Rule(
        "L-NO-MEMBER",
        "Nơi chưa có đảng viên hoặc tổ chức đảng: cấp ủy cấp trên trực tiếp chỉ định chi bộ có "
        "điều kiện thuận lợi nhất phân công đảng viên chính thức giúp đỡ người vào Đảng; biểu "
        "quyết của chi bộ được chỉ định là biểu quyết của hồ sơ.",
        "QĐ 29-QĐ/TW (2016) §3.4",
        "V",
    ),
    Rule(
        "L-TRANSFER",
        "Chuyển sinh hoạt đảng trong 60 ngày làm việc kể từ khi quyết định có hiệu lực; giấy giới "
        "thiệu sinh hoạt đảng nộp trong 30 ngày; thời gian dự bị và hạn công nhận chính thức "
        "(D-OFFICIAL) đi theo đảng viên.",
        "Quy định về chuyển sinh hoạt đảng (nguồn thứ cấp)",
        "S",
    ),
    Rule(
        "P-SEQUENCE",
        "Các bước theo đúng thứ tự của quy trình (mã của ketnap).",
        PROCEDURE,
        "V",
    ),
    Rule(
        "P-DOSSIER",
        "Hồ sơ có đủ giấy tờ, nghị quyết, quyết định mà bước đó cần, kể cả khi ghi nhận (lễ kết "
        "nạp chỉ ghi được sau quyết định kết nạp; mã của ketnap).",
        PROCEDURE,
        "V",
    ),
    Rule(
        "P-PLAN",
        "Tổ chức cơ sở đảng gửi kế hoạch tạo nguồn phát triển đảng viên của năm (mặc định "
        "15/02; mã của ketnap).",
        "Công văn của các cấp ủy (tham số của từng nơi)",
        "U",
        kinds=("P-PLAN",),
    ),
    Rule(
        "P-REPORT",
        "Tổ chức cơ sở đảng gửi báo cáo quý I, 6 tháng, 9 tháng, năm (mã của ketnap).",
        "Công văn của các cấp ủy (tham số của từng nơi)",
        "U",
        kinds=("P-BAO-CAO-QUY-1", "P-BAO-CAO-6-THANG", "P-BAO-CAO-9-THANG", "P-BAO-CAO-NAM"),
    ),
    Rule(
        "P-HALF",
        "Đến 30/6 kết nạp được 45–50% chỉ tiêu năm (mặc định 45%; mã của ketnap).",
        "Thông báo của cấp ủy (tham số của từng nơi)",
        "U",
        kinds=("P-HALF",),
    ),
    Rule(
        "P-YEAR",
        "Hoàn thành chỉ tiêu kết nạp của năm trước cuối tháng 10 (mã của ketnap).",
        "Thông báo của cấp ủy (tham số của từng nơi)",
        "U",
        kinds=("P-YEAR",),
    ),
)

BY_ID: dict[str, Rule] = {r.id: r for r in RULES}

# Rules the program applies without ever printing them, and those not modelled yet.
SILENT: tuple[tuple[str, str], ...] = (
    ("D-PARTY-AGE", "Tuổi Đảng tính từ ngày quyết định kết nạp (ghi vào hồ sơ khi chuyển bước)."),
)


def _value(rs: RuleSet, name: str) -> str:
    value = getattr(rs, name)
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value)


def _numbers(rule: Rule) -> str:
    """Each number the rule reads, with its value in every rule set (one value when equal),
    marked locked (the texts' number) or local (with the range an installation may use)."""
    parts = []
    for name in rule.numbers:
        values = [f"{rs.id}: {_value(rs, name)}" for rs in RULE_SETS]
        same = {_value(rs, name) for rs in RULE_SETS}
        shown = same.pop() if len(same) == 1 else "; ".join(values)
        local = LOCAL.get(name)
        mark = f"tham số địa phương, {local.low}–{local.high}" if local else "khóa"
        parts.append(f"`{name}` = {shown} ({mark})")
    return "<br>".join(parts) or "—"


def rules_markdown() -> str:
    """docs/rules.md: the rule sets, then every rule id with its wording, numbers and texts."""
    lines = [
        "# Các quy định ketnap kiểm tra",
        "",
        "Sinh bởi `ketnap rules doc` từ chính dữ liệu của chương trình "
        "(`workflow/domain/catalogue.py`, `workflow/domain/rules.py`); một kiểm thử giữ tệp "
        "này, và các mã mà chương trình có thể in ra, luôn khớp nhau.",
        "",
        "Độ tin cậy: **V** nguyên văn quy định, **S** nguồn thứ cấp (hướng dẫn, tài liệu "
        "bồi dưỡng), **U** chưa kiểm chứng (tham số của từng nơi).",
        "",
        "## Bộ quy định theo ngày hiệu lực",
        "",
        "Mỗi việc được xét theo bộ quy định có hiệu lực vào ngày của sự kiện mà việc đó dựa "
        "vào (nghị quyết chi bộ, quyết định, lễ kết nạp).",
        "",
        "| mã | tên | hiệu lực từ | căn cứ |",
        "|---|---|---|---|",
    ]
    for rs in RULE_SETS:
        lines.append(
            f"| `{rs.id}` | {rs.name} | {rs.effective_from:%d/%m/%Y} | {'; '.join(rs.sources)} |"
        )
    lines += [
        "",
        "## Các mã quy định",
        "",
        "| mã | nội dung | con số (tham số) | bộ quy định | căn cứ | tin cậy |",
        "|---|---|---|---|---|---|",
    ]
    sets = ", ".join(f"`{rs.id}`" for rs in RULE_SETS)
    for rule in RULES:
        kinds = (
            f"<br>Loại hạn: {', '.join(f'`{k}`' for k in rule.kinds)}"
            if rule.kinds and rule.kinds != (rule.id,)
            else ""
        )
        lines.append(
            f"| `{rule.id}` | {rule.wording}{kinds} | {_numbers(rule)} | {sets} | "
            f"{rule.sources} | {rule.confidence} |"
        )
    lines += ["", "## Áp dụng mà không in mã", ""]
    lines += [f"- `{rid}`: {text}" for rid, text in SILENT]
    lines += [
        "",
        "## Tham số: khóa và địa phương",
        "",
        "Các con số của Điều lệ và quy định của Trung ương (tuổi, số người giới thiệu, 12 tháng, "
        "2/3, 3 đảng viên, thời gian dự bị, 60/30/30 ngày làm việc, 60 tháng, 36 tháng, và các "
        "công tắc bật, tắt một quy định) là **khóa**: không ghi đè tại chỗ; con số khác là một bộ "
        "quy định mới, có ngày hiệu lực và văn bản căn cứ. Chỉ các tham số địa phương dưới đây "
        "ghi đè được (`ketnap rules set KHÓA GIÁ_TRỊ --from dd/mm/yyyy [--sets …] --reason …`): "
        "mỗi lần ghi có ngày hiệu lực, các bộ quy định áp dụng, khoảng giá trị cho phép và được "
        "ghi nhật ký; không bao giờ đổi kết luận về một sự kiện có ngày trước ngày hiệu lực. "
        "Ngày của chu kỳ kế hoạch, cách nhắc việc là cài đặt riêng (`ketnap cycle set`, "
        "`ketnap reminders policy set`).",
        "",
        "| tham số | nội dung | khoảng cho phép | căn cứ |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| `{key}` | {spec.label} | {spec.low}–{spec.high} | {spec.why} |"
        for key, spec in LOCAL.items()
    ]
    lines += [
        "",
        "## Tuổi đoàn",
        "",
        "Tuổi đoàn (R-INTRO-DOAN, R-INTRO-CD) tính theo tháng như tuổi đời (R-AGE): người sinh "
        "tháng 08/1995 đủ 30 tuổi trong cả tháng 08/2025 và còn trong độ tuổi đoàn tháng đó; từ "
        "tháng 09/2025 (30 tuổi 1 tháng) là quá tuổi đoàn. Căn cứ: Luật Thanh niên 2020, Điều 1 "
        "(thanh niên từ đủ 16 tuổi đến 30 tuổi), đọc theo cách quy định thi hành Điều lệ tính "
        'mốc tuổi cao nhất ("đến đủ 60 tuổi, tính theo tháng"): một mốc tuổi là số tháng đủ, '
        "không phải cả năm tuổi sau đó.",
        "",
        "## Lịch ngày làm việc: quyết định của Chính phủ",
        "",
        "Ngày lễ, Tết theo Bộ luật Lao động (thư viện `holidays`); các quyết định hoán đổi ngày "
        "làm việc cho cán bộ, công chức là dữ liệu có nguồn (`workflow/domain/civil_calendar.py`), "
        "áp dụng trên thư viện; ngày bổ sung của từng nơi: `ketnap calendar set`. Xem cả năm: "
        "`ketnap calendar list --year 2026`.",
        "",
        "| ngày | làm việc? | nội dung | căn cứ |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {d.day:%d/%m/%Y} | {'làm việc' if d.working else 'nghỉ'} | {d.name} | {d.source} |"
        for d in DECIDED_DAYS
    ]
    return "\n".join(lines) + "\n"
