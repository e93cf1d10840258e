"""`ketnap org`: the organization tree (add, list)."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.shell import JsonOpt, context, listing, run, say

org_app = typer.Typer(help="Tổ chức đảng: thêm, liệt kê.", no_args_is_help=True)


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
    }
    org = run(lambda: add_org(ctx, {k: v for k, v in data.items() if v is not None}))
    say(f"Đã thêm tổ chức {org['name']} ({org['kind_label']}, mã {org['code']}).")


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


def register(app: typer.Typer) -> None:
    app.add_typer(org_app, name="org")
