"""ketnap — the command line of the admission workflow (a thin shell over workflow.service).

Each command parses its options, calls one service function, and renders the result as a
table or, with --json, as JSON. Heavy modules are imported inside the commands so that
``ketnap --help`` stays fast. Exit codes: 0 done, 1 refused by a rule, 2 bad input,
3 conflict (someone else changed the dossier first), 4 not permitted (role or scope).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from commands.agenda import register as register_agenda
from commands.importing import register as register_importing
from commands.inspection import ensure_installation_key
from commands.inspection import register as register_inspection
from commands.reports import register as register_reports
from commands.shell import (
    STATE,
    IdArg,
    JsonOpt,
    console,
    context,
    day_of,
    dossier_id_of,
    listing,
    out_json,
    run,
    table,
    vn,
)
from commands.users import register as register_users

app = typer.Typer(
    help="Quản lý quy trình kết nạp đảng viên: tổ chức, quần chúng, hồ sơ, điều kiện, nhật ký.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold a CCCD or a personal history
    rich_markup_mode=None,
)
org_app = typer.Typer(help="Tổ chức đảng: thêm, liệt kê.", no_args_is_help=True)
candidate_app = typer.Typer(help="Quần chúng và hồ sơ: thêm, tìm, xem.", no_args_is_help=True)
record_app = typer.Typer(
    help="Ghi nhận sự kiện, giấy tờ của hồ sơ (mỗi lần ghi đều vào nhật ký).",
    no_args_is_help=True,
)
audit_app = typer.Typer(help="Nhật ký kiểm tra (chuỗi băm).", no_args_is_help=True)
rules_app = typer.Typer(help="Bộ quy định theo thời gian hiệu lực và tham số ghi đè.")
calendar_app = typer.Typer(help="Lịch ngày làm việc: ngày nghỉ, ngày làm bù bổ sung.")
app.add_typer(org_app, name="org")
app.add_typer(candidate_app, name="candidate")
app.add_typer(record_app, name="record")
app.add_typer(audit_app, name="audit")
app.add_typer(rules_app, name="rules")
app.add_typer(calendar_app, name="calendar")
register_inspection(audit_app)


@app.callback()
def _main(
    invocation: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="KETNAP_DB", help="Tệp SQLite hoặc URL cơ sở dữ liệu."),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--as", envvar="KETNAP_USER", help="Người thực hiện (ghi vào nhật ký)."),
    ] = None,
) -> None:
    STATE.db = db
    STATE.actor = actor
    STATE.on_close = invocation.call_on_close  # the command's connections close with it


# --- set-up ----------------------------------------------------------------------------------


@app.command()
def init() -> None:
    """Tạo hoặc cập nhật cơ sở dữ liệu (qua Alembic)."""
    from workflow.usecases.context import initialise

    ctx = context(require_init=False)
    fresh = run(lambda: initialise(ctx))
    print("Đã khởi tạo cơ sở dữ liệu." if fresh else "Cơ sở dữ liệu đã ở phiên bản mới nhất.")
    ensure_installation_key()


@app.command()
def demo() -> None:
    """Tạo dữ liệu mẫu: một cấp ủy với quần chúng ở mọi bước của quy trình."""
    from workflow.usecases.context import initialise
    from workflow.usecases.demo import build_demo

    ctx = context(require_init=False)
    run(lambda: initialise(ctx))
    ensure_installation_key()
    made = run(lambda: build_demo(ctx))
    if made is None:
        print("Dữ liệu mẫu đã có sẵn; không tạo thêm.")
        return
    print(f"Đã tạo dữ liệu mẫu: {made['orgs']} tổ chức, {made['dossiers']} hồ sơ.")
    print("Xem: ketnap candidate list   ·   ketnap next <mã hồ sơ>")


@app.command()
def diagram() -> None:
    """In sơ đồ quy trình (Mermaid), sinh từ chính bảng chuyển bước của chương trình."""
    from workflow.domain.process import mermaid

    sys.stdout.write(mermaid())


# --- organizations ---------------------------------------------------------------------------


@org_app.command("add")
def org_add(
    code: Annotated[str | None, typer.Option("--code", help="Mã tổ chức, ví dụ CB-THON1.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Tên tổ chức.")] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="cap_tinh | cap_uy_co_tham_quyen | dang_bo_co_so | chi_bo | chi_bo_co_so",
        ),
    ] = None,
    sector: Annotated[
        str,
        typer.Option(
            help="xa_phuong | co_quan | doanh_nghiep | truong_hoc | luc_luong_vu_trang | khac"
        ),
    ] = "khac",
    parent: Annotated[str | None, typer.Option("--parent", help="Mã tổ chức cấp trên.")] = None,
    doan: Annotated[bool, typer.Option("--doan/--khong-doan", help="Có tổ chức Đoàn.")] = True,
    cong_doan: Annotated[
        bool, typer.Option("--cong-doan/--khong-cong-doan", help="Có tổ chức Công đoàn.")
    ] = False,
) -> None:
    """Thêm một tổ chức đảng vào cây tổ chức."""
    from workflow.usecases.organizations import add_org

    ctx = context()
    data = {
        "code": code,
        "name": name,
        "kind": kind,
        "sector": sector,
        "parent_code": parent,
        "has_doan": doan,
        "has_cong_doan": cong_doan,
    }
    org = run(lambda: add_org(ctx, {k: v for k, v in data.items() if v is not None}))
    print(f"Đã thêm {org['kind_label']} {org['name']} (mã {org['code']}).")


@org_app.command("list")
def org_list(as_json: JsonOpt = False) -> None:
    """Liệt kê tổ chức theo cây."""
    from workflow.usecases.organizations import list_orgs

    listing(
        run(lambda: list_orgs(context())),
        as_json,
        "Tổ chức đảng",
        ["Mã", "Tên", "Loại"],
        lambda o: [o["code"], "  " * o["depth"] + o["name"], o["kind_label"]],
    )


# --- candidates ------------------------------------------------------------------------------


@candidate_app.command("add")
def candidate_add(
    name: Annotated[str | None, typer.Option("--name", help="Họ và tên.")] = None,
    birth: Annotated[str | None, typer.Option("--birth", help="Ngày sinh dd/mm/yyyy.")] = None,
    sex: Annotated[str | None, typer.Option("--sex", help="nam | nu")] = None,
    cccd: Annotated[str | None, typer.Option("--cccd", help="Số CCCD, 12 chữ số.")] = None,
    education: Annotated[
        str | None,
        typer.Option(
            "--education",
            help="khong | biet_doc_viet | tieu_hoc | thcs | thpt | trung_cap | cao_dang | "
            "dai_hoc | sau_dai_hoc",
        ),
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Mã chi bộ.")] = None,
    edu_exception: Annotated[
        str, typer.Option("--edu-exception", help="khong | vung_dac_biet | gia_lang")
    ] = "khong",
    ethnicity: Annotated[str, typer.Option("--ethnicity", help="Dân tộc.")] = "Kinh",
    religion: Annotated[str, typer.Option("--religion", help="Tôn giáo.")] = "Không",
    occupation: Annotated[
        str,
        typer.Option(
            "--occupation",
            help="can_bo_cong_chuc | vien_chuc | lao_dong_doanh_nghiep | cong_nhan | nong_dan | "
            "luc_luong_vu_trang | hoc_sinh_sinh_vien | khac",
        ),
    ] = "khac",
    doan: Annotated[bool, typer.Option("--doan", help="Là đoàn viên.")] = False,
    cong_doan: Annotated[bool, typer.Option("--cong-doan", help="Là công đoàn viên.")] = False,
    residence: Annotated[str, typer.Option("--residence", help="Nơi cư trú.")] = "",
) -> None:
    """Thêm quần chúng ưu tú vào nguồn (mở hồ sơ ở bước Nguồn)."""
    from workflow.usecases.dossiers import add_candidate

    ctx = context()
    data = {
        "full_name": name,
        "birth_date": birth,
        "sex": sex,
        "cccd": cccd,
        "education": education,
        "org_code": org,
        "edu_exception": edu_exception,
        "ethnicity": ethnicity,
        "religion": religion,
        "occupation": occupation,
        "doan_member": doan,
        "cong_doan_member": cong_doan,
        "residence": residence,
    }
    made = run(lambda: add_candidate(ctx, {k: v for k, v in data.items() if v is not None}))
    print(f"Đã mở hồ sơ #{made['dossier_id']} ở bước Nguồn.")


@candidate_app.command("list")
def candidate_list(
    search: Annotated[
        str | None, typer.Option("--search", help="Tìm theo tên, không cần dấu.")
    ] = None,
    stage: Annotated[
        str | None, typer.Option("--stage", help="Lọc theo bước, ví dụ du_bi.")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Mã tổ chức (gồm cấp dưới).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Danh sách hồ sơ, xếp theo tên (thứ tự chữ cái tiếng Việt)."""
    from workflow.domain.errors import BadInput
    from workflow.domain.process import Stage
    from workflow.usecases.views import list_dossiers

    ctx = context()

    def query() -> list[dict[str, Any]]:
        wanted = None
        if stage:
            if stage not in Stage.__members__:
                raise BadInput.one(
                    "Bước", f"'{stage}' không có; chọn: {', '.join(Stage.__members__)}"
                )
            wanted = Stage(stage)
        return list_dossiers(ctx, search=search, stage=wanted, org_code=org)

    rows = run(query)
    if as_json:
        out_json(rows)
        return
    table(
        f"Hồ sơ ({len(rows)})",
        ["Hồ sơ", "Họ và tên", "Ngày sinh", "Chi bộ", "Bước"],
        [
            [r["dossier_id"], r["full_name"], vn(r["birth_date"]), r["org_name"], r["stage_label"]]
            for r in rows
        ],
    )


