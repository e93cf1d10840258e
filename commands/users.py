"""Commands of users and roles: `ketnap user add|list|grant|revoke`."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.shell import JsonOpt, context, listing, run

user_app = typer.Typer(
    help="Người dùng, vai trò và phạm vi tổ chức (quản trị viên thực hiện).", no_args_is_help=True
)
RoleOpt = Annotated[
    str, typer.Option("--role", help="chuyen_vien, bi_thu, cap_uy, kiem_tra hoặc quan_tri.")
]
OrgOpt = Annotated[
    str | None, typer.Option("--org", help="Tổ chức mà vai trò phụ trách (gồm cấp dưới).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập (dùng với --as).")],
    name: Annotated[str, typer.Option("--name", help="Họ tên.")],
    role: RoleOpt,
    org: OrgOpt = None,
) -> None:
    """Thêm người dùng. Người đầu tiên phải là quản trị; từ đó mọi việc đều được kiểm quyền."""
    from workflow.usecases.users import add_user

    ctx = context()
    done = run(lambda: add_user(ctx, username, name, role, org))
    print(f"Đã thêm {done['username']} ({done['role']}, {done['org'] or 'toàn hệ thống'}).")


@user_app.command("grant")
def user_grant(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    role: RoleOpt,
    org: OrgOpt = None,
) -> None:
    """Đổi vai trò, phạm vi của người dùng (và mở lại nếu đã bị thu hồi)."""
    from workflow.usecases.users import grant

    ctx = context()
    done = run(lambda: grant(ctx, username, role, org))
    print(f"Đã cấp quyền {done['role']} cho {done['username']} ({done['org'] or 'toàn hệ thống'}).")


@user_app.command("revoke")
def user_revoke(username: Annotated[str, typer.Argument(help="Tên đăng nhập.")]) -> None:
    """Thu hồi quyền của người dùng (không xóa: nhật ký vẫn giữ tên họ)."""
    from workflow.usecases.users import revoke

    ctx = context()
    run(lambda: revoke(ctx, username))
    print(f"Đã thu hồi quyền của {username}.")


@user_app.command("list")
def user_list(as_json: JsonOpt = False) -> None:
    """Người dùng, vai trò, phạm vi."""
    from workflow.usecases.users import list_users

    listing(
        run(lambda: list_users(context())),
        as_json,
        "Người dùng",
        ["Tên đăng nhập", "Họ tên", "Vai trò", "Phạm vi", "Còn hiệu lực"],
        lambda u: [
            u["username"],
            u["full_name"],
            u["role_label"],
            u["org"] or "toàn hệ thống",
            "có" if u["active"] else "không",
        ],
    )
