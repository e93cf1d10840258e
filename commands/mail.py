"""E-mail after commit: the outbox (`ketnap outbox`, `outbox send`), the scheduler that scans
and delivers (`ketnap scheduler run`), and who receives reminders (`ketnap contact`)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from commands.shell import (
    FAULT_EXIT,
    JsonOpt,
    console,
    context,
    fail,
    listing,
    out_json,
    run,
    say,
    table,
)

outbox_app = typer.Typer(
    help="Hộp thư đi: thư nhắc việc chờ gửi, đã gửi, thất bại.", invoke_without_command=True
)


scheduler_app = typer.Typer(help="Bộ lập lịch chạy quét nhắc việc định kỳ.", no_args_is_help=True)


contact_app = typer.Typer(help="Người nhận thư nhắc việc theo vai trò.", no_args_is_help=True)


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
    """Gửi ngay các thư đến lượt, từng thư một; hai lần gửi chạy cùng lúc không gửi trùng thư.

    Máy chủ thư: KETNAP_SMTP_HOST, KETNAP_SMTP_PORT (25; 465 là TLS), KETNAP_SMTP_FROM,
    KETNAP_SMTP_USER, KETNAP_SMTP_PASSWORD, KETNAP_SMTP_TLS (ssl, starttls hoặc none),
    KETNAP_SMTP_CA (tệp PEM của nơi cấp chứng chỉ của cơ quan), KETNAP_SMTP_TIMEOUT (giây
    chờ mỗi lần máy chủ trả lời, 30). Chứng chỉ của máy chủ luôn được kiểm tra.

    Mã thoát 5 khi còn thư chưa gửi được (máy chủ thư không kết nối được, quá chậm hoặc từ
    chối): thư vẫn nằm trong hộp thư đi và được gửi lại ở lần sau; 2 khi chưa cấu hình máy
    chủ thư hoặc cấu hình sai.
    """
    from scheduler.outbox import deliver, sender_from_env
    from workflow.usecases.access import Action

    ctx = context(channel="scheduler")
    run(lambda: ctx.require(Action.scan))  # who may, before what is configured is judged
    sender = run(sender_from_env)
    if sender is None:
        console(stderr=True).print(
            "Chưa cấu hình máy chủ thư (KETNAP_SMTP_HOST); thư vẫn nằm trong hộp thư đi.",
            markup=False,
        )
        raise typer.Exit(2)
    report = run(lambda: deliver(ctx, sender))
    say(report.summary())
    trouble = report.trouble()
    if trouble is not None:
        fail(trouble, FAULT_EXIT)


@scheduler_app.command("run")
def scheduler_run(
    interval: Annotated[
        int, typer.Option("--interval", help="Số giây giữa hai lần quét.", min=1, max=86_400)
    ] = 300,
    misfire_grace: Annotated[
        int,
        typer.Option(
            "--misfire-grace",
            help="Một lần quét trễ tối đa bao nhiêu giây vẫn chạy.",
            min=1,
            max=86_400,
        ),
    ] = 3600,
) -> None:
    """Chạy bộ lập lịch ở tiền cảnh: quét nhắc việc và gửi thư định kỳ; dừng bằng Ctrl+C."""
    import logging

    from scheduler.driver import Driver, DriverOptions, run_until_signalled
    from scheduler.outbox import deliver, sender_from_env
    from scheduler.scan import scan as do_scan

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    log = logging.getLogger("ketnap.scheduler")
    ctx = context(channel="scheduler")
    sender = run(sender_from_env)

    def job(should_stop: Any) -> None:
        report = do_scan(ctx, should_stop=should_stop)
        log.info(report.summary())
        if sender is not None and not should_stop():
            delivered = deliver(ctx, sender, should_stop=should_stop)
            log.info(delivered.summary())
            if delivered.trouble() is not None:
                log.warning(delivered.trouble())

    run_until_signalled(Driver(job, DriverOptions(interval, misfire_grace)))


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
    say(f"Đã thêm người nhận #{done['id']} ({done['role']}@{done['org']}).")


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


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
    app.add_typer(scheduler_app, name="scheduler")
    app.add_typer(contact_app, name="contact")