def _show_as_of(dossier_id: str, as_of: str, as_json: bool) -> None:
    """The dossier as the audit log says it stood at the end of a past day."""
    from workflow.usecases.asof import dossier_as_of

    ctx = context()

    def go() -> dict[str, Any]:
        day = day_of(as_of, "Ngày xem")
        assert day is not None
        return dossier_as_of(ctx, dossier_id_of(dossier_id), day)

    data = run(go)
    if as_json:
        out_json(data)
        return
    out = console()
    out.print(
        f"Hồ sơ #{data['dossier_id']} vào cuối ngày {data['as_of_text']} (dựng lại từ nhật ký, "
        f"{data['events']} sự kiện): {data['stage_label']} (phiên bản {data['version']})",
        markup=False,
    )
    table(
        "Các bước đã qua",
        ["Ngày", "Sự kiện", "Đến bước", "Người làm", "Bộ quy định", "Lý do"],
        [
            [vn(t["on"]), t["event"], t["to_stage"], t["actor"], t["rule_set_id"], t["reason"]]
            for t in data["transitions"]
        ],
    )
    table(
        "Sự kiện, giấy tờ đã ghi nhận",
        ["Ngày ghi", "Loại", "Nội dung"],
        [
            [vn(f["recorded_on"]), f["fact"], json.dumps(f["data"], ensure_ascii=False)]
            for f in data["facts"]
        ],
    )


