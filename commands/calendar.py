"""`ketnap calendar`: the working-day calendar's extra days off and days worked."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from commands.shell import JsonOpt, context, listing, run, say, vn

# A setting command's recompute of the open dossiers' deadlines (shared by ``rules set`` and
# ``reminders policy set``): the size of its batches, and a line on stderr after each one.
BatchOpt = Annotated[
    int,
    typer.Option(
        "--batch",
        help="Số hồ sơ (hạn) tính lại mỗi lô; mỗi lô một giao dịch ngắn.",
        min=1,
        max=1_000_000,
    ),
]


def progress(p: Any) -> None:
    """One line per batch of the recompute (workflow/usecases/recompute.py ``Progress``)."""
    import sys

    sys.stderr.write(p.line() + "\n")
    sys.stderr.flush()


calendar_app = typer.Typer(
    help="Lịch ngày làm việc: ngày lễ, quyết định hoán đổi của Chính phủ, ngày bổ sung.",
    no_args_is_help=True,
)


@calendar_app.command("list")
def calendar_list(
    year: Annotated[
        str | None, typer.Option("--year", help="Năm (mặc định năm nay).", show_default=False)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Mọi ngày khác tuần làm việc thường lệ trong năm (nghỉ vào ngày thường, làm vào thứ
    Bảy, Chủ nhật), kèm tên và căn cứ."""
    from workflow.domain.errors import BadInput
    from workflow.usecases.settings import calendar_days

    ctx = context()

    def go() -> list[dict[str, Any]]:
        if year is not None and not year.strip().isdigit():
            raise BadInput.one("Năm", f"'{year}' không phải số")
        return calendar_days(ctx, int(year) if year else ctx.today().year)

    listing(
        run(go),
        as_json,
        "Lịch ngày làm việc",
        ["Ngày", "Thứ", "Làm việc?", "Nội dung", "Căn cứ"],
        lambda d: [
            vn(d["day"]),
            weekday(d["day"]),
            "làm việc" if d["working"] else "nghỉ",
            d["name"],
            d["source"],
        ],
    )


def weekday(iso: str) -> str:
    from datetime import date

    names = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
    return names[date.fromisoformat(iso).weekday()]


@calendar_app.command("set")
def calendar_set(
    day: Annotated[str, typer.Argument(metavar="NGÀY", help="Ngày dd/mm/yyyy.")],
    working: Annotated[
        bool, typer.Option("--working/--off", help="Là ngày làm việc hay ngày nghỉ.")
    ] = False,
    note: Annotated[str, typer.Option("--note", help="Căn cứ, ví dụ số công văn.")] = "",
    batch: BatchOpt = 2000,
) -> None:
    """Bổ sung ngày nghỉ hoặc ngày làm bù mà Chính phủ, tỉnh quyết định thêm; hạn của các hồ
    sơ đang mở được tính lại theo từng lô trước khi lệnh kết thúc."""
    from workflow.usecases.settings import set_calendar_day

    ctx = context()
    done = run(lambda: set_calendar_day(ctx, day, working, note, batch=batch, on_batch=progress))
    kind = "ngày làm việc" if done["working"] else "ngày nghỉ"
    say(f"Đã ghi {vn(done['day'])} là {kind}.")
    say(recomputed(done["recomputed"]))


def recomputed(dossiers: int) -> str:
    from workflow.text.vntext import count

    return f"Đã tính lại hạn của {count(dossiers)} hồ sơ đang mở."


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")
