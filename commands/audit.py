"""`ketnap audit`: the hash chain's verification, and for inspectors the installation's public
key, signed audit bundles, their offline verification and a dossier's timeline."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from commands.shell import JsonOpt, console, context, day_of, out_json, run, say

if TYPE_CHECKING:
    from workflow.usecases.context import Context


def print_key(ctx: Context) -> None:
    """After `init` and `demo`: the public key to hand to the inspectors, and where the
    private key lives (with a warning when it sits beside the database)."""
    from workflow.usecases.signing import beside_database, key_path

    signer = ctx.signer
    if signer is None:
        return
    say(f"Khóa công khai để Ủy ban Kiểm tra kiểm tra (Ed25519): {signer.public.hex()}")
    say(f"  dạng minisign: {signer.public_minisign()}")
    url = ctx.engine.url.render_as_string(hide_password=False)
    path = run(lambda: key_path(url))
    say(f"Khóa ký riêng: {path}")
    if beside_database(path, url):
        console(stderr=True).print(
            "Cảnh báo: khóa ký nằm cùng thư mục với cơ sở dữ liệu; ai chép được thư mục đó "
            "là có khóa. Hãy chuyển nó ra ngoài và đặt KETNAP_KEY (docs/inspection.md).",
            markup=False,
        )


def register(app: typer.Typer) -> None:
    audit_app.command("pubkey")(pubkey)
    audit_app.command("checkpoint")(checkpoint)
    audit_app.command("rotate-key")(rotate_key)
    audit_app.command("export")(export)
    audit_app.command("verify-bundle")(verify_bundle)
    audit_app.command("timeline")(timeline)
    app.add_typer(audit_app, name="audit")


audit_app = typer.Typer(
    help="Nhật ký kiểm tra: chuỗi băm, đầu chuỗi đã ký, điểm kiểm, gói cho Ủy ban Kiểm tra.",
    no_args_is_help=True,
)


CheckpointOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--checkpoint",
        metavar="TỆP",
        help="Điểm kiểm đã nhận (tệp .txt, chữ ký .txt.minisig bên cạnh); nhắc lại được.",
    ),
]
PubkeyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--pubkey",
        metavar="KHÓA",
        help="Khóa công khai được trao (hex hoặc dạng minisign); nhắc lại được.",
    ),
]


@audit_app.command("verify")
def audit_verify(
    checkpoint: CheckpointOpt = None,
    state: Annotated[
        bool,
        typer.Option(
            "--state",
            help="Dựng lại mọi hồ sơ từ nhật ký và so với bảng hồ sơ (bước, phiên bản, ngày).",
        ),
    ] = False,
    pubkey: PubkeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Kiểm tra nhật ký: chuỗi băm, thời gian chỉ đi tới, đầu chuỗi đã ký, các điểm kiểm
    giữ ngoài cơ sở dữ liệu, và (--state) trạng thái hồ sơ khớp với nhật ký."""
    from workflow.usecases.trust import verify_audit

    ctx = context()
    report = run(
        lambda: verify_audit(ctx, checkpoints=checkpoint or [], state=state, pubkeys=pubkey or [])
    )
    if as_json:
        out_json(report.as_dict())
    else:
        err = console(stderr=True)
        if report.problems:
            err.print("Nhật ký KHÔNG toàn vẹn:", markup=False)
            for problem in report.problems:
                err.print(f"  • {problem}", markup=False)
        else:
            say(f"Nhật ký toàn vẹn: {report.length} sự kiện; mã băm cuối {report.head_hash}.")
            if report.heads_checked:
                say(f"Đầu chuỗi đã ký khớp với toàn bộ chuỗi (khóa {', '.join(report.keys)}).")
            for cp in report.checkpoints:
                say(
                    f"Chuỗi nối tiếp điểm kiểm {cp['file']} ({cp['length']} sự kiện, "
                    f"{cp['at_text']})."
                )
        if report.state is not None and report.state_problems:
            err.print("Bảng hồ sơ KHÔNG khớp với nhật ký:", markup=False)
            for problem in report.state_problems:
                err.print(f"  • {problem}", markup=False)
        elif report.state is not None:
            say(
                f"Trạng thái khớp nhật ký: {report.state['dossiers']} hồ sơ, "
                f"{report.state['events']} sự kiện đã dựng lại."
            )
        for note in report.notes:
            err.print(f"Lưu ý: {note}", markup=False)
    if not report.ok:
        raise typer.Exit(1)