@candidate_app.command("show")
def candidate_show(
    dossier_id: IdArg,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Xem như vào cuối ngày dd/mm/yyyy (từ nhật ký).")
    ] = None,
    cccd: Annotated[
        bool, typer.Option("--cccd", help="Hiện đủ số CCCD (chỉ người xử lý hồ sơ; ghi nhật ký).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Xem một hồ sơ: người, giấy tờ, nghị quyết, quyết định, thời hạn."""
    from workflow.usecases.views import show

    if as_of is not None:
        _show_as_of(dossier_id, as_of, as_json)
        return
    ctx = context()
    data = run(lambda: show(ctx, dossier_id_of(dossier_id), reveal_cccd=cccd))
    if as_json:
        out_json(data)
        return
    c = data["candidate"]
    out = console()
    out.print(f"Hồ sơ #{data['dossier_id']} — {c['full_name']}", style="bold", markup=False)
    out.print(
        f"Ngày sinh {vn(c['birth_date'])} · CCCD {c.get('cccd', c['cccd_masked'])} · "
        f"{data['org']['name']}",
        markup=False,
    )
    out.print(f"Bước hiện tại: {data['stage_label']} (phiên bản {data['version']})", markup=False)
    if data["returned_reason"]:
        out.print(f"Đã bị trả lại: {data['returned_reason']}", style="yellow", markup=False)
    if data["closed_reason"]:
        out.print(f"Lý do kết thúc: {data['closed_reason']}", markup=False)
    if data["party_joined_on"]:
        out.print(f"Tuổi Đảng tính từ: {vn(data['party_joined_on'])}", markup=False)
    if data["official_effective_on"]:
        out.print(f"Chính thức từ: {vn(data['official_effective_on'])}", markup=False)
    facts = data["facts"]
    rows: list[list[Any]] = []
    for cert in facts["certificates"]:
        rows.append(["Giấy chứng nhận lớp nhận thức", cert["number"], vn(cert["issued_on"])])
    for i in facts["introducers"]:
        kind = "chính thức" if i["official"] else "dự bị"
        rows.append(
            [
                f"Người giới thiệu ({kind}, {i['months_together']} tháng)",
                i["full_name"],
                vn(i["introduced_on"]),
            ]
        )
    for doc in facts["documents"]:
        rows.append([f"Giấy tờ {doc['form']}", doc["kind"], vn(doc["dated"])])
    for v in facts["verifications"]:
        rows.append(["Thẩm tra lý lịch", v["certified_by"], vn(v["certified_on"])])
    for r in facts["resolutions"]:
        rows.append(
            [
                f"Nghị quyết {r['kind']} (lần {r['round']})",
                f"{r['agree']}/{r['official_members'] - r['exempted']} tán thành",
                vn(r["dated"]),
            ]
        )
    for d in facts["decisions"]:
        rows.append([f"Quyết định {d['kind']}", d["number"], vn(d["signed_on"])])
    for c2 in facts["consents"]:
        rows.append([f"Văn bản đồng ý {c2['kind']}", c2["number"], vn(c2["dated"])])
    for cer in facts["ceremony"]:
        rows.append(["Lễ kết nạp", "", vn(cer["held_on"])])
    if rows:
        table("Sự kiện, giấy tờ", ["Loại", "Nội dung", "Ngày"], rows)
    if data["deadlines"]:
        table(
            "Thời hạn",
            ["Quy định", "Việc", "Hạn", "Tình trạng"],
            [[x["rule_id"], x["label"], vn(x["due"]), x["status"]] for x in data["deadlines"]],
        )


# --- facts -----------------------------------------------------------------------------------

DateOpt = Annotated[str | None, typer.Option("--date", help="Ngày dd/mm/yyyy.")]


def _record(dossier_id: str, model_name: str, data: dict[str, Any]) -> None:
    import workflow.inputs.dossier as inputs
    from workflow.usecases.recording import record_fact

    ctx = context()
    model = getattr(inputs, model_name)
    clean = {k: v for k, v in data.items() if v is not None}
    made = run(lambda: record_fact(ctx, dossier_id_of(dossier_id), model, clean))
    print(f"Đã ghi nhận vào hồ sơ #{made['dossier_id']} ({made['fact']}).")


@record_app.command("certificate")
def record_certificate(
    dossier_id: IdArg,
    number: Annotated[str | None, typer.Option("--number", help="Số giấy chứng nhận.")] = None,
    issued: Annotated[str | None, typer.Option("--issued", help="Ngày cấp dd/mm/yyyy.")] = None,
    issuer: Annotated[str | None, typer.Option("--issuer", help="Nơi cấp.")] = None,
) -> None:
    """Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng (R-CLASS, 60 tháng)."""
    _record(dossier_id, "CertificateIn", {"number": number, "issued_on": issued, "issuer": issuer})


@record_app.command("introducer")
def record_introducer(
    dossier_id: IdArg,
    name: Annotated[str | None, typer.Option("--name", help="Họ tên người giới thiệu.")] = None,
    official: Annotated[
        bool, typer.Option("--official/--probationary", help="Đảng viên chính thức hay dự bị.")
    ] = True,
    months: Annotated[
        str | None, typer.Option("--months", help="Số tháng công tác, sinh hoạt cùng.")
    ] = None,
    date: DateOpt = None,
) -> None:
    """Người giới thiệu (mẫu 3-KNĐ; R-INTRO)."""
    _record(
        dossier_id,
        "IntroducerIn",
        {"full_name": name, "official": official, "months_together": months, "introduced_on": date},
    )


@record_app.command("document")
def record_document(
    dossier_id: IdArg,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="don_xin_vao_dang | ly_lich | nghi_quyet_doan | nghi_quyet_cong_doan | "
            "tong_hop_y_kien",
        ),
    ] = None,
    date: DateOpt = None,
    number: Annotated[str, typer.Option("--number", help="Số văn bản.")] = "",
) -> None:
    """Giấy tờ của hồ sơ trước khi chi bộ xét (R-DOCS-12M)."""
    _record(dossier_id, "DocumentIn", {"kind": kind, "dated": date, "number": number})


