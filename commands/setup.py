"""Setting an installation up: `ketnap init`, `ketnap demo`, `ketnap diagram`."""

from __future__ import annotations

import sys

import typer

from commands.audit import ensure_installation_key
from commands.shell import context, program_name, run


def init() -> None:
    """Tạo hoặc cập nhật cơ sở dữ liệu (qua Alembic)."""
    from workflow.usecases.installation import initialise

    ctx = context(require_init=False)
    fresh = run(lambda: initialise(ctx))
    print("Đã khởi tạo cơ sở dữ liệu." if fresh else "Cơ sở dữ liệu đã ở phiên bản mới nhất.")
    ensure_installation_key()


def demo() -> None:
    """Tạo dữ liệu mẫu: một cấp ủy với quần chúng ở mọi bước của quy trình."""
    from workflow.usecases.demo import build_demo
    from workflow.usecases.installation import initialise

    ctx = context(require_init=False)
    run(lambda: initialise(ctx))
    ensure_installation_key()
    made = run(lambda: build_demo(ctx))
    if made is None:
        print("Dữ liệu mẫu đã có sẵn; không tạo thêm.")
        return
    print(f"Đã tạo dữ liệu mẫu: {made['orgs']} tổ chức, {made['dossiers']} hồ sơ.")
    me = program_name()
    print(f"Xem: {me} candidate list   ·   {me} next <mã hồ sơ>")


def diagram() -> None:
    """In sơ đồ quy trình (Mermaid), sinh từ chính bảng chuyển bước của chương trình."""
    from workflow.domain.process import mermaid

    sys.stdout.write(mermaid())


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)
    app.command("diagram")(diagram)
