"""`ketnap correct` (đính chính: the person's data, a recorded fact) and `ketnap findings`
(what a correction showed the committee must look at; an inspector closes it)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from commands.shell import (
    IdArg,
    JsonOpt,
    LimitOpt,
    console,
    context,
    dossier_id_of,
    headed,
    out_json,
    run,
    say,
)

correct_app = typer.Typer(
    help="Đính chính thông tin đã ghi (lý lịch người vào Đảng, giấy tờ, biểu quyết, quyết "
    "định …): giữ giá trị cũ trong nhật ký, tính lại các hạn; bước đã làm nay không đủ điều "
    "kiện thành phát hiện.",
    no_args_is_help=True,
)
findings_app = typer.Typer(
    help="Các phát hiện cần cấp ủy xem xét (mặc định: còn mở, trong phạm vi của bạn).",
    invoke_without_command=True,
)

FieldOpt = Annotated[
    str,
    typer.Option(
        "--field",
        metavar="TRƯỜNG",
        help='Trường cần đính chính: mã (birth_date) hoặc tên ("Ngày sinh").',
    ),
]
ValueOpt = Annotated[
    str, typer.Option("--value", metavar="GIÁ_TRỊ", help="Giá trị đúng (ngày dd/mm/yyyy).")
]
WhyOpt = Annotated[
    str | None, typer.Option("--reason", help="Lý do đính chính (bắt buộc, ít nhất 5 ký tự).")
]
VersionOpt = Annotated[
    int | None,
    typer.Option("--version", help="Phiên bản hồ sơ đã xem (khác thì không ghi gì).", min=1),
]


def _said(made: dict[str, Any]) -> None:
    where = f"hồ sơ #{made['dossier_id']} (nhật ký #{made['event_id']})"
    say(f"Đã đính chính {made['label']} của {where}.")
    for name, value in (made.get("fixed") or {}).items():
        shown = {"party_joined_on": "Ngày vào Đảng", "official_effective_on": "Ngày chính thức"}
        y, m, d = value.split("-")
        say(f"  {shown.get(name, name)} của hồ sơ nay là {d}/{m}/{y}.")
    warn = console(stderr=True)
    for f in made.get("findings") or []:
        warn.print(headed("Cảnh báo:", f"phát hiện #{f['id']} [{f['rule_id']}] {f['message']}"))
    if made.get("findings"):
        warn.print(
            "  Đính chính vẫn được ghi; phát hiện nằm trong `ketnap findings` chờ kết luận.",
        )


@correct_app.command("person")
def correct_person_cmd(
    dossier_id: IdArg,
    field: FieldOpt,
    value: ValueOpt,
    reason: WhyOpt = None,
    version: VersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Đính chính một thông tin của người vào Đảng (họ tên, ngày sinh, số CCCD, …)."""
    from workflow.usecases.corrections import correct_person

    ctx = context()
    made = run(
        lambda: correct_person(
            ctx, dossier_id_of(dossier_id), field, value, reason, expected_version=version
        )
    )
    out_json(made) if as_json else _said(made)


@correct_app.command("fact")
def correct_fact_cmd(
    dossier_id: IdArg,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="LOẠI",
            help="certificate | introducer | document | verification | relative | resolution "
            "| decision | ceremony | consent | prior",
            show_default=False,
        ),
    ],
    row_id: Annotated[
        str,
        typer.Argument(
            metavar="MÃ_DÒNG",
            help="Mã dòng đã ghi (xem `ketnap candidate show --json`, trường 'id').",
            show_default=False,
        ),
    ],
    field: FieldOpt,
    value: ValueOpt,
    reason: WhyOpt = None,
    version: VersionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Đính chính một thông tin của một sự kiện đã ghi (ngày, số phiếu, số quyết định …)."""
    from workflow.usecases.corrections import correct_fact

    ctx = context()
    made = run(
        lambda: correct_fact(
            ctx,
            dossier_id_of(dossier_id),
            kind,
            dossier_id_of(row_id, "Mã dòng"),
            field,
            value,
            reason,
            expected_version=version,
        )
    )
    out_json(made) if as_json else _said(made)


@correct_app.command("fields")
def correct_fields(
    kind: Annotated[
        str | None,
        typer.Argument(
            metavar="LOẠI", help="Loại sự kiện (bỏ trống: người vào Đảng).", show_default=False
        ),
    ] = None,
) -> None:
    """Các trường đính chính được: mã và tên tiếng Việt."""
    from workflow.inputs.correction import FACT_KINDS, fact_kind, fields_of, label_of
    from workflow.inputs.dossier import CandidateIn

    def listed() -> None:
        model = CandidateIn if kind is None else fact_kind(kind)
        title = "người vào Đảng" if kind is None else FACT_KINDS[kind.strip().lower()][1]
        say(f"Các trường đính chính được của {title}:")
        for name in fields_of(model):
            say(f"  {name}: {label_of(model, name)}")

    run(listed)


@findings_app.callback()
def findings(
    typer_ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Cả phát hiện đã có kết luận.")] = False,
    limit: LimitOpt = 500,
    as_json: JsonOpt = False,
) -> None:
    """Các phát hiện (mặc định: còn mở), cũ nhất trước."""
    if typer_ctx.invoked_subcommand is not None:
        return
    from commands.shell import new_table, vn
    from workflow.usecases.findings import list_findings

    ctx = context()
    rows = run(lambda: list_findings(ctx, include_closed=all_, limit=limit))
    if as_json:
        out_json(rows)
        return
    view = new_table(f"Phát hiện ({len(rows)})")
    for column in ("Mã", "Hồ sơ", "Tổ chức", "Quy định", "Bước", "Nội dung", "Ngày", "Kết luận"):
        view.add_column(column)
    for r in rows:
        view.add_row(
            str(r["id"]),
            f"#{r['dossier_id']}" if r["dossier_id"] else "",
            r["org"] or "",
            r["rule_id"],
            r["step_label"],
            r["message"],
            vn(r["raised_on"]),
            r["conclusion"] or "(chưa có)",
        )
    console().print(view)


@findings_app.command("close")
def findings_close(
    finding_id: Annotated[
        str, typer.Argument(metavar="MÃ_PHÁT_HIỆN", help="Mã phát hiện (số).", show_default=False)
    ],
    conclusion: Annotated[
        str | None,
        typer.Option(
            "--conclusion", metavar="KẾT_LUẬN", help="Kết luận (bắt buộc, ít nhất 5 ký tự)."
        ),
    ] = None,
) -> None:
    """Kết luận một phát hiện (cán bộ kiểm tra, quản trị; ghi vào nhật ký)."""
    from workflow.usecases.findings import close_finding

    ctx = context()
    run(lambda: close_finding(ctx, dossier_id_of(finding_id, "Mã phát hiện"), conclusion))
    say(f"Đã kết luận phát hiện #{finding_id}.")


def register(app: typer.Typer) -> None:
    app.add_typer(correct_app, name="correct")
    app.add_typer(findings_app, name="findings")