@record_app.command("verification")
def record_verification(
    dossier_id: IdArg,
    date: DateOpt = None,
    by: Annotated[str | None, typer.Option("--by", help="Cấp ủy chứng nhận.")] = None,
) -> None:
    """Thẩm tra lý lịch, cấp ủy cơ sở chứng nhận (R-VERIFY)."""
    _record(dossier_id, "VerificationIn", {"certified_on": date, "certified_by": by})


@record_app.command("relative")
def record_relative(
    dossier_id: IdArg,
    relation: Annotated[
        str | None,
        typer.Option(
            "--relation",
            help="cha | me | cha_vo_chong | me_vo_chong | nguoi_nuoi_duong | vo_chong | con",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Họ tên người thân.")] = None,
    party_member: Annotated[bool, typer.Option("--party-member", help="Là đảng viên.")] = False,
    verified: Annotated[
        str | None, typer.Option("--verified", help="Ngày thẩm tra dd/mm/yyyy.")
    ] = None,
) -> None:
    """Người thân cần thẩm tra lý lịch (R-VERIFY)."""
    _record(
        dossier_id,
        "RelativeIn",
        {
            "relation": relation,
            "full_name": name,
            "party_member": party_member,
            "verified_on": verified,
        },
    )


@record_app.command("vote")
def record_vote(
    dossier_id: IdArg,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="chi_bo | dang_uy | chi_bo_chinh_thuc | dang_uy_chinh_thuc"),
    ] = None,
    date: DateOpt = None,
    official: Annotated[
        str | None, typer.Option("--official", help="Số đảng viên chính thức (hoặc cấp ủy viên).")
    ] = None,
    agree: Annotated[str | None, typer.Option("--agree", help="Số phiếu tán thành.")] = None,
    against: Annotated[str, typer.Option("--against", help="Số phiếu không tán thành.")] = "0",
    exempted: Annotated[
        str, typer.Option("--exempted", help="Số được miễn/sinh hoạt tạm thời nơi khác.")
    ] = "0",
    probationary: Annotated[
        str, typer.Option("--probationary", help="Số đảng viên dự bị (không biểu quyết).")
    ] = "0",
    round_: Annotated[str, typer.Option("--round", help="Lần biểu quyết (công nhận).")] = "1",
    number: Annotated[str, typer.Option("--number", help="Số nghị quyết.")] = "",
) -> None:
    """Nghị quyết và kết quả biểu quyết (R-VOTE-CB, R-VOTE-DU, R-VOTE-OFFICIAL)."""
    _record(
        dossier_id,
        "ResolutionIn",
        {
            "kind": kind,
            "dated": date,
            "official_members": official,
            "agree": agree,
            "against": against,
            "exempted": exempted,
            "probationary_members": probationary,
            "round": round_,
            "number": number,
        },
    )


