"""Targets from a sheet (one row per organization and period): every row checked, all
written in one unit of work or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import select

from models.tables import Organization
from workflow.domain.errors import BadInput
from workflow.domain.vocabulary import TargetKind
from workflow.inputs.base import validate
from workflow.inputs.organization import TargetIn
from workflow.sheets.fields import CellError, finder, header_key, int_cell
from workflow.sheets.limits import bounded
from workflow.sheets.reading import read_table, sheet_notes
from workflow.usecases.context import Context
from workflow.usecases.targets import put_target

_ORG_HEADERS = ("ma_to_chuc", "ma", "to_chuc", "don_vi", "ten_to_chuc", "ten_don_vi")


_VALUE_HEADERS = ("chi_tieu", "so_luong", "gia_tri")


_PERIOD_HEADERS = ("nam", "ky", "nhiem_ky", "nam_nhiem_ky")


_KIND_HEADERS = ("loai", "loai_chi_tieu")


def _find(headers: list[str], names: tuple[str, ...], prefix: bool = False) -> int | None:
    for i, h in enumerate(headers):
        k = header_key(h)
        if k in names or (prefix and any(k.startswith(n + "_") for n in names)):
            return i
    return None


def import_targets(
    ctx: Context,
    path: Path,
    *,
    period: str | None = None,
    kind: str = TargetKind.ket_nap.value,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Targets from a .csv or .xlsx sheet: an organization column (code or name, matched
    without accents), a value column ("Chỉ tiêu", or "chi_tieu_2024" naming the year), and
    optionally year and kind columns. Every row is checked first; one bad cell writes
    nothing, and the message names its row and column."""
    sheet = read_table(path)
    headers = sheet.headers
    org_col = _find(headers, _ORG_HEADERS)
    value_col = _find(headers, _VALUE_HEADERS, prefix=True)
    period_col = _find(headers, _PERIOD_HEADERS)
    kind_col = _find(headers, _KIND_HEADERS)
    problems: list[tuple[str, str]] = []
    if org_col is None:
        problems.append(
            (f"{sheet.name}, dòng 1", "không có cột tổ chức ('Mã tổ chức' hoặc 'Đơn vị')")
        )
    if value_col is None:
        problems.append((f"{sheet.name}, dòng 1", "không có cột 'Chỉ tiêu'"))
    if problems:
        raise BadInput(problems)
    assert org_col is not None and value_col is not None
    from_header = header_key(headers[value_col]).rsplit("_", 1)[-1]
    default_period = period or (from_header if from_header.isdigit() else None)
    with ctx.read() as s:
        orgs = s.exec(select(Organization)).all()
    find_org = finder(orgs)
    items: list[tuple[Organization, TargetIn]] = []
    seen: dict[tuple[int, str, str], int] = {}
    for number, row in sheet.rows:
        where = f"{sheet.name}, dòng {number}"
        raw_org = str(row[org_col] or "").strip()
        org = find_org(raw_org)
        if org is None or org.id is None:
            problems.append((f"{where}, cột '{headers[org_col]}'", f"không có tổ chức '{raw_org}'"))
            continue
        data = {
            "org_code": org.code,
            "period": row[period_col] if period_col is not None else default_period,
            "kind": row[kind_col] if kind_col is not None else kind,
            "value": row[value_col],
        }
        try:
            data["value"] = int_cell(data["value"])
        except CellError as exc:
            problems.append((f"{where}, cột '{headers[value_col]}'", str(exc)))
            continue
        if data["period"] in (None, ""):
            problems.append((where, "không rõ năm: thêm cột 'Năm' hoặc dùng --period"))
            continue
        try:
            t = validate(TargetIn, data, ctx.today())
        except BadInput as exc:
            problems.extend((f"{where}, {field}", message) for field, message in exc.problems)
            continue
        key = (org.id, t.period, t.kind.value)
        if key in seen:
            problems.append((where, f"trùng với dòng {seen[key]} (cùng tổ chức, kỳ, loại)"))
            continue
        seen[key] = number
        items.append((org, t))
    if problems:
        raise BadInput(bounded(problems, 0, sheet.name))
    if not dry_run:
        with ctx.write() as s:
            for org, t in items:
                put_target(s, ctx, s.get(Organization, org.id) or org, t)
    return {
        "file": path.name,
        "rows": len(items),
        "written": 0 if dry_run else len(items),
        "total": sum(t.value for _, t in items),
        "dry_run": dry_run,
        "notes": sheet_notes(sheet),
    }
