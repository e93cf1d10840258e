"""Commands of users, roles and passwords: `ketnap user add|list|grant|revoke|passwd`."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.shell import JsonOpt, context, listing, read_password, run, say

StdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Đọc mật khẩu từ đầu vào chuẩn (mỗi mật khẩu một dòng); không bao giờ là tham số.",
    ),
]

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
    username: Annotated[
        str,
        typer.Argument(metavar="TÊN_ĐĂNG_NHẬP", help="Tên đăng nhập (không phân biệt hoa thường)."),
    ],
    name: Annotated[str, typer.Option("--name", help="Họ tên.")],
    role: RoleOpt,
    org: OrgOpt = None,
    password_stdin: StdinOpt = False,
) -> None:
    """Thêm người dùng với mật khẩu ban đầu (ít nhất 10 ký tự). Người đầu tiên phải là quản
    trị; từ đó mọi việc đều cần đăng nhập ('ketnap login') và được kiểm quyền."""
    from workflow.usecases.users import add_user

    ctx = context()
    password = read_password("Mật khẩu ban đầu", from_stdin=password_stdin, again=True)
    done = run(lambda: add_user(ctx, username, name, role, org, password=password))
    say(f"Đã thêm {done['username']} ({_role(done['role'])}, {done['org'] or 'toàn hệ thống'}).")


@user_app.command("grant")
def user_grant(
    username: Annotated[str, typer.Argument(metavar="TÊN_ĐĂNG_NHẬP", help="Tên đăng nhập.")],
    role: RoleOpt,
    org: OrgOpt = None,
) -> None:
    """Đổi vai trò, phạm vi của người dùng (và mở lại nếu đã bị thu hồi)."""
    from workflow.usecases.users import grant

    ctx = context()
    done = run(lambda: grant(ctx, username, role, org))
    say(
        f"Đã cấp quyền {_role(done['role'])} cho {done['username']} "
        f"({done['org'] or 'toàn hệ thống'})."
    )


@user_app.command("revoke")
def user_revoke(
    username: Annotated[str, typer.Argument(metavar="TÊN_ĐĂNG_NHẬP", help="Tên đăng nhập.")],
) -> None:
    """Thu hồi quyền của người dùng (không xóa: nhật ký vẫn giữ tên họ)."""
    from workflow.usecases.users import revoke

    ctx = context()
    run(lambda: revoke(ctx, username))
    say(f"Đã thu hồi quyền của {username}.")


@user_app.command("passwd")
def user_passwd(
    username: Annotated[
        str | None,
        typer.Argument(
            metavar="TÊN_ĐĂNG_NHẬP", help="Người dùng (mặc định: chính mình).", show_default=False
        ),
    ] = None,
    password_stdin: StdinOpt = False,
) -> None:
    """Đổi mật khẩu của mình (hỏi mật khẩu hiện tại), hoặc quản trị viên đặt lại mật khẩu
    của người khác; các phiên khác của người đó kết thúc."""
    from workflow.usecases.users import set_password

    ctx = context()
    who = (username or ctx.actor).strip().lower()
    current = None
    if who == ctx.actor.strip().lower():
        current = read_password("Mật khẩu hiện tại", from_stdin=password_stdin)
    new = read_password("Mật khẩu mới", from_stdin=password_stdin, again=True)
    done = run(lambda: set_password(ctx, who, new, current=current))
    say(f"Đã đổi mật khẩu của {done['username']}; {done['sessions_ended']} phiên đã kết thúc.")


@user_app.command("list")
def user_list(as_json: JsonOpt = False) -> None:
    """Người dùng, vai trò, phạm vi."""
    from workflow.usecases.users import list_users

    listing(
        run(lambda: list_users(context())),
        as_json,
        "Người dùng",
        ["Tên đăng nhập", "Họ tên", "Vai trò", "Phạm vi", "Còn hiệu lực", "Có mật khẩu"],
        lambda u: [
            u["username"],
            u["full_name"],
            u["role_label"],
            u["org"] or "toàn hệ thống",
            "có" if u["active"] else "không",
            "có" if u["has_password"] else "chưa",
        ],
    )


def _role(code: str) -> str:
    """A role's label, with its code (what --role takes)."""
    from workflow.domain.vocabulary import Role

    return f"{Role(code).label} — {code}" if code in Role.__members__ else code
