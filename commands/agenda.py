"""Commands of the clerk's agenda: deadlines, reminders (the inbox), the scan and its
scheduler, the e-mail outbox, the planning cycle, reminder policies, contacts."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from commands.shell import JsonOpt, console, context, day_of, listing, out_json, run, table, vn

OrgOpt = Annotated[str | None, typer.Option("--org", help="Mã tổ chức (gồm cả cấp dưới).")]
LimitOpt = Annotated[int, typer.Option("--limit", help="Số dòng nhiều nhất.")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Căn cứ, lý do thay đổi.")]

reminders_app = typer.Typer(
    help="Hộp nhắc việc: các nhắc việc đã phát (mở, đến hạn, muộn); đánh dấu xong.",
    invoke_without_command=True,
)
policy_app = typer.Typer(
    help="Cách nhắc theo từng loại hạn: nhắc trước bao nhiêu ngày, ai nhận.",
    no_args_is_help=True,
)
outbox_app = typer.Typer(
    help="Hộp thư đi: thư nhắc việc chờ gửi, đã gửi, thất bại.", invoke_without_command=True
)
scheduler_app = typer.Typer(help="Bộ lập lịch chạy quét nhắc việc định kỳ.", no_args_is_help=True)
cycle_app = typer.Typer(
    help="Chu kỳ kế hoạch: hạn gửi kế hoạch, báo cáo, mốc kiểm tra chỉ tiêu.",
    no_args_is_help=True,
)
contact_app = typer.Typer(help="Người nhận thư nhắc việc theo vai trò.", no_args_is_help=True)
reminders_app.add_typer(policy_app, name="policy")


def register(app: typer.Typer) -> None:
    app.command("deadlines")(deadlines)
    app.command("scan")(scan)
    app.add_typer(reminders_app, name="reminders")
    app.add_typer(outbox_app, name="outbox")
    app.add_typer(scheduler_app, name="scheduler")
    app.add_typer(cycle_app, name="cycle")
    app.add_typer(contact_app, name="contact")


# --- deadlines and the scan ------------------------------------------------------------------


def deadlines(
    org: OrgOpt = None,
    within: Annotated[
        int | None,
        typer.Option("--within", help="Chỉ các hạn trong N ngày làm việc tới (và đã quá hạn)."),
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
    from rich.table import Table

    view = Table(title=f"Thời hạn ({len(rows)})", title_justify="left")
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
        int, typer.Option("--batch", help="Số hạn mỗi lô (mỗi lô một giao dịch).")
    ] = 5000,
    as_json: JsonOpt = False,
) -> None:
    """Một lần quét: phát các nhắc việc đến ngày, đúng một lần; chạy lại không ghi trùng."""
    from scheduler.scan import ScanReport
    from scheduler.scan import scan as do_scan
    from workflow.domain.errors import BadInput

    ctx = context()

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
        print(report.summary())


# --- the inbox ---------------------------------------------------------------------------------


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
    from rich.table import Table

    view = Table(title=f"Nhắc việc ({len(rows)})", title_justify="left")
    for column in ("Mã", "Ngày nhắc", "Tình trạng", "Nội dung", "Người nhận"):
        view.add_column(column)
    for r in rows:
        state = r["state"] + (" · nhắc muộn" if r["late"] else "")
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
    reminder_id: Annotated[int, typer.Argument(help="Mã nhắc việc.")],
    note: Annotated[str, typer.Option("--note", help="Ghi chú đã xử lý thế nào.")] = "",
) -> None:
    """Đánh dấu một nhắc việc đã xử lý (ghi vào nhật ký)."""
    from workflow.usecases.agenda import reminder_done

    ctx = context()
    run(lambda: reminder_done(ctx, reminder_id, note))
    print(f"Đã đánh dấu xong nhắc việc #{reminder_id}.")


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
    kind: Annotated[str, typer.Argument(help="Loại hạn, ví dụ D-CEREMONY hoặc P-PLAN.")],
    leads: Annotated[str, typer.Option("--leads", help="Nhắc trước, ví dụ 10,5,1,0.")] = "10,5,1,0",
    overdue_every: Annotated[
        str, typer.Option("--overdue-every", help="Khi quá hạn, nhắc lại mỗi N ngày (0: không).")
    ] = "5",
    roles: Annotated[
        str, typer.Option("--roles", help="Vai trò nhận, ví dụ bi_thu,chuyen_vien.")
    ] = "bi_thu,chuyen_vien",
    reason: ReasonOpt = "",
) -> None:
    """Đặt cách nhắc cho một loại hạn (không cần sửa mã; ghi vào nhật ký)."""
    from workflow.usecases.agenda import policy_set as set_policy

    ctx = context()
    data = {"kind": kind, "leads": leads, "overdue_every": overdue_every, "roles": roles}
    done = run(lambda: set_policy(ctx, data, reason))
    print(f"Đã đặt cách nhắc cho {done['kind']}; {done['deadlines_moved']} hạn được tính lại.")


# --- the outbox and the scheduler ------------------------------------------------------------


@outbox_app.callback()
def outbox(
    typer_ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help="cho_gui, da_gui hoặc that_bai.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Thư nhắc việc trong hộp thư đi và tình trạng gửi."""
    if typer_ctx.invoked_subcommand is not None:
        return
    from scheduler.outbox import list_outbox

    rows = run(lambda: list_outbox(context(), status))
    if as_json:
        out_json(rows)
        return
    table(
        f"Hộp thư đi ({len(rows)})",
        ["Mã", "Nhắc việc", "Người nhận", "Tình trạng", "Số lần gửi", "Lỗi gần nhất"],
        [
            [
                r["id"],
                r["reminder_id"],
                r["recipient"],
                r["status_label"],
                r["attempts"],
                r["last_error"],
            ]
            for r in rows
        ],
    )