def pubkey() -> None:
    """In khóa công khai của hệ thống (trao cho Ủy ban Kiểm tra): dòng đầu dạng hex, dòng
    sau là tệp khóa công khai của minisign (lưu thành ketnap.pub để dùng minisign -p)."""
    from workflow.usecases.signing import public_file_text

    signer = context(signed_in=False).signer
    if signer is None:
        console(stderr=True).print("Chưa có khóa ký; hãy chạy 'ketnap init'.", markup=False)
        raise typer.Exit(2)
    say(signer.public.hex())
    sys.stdout.write(public_file_text(signer.public))


def checkpoint(
    out: Annotated[
        Path | None, typer.Option("--out", help="Ghi thêm điểm kiểm vào tệp này (.txt).")
    ] = None,
) -> None:
    """Phát hành một điểm kiểm ngay: độ dài và mã băm cuối của chuỗi, có chữ ký; ghi vào thư
    mục nhân chứng ngoài cơ sở dữ liệu và gửi thư cho Ủy ban Kiểm tra."""
    from workflow.usecases.checkpoints import issue_checkpoint

    ctx = context()
    made = run(lambda: issue_checkpoint(ctx, out=out))
    say(f"Đã phát hành điểm kiểm: {made.length} sự kiện, mã băm cuối {made.head_hash}.")
    for path in made.files:
        say(f"  đã ghi: {path}")
    say(f"  thư gửi Ủy ban Kiểm tra: {made.emailed}")


def rotate_key() -> None:
    """Thay khóa ký bằng khóa mới (quản trị): việc thay được ghi nhật ký, ký bằng cả khóa cũ
    và khóa mới, nên các điểm kiểm cũ vẫn kiểm tra được."""
    from workflow.usecases.keyring import rotate_key as rotate
    from workflow.usecases.signing import key_path

    ctx = context()
    url = ctx.engine.url.render_as_string(hide_password=False)
    path = run(lambda: key_path(url))
    if ctx.signer is None:
        console(stderr=True).print("Chưa có khóa ký; hãy chạy 'ketnap init'.", markup=False)
        raise typer.Exit(2)
    made = run(lambda: rotate(ctx, path))
    say(f"Đã thay khóa {made['old']} bằng khóa {made['new']}.")
    say(f"Khóa cũ được giữ ở: {made['archived']} (lưu trữ hoặc hủy theo quy chế).")
    print_key(ctx)


