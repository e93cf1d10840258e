"""`ketnap audit`: the hash chain's verification, and for inspectors the installation's public
key, signed audit bundles, their offline verification and a dossier's timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commands.shell import STATE, JsonOpt, console, context, day_of, out_json, run


def key_file() -> Path:
    from workflow.domain.errors import BadInput
    from workflow.usecases.inspection import key_path

    try:
        return key_path(STATE.db)
    except ValueError as exc:
        raise BadInput.one("Khóa ký", str(exc)) from None


def existing_key() -> Path:
    path: Path = run(key_file)
    if not path.exists():
        console(stderr=True).print("Chưa có khóa ký; hãy chạy 'ketnap init'.", markup=False)
        raise typer.Exit(2)
    return path


def ensure_installation_key() -> None:
    """Made by `init` (and `demo`): the key that signs inspection bundles."""
    from workflow.usecases.inspection import ensure_key

    path = run(key_file)
    public = ensure_key(path)
    print(f"Khóa công khai để Ủy ban Kiểm tra kiểm tra gói (Ed25519): {public}")


def register(app: typer.Typer) -> None:
    audit_app.command("pubkey")(pubkey)
    audit_app.command("export")(export)
    audit_app.command("verify-bundle")(verify_bundle)
    audit_app.command("timeline")(timeline)
    app.add_typer(audit_app, name="audit")


audit_app = typer.Typer(help="Nhật ký kiểm tra (chuỗi băm).", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(as_json: JsonOpt = False) -> None:
    """Kiểm tra toàn bộ chuỗi băm của nhật ký; chỉ ra sự kiện đầu tiên bị sửa, xóa, đổi chỗ."""
    from workflow.usecases.views import verify_audit

    report = run(lambda: verify_audit(context()))
    if as_json:
        out_json(
            {
                "ok": report.ok,
                "length": report.length,
                "head_hash": report.head_hash,
                "problem_id": report.problem_id,
                "problem": report.problem,
            }
        )
    elif report.ok:
        print(f"Nhật ký toàn vẹn: {report.length} sự kiện; mã băm cuối {report.head_hash}.")
    else:
        console(stderr=True).print(f"Nhật ký KHÔNG toàn vẹn: {report.problem}", markup=False)
    if not report.ok:
        raise typer.Exit(1)


def pubkey() -> None:
    """In khóa công khai của hệ thống (trao cho Ủy ban Kiểm tra)."""
    from workflow.usecases.inspection import public_key_hex

    path = existing_key()
    print(public_key_hex(path))


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
    path = existing_key()

    made = run(
        lambda: export_bundle(
            ctx, out, path, org_code=org, start=day_of(from_, "Từ ngày"), end=day_of(to, "Đến ngày")
        )
    )
    counts = made["counts"]
    print(
        f"Đã ghi {out}: {counts['events']} sự kiện ({counts['full']} đầy đủ, {counts['stubs']} "
        f"chỉ có mã băm). Khóa công khai: {made['public_key']}"
    )
    print(made["personal_data"]["note"])


def verify_bundle(
    bundle: Annotated[Path, typer.Argument(metavar="TỆP_GÓI", help="Tệp gói kiểm tra.")],
    pubkey: Annotated[str, typer.Option("--pubkey", help="Khóa công khai (hex) được trao.")],
    as_json: JsonOpt = False,
) -> None:
    """Kiểm tra gói ở bất kỳ máy nào, không cần cơ sở dữ liệu: chữ ký, tệp, chuỗi băm."""
    from workflow.usecases.inspection import verify_bundle as verify

    report = verify(bundle, pubkey)
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
            }
        )
    elif report.ok:
        print(
            f"Gói hợp lệ: chữ ký đúng, {report.events} sự kiện #{report.first_id}–"
            f"#{report.last_id} nối liền; mã băm cuối {report.head_hash}."
        )
    else:
        err = console(stderr=True)
        err.print("Gói KHÔNG hợp lệ:", markup=False)
        for problem in report.problems:
            err.print(f"  • {problem}", markup=False)
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
    from workflow.usecases.timeline import timeline as build
    from workflow.usecases.timeline import write_timeline_docx

    ctx = context()
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