@record_app.command("decision")
def record_decision(
    dossier_id: IdArg,
    kind: Annotated[str | None, typer.Option("--kind", help="ket_nap | chinh_thuc")] = None,
    number: Annotated[str | None, typer.Option("--number", help="Số quyết định.")] = None,
    signed: Annotated[str | None, typer.Option("--signed", help="Ngày ký dd/mm/yyyy.")] = None,
    received: Annotated[
        str | None, typer.Option("--received", help="Ngày chi bộ nhận dd/mm/yyyy.")
    ] = None,
    reject: Annotated[bool, typer.Option("--reject", help="Quyết định không chấp thuận.")] = False,
) -> None:
    """Quyết định của cấp ủy có thẩm quyền (kết nạp hoặc công nhận chính thức)."""
    _record(
        dossier_id,
        "DecisionIn",
        {
            "kind": kind,
            "number": number,
            "signed_on": signed,
            "received_on": received,
            "approve": not reject,
        },
    )


@record_app.command("ceremony")
def record_ceremony(dossier_id: IdArg, date: DateOpt = None) -> None:
    """Ngày tổ chức lễ kết nạp (D-CEREMONY; dự bị tính từ ngày này)."""
    _record(dossier_id, "CeremonyIn", {"held_on": date})


@record_app.command("consent")
def record_consent(
    dossier_id: IdArg,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="tuoi_60 | hoc_van | le_muon | gia_han_xet | ket_nap_lai"),
    ] = None,
    number: Annotated[str | None, typer.Option("--number", help="Số văn bản.")] = None,
    date: DateOpt = None,
    issuer: Annotated[str, typer.Option("--issuer", help="Cơ quan ban hành.")] = "",
) -> None:
    """Văn bản đồng ý của cấp có thẩm quyền (R-AGE-60, R-EDU, D-CEREMONY, D-DECIDE, R-REJOIN)."""
    _record(
        dossier_id, "ConsentIn", {"kind": kind, "number": number, "dated": date, "issuer": issuer}
    )


