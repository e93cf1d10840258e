"""Commands for the clerks' sheets: `template KIND`, `import F`, `export KIND`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from commands.shell import JsonOpt, console, context, out_json, run, say

template_app = typer.Typer(help="Mẫu bảng tính để nhập dữ liệu.", no_args_is_help=True)
export_app = typer.Typer(help="Xuất dữ liệu ra bảng tính theo mẫu.", no_args_is_help=True)
OutOpt = Annotated[Path, typer.Option("--out", help="Tệp .xlsx sẽ ghi.")]


class SheetKind(StrEnum):
    candidates = "candidates"
    classes = "classes"
    organizations = "organizations"
    targets = "targets"


def register(app: typer.Typer) -> None:
    app.add_typer(template_app, name="template")
    app.add_typer(export_app, name="export")
    app.command("import")(import_file)


@template_app.command("candidates")
def template_candidates(out: OutOpt) -> None:
    """Mẫu danh sách quần chúng: người, giai đoạn hồ sơ và các mốc đã có; trang hướng dẫn."""
    from workflow.sheets.candidate_export import write_template

    run(lambda: write_template(out))
    say(f"Đã ghi mẫu {out}.")


@template_app.command("classes")
def template_classes(out: OutOpt) -> None:
    """Mẫu danh sách học viên lớp bồi dưỡng nhận thức về Đảng, với giấy chứng nhận."""
    from workflow.sheets.classes import write_template

    run(lambda: write_template(out))
    say(f"Đã ghi mẫu {out}.")


@template_app.command("organizations")
def template_organizations(out: OutOpt) -> None:
    """Mẫu danh sách tổ chức đảng (mã, tên, loại, cấp trên)."""
    from workflow.sheets.organizations import write_template

    run(lambda: write_template(out))
    say(f"Đã ghi mẫu {out}.")


@export_app.command("candidates")
def export_candidates(
    out: OutOpt,
    org: Annotated[str | None, typer.Option("--org", help="Chỉ tổ chức này (và cấp dưới).")] = None,
) -> None:
    """Xuất danh sách quần chúng theo đúng mẫu nhập (có số CCCD: ghi nhật ký)."""
    from workflow.sheets.candidate_export import export_candidates as export

    ctx = context()
    count = run(lambda: export(ctx, out, org))
    say(f"Đã ghi {count} người vào {out}.")


@export_app.command("classes")
def export_classes(out: OutOpt) -> None:
    """Xuất các lớp và học viên theo đúng mẫu nhập (có số CCCD: ghi nhật ký)."""
    from workflow.sheets.classes import export_classes as export

    ctx = context()
    count = run(lambda: export(ctx, out))
    say(f"Đã ghi {count} học viên vào {out}.")


@export_app.command("organizations")
def export_organizations(out: OutOpt) -> None:
    """Xuất cây tổ chức theo đúng mẫu nhập."""
    from workflow.sheets.organizations import export_organizations as export

    ctx = context()
    count = run(lambda: export(ctx, out))
    say(f"Đã ghi {count} tổ chức vào {out}.")


def import_file(
    path: Annotated[
        Path, typer.Argument(metavar="TỆP", help="Tệp .xlsx hoặc .csv theo một mẫu của ketnap.")
    ],
    kind: Annotated[
        SheetKind | None,
        typer.Option("--kind", help="Loại danh sách; bỏ trống để nhận ra từ dòng tiêu đề."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Nhập một danh sách (quần chúng, lớp bồi dưỡng, tổ chức, chỉ tiêu): kiểm tra mọi dòng
    trước, ghi tất cả hoặc không ghi gì; nhập lại cùng tệp không thay đổi gì."""
    from rich.progress import Progress

    from workflow.sheets.kinds import import_file as import_any

    ctx = context(channel="import")
    with Progress(console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("Kiểm tra các dòng", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        def attempt() -> dict[str, Any]:
            from workflow.domain.errors import BadInput, KetnapError

            try:
                return import_any(
                    ctx, path, kind.value if kind else None, dry_run=dry_run, progress=step
                )
            except KetnapError as exc:
                if not as_json:
                    raise
                bar.stop()
                problems = exc.problems if isinstance(exc, BadInput) else [("", str(exc))]
                out_json(
                    {
                        "ok": False,
                        "file": path.name,
                        "exit_code": exc.exit_code,
                        "problems": [{"field": f, "message": m} for f, m in problems],
                    }
                )
                raise typer.Exit(exc.exit_code) from None

        report: dict[str, Any] = run(attempt)
    if as_json:
        out_json(report)
        return
    verb = "Kiểm tra xong (chưa ghi)" if dry_run else "Đã nhập"
    say(f"{verb} {report['file']}: {_summary(report)}.")
    _print_notes(report)


def _summary(r: dict[str, Any]) -> str:
    if r["kind"] == SheetKind.candidates:
        closed = f", {r['closed']} hồ sơ đã kết thúc (bỏ qua)" if r.get("closed") else ""
        return (
            f"{r['rows']} dòng — {r['new']} người mới, {r['updated']} cập nhật, "
            f"{r['unchanged']} không đổi{closed}"
        )
    if r["kind"] == SheetKind.organizations:
        return (
            f"{r['rows']} dòng — {r['new']} tổ chức mới, {r['updated']} cập nhật, "
            f"{r['unchanged']} không đổi"
        )
    if r["kind"] == SheetKind.classes:
        return (
            f"{r['rows']} dòng — {r['classes_new']} lớp mới, {r['classes_updated']} lớp cập "
            f"nhật; {r['learners']} học viên ({r['learners_written']} ghi mới), "
            f"{r['certificates']} có giấy chứng nhận"
        )
    return f"{r['rows']} chỉ tiêu, tổng {r['total']}"


def _print_notes(report: dict[str, Any]) -> None:
    by_stage = report.get("new_by_stage", {})
    if any(stage != "Nguồn" for stage in by_stage):
        say("Người mới theo giai đoạn: " + ", ".join(f"{s} {n}" for s, n in by_stage.items()))
    if report.get("at_source"):
        say(
            f"{report['at_source']} học viên còn ở giai đoạn Nguồn: chuyển sang 'Học lớp nhận "
            "thức' bằng 'ketnap advance'."
        )
    notes = report.get("notes", {})
    if notes.get("hidden_sheets"):
        from workflow.text.vntext import visible

        print(
            "Trang ẩn không được nhập: "
            + ", ".join(f"'{visible(name)}'" for name in notes["hidden_sheets"])
            + "; chỉ nhập trang đầu tiên đang hiện."
        )
    if report.get("closed"):
        print(
            f"{report['closed']} dòng là hồ sơ đã kết thúc (đảng viên chính thức, rút, xóa tên, "
            "không đạt) đã có và không đổi: bỏ qua, không nhập lại."
        )
    if notes.get("excel_dates"):
        say(f"{notes['excel_dates']} ô ngày là số ngày của Excel, đã đổi ra ngày.")
    if notes.get("legacy_columns"):
        say("Cột gõ bằng mã cũ đã đổi sang Unicode: " + ", ".join(notes["legacy_columns"]))
    if notes.get("cccd_zero"):
        say(f"{notes['cccd_zero']} ô CCCD kiểu số bị Excel bỏ số 0 đầu, đã thêm lại.")
    for line in notes.get("stage_kept", []):
        say(f"Giữ nguyên giai đoạn ({line}); chuyển bước bằng 'ketnap advance'.")
