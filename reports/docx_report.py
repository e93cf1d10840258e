"""The progress report as a Party document (python-docx), laid out the way committees
write them (HD 36-HD/VPTW on the form of Party documents): the two-column heading with the
committee's name and "ĐẢNG CỘNG SẢN VIỆT NAM", "Số …-BC/…", the place and the date in words,
the title, the body with its table, "Nơi nhận" and the signature block."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from workflow.text.vntext import count
from workflow.usecases.outfiles import staged

FONT = "Times New Roman"


def date_line(place: str, day: date) -> str:
    """'Bảo Lâm, ngày 18 tháng 6 năm 2021' (months and days without a leading zero)."""
    return f"{place}, ngày {day.day:02d} tháng {day.month} năm {day.year}"


def _no_borders(table: Any) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _para(
    cell_or_doc: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = 13,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    underline: bool = False,
) -> Any:
    cell_start = hasattr(cell_or_doc, "_tc") and len(cell_or_doc.paragraphs) == 1
    if cell_start and not cell_or_doc.paragraphs[0].runs:
        paragraph = cell_or_doc.paragraphs[0]  # a new cell's own empty first paragraph
    else:
        paragraph = cell_or_doc.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = FONT
    return paragraph


def write_docx(
    data: dict[str, Any],
    path: Path,
    *,
    committee: str,
    parent: str | None,
    number: str,
    place: str,
    signer_title: str = "PHÓ BÍ THƯ",
) -> None:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)

    head = doc.add_table(rows=1, cols=2)
    _no_borders(head)
    left, right = head.rows[0].cells
    head.autofit = False
    head.columns[0].width, head.columns[1].width = Cm(7.5), Cm(9)
    left.width, right.width = Cm(7.5), Cm(9)
    if parent:
        _para(left, parent.upper())
    _para(left, committee.upper(), bold=True)
    _para(left, "*")
    _para(left, f"Số {number}")
    _para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=14)
    _para(right, "")
    _para(right, date_line(place, date.fromisoformat(data["as_of"])), italic=True, size=14)

    _para(doc, "")
    _para(doc, "BÁO CÁO", bold=True, size=15)
    _para(doc, "Tình hình, kết quả công tác tạo nguồn, phát triển đảng viên", bold=True, size=14)
    _para(doc, data["period"]["label"], bold=True, size=14)
    _para(doc, "-----", size=14)

    def body(text: str) -> None:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1.27)
        p.paragraph_format.space_after = Pt(6)
        run = p.add_run(text)
        run.font.name, run.font.size = FONT, Pt(14)

    top = data["rows"][0] if data["rows"] else None
    if data["summary"]:
        body(f"Trong {data['period']['label']}, toàn Đảng bộ {data['summary'].lower()}.")
    if data.get("annulled_note"):  # L-ANNUL
        body(data["annulled_note"] + ".")
    if top is not None:
        body(
            "Số tổ chức cơ sở đảng kết nạp được đảng viên: "
            f"{count(top['base_orgs_admitting'])}/{count(top['base_orgs'])}, "
            f"đạt {top['base_share']}."
        )
        parts = [
            f"{label.lower()} {top['breakdown'][key]}"
            for key, label in data["breakdown_labels"].items()
            if top["breakdown"][key]
        ]
        if parts:
            body("Trong số đảng viên mới kết nạp có: " + "; ".join(parts) + ".")
        waiting = [
            f"{label.lower()} {top['pipeline'][stage]}"
            for stage, label in data["stage_labels"].items()
            if top["pipeline"][stage]
        ]
        if waiting:
            body("Hồ sơ đang xử lý: " + "; ".join(waiting) + ".")
        body(
            f"Dự kiến đến 31/10 kết nạp khoảng {top['forecast_31_10']:.0f} và đến 31/12 khoảng "
            f"{top['forecast_31_12']:.0f} đảng viên. {data['forecast']['method']}"
        )
    if data["overdue"]:
        body(f"Có {len(data['overdue'])} hồ sơ quá hạn cần đôn đốc (xem danh sách kèm theo).")

    columns = ["STT", "Tổ chức", "Chỉ tiêu", "Đã kết nạp", "% kế hoạch", "Cùng kỳ", "So cùng kỳ"]
    widths = [Cm(1.1), Cm(5.4), Cm(2.4), Cm(1.8), Cm(2.0), Cm(1.8), Cm(2.0)]  # 16,5 cm of text
    table = doc.add_table(rows=1, cols=len(columns))
    table.autofit = False
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        _para(cell, text, bold=True, size=12)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width  # the cells Word reads
    for i, r in enumerate(data["rows"], start=1):
        cells = table.add_row().cells
        target = "—" if r["target"] is None else str(r["target"])
        if r["target_source"] == "tổng cấp dưới":
            target += " (tổng cấp dưới)"
        elif r["own_target"] is not None and r["children_target"] not in (None, r["own_target"]):
            target += f" (cấp dưới: {r['children_target']})"
        values = [
            str(i),
            "   " * r["depth"] + r["name"],
            target,
            str(r["admitted"]),
            r["percent"],
            "—" if r["prev_admitted"] is None else str(r["prev_admitted"]),
            r["change"].replace(" điểm phần trăm", " điểm %"),
        ]
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
        for j, (cell, text) in enumerate(zip(cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if j == 1 else WD_ALIGN_PARAGRAPH.CENTER
            _para(cell, text, size=12, align=align, bold=r["depth"] == 0)

    _para(doc, "")
    foot = doc.add_table(rows=1, cols=2)
    _no_borders(foot)
    left, right = foot.rows[0].cells
    _para(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in (
        "- Cấp ủy cấp trên (để báo cáo),",
        "- Các chi bộ, đảng bộ cơ sở,",
        "- Lưu Văn phòng.",
    ):
        _para(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(right, "T/M BAN THƯỜNG VỤ", bold=True, size=14)
    _para(right, signer_title, bold=True, size=14)
    for _ in range(3):
        _para(right, "")
    _para(right, "(Ký, ghi rõ họ tên)", italic=True, size=12)
    with staged(path) as temp:
        doc.save(str(temp))
