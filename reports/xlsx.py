"""The progress report as an Excel workbook: a summary sheet, then one sheet per level of
the tree, with real formulas for the effective target, the percentages and the totals, so
a clerk who corrects a number in Excel sees the rest follow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workflow.usecases.outfiles import append_row, staged

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
BOLD = Font(bold=True)
PCT = "0.00%"


def _fit(ws: Worksheet) -> None:
    """Column widths that fit Vietnamese text (diacritics take no extra width)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            text = str(cell.value)
            length = 10 if text.startswith("=") else max(len(p) for p in text.split("\n"))
            widths[cell.column] = max(widths.get(cell.column, 0), length)
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)


OWN_FORMULAS = frozenset({5, 7, 10, 11})  # the columns F, H, K, L this module computes


def _level_sheet(
    wb: Workbook, title: str, rows: list[dict[str, Any]], data: dict[str, Any]
) -> None:
    ws = wb.create_sheet(title)
    labels = data["breakdown_labels"]
    headers = [
        "STT",
        "Mã",
        "Tổ chức",
        "Chỉ tiêu riêng",
        "Tổng chỉ tiêu cấp dưới",
        "Chỉ tiêu tính",
        "Đã kết nạp",
        "% kế hoạch",
        "Cùng kỳ năm trước",
        "Chỉ tiêu năm trước",
        "% cùng kỳ",
        "Chênh lệch (điểm %)",
        *labels.values(),
        "Dự kiến đến 31/10",
        "Dự kiến đến 31/12",
    ]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for i, r in enumerate(rows, start=1):
        n = i + 1
        append_row(
            ws,
            [
                i,
                r["code"],
                r["name"],
                r["own_target"],
                r["children_target"],
                f'=IF(ISNUMBER(D{n}),D{n},IF(ISNUMBER(E{n}),E{n},""))',
                r["admitted"],
                f'=IF(N(F{n})=0,"—",G{n}/F{n})',
                r["prev_admitted"],
                r["prev_target"],
                f'=IF(N(J{n})=0,"—",I{n}/J{n})',
                f'=IF(AND(ISNUMBER(H{n}),ISNUMBER(K{n})),(H{n}-K{n})*100,"—")',
                *[r["breakdown"][k] for k in labels],
                r["forecast_31_10"],
                r["forecast_31_12"],
            ],
            formulas=OWN_FORMULAS,
        )
        for col in ("H", "K"):
            ws[f"{col}{n}"].number_format = PCT
        ws[f"L{n}"].number_format = "0.00"
    last = len(rows) + 1
    total = last + 1
    ws.append(["", "", "Tổng cộng"])
    ws[f"C{total}"].font = BOLD
    sum_columns = ["D", "E", "F", "G", "I", "J"] + [
        get_column_letter(13 + k) for k in range(len(labels) + 2)
    ]
    for col in sum_columns:
        ws[f"{col}{total}"] = f"=SUM({col}2:{col}{last})"
        ws[f"{col}{total}"].font = BOLD
    ws[f"H{total}"] = f'=IF(N(F{total})=0,"—",G{total}/F{total})'
    ws[f"K{total}"] = f'=IF(N(J{total})=0,"—",I{total}/J{total})'
    ws[f"L{total}"] = f'=IF(AND(ISNUMBER(H{total}),ISNUMBER(K{total})),(H{total}-K{total})*100,"—")'
    for col in ("H", "K"):
        ws[f"{col}{total}"].number_format = PCT
    ws.freeze_panes = "D2"
    _fit(ws)
    ws.row_dimensions[1].height = 45


def write_xlsx(data: dict[str, Any], path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tổng hợp"
    ws.append(["Báo cáo tiến độ kết nạp đảng viên"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["Kỳ báo cáo", data["period"]["label"]])
    ws.append(["Tính đến ngày", data["as_of_text"]])
    if data["summary"]:
        ws.append(["Kết quả", data["summary"]])
    if data.get("annulled_note"):  # L-ANNUL
        ws.append(["Ghi chú", data["annulled_note"]])
    ws.append([])
    ws.append(["Bước", "Số hồ sơ đang xử lý"])
    head = data["rows"][0] if data["rows"] else None
    for stage, label in data["stage_labels"].items():
        ws.append([label, head["pipeline"][stage] if head else 0])
    ws.append([])
    ws.append(["Hồ sơ quá hạn", len(data["overdue"])])
    for item in data["overdue"]:
        append_row(
            ws,
            [
                f"#{item['dossier_id']} {item['full_name']} ({item['org']})",
                item["label"],
                item["due_text"],
            ],
        )
    ws.append([])
    ws.append(["Dự báo", data["forecast"]["method"]])
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 90
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    depths = sorted({r["depth"] for r in data["rows"]})
    for depth in depths:
        rows = [r for r in data["rows"] if r["depth"] == depth]
        _level_sheet(wb, f"Cấp {depth + 1}", rows, data)
    with staged(path) as temp:
        wb.save(temp)