@record_app.command("prior")
def record_prior(
    dossier_id: IdArg,
    left: Annotated[str | None, typer.Option("--left", help="Ngày ra khỏi Đảng.")] = None,
    cause: Annotated[
        str | None,
        typer.Option("--cause", help="bi_xoa_ten | bi_khai_tru | tu_xin_ra | an_tham_nhung | khac"),
    ] = None,
    readmitted: Annotated[
        bool, typer.Option("--readmitted", help="Đã từng được kết nạp lại.")
    ] = False,
) -> None:
    """Quá trình trong Đảng trước đây, khi xin kết nạp lại (R-REJOIN)."""
    _record(
        dossier_id,
        "PriorMembershipIn",
        {"left_on": left, "cause": cause, "readmitted_before": readmitted},
    )


# --- the process -----------------------------------------------------------------------------


@app.command()
def advance(
    dossier_id: IdArg,
    event: Annotated[str, typer.Argument(help="Sự kiện; xem 'ketnap next ID'.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Lý do (bắt buộc khi trả lại, dừng, rút).")
    ] = None,
    back_to: Annotated[
        str | None, typer.Option("--back-to", help="Khi trả lại: bước phải làm lại.")
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Phiên bản hồ sơ bạn đã xem (chống ghi đè).")
    ] = None,
) -> None:
    """Chuyển hồ sơ sang bước tiếp theo nếu đủ điều kiện; nếu không, liệt kê mọi điều kiện thiếu."""
    from workflow.domain.errors import BadInput
    from workflow.usecases.advancing import advance as do_advance

    ctx = context()

    def go() -> Any:
        step, back = _event_args(event, back_to)
        if version is not None and not version.isdigit():
            raise BadInput.one("Phiên bản", f"'{version}' không phải số")
        return do_advance(
            ctx,
            dossier_id_of(dossier_id),
            step,
            reason=reason,
            back_to=back,
            expected_version=int(version) if version else None,
        )

    done = run(go)
    print(
        f"Hồ sơ #{done.dossier_id}: {done.from_stage.label} → {done.to_stage.label} "
        f"(phiên bản {done.version}, bộ quy định {done.rule_set_id})."
    )
    for note in done.notes:
        print(f"  Lưu ý [{note.rule_id}] {note.message}")


def _event_args(event: str, back_to: str | None) -> tuple[Any, Any]:
    """The event and the stage to go back to, as typed, checked (inside ``run``)."""
    from workflow.domain.errors import BadInput
    from workflow.domain.process import Event, Stage

    if event not in Event.__members__:
        raise BadInput.one("Sự kiện", f"'{event}' không có; chọn: {', '.join(Event.__members__)}")
    if back_to is not None and back_to not in Stage.__members__:
        raise BadInput.one("Trả về bước", f"'{back_to}' không có")
    return Event(event), Stage(back_to) if back_to else None


