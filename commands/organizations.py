"""`ketnap org`: the organization tree (add, list, set the heading) and its changes (end
with successors, move, rename: issue 18, docs/organizations.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.shell import JsonOpt, context, listing, out_json, run, say, vn
from workflow.domain.errors import BadInput

org_app = typer.Typer(
    help="Tổ chức đảng: thêm, liệt kê, tên trên văn bản; kết thúc (sáp nhập, chia tách, đổi "
    "tên, chuyển trực thuộc), chuyển trực thuộc, đổi tên.",
    no_args_is_help=True,
)
CodeArg = Annotated[
    str, typer.Argument(metavar="MÃ_TỔ_CHỨC", help="Mã tổ chức.", show_default=False)
]
OnOpt = Annotated[
    str, typer.Option("--on", metavar="dd/mm/yyyy", help="Ngày hiệu lực.", show_default=False)
]
DecisionOpt = Annotated[str, typer.Option("--decision", metavar="SỐ", help="Số quyết định.")]
HeadingOpt = Annotated[
    str | None,
    typer.Option("--heading", metavar="TÊN", help="Tên trên văn bản, ví dụ 'ĐẢNG ỦY XÃ …'."),
]
SuperiorHeadingOpt = Annotated[
    str | None,
    typer.Option("--superior-heading", metavar="TÊN", help="Tên cấp trên trên văn bản."),
]


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
    decides: Annotated[
        bool,
        typer.Option(
            "--decides",
            help="Đảng bộ cơ sở được ủy quyền quyết định kết nạp (hoặc trực thuộc Tỉnh ủy).",
        ),
    ] = False,
    heading: HeadingOpt = None,
    superior_heading: SuperiorHeadingOpt = None,
    valid_from: Annotated[
        str | None,
        typer.Option("--from", metavar="dd/mm/yyyy", help="Ngày bắt đầu hoạt động (dd/mm/yyyy)."),
    ] = None,
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
        "decides_admission": decides,
        "heading_name": heading,
        "superior_heading": superior_heading,
        "valid_from": valid_from,
    }
    org = run(lambda: add_org(ctx, {k: v for k, v in data.items() if v is not None}))
    say(f"Đã thêm tổ chức {org['name']} ({org['kind_label']}, mã {org['code']}).")


@org_app.command("list")
def org_list(
    all_orgs: Annotated[
        bool, typer.Option("--all", help="Cả tổ chức đã kết thúc, với tổ chức kế thừa.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Liệt kê tổ chức theo cây (ngày hoạt động, tổ chức kế thừa)."""
    from workflow.usecases.organizations import list_orgs

    listing(
        run(lambda: list_orgs(context(), all_orgs=all_orgs)),
        as_json,
        "Tổ chức đảng",
        ["Mã", "Tên", "Loại", "Hoạt động", "Kế thừa"],
        lambda o: [
            o["code"],
            "  " * o["depth"] + o["name"],
            o["kind_label"],
            o["valid_text"],
            ", ".join(o["successors"]),
        ],
    )


