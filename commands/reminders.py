"""The clerk's agenda: `ketnap deadlines`, `ketnap scan` and the reminders' inbox with its
policies (`ketnap reminders`, `reminders done`, `reminders policy`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from commands.calendar import BatchOpt, progress
from commands.shell import (
    JsonOpt,
    LimitOpt,
    OrgOpt,
    ReasonOpt,
    console,
    context,
    day_of,
    dossier_id_of,
    listing,
    new_table,
    out_json,
    run,
    say,
    vn,
)

reminders_app = typer.Typer(
    help="Hộp nhắc việc: các nhắc việc đã phát (mở, đến hạn, muộn); đánh dấu xong.",
    invoke_without_command=True,
)


policy_app = typer.Typer(
    help="Cách nhắc theo từng loại hạn: nhắc trước bao nhiêu ngày, ai nhận.",
    no_args_is_help=True,
)


def deadlines(
    org: OrgOpt = None,
    within: Annotated[
        int | None,
        typer.Option(
            "--within",
            help="Chỉ các hạn trong N ngày làm việc tới (và đã quá hạn).",
            min=0,
            max=1000,
        ),
    ] = None,
    limit: LimitOpt = 500,
    as_json: JsonOpt = False,
) -> None:
    """Các hạn còn mở, sớm nhất trước: quá hạn (tô đỏ) và sắp đến hạn, theo hồ sơ và tổ chức."""
    from workflow.usecases.agenda import deadlines as list_deadlines

    ctx = context()
    rows = run(lambda: list_deadlines(ctx, org, within, limit))
    if as_json:
        out_json(rows)
        return
    view = new_table(f"Thời hạn ({len(rows)})")
    for column in ("Đối tượng", "Tổ chức", "Quy định", "Việc", "Hạn", "Tình trạng"):
        view.add_column(column)
    for r in rows:
        style = "bold red" if r["overdue"] else None
        view.add_row(
            r["subject"],
            r["org"],
            r["rule_id"],
            r["label"],
            r["due_text"],
            r["status"],
            style=style,
        )
    console().print(view)
    if len(rows) == limit:
        console().print(f"(Chỉ hiện {limit} dòng đầu; dùng --limit để xem thêm.)", markup=False)


def scan(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Quét như vào ngày dd/mm/yyyy (mặc định: hôm nay)."),
    ] = None,
    batch: Annotated[
        int,
        typer.Option("--batch", help="Số hạn mỗi lô (mỗi lô một giao dịch).", min=1, max=1_000_000),
    ] = 5000,
    as_json: JsonOpt = False,
) -> None:
    """Một lần quét: phát các nhắc việc đến ngày, đúng một lần; chạy lại không ghi trùng."""
    from scheduler.scan import ScanReport
    from scheduler.scan import scan as do_scan
    from workflow.domain.errors import BadInput

    ctx = context(channel="scheduler")

    def progress(report: ScanReport) -> None:
        sys.stderr.write(
            f"Lô {report.batches}: đã xét {report.examined} hạn, {report.raised} nhắc việc mới\n"
        )
        sys.stderr.flush()

    def go() -> ScanReport:
        day = day_of(as_of, "Ngày quét")
        if batch < 1:
            raise BadInput.one("Số hạn mỗi lô", "phải lớn hơn 0")
        return do_scan(ctx, day, batch_size=batch, on_batch=progress)

    report = run(go)
    if as_json:
        out_json(report.as_dict())
    else:
        say(report.summary())


@reminders_app.callback()
def reminders(
    typer_ctx: typer.Context,
    org: OrgOpt = None,
    role: Annotated[
        str | None, typer.Option("--role", help="Chỉ nhắc việc gửi vai trò này.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Cả nhắc việc đã xong.")] = False,
    limit: LimitOpt = 500,
    as_json: JsonOpt = False,
) -> None:
    """Hộp nhắc việc (mặc định: các nhắc việc còn mở, mới nhất trước)."""
    if typer_ctx.invoked_subcommand is not None:
        return
    from workflow.usecases.agenda import reminders as list_reminders

    ctx = context()
    rows = run(lambda: list_reminders(ctx, org, role, all_, limit))
    if as_json:
        out_json(rows)
        return
    view = new_table(f"Nhắc việc ({len(rows)})")
    for column in ("Mã", "Ngày nhắc", "Hôm nay", "Nội dung đã nhắc", "Người nhận"):
        view.add_column(column)
    for r in rows:
        state = r["today_text"] + (" · nhắc muộn" if r["late"] else "")
        view.add_row(
            str(r["id"]),
            vn(r["raised_on"]),
            state,
            r["message"],
            ", ".join(r["recipients"]),
            style="bold red" if r["state"] == "quá hạn" else None,
        )
    console().print(view)
    if len(rows) == limit:
        console().print(f"(Chỉ hiện {limit} dòng đầu; dùng --limit để xem thêm.)", markup=False)


@reminders_app.command("done")
def reminders_done(
    reminder_id: Annotated[
        str, typer.Argument(metavar="MÃ_NHẮC_VIỆC", help="Mã nhắc việc (số).", show_default=False)
    ],
    note: Annotated[str, typer.Option("--note", help="Ghi chú đã xử lý thế nào.")] = "",
) -> None:
    """Đánh dấu một nhắc việc đã xử lý (ghi vào nhật ký)."""
    from workflow.usecases.agenda import reminder_done

    ctx = context()
    run(lambda: reminder_done(ctx, dossier_id_of(reminder_id, "Mã nhắc việc"), note))
    say(f"Đã đánh dấu xong nhắc việc #{reminder_id}.")


@policy_app.command("list")
def policy_list(as_json: JsonOpt = False) -> None:
    """Cách nhắc của từng loại hạn (mặc định hoặc do hệ thống đặt)."""
    from workflow.usecases.agenda import policy_list as list_policies

    listing(
        run(lambda: list_policies(context())),
        as_json,
        "Cách nhắc việc",
        ["Loại hạn", "Nhắc trước (ngày làm việc)", "Quá hạn nhắc mỗi", "Người nhận", "Nguồn"],
        lambda r: [
            r["kind"],
            ", ".join(str(k) for k in r["leads"]),
            r["overdue_every"] or "không nhắc",
            ", ".join(r["roles"]),
            "đã đặt" if r["custom"] else "mặc định",
        ],
    )


@policy_app.command("set")
def policy_set(
    kind: Annotated[
        str, typer.Argument(metavar="LOẠI_HẠN", help="Loại hạn, ví dụ D-CEREMONY hoặc P-PLAN.")
    ],
    leads: Annotated[str, typer.Option("--leads", help="Nhắc trước, ví dụ 10,5,1,0.")] = "10,5,1,0",
    overdue_every: Annotated[
        str, typer.Option("--overdue-every", help="Khi quá hạn, nhắc lại mỗi N ngày (0: không).")
    ] = "5",
    roles: Annotated[
        str, typer.Option("--roles", help="Vai trò nhận, ví dụ bi_thu,chuyen_vien.")
    ] = "bi_thu,chuyen_vien",
    reason: ReasonOpt = "",
    batch: BatchOpt = 2000,
) -> None:
    """Đặt cách nhắc cho một loại hạn (không cần sửa mã; ghi vào nhật ký); ngày nhắc của các
    hạn đang mở được tính lại theo từng lô trước khi lệnh kết thúc."""
    from workflow.usecases.agenda import policy_set as set_policy

    ctx = context()
    data = {"kind": kind, "leads": leads, "overdue_every": overdue_every, "roles": roles}
    done = run(lambda: set_policy(ctx, data, reason, batch=batch, on_batch=progress))
    say(f"Đã đặt cách nhắc cho {done['kind']}; {done['deadlines_moved']} hạn được tính lại.")


def register(app: typer.Typer) -> None:
    app.command("deadlines")(deadlines)
    app.command("scan")(scan)
    reminders_app.add_typer(policy_app, name="policy")
    app.add_typer(reminders_app, name="reminders")
