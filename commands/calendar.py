"""`ketnap calendar`: the working-day calendar's extra days off and days worked."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from commands.shell import context, day_of, run, vn

calendar_app = typer.Typer(help="Lịch ngày làm việc: ngày nghỉ, ngày làm bù bổ sung.")


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


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")