@org_app.command("set")
def org_set(
    code: CodeArg,
    heading: HeadingOpt = None,
    superior_heading: SuperiorHeadingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Đặt tên tổ chức trên văn bản (tách khỏi tên ngắn) và tên cấp trên trên văn bản."""
    from workflow.usecases.organizations import set_heading

    data = {"heading_name": heading, "superior_heading": superior_heading}
    org = run(lambda: set_heading(context(), code, data))
    if as_json:
        out_json(org)
        return
    say(
        f"Đã ghi tên trên văn bản của {org['name']} ({org['code']}): "
        f"{org['heading_name'] or '—'}; cấp trên: {org['superior_heading'] or '—'}."
    )


def _moves(items: list[str]) -> dict[int, str]:
    """'--move 12=CB-MOI' → {12: 'CB-MOI'}."""
    field = "Chuyển riêng hồ sơ (--move)"
    out: dict[int, str] = {}
    for item in items:
        did, sep, code = item.partition("=")
        if not sep or not did.strip().isdigit() or len(did.strip()) > 15 or not code.strip():
            raise BadInput.one(field, f"'{item}' phải có dạng MÃ_HỒ_SƠ=MÃ_TỔ_CHỨC, ví dụ 12=CB2")
        out[int(did.strip())] = code.strip()
    return out


@org_app.command("end")
def org_end(
    code: CodeArg,
    on: OnOpt,
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="sap_nhap | chia_tach | doi_ten | chuyen_truc_thuoc", show_default=False
        ),
    ],
    successor: Annotated[
        list[str],
        typer.Option(
            "--successor",
            metavar="MÃ_TỔ_CHỨC",
            help="Mã tổ chức kế thừa (nhắc lại khi chia tách; tổ chức chính đứng đầu).",
            show_default=False,
        ),
    ],
    decision: Annotated[
        str, typer.Option("--decision", metavar="SỐ", help="Số quyết định.", show_default=False)
    ],
    reason: Annotated[str, typer.Option("--reason", help="Lý do.", show_default=False)],
    dossiers_to: Annotated[
        str | None,
        typer.Option(
            "--dossiers-to",
            metavar="MÃ_TỔ_CHỨC",
            help="Tổ chức kế thừa nhận hồ sơ (bắt buộc khi chia tách).",
        ),
    ] = None,
    move: Annotated[
        list[str] | None,
        typer.Option(
            "--move",
            metavar="MÃ_HỒ_SƠ=MÃ_TỔ_CHỨC",
            help="Chuyển riêng một hồ sơ: MÃ_HỒ_SƠ=MÃ_TỔ_CHỨC (nhắc lại được).",
        ),
    ] = None,
    users_to: Annotated[
        str | None,
        typer.Option("--users-to", metavar="MÃ_TỔ_CHỨC", help="Tổ chức kế thừa nhận người dùng."),
    ] = None,
    targets_to: Annotated[
        str | None,
        typer.Option(
            "--targets-to", metavar="MÃ_TỔ_CHỨC", help="Tổ chức kế thừa nhận chỉ tiêu, kế hoạch."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Kết thúc hoạt động một tổ chức (ngày cuối là ngày trước --on), giao hồ sơ, quần chúng,
    chỉ tiêu, kế hoạch, người dùng và nhắc việc cho tổ chức kế thừa, trong một lần ghi."""
    from workflow.usecases.org_changes import end_org

    def act() -> dict[str, object]:
        data: dict[str, object] = {
            "code": code,
            "on": on,
            "kind": kind,
            "successors": successor,
            "decision": decision,
            "reason": reason,
            "dossiers_to": dossiers_to,
            "moves": _moves(move or []),
            "users_to": users_to,
            "targets_to": targets_to,
        }
        return end_org(context(), {k: v for k, v in data.items() if v is not None})

    made = run(act)
    if as_json:
        out_json(made)
        return
    went = ", ".join(f"{n} hồ sơ sang {c}" for c, n in made["dossiers"].items()) or "không có hồ sơ"
    say(
        f"Đã kết thúc hoạt động {made['org']} từ ngày {vn(made['valid_to'])} "
        f"(tổ chức kế thừa: {', '.join(made['successors'])}; quyết định {made['decision']}): "
        f"{went}; {made['candidates']} quần chúng; {len(made['targets'])} chỉ tiêu, "
        f"{len(made['submissions']['moved'])} kế hoạch, báo cáo; {len(made['users'])} người "
        f"dùng sang {made['users_to']}."
    )


@org_app.command("move")
def org_move(
    code: CodeArg,
    parent: Annotated[
        str,
        typer.Option(
            "--parent", metavar="MÃ_TỔ_CHỨC", help="Mã tổ chức cấp trên mới.", show_default=False
        ),
    ],
    on: OnOpt,
    decision: DecisionOpt = "—",
    reason: Annotated[str, typer.Option("--reason", help="Lý do.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Chuyển trực thuộc: tổ chức giữ mã, hồ sơ và lịch sử, sang cấp trên khác từ --on."""
    from workflow.usecases.org_changes import move_org

    data = {"code": code, "parent_code": parent, "on": on, "decision": decision, "reason": reason}
    made = run(lambda: move_org(context(), data))
    if as_json:
        out_json(made)
        return
    say(
        f"Đã chuyển {made['org']} từ trực thuộc {made['from_parent'] or '—'} sang trực thuộc "
        f"{made['to_parent']} từ ngày {vn(made['on'])}."
    )


@org_app.command("rename")
def org_rename(
    code: CodeArg,
    name: Annotated[
        str, typer.Option("--name", metavar="TÊN", help="Tên mới.", show_default=False)
    ],
    on: OnOpt,
    heading: Annotated[
        str | None, typer.Option("--heading", metavar="TÊN", help="Tên mới trên văn bản.")
    ] = None,
    decision: DecisionOpt = "—",
    reason: Annotated[str, typer.Option("--reason", help="Lý do.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Đổi tên tổ chức tại chỗ (giữ mã; tên cũ lưu trong nhật ký)."""
    from workflow.usecases.org_changes import rename_org

    data = {"code": code, "name": name, "on": on, "decision": decision, "reason": reason}
    if heading is not None:
        data["heading_name"] = heading
    made = run(lambda: rename_org(context(), data))
    if as_json:
        out_json(made)
        return
    say(
        f"Đã đổi tên {made['org']}: '{made['old_name']}' thành '{made['name']}' từ ngày "
        f"{vn(made['on'])}."
    )


def register(app: typer.Typer) -> None:
    app.add_typer(org_app, name="org")