@outbox_app.command("send")
def outbox_send() -> None:
    """Gửi ngay các thư đến lượt (máy chủ thư: biến KETNAP_SMTP_HOST, KETNAP_SMTP_PORT …)."""
    from scheduler.outbox import deliver, sender_from_env

    sender = sender_from_env()
    if sender is None:
        console(stderr=True).print(
            "Chưa cấu hình máy chủ thư (KETNAP_SMTP_HOST); thư vẫn nằm trong hộp thư đi.",
            markup=False,
        )
        raise typer.Exit(2)
    report = run(lambda: deliver(context(), sender))
    print(report.summary())


@scheduler_app.command("run")
def scheduler_run(
    interval: Annotated[
        int, typer.Option("--interval", help="Số giây giữa hai lần quét.", min=1)
    ] = 300,
    misfire_grace: Annotated[
        int,
        typer.Option(
            "--misfire-grace", help="Một lần quét trễ tối đa bao nhiêu giây vẫn chạy.", min=1
        ),
    ] = 3600,
) -> None:
    """Chạy bộ lập lịch ở tiền cảnh: quét nhắc việc và gửi thư định kỳ; dừng bằng Ctrl+C."""
    import logging

    from scheduler.driver import Driver, DriverOptions, run_until_signalled
    from scheduler.outbox import deliver, sender_from_env
    from scheduler.scan import scan as do_scan

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    log = logging.getLogger("ketnap.scheduler")
    ctx = context()
    sender = sender_from_env()

    def job(should_stop: Any) -> None:
        report = do_scan(ctx, should_stop=should_stop)
        log.info(report.summary())
        if sender is not None and not should_stop():
            log.info(deliver(ctx, sender).summary())

    run_until_signalled(Driver(job, DriverOptions(interval, misfire_grace)))


# --- targets, the cycle, contacts ---------------------------------------------------------------


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
    key: Annotated[str, typer.Argument(help="Ví dụ cycle.plan_due.")],
    value: Annotated[str, typer.Argument(help="Ví dụ 15/02.")],
    reason: ReasonOpt = "",
) -> None:
    """Đổi một mốc của chu kỳ kế hoạch (ghi vào nhật ký); các hạn năm nay được tính lại."""
    from workflow.usecases.agenda import cycle_set as set_cycle

    ctx = context()
    done = run(lambda: set_cycle(ctx, key, value, reason))
    print(f"Đã đặt {done['key']} = {done['value']}.")


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
    print(f"Đã ghi nhận {done['org']} gửi {done['kind']} năm {done['year']}.")


@contact_app.command("add")
def contact_add(
    org: Annotated[str, typer.Option("--org", help="Mã tổ chức.")],
    role: Annotated[str, typer.Option("--role", help="bi_thu, chuyen_vien, cap_uy …")],
    name: Annotated[str, typer.Option("--name", help="Họ tên.")],
    email: Annotated[str, typer.Option("--email", help="Địa chỉ thư điện tử.")],
) -> None:
    """Thêm người nhận thư nhắc việc cho một vai trò của tổ chức."""
    from workflow.usecases.agenda import contact_add as add

    ctx = context()
    done = run(lambda: add(ctx, {"org_code": org, "role": role, "name": name, "email": email}))
    print(f"Đã thêm người nhận #{done['id']} ({done['role']}@{done['org']}).")


@contact_app.command("list")
def contact_list(as_json: JsonOpt = False) -> None:
    """Người nhận thư nhắc việc."""
    from workflow.usecases.agenda import contact_list as list_contacts

    listing(
        run(lambda: list_contacts(context())),
        as_json,
        "Người nhận",
        ["Mã", "Tổ chức", "Vai trò", "Họ tên", "Thư điện tử"],
        lambda r: [r["id"], r["org"], r["role_label"], r["name"], r["email"]],
    )