@app.command("advance-many")
def advance_many(
    event: Annotated[str, typer.Argument(help="Sự kiện, như với 'ketnap advance'.")],
    ids: Annotated[list[str] | None, typer.Argument(help="Mã các hồ sơ.")] = None,
    org: Annotated[
        str | None, typer.Option("--org", help="Mọi hồ sơ của tổ chức này (và cấp dưới)…")
    ] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="…đang ở bước này.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Lý do (khi cần).")] = None,
    back_to: Annotated[
        str | None, typer.Option("--back-to", help="Khi trả lại: bước phải làm lại.")
    ] = None,
) -> None:
    """Một bước cho cả danh sách (cả lớp học, cả chi bộ) trong một lần ghi: mọi hồ sơ được
    xét theo cùng điều kiện; nếu có hồ sơ chưa đủ, không ghi gì và liệt kê từng hồ sơ."""
    from workflow.domain.errors import BadInput
    from workflow.domain.process import Stage
    from workflow.usecases.advancing import advance_many as do_many
    from workflow.usecases.views import list_dossiers

    ctx = context()

    def go() -> Any:
        step, back = _event_args(event, back_to)
        chosen = [dossier_id_of(i) for i in ids or []]
        if org is not None or stage is not None:
            if stage is not None and stage not in Stage.__members__:
                raise BadInput.one("Bước", f"'{stage}' không có")
            listed = list_dossiers(ctx, org_code=org, stage=Stage(stage) if stage else None)
            chosen += [d["dossier_id"] for d in listed]
        if not chosen:
            raise BadInput.one("Mã hồ sơ", "chưa chọn hồ sơ nào (mã, hoặc --org/--stage)")
        return do_many(ctx, chosen, step, reason=reason, back_to=back)

    done = run(go)
    print(f"Đã chuyển {len(done)} hồ sơ trong một lần ghi:")
    for d in done:
        print(f"  #{d.dossier_id}: {d.from_stage.label} → {d.to_stage.label}")


@app.command("next")
def next_(dossier_id: IdArg, as_json: JsonOpt = False) -> None:
    """Những việc có thể làm tiếp với hồ sơ, và điều kiện còn thiếu cho từng việc."""
    from workflow.usecases.views import next_steps

    ctx = context()
    data = run(lambda: next_steps(ctx, dossier_id_of(dossier_id)))
    if as_json:
        out_json(data)
        return
    out = console()
    out.print(f"Hồ sơ #{data['dossier_id']} đang ở bước: {data['stage_label']}", markup=False)
    if not data["steps"]:
        out.print("Hồ sơ đã kết thúc; không còn bước nào.", markup=False)
    for step in data["steps"]:
        mark = "✓" if step["allowed"] else "✗"
        extra = " (cần --reason)" if step["needs_reason"] else ""
        out.print(f"{mark} {step['event']}: {step['label']}{extra}", markup=False)
        for u in step["unmet"]:
            out.print(f"    • [{u['rule_id']}] {u['message']}", markup=False)
        for u in step["notes"]:
            out.print(f"    Lưu ý [{u['rule_id']}] {u['message']}", markup=False)


@app.command()
def history(dossier_id: IdArg, as_json: JsonOpt = False) -> None:
    """Nhật ký của một hồ sơ: ai, lúc nào, làm gì, theo bộ quy định nào."""
    from workflow.usecases.clock import local
    from workflow.usecases.views import history as get_history

    ctx = context()
    rows = run(lambda: get_history(ctx, dossier_id_of(dossier_id)))
    if as_json:
        out_json(rows)
        return
    from datetime import datetime

    table(
        f"Nhật ký hồ sơ #{dossier_id}",
        ["#", "Thời điểm", "Người", "Loại", "Sự kiện", "Từ → đến", "Lý do"],
        [
            [
                r["id"],
                local(datetime.fromisoformat(r["at"])).strftime("%d/%m/%Y %H:%M"),
                r["actor"],
                r["kind"],
                r["event"],
                f"{r['from_stage'] or ''} → {r['to_stage'] or ''}",
                r["reason"],
            ]
            for r in rows
        ],
    )


