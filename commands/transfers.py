"""`ketnap transfer` (send, receive, cancel, list): a dossier moving to another chi bộ
(L-TRANSFER); `ketnap designate`: the chi bộ a superior committee designates to help a
candidate whose place has no Party member (L-NO-MEMBER)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from commands.shell import IdArg, JsonOpt, context, dossier_id_of, listing, out_json, run, say, vn

transfer_app = typer.Typer(
    help="Chuyển sinh hoạt đảng: gửi, nhận, hủy, xem danh sách (L-TRANSFER).",
    no_args_is_help=True,
)

TransferIdArg = Annotated[
    str, typer.Argument(metavar="MÃ_CHUYỂN", help="Mã lần chuyển ('ketnap transfer list').")
]


@transfer_app.command("send")
def transfer_send(
    dossier_id: IdArg,
    to: Annotated[
        str | None, typer.Option("--to", metavar="MÃ_CHI_BỘ", help="Mã chi bộ nhận.")
    ] = None,
    letter_number: Annotated[
        str | None,
        typer.Option(
            "--letter-number", metavar="SỐ_HIỆU", help="Số giấy giới thiệu sinh hoạt đảng."
        ),
    ] = None,
    letter_on: Annotated[
        str | None,
        typer.Option("--letter-on", metavar="dd/mm/yyyy", help="Ngày giấy giới thiệu dd/mm/yyyy."),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Lý do chuyển.")] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Phiên bản hồ sơ bạn đã xem (chống ghi đè).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Chuyển hồ sơ (người đang xét kết nạp hoặc đảng viên dự bị) sang chi bộ khác."""
    from workflow.domain.errors import BadInput
    from workflow.usecases.transfers import send

    ctx = context()

    def go() -> Any:
        if version is not None and not version.isdigit():
            raise BadInput.one("Phiên bản", f"'{version[:20]}' không phải số")
        data = {
            "to_code": to or "",
            "letter_number": letter_number or "",
            "letter_on": letter_on,
            "reason": reason or "",
        }
        return send(
            ctx,
            dossier_id_of(dossier_id),
            data,
            expected_version=int(version) if version else None,
        )

    done = run(go)
    if as_json:
        out_json(done)
        return
    _said(done)


@transfer_app.command("receive")
def transfer_receive(
    transfer_id: TransferIdArg,
    on: Annotated[
        str | None,
        typer.Option(
            "--on", metavar="dd/mm/yyyy", help="Ngày chi bộ nhận giấy giới thiệu dd/mm/yyyy."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Cấp ủy bên nhận ghi nhận giấy giới thiệu: hồ sơ chuyển sang chi bộ nhận."""
    from workflow.usecases.transfers import receive

    ctx = context()
    done = run(lambda: receive(ctx, dossier_id_of(transfer_id, "Mã chuyển"), {"received_on": on}))
    if as_json:
        out_json(done)
        return
    _said(done)


@transfer_app.command("cancel")
def transfer_cancel(
    transfer_id: TransferIdArg,
    reason: Annotated[str | None, typer.Option("--reason", help="Lý do hủy.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Hủy một lần chuyển chưa được bên nhận ghi nhận (hồ sơ ở lại chi bộ cũ)."""
    from workflow.usecases.transfers import cancel

    ctx = context()
    done = run(
        lambda: cancel(ctx, dossier_id_of(transfer_id, "Mã chuyển"), {"reason": reason or ""})
    )
    if as_json:
        out_json(done)
        return
    _said(done)


@transfer_app.command("list")
def transfer_list(
    dossier: Annotated[
        str | None, typer.Option("--dossier", metavar="MÃ_HỒ_SƠ", help="Chỉ của một hồ sơ.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Các lần chuyển sinh hoạt gửi đi hoặc gửi đến tổ chức trong phạm vi của bạn."""
    from workflow.usecases.transfers import list_transfers

    ctx = context()
    rows = run(lambda: list_transfers(ctx, dossier_id=dossier_id_of(dossier) if dossier else None))
    listing(
        rows,
        as_json,
        "Chuyển sinh hoạt đảng",
        ["Mã", "Hồ sơ", "Từ", "Đến", "Giấy giới thiệu", "Tình trạng"],
        lambda r: [
            r["id"],
            f"#{r['dossier_id']}",
            r["from"]["code"],
            r["to"]["code"],
            f"{r['letter_number']} ngày {vn(r['letter_on'])}",
            r["status_label"]
            + (f" {vn(r['received_on'])}" if r["received_on"] else "")
            + (" (quá 30 ngày)" if r["late"] else ""),
        ],
    )


def _said(done: dict[str, Any]) -> None:
    frm, to = done["from"], done["to"]
    say(
        f"Chuyển sinh hoạt #{done['id']}: hồ sơ #{done['dossier_id']} từ {frm['name']} "
        f"({frm['code']}) sang {to['name']} ({to['code']}) — {done['status_label']}"
        + (f" ngày {vn(done['received_on'])}" if done["received_on"] else "")
        + f" (phiên bản hồ sơ {done['version']}, L-TRANSFER)."
    )
    if done["status"] == "dang_chuyen":
        say(
            f"  Hồ sơ vẫn thuộc {frm['name']} tới khi cấp ủy bên nhận ghi nhận: "
            f"'ketnap transfer receive {done['id']} --on dd/mm/yyyy' (giấy giới thiệu nộp "
            "trong 30 ngày)."
        )
    if done["late"]:
        say("  Lưu ý [L-TRANSFER] giấy giới thiệu nộp quá 30 ngày kể từ ngày ký.")
    if done["redo"] and done["status"] != "huy":
        say("  Chi bộ nhận phải làm lại:")
        for item in done["redo"]:
            say(f"   - [{item['rule_id']}] {item['label']}")


def designate(
    dossier_id: IdArg,
    chi_bo: Annotated[
        str | None, typer.Option("--chi-bo", metavar="MÃ_CHI_BỘ", help="Mã chi bộ được chỉ định.")
    ] = None,
    number: Annotated[str | None, typer.Option("--number", help="Số quyết định.")] = None,
    signed_on: Annotated[
        str | None, typer.Option("--signed-on", metavar="dd/mm/yyyy", help="Ngày ký dd/mm/yyyy.")
    ] = None,
    place: Annotated[
        str | None, typer.Option("--place", help="Nơi người vào Đảng chưa có đảng viên.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Cấp ủy cấp trên chỉ định chi bộ giúp đỡ người vào Đảng (L-NO-MEMBER)."""
    from workflow.usecases.designations import designate as do_designate

    ctx = context()
    data = {
        "chi_bo_code": chi_bo or "",
        "number": number or "",
        "signed_on": signed_on,
        "place": place or "",
    }
    done = run(lambda: do_designate(ctx, dossier_id_of(dossier_id), data))
    if as_json:
        out_json(done)
        return
    say(
        f"Hồ sơ #{done['dossier_id']}: {done['by']['name']} chỉ định {done['chi_bo']['name']} "
        f"({done['chi_bo']['code']}) giúp đỡ, quyết định số {done['number']} ngày "
        f"{vn(done['signed_on'])} (L-NO-MEMBER). Chi bộ này được ghi nhận, biểu quyết trên "
        "hồ sơ."
    )


def register(app: typer.Typer) -> None:
    app.add_typer(transfer_app, name="transfer")
    app.command("designate")(designate)
