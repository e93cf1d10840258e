"""Signing in and out of the command line: `ketnap login`, `ketnap logout`. The session's
token is kept in a file of this OS user (readable by them only), per database."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.shell import (
    SESSION_FIELD,
    context,
    fail,
    keep_token,
    read_password,
    read_token,
    run,
    say,
    token_place,
)

StdinOpt = Annotated[
    bool,
    typer.Option("--password-stdin", help="Đọc mật khẩu từ đầu vào chuẩn (một dòng)."),
]


def login(
    username: Annotated[str, typer.Argument(metavar="TÊN_ĐĂNG_NHẬP", help="Tên đăng nhập.")],
    password_stdin: StdinOpt = False,
) -> None:
    """Đăng nhập (hỏi mật khẩu); phiên được giữ cho người dùng máy này đến khi hết hạn."""
    import os

    from workflow.usecases.clock import local
    from workflow.usecases.sessions import check_clock, sign_in, sign_out

    ctx = context(signed_in=False)
    run(lambda: check_clock(ctx, bool(os.environ.get("KETNAP_NOW"))))
    run(token_place)
    password = read_password("Mật khẩu", from_stdin=password_stdin)
    done = run(lambda: sign_in(ctx, username, password))
    try:
        keep_token(done.token)
    except OSError:  # a session nobody can use is ended at once
        run(lambda: sign_out(ctx, done.token))
        fail(f"{SESSION_FIELD}: không ghi được mã phiên; chưa đăng nhập.", 2)
    ends = local(done.expires_at)
    say(
        f"Đã đăng nhập: {done.full_name} ({done.role.label}); phiên hết hạn lúc "
        f"{ends:%H:%M} ngày {ends:%d/%m/%Y}."
    )


def logout() -> None:
    """Đăng xuất: kết thúc phiên và xóa mã phiên trên máy này."""
    from workflow.usecases.sessions import sign_out

    ctx = context(signed_in=False)
    ended = run(lambda: sign_out(ctx, read_token()))
    try:
        keep_token(None)
    except OSError:
        fail(f"{SESSION_FIELD}: không xóa được tệp mã phiên.", 2)
    say("Đã đăng xuất." if ended else "Không có phiên nào đang mở; đã xóa mã phiên trên máy.")


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)
