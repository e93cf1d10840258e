"""Commands for the clerks' sheets: `template candidates`, `import`, `export candidates`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from commands.shell import JsonOpt, console, context, out_json, run

template_app = typer.Typer(help="Mẫu bảng tính để nhập dữ liệu.", no_args_is_help=True)
export_app = typer.Typer(help="Xuất dữ liệu ra bảng tính theo mẫu.", no_args_is_help=True)
OutOpt = Annotated[Path, typer.Option("--out", help="Tệp .xlsx sẽ ghi.")]


def register(app: typer.Typer) -> None:
    app.add_typer(template_app, name="template")
    app.add_typer(export_app, name="export")
    app.command("import")(import_file)


@template_app.command("candidates")
def template_candidates(out: OutOpt) -> None:
    """Mẫu danh sách quần chúng: các cột, một dòng ví dụ, trang hướng dẫn giá trị."""
    from workflow.importer import write_template

    write_template(out)
    print(f"Đã ghi mẫu {out}.")


@export_app.command("candidates")
def export_candidates(
    out: OutOpt,
    org: Annotated[str | None, typer.Option("--org", help="Chỉ tổ chức này (và cấp dưới).")] = None,
) -> None:
    """Xuất danh sách quần chúng theo đúng mẫu nhập (có số CCCD: ghi nhật ký)."""
    from workflow.importer import export_candidates as export

    ctx = context()
    count = run(lambda: export(ctx, out, org))
    print(f"Đã ghi {count} người vào {out}.")


def import_file(
    path: Annotated[Path, typer.Argument(help="Tệp .xlsx hoặc .csv theo mẫu quần chúng.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Nhập danh sách quần chúng: kiểm tra mọi dòng trước, ghi tất cả hoặc không ghi gì;
    nhập lại cùng tệp không thay đổi gì; người đã có (cùng CCCD) được cập nhật."""
    from rich.progress import Progress

    from workflow.importer import import_candidates

    ctx = context()
    with Progress(console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("Kiểm tra các dòng", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report: dict[str, Any] = run(
            lambda: import_candidates(ctx, path, dry_run=dry_run, progress=step)
        )
    if as_json:
        out_json(report)
        return
    verb = "Kiểm tra xong (chưa ghi)" if dry_run else "Đã nhập"
    print(
        f"{verb} {report['file']}: {report['rows']} dòng — {report['new']} người mới, "
        f"{report['updated']} cập nhật, {report['unchanged']} không đổi."
    )
    if any(stage != "Nguồn" for stage in report["new_by_stage"]):
        print(
            "Người mới theo giai đoạn: "
            + ", ".join(f"{stage} {n}" for stage, n in report["new_by_stage"].items())
        )
    notes = report["notes"]
    if notes.get("excel_dates"):
        print(f"{notes['excel_dates']} ô ngày sinh là số ngày của Excel, đã đổi ra ngày.")
    if notes.get("legacy_columns"):
        print("Cột gõ bằng mã cũ đã đổi sang Unicode: " + ", ".join(notes["legacy_columns"]))
    if notes.get("cccd_zero"):
        print(f"{notes['cccd_zero']} ô CCCD kiểu số bị Excel bỏ số 0 đầu, đã thêm lại.")
    for line in notes.get("stage_kept", []):
        print(f"Giữ nguyên giai đoạn ({line}); chuyển bước bằng 'ketnap advance'.")
