"""Targets (chỉ tiêu): set one, set a school's from the seed's norms, import a sheet, list.

Each target is one row per (organization, period, kind), the period a year or a term. A
parent's own target is kept apart from the sum of its children's: real reports disagree
with themselves (Quảng Nam 2024: 1,905 published for the province, 1,950 in its parts), so
the roll-up shows both and never replaces one with the other (reports/progress.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from models import audit
from models.tables import Organization, Target
from workflow.domain.errors import BadInput
from workflow.domain.facts import SchoolLevel, TargetKind
from workflow.inputs.dossier import TargetIn, validate
from workflow.sheets.fields import finder, header_key
from workflow.sheets.reading import read_table
from workflow.usecases import tracking
from workflow.usecases.access import Action
from workflow.usecases.context import Context, replace_row
from workflow.usecases.organizations import org_by_code

# Seed 001, per school level: (kind, the least a year, the most when the seed gives a range)
SCHOOL_TARGETS: dict[SchoolLevel, tuple[tuple[TargetKind, int, int | None], ...]] = {
    SchoolLevel.thpt: ((TargetKind.cam_tinh, 15, 20), (TargetKind.ket_nap, 5, None)),
    SchoolLevel.cao_dang: ((TargetKind.cam_tinh, 5, 10), (TargetKind.ket_nap, 3, None)),
}


def _put(s: Session, ctx: Context, org: Organization, t: TargetIn) -> dict[str, Any]:
    """Store one target in place of the previous one, audited; this year's admission
    target moves the organization's planning deadlines in the same transaction."""
    assert org.id is not None
    ctx.allow(s, Action.plan, org.id)
    old = s.exec(
        select(Target).where(
            Target.org_id == org.id, Target.period == t.period, Target.kind == t.kind.value
        )
    ).first()
    previous = old.value if old else None
    new = Target(
        org_id=org.id,
        period=t.period,
        kind=t.kind.value,
        value=t.value,
        set_by=ctx.actor,
        set_at=ctx.clock.now(),
    )
    replace_row(s, old, new)
    if t.kind is TargetKind.ket_nap and t.year == ctx.today().year:
        orgs = set(tracking.OrgTree(s).ancestors(org.id))
        tracking.sync_cycle(s, ctx.today().year, ctx.today(), ctx.clock.now(), org_ids=orgs)
    made = {"org": org.code, "period": t.period, "kind": t.kind.value, "value": t.value}
    audit.append(
        s,
        at=ctx.clock.now(),
        actor=ctx.actor,
        kind="admin",
        event="dat_chi_tieu",
        data={**made, "previous": previous},
    )
    return made


def set_target(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    t = validate(TargetIn, data, ctx.today())
    with ctx.write() as s:
        return _put(s, ctx, org_by_code(s, t.org_code), t)


def set_school_targets(ctx: Context, org_code: str, year: str, level: str) -> list[dict[str, Any]]:
    """The seed's norms for a school, each at its least (a range is kept in the note)."""
    try:
        lvl = SchoolLevel(level)
    except ValueError:
        raise BadInput.one(
            "Cấp trường", f"'{level}' không hợp lệ; chọn: {', '.join(SchoolLevel)}"
        ) from None
    items = [
        validate(
            TargetIn, {"org_code": org_code, "period": year, "kind": k, "value": v}, ctx.today()
        )
        for k, v, _ in SCHOOL_TARGETS[lvl]
    ]
    with ctx.write() as s:
        org = org_by_code(s, org_code)
        return [_put(s, ctx, org, t) for t in items]


def list_targets(ctx: Context, period: str | None = None) -> list[dict[str, Any]]:
    with ctx.read() as s:
        query = select(Target, Organization).join(Organization)
        if period is not None:
            query = query.where(Target.period == period)
        rows = s.exec(query.order_by(col(Target.period), col(Organization.code))).all()
    return [
        {
            "org": o.code,
            "org_name": o.name,
            "period": t.period,
            "kind": t.kind,
            "kind_label": TargetKind(t.kind).label,
            "value": t.value,
            "set_by": t.set_by,
        }
        for t, o in rows
    ]


# --- import from a sheet ---------------------------------------------------------------------

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
        raise BadInput(problems)
    if not dry_run:
        with ctx.write() as s:
            for org, t in items:
                _put(s, ctx, s.get(Organization, org.id) or org, t)
    return {
        "file": path.name,
        "rows": len(items),
        "written": 0 if dry_run else len(items),
        "total": sum(t.value for _, t in items),
        "dry_run": dry_run,
    }
