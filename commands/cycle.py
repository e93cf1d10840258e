"""`ketnap cycle`: the planning cycle's dates, and the plans and reports sent up."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.shell import JsonOpt, ReasonOpt, context, listing, run, say

cycle_app = typer.Typer(
    help="Chu kỳ kế hoạch: hạn gửi kế hoạch, báo cáo, mốc kiểm tra chỉ tiêu.",
    no_args_is_help=True,
)


@cycle_app.command("show")
def cycle_show(as_json: JsonOpt = False) -> None:
    """Các mốc của chu kỳ kế hoạch đang dùng."""
    from workflow.usecases.agenda import cycle_show as show

    listing(
        run(lambda: show(context())),
        as_json,
        "Chu kỳ kế hoạch",
        ["Thiết lập", "Giá trị", "Nguồn"],
        lambda r: [r["key"], r["value"], "đã đặt" if r["custom"] else "mặc định"],
    )


@cycle_app.command("set")
def cycle_set(
    key: Annotated[str, typer.Argument(metavar="KHÓA", help="Ví dụ cycle.plan_due.")],
    value: Annotated[str, typer.Argument(metavar="GIÁ_TRỊ", help="Ví dụ 15/02.")],
    reason: ReasonOpt = "",
) -> None:
    """Đổi một mốc của chu kỳ kế hoạch (ghi vào nhật ký); các hạn năm nay được tính lại."""
    from workflow.usecases.agenda import cycle_set as set_cycle

    ctx = context()
    done = run(lambda: set_cycle(ctx, key, value, reason))
    say(f"Đã đặt {done['key']} = {done['value']}.")


@cycle_app.command("submit")
def cycle_submit(
    org: Annotated[str, typer.Option("--org", help="Mã tổ chức gửi.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="ke_hoach, bao_cao_quy_1, bao_cao_6_thang, bao_cao_9_thang hoặc bao_cao_nam.",
        ),
    ],
    year: Annotated[str, typer.Option("--year", help="Năm của kế hoạch, báo cáo.")],
    date: Annotated[str, typer.Option("--date", help="Ngày gửi dd/mm/yyyy.")],
    number: Annotated[str, typer.Option("--number", help="Số văn bản.")] = "",
) -> None:
    """Ghi nhận tổ chức đã gửi kế hoạch hoặc báo cáo (hết nhắc việc tương ứng)."""
    from workflow.usecases.agenda import record_submission

    ctx = context()
    data = {"org_code": org, "kind": kind, "year": year, "submitted_on": date, "number": number}
    done = run(lambda: record_submission(ctx, data))
    say(f"Đã ghi nhận {done['org']} gửi {done['kind']} năm {done['year']}.")


def register(app: typer.Typer) -> None:
    app.add_typer(cycle_app, name="cycle")