@audit_app.command("verify")
def audit_verify(as_json: JsonOpt = False) -> None:
    """Kiểm tra toàn bộ chuỗi băm của nhật ký; chỉ ra sự kiện đầu tiên bị sửa, xóa, đổi chỗ."""
    from workflow.usecases.views import verify_audit

    report = run(lambda: verify_audit(context()))
    if as_json:
        out_json(
            {
                "ok": report.ok,
                "length": report.length,
                "head_hash": report.head_hash,
                "problem_id": report.problem_id,
                "problem": report.problem,
            }
        )
    elif report.ok:
        print(f"Nhật ký toàn vẹn: {report.length} sự kiện; mã băm cuối {report.head_hash}.")
    else:
        console(stderr=True).print(f"Nhật ký KHÔNG toàn vẹn: {report.problem}", markup=False)
    if not report.ok:
        raise typer.Exit(1)


# --- settings --------------------------------------------------------------------------------


@rules_app.command("list")
def rules_list(as_json: JsonOpt = False) -> None:
    """Các bộ quy định, ngày hiệu lực, và tham số đang bị ghi đè."""
    from workflow.usecases.settings import rule_sets

    listing(
        run(lambda: rule_sets(context())),
        as_json,
        "Bộ quy định",
        ["Mã", "Tên", "Hiệu lực từ", "Ghi đè"],
        lambda s: [
            s["id"],
            s["name"],
            vn(s["effective_from"]),
            ", ".join(f"{k}={v}" for k, v in s["overrides"].items()) or "—",
        ],
    )


@rules_app.command("set")
def rules_set(
    key: Annotated[str, typer.Argument(help="Tham số, ví dụ youth_age_max.")],
    value: Annotated[str, typer.Argument(help="Giá trị mới.")],
    reason: Annotated[str, typer.Option("--reason", help="Căn cứ, lý do thay đổi.")] = "",
) -> None:
    """Ghi đè một con số của bộ quy định cho cả hệ thống (được ghi vào nhật ký)."""
    from workflow.usecases.settings import set_rule_override

    ctx = context()
    done = run(lambda: set_rule_override(ctx, key, value, reason))
    print(f"Đã đặt {done['key']} = {done['value']}; bộ quy định hiện hành: {done['rule_set_id']}.")


@calendar_app.command("set")
def calendar_set(
    day: Annotated[str, typer.Argument(help="Ngày dd/mm/yyyy.")],
    working: Annotated[
        bool, typer.Option("--working/--off", help="Là ngày làm việc hay ngày nghỉ.")
    ] = False,
    note: Annotated[str, typer.Option("--note", help="Căn cứ, ví dụ số công văn.")] = "",
) -> None:
    """Bổ sung ngày nghỉ hoặc ngày làm bù mà Chính phủ, tỉnh quyết định thêm."""
    from workflow.usecases.settings import set_calendar_day

    ctx = context()

    def go() -> Any:
        parsed = day_of(day, "Ngày")
        assert parsed is not None
        return set_calendar_day(ctx, parsed, working, note)

    done = run(go)
    kind = "ngày làm việc" if done["working"] else "ngày nghỉ"
    print(f"Đã ghi {vn(done['day'])} là {kind}.")


register_agenda(app)
register_reports(app)
register_users(app)
register_importing(app)


_VALUED = {"--db", "--as"}  # top-level options that take a value


def _invoked_group(argv: list[str]) -> str | None:
    """The first word of the command line that is not a top-level option (or its value)."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in _VALUED:
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def _only_the_invoked_group(argv: list[str]) -> None:
    """Typer builds every command of every group before it runs one (≈ 0.1 s for fifty).
    A real command line needs the group it names: the others keep their name and help
    (for `ketnap --help`) and lose their commands for this process only."""
    wanted = _invoked_group(argv)
    for info in app.registered_groups:
        if info.name != wanted and info.typer_instance is not None:
            help_text = info.typer_instance.info.help
            info.typer_instance = typer.Typer(help=help_text, no_args_is_help=True)


def main() -> None:
    _only_the_invoked_group(sys.argv[1:])
    app()


if __name__ == "__main__":
    main()
