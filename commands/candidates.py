"""`ketnap candidate`: people and their dossiers (add, list, show, show as of a day)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from commands.shell import (
    IdArg,
    JsonOpt,
    console,
    context,
    day_of,
    dossier_id_of,
    out_json,
    run,
    say,
    table,
    vn,
)
from workflow.domain.vocabulary import (
    ConsentKind,
    DecisionKind,
    DocumentKind,
    Labelled,
    ResolutionKind,
)

candidate_app = typer.Typer(help="Quần chúng và hồ sơ: thêm, tìm, xem.", no_args_is_help=True)


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
    say(f"Đã mở hồ sơ #{made['dossier_id']} ở bước Nguồn.")


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
    if data.get("person"):  # đính chính: the person's corrected fields as they stood
        table(
            "Thông tin người vào Đảng đã được đính chính (giá trị vào ngày này)",
            ["Trường", "Giá trị"],
            [[str(v["label"]), str(v["value"])] for v in data["person"].values()],
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
    for g in data.get("designations", []):  # L-NO-MEMBER
        out.print(
            f"Chi bộ được chỉ định giúp đỡ: {g['chi_bo']['name']} ({g['chi_bo']['code']}), "
            f"quyết định {g['number']} ngày {vn(g['signed_on'])} của {g['by']['name']} "
            f"(L-NO-MEMBER)",
            markup=False,
        )
    for tr in data.get("transfers", []):  # L-TRANSFER
        out.print(
            f"Chuyển sinh hoạt #{tr['id']}: {tr['from']['code']} → {tr['to']['code']}, "
            f"{tr['status_label']}"
            + (f" ngày {vn(tr['received_on'])}" if tr["received_on"] else "")
            + f" (giấy giới thiệu {tr['letter_number']}, L-TRANSFER)",
            markup=False,
        )
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
        rows.append([f"Giấy tờ {doc['form']}", _said(DocumentKind, doc["kind"]), vn(doc["dated"])])
    for v in facts["verifications"]:
        rows.append(["Thẩm tra lý lịch", v["certified_by"], vn(v["certified_on"])])
    for r in facts["resolutions"]:
        rows.append(
            [
                f"{_said(ResolutionKind, r['kind'])} (lần {r['round']})",
                f"{r['agree']}/{r['official_members'] - r['exempted']} tán thành",
                vn(r["dated"]),
            ]
        )
    for d in facts["decisions"]:
        rows.append([_said(DecisionKind, d["kind"]), d["number"], vn(d["signed_on"])])
    for c2 in facts["consents"]:
        rows.append([_said(ConsentKind, c2["kind"]), c2["number"], vn(c2["dated"])])
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


def register(app: typer.Typer) -> None:
    app.add_typer(candidate_app, name="candidate")


def _said(enum: type[Labelled], code: str) -> str:
    """A stored code as its label (an unknown code, from an older version, as it is)."""
    return enum(code).label if code in enum.__members__ else code
