"""`ketnap report progress`: the progress report on screen and as xlsx, docx and png."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from commands.shell import JsonOpt, console, context, day_of, new_table, out_json, run

report_app = typer.Typer(help="Báo cáo tiến độ kết nạp đảng viên.", no_args_is_help=True)


def _render_table(data: dict[str, Any]) -> None:
    view = new_table(f"Tiến độ kết nạp — {data['period']['label']}")
    for column in (
        "Tổ chức",
        "Chỉ tiêu",
        "Đã kết nạp",
        "% kế hoạch",
        "Cùng kỳ",
        "So cùng kỳ",
        "Dự kiến 31/12",
    ):
        view.add_column(column)
    for r in data["rows"]:
        target = "—" if r["target"] is None else str(r["target"])
        if r["target_source"] == "tổng cấp dưới":
            target += " (tổng cấp dưới)"
        elif r["own_target"] is not None and r["children_target"] not in (None, r["own_target"]):
            target += f" (cấp dưới: {r['children_target']})"
        view.add_row(
            "  " * r["depth"] + f"{r['code']} {r['name']}",
            target,
            str(r["admitted"]),
            r["percent"],
            "—" if r["prev_admitted"] is None else f"{r['prev_admitted']} ({r['prev_percent']})",
            r["change"],
            f"{r['forecast_31_12']:.1f}".replace(".", ","),
            style="bold red" if r["will_miss"] and r["depth"] <= 1 else None,
        )
    out = console()
    out.print(view)
    if data["summary"]:
        out.print(data["summary"] + ".", markup=False)
    if data.get("annulled_note"):  # L-ANNUL: an annulled admission counted out, said so
        out.print(data["annulled_note"] + ".", markup=False)
    if data["rows"]:
        top = data["rows"][0]
        out.print(
            f"Tổ chức cơ sở đảng có kết nạp: {top['base_orgs_admitting']}/{top['base_orgs']} "
            f"({top['base_share']}). Hồ sơ quá hạn: {len(data['overdue'])}.",
            markup=False,
        )
    out.print(data["forecast"]["method"], markup=False)


@report_app.command("progress")
def report_progress(
    org: Annotated[
        str | None, typer.Option("--org", help="Mã tổ chức (mặc định: toàn bộ).")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option("--period", help="nam, q1–q4, 6t, 9t hoặc nhiem-ky (mặc định: nam)."),
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Tính đến ngày dd/mm/yyyy.")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Ghi bảng tính Excel.")] = None,
    docx: Annotated[Path | None, typer.Option("--docx", help="Ghi văn bản Word.")] = None,
    png: Annotated[Path | None, typer.Option("--png", help="Ghi biểu đồ PNG.")] = None,
    place: Annotated[str, typer.Option("--place", help="Địa danh ở dòng ngày tháng.")] = "……",
    number: Annotated[str, typer.Option("--number", help="Số văn bản.")] = "   -BC/…",
    as_json: JsonOpt = False,
) -> None:
    """Báo cáo tiến độ: đã kết nạp so với chỉ tiêu, cùng kỳ năm trước, các cột phân tích,
    hồ sơ đang xử lý, hồ sơ quá hạn, dự báo đến 31/10 và 31/12."""
    from reports.progress import progress

    ctx = context()

    def go() -> dict[str, Any]:
        from workflow.domain.errors import BadInput
        from workflow.inputs.base import free_text
        from workflow.usecases.outfiles import check_target

        free_text(place, "Địa danh (--place)", 100)  # before any file is written
        free_text(number, "Số văn bản (--number)", 60)
        chosen = [(xlsx, "--xlsx", ".xlsx"), (docx, "--docx", ".docx"), (png, "--png", ".png")]
        seen: set[str] = set()
        for target, label, suffix in chosen:
            if target is None:
                continue
            field = f"Tệp sẽ ghi ({label})"
            check_target(target, field)  # before the report is computed
            if str(target.resolve()) in seen:
                raise BadInput.one(field, "trùng tên với một tệp khác của lệnh này")
            if target.suffix.lower() != suffix:
                raise BadInput.one(field, f"tên tệp phải có đuôi {suffix}")
            seen.add(str(target.resolve()))
        day = day_of(as_of, "Ngày báo cáo")
        if day is not None and not 2000 <= day.year <= 2100:
            raise BadInput.one("Ngày báo cáo", f"năm {day.year} ngoài 2000–2100")
        return progress(ctx, org, period, day)

    data = run(go)
    if as_json:
        out_json(data)
    else:
        _render_table(data)
    written = []
    if xlsx is not None:
        from reports.xlsx import write_xlsx

        run(lambda: write_xlsx(data, xlsx))
        written.append(str(xlsx))
    if docx is not None:
        from reports.docx_report import write_docx

        heading = data["heading"]
        committee = heading["committee"] or "Ban Thường vụ"
        run(
            lambda: write_docx(
                data,
                docx,
                committee=committee,
                parent=heading["parent"],
                number=number,
                place=place,
            )
        )
        written.append(str(docx))
    if png is not None:
        from reports.chart import write_png

        run(lambda: write_png(data, png))
        written.append(str(png))
    if written:
        console(stderr=True).print("Đã ghi: " + ", ".join(written), markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