def export(
    out: Annotated[Path, typer.Option("--out", help="Tệp gói kiểm tra (.zip) sẽ ghi.")],
    org: Annotated[str | None, typer.Option("--org", help="Chỉ nội dung của tổ chức này.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="Từ ngày dd/mm/yyyy.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Đến ngày dd/mm/yyyy.")] = None,
) -> None:
    """Xuất gói kiểm tra có chữ ký: sự kiện nhật ký (JSON Lines), đầu và độ dài chuỗi, bộ
    quy định, lịch bổ sung, bản kê khai; kiểm tra được ở máy không có cơ sở dữ liệu."""
    from workflow.usecases.inspection import export_bundle

    ctx = context()
    made = run(
        lambda: export_bundle(
            ctx, out, org_code=org, start=day_of(from_, "Từ ngày"), end=day_of(to, "Đến ngày")
        )
    )
    counts = made["counts"]
    say(
        f"Đã ghi {out}: {counts['events']} sự kiện ({counts['full']} đầy đủ, {counts['stubs']} "
        f"chỉ có mã băm). Khóa công khai: {made['public_key']}"
    )
    say(
        f"Kèm điểm kiểm {made['checkpoint']['length']} sự kiện (cũng đã ghi vào thư mục "
        "nhân chứng)."
    )
    say(made["personal_data"]["note"])


def verify_bundle(
    bundle: Annotated[Path, typer.Argument(metavar="TỆP_GÓI", help="Tệp gói kiểm tra.")],
    pubkey: Annotated[
        str,
        typer.Option("--pubkey", metavar="KHÓA", help="Khóa công khai được trao (hex/minisign)."),
    ],
    checkpoint: CheckpointOpt = None,
    earlier: Annotated[
        list[Path] | None,
        typer.Option("--earlier", metavar="TỆP_GÓI", help="Gói đã nhận trước; nhắc lại được."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Kiểm tra gói ở bất kỳ máy nào, không cần cơ sở dữ liệu: chữ ký, tệp, chuỗi băm; và
    gói có nối tiếp các điểm kiểm, các gói đã nhận trước không."""
    from workflow.usecases.inspection import verify_bundle as verify

    report = run(lambda: verify(bundle, pubkey, checkpoint or [], earlier or []))
    if as_json:
        out_json(
            {
                "ok": report.ok,
                "problems": report.problems,
                "events": report.events,
                "full": report.full,
                "stubs": report.stubs,
                "first_id": report.first_id,
                "last_id": report.last_id,
                "head_hash": report.head_hash,
                "notes": report.notes,
            }
        )
    elif report.ok:
        for what in report.extended:
            say(f"Gói nối tiếp {what}.")
        say(
            f"Gói hợp lệ: chữ ký đúng, {report.events} sự kiện #{report.first_id}–"
            f"#{report.last_id} nối liền; mã băm cuối {report.head_hash}."
        )
    else:
        err = console(stderr=True)
        err.print("Gói KHÔNG hợp lệ:", markup=False)
        for problem in report.problems:
            err.print(f"  • {problem}", markup=False)
    if not as_json:
        for note in report.notes:
            console(stderr=True).print(f"Lưu ý: {note}", markup=False)
    if not report.ok:
        raise typer.Exit(1)


def timeline(
    dossier_id: Annotated[str, typer.Argument(metavar="MÃ_HỒ_SƠ", help="Mã hồ sơ.")],
    docx: Annotated[Path | None, typer.Option("--docx", help="Ghi thêm văn bản Word.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Diễn biến một hồ sơ cho Ủy ban Kiểm tra: từng bước, ngày, người làm, bộ quy định,
    thời hạn đúng hay muộn bao nhiêu ngày làm việc, lý do trả lại, từ chối, lễ muộn."""
    from commands.shell import dossier_id_of, table
    from workflow.usecases.outfiles import check_target
    from workflow.usecases.timeline import timeline as build
    from workflow.usecases.timeline import write_timeline_docx

    ctx = context()
    if docx is not None:  # a file that cannot be written is said before anything is shown
        run(lambda: check_target(docx))
    data = run(lambda: build(ctx, dossier_id_of(dossier_id)))
    if as_json:
        out_json(data)
    else:
        table(
            f"Diễn biến hồ sơ #{data['dossier_id']} ({data['stage_label']})",
            ["Ngày", "Việc", "Bước", "Người làm", "Bộ quy định", "Thời hạn, lý do"],
            [
                [
                    s["on_text"],
                    s["event_label"],
                    f"{s['from']} → {s['to']}" if s["kind"] == "transition" else s["to"],
                    s["actor"],
                    s["rule_set_id"],
                    " · ".join(
                        ([s["deadline"]["status"]] if s["deadline"] else [])
                        + ([s["reason"]] if s["reason"] else [])
                    ),
                ]
                for s in data["steps"]
            ],
        )
    if docx is not None:
        run(lambda: write_timeline_docx(data, docx))
        console(stderr=True).print(f"Đã ghi: {docx}", markup=False)
