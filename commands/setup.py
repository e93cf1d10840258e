"""Setting an installation up: `ketnap init`, `ketnap demo`, `ketnap diagram`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from commands.audit import print_key
from commands.shell import context, program_name, run, say


def init(
    rehearsal: Annotated[
        bool,
        typer.Option(
            "--rehearsal",
            help="Cơ sở dữ liệu diễn tập (tập huấn, kiểm thử): cho phép KETNAP_NOW; mọi trang, "
            "báo cáo đều ghi rõ là diễn tập. Chỉ đặt được khi tạo mới.",
        ),
    ] = False,
) -> None:
    """Tạo hoặc cập nhật cơ sở dữ liệu (qua Alembic)."""
    from workflow.usecases.installation import initialise

    ctx = context(require_init=False, signed_in=False)
    fresh = run(lambda: initialise(ctx, rehearsal=rehearsal))
    if fresh:
        say("Đã khởi tạo cơ sở dữ liệu" + (" diễn tập." if rehearsal else "."))
    else:
        say("Cơ sở dữ liệu đã ở phiên bản mới nhất.")
    print_key(ctx)


def demo() -> None:
    """Tạo cơ sở dữ liệu diễn tập với dữ liệu mẫu: một cấp ủy với quần chúng ở mọi bước của
    quy trình, và một người dùng cho mỗi vai trò (mật khẩu ban đầu in ra một lần)."""
    from workflow.usecases.demo import build_demo
    from workflow.usecases.demo_users import add_demo_users
    from workflow.usecases.installation import initialise

    ctx = context(require_init=False, signed_in=False)
    fresh = run(lambda: initialise(ctx, rehearsal=True))
    print_key(ctx)

    made = run(lambda: build_demo(ctx)) if fresh else None
    if made is None:
        say("Dữ liệu mẫu đã có sẵn (hoặc cơ sở dữ liệu không mới); không tạo thêm.")
        return
    users = run(lambda: add_demo_users(ctx))
    say(f"Đã tạo dữ liệu mẫu (diễn tập): {made['orgs']} tổ chức, {made['dossiers']} hồ sơ.")
    say("Người dùng và mật khẩu ban đầu (chỉ in một lần; hãy đổi sau khi đăng nhập):")
    for u in users:
        say(f"  {u['username']:<8} {u['password']}  {u['role']} {u['org'] or ''}".rstrip())
    me = program_name()
    say(f"Đăng nhập: {me} login cv_tinh   ·   trang web: {me} serve")


def diagram() -> None:
    """In sơ đồ quy trình (Mermaid), sinh từ chính bảng chuyển bước của chương trình."""
    from workflow.domain.process import mermaid

    sys.stdout.write(mermaid())


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)
    app.command("diagram")(diagram)
