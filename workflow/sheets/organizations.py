"""Bringing in the organization tree a committee keeps in a sheet, and sending it back.

Each row goes through the same input model as `ketnap org add` (OrgIn) and the same rule
for who may sit under whom (parent_problem). A parent may be a row further down
the sheet: rows are placed parents first. A known code with a new name, sector or Đoàn /
Công đoàn flag is updated, audited; a known code under another parent or of another kind
is refused (moving a branch changes whose targets and reports it counts in: that is a
decision, not a data entry). All rows, or none.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from sqlmodel import select

from models import audit
from models.tables import Organization
from workflow.domain.vocabulary import OrgKind, Sector
from workflow.inputs.organization import OrgIn
from workflow.sheets.fields import (
    Problems,
    finder,
    header_key,
    labels,
    match_columns,
    missing_columns,
    text_cell,
    write_book,
    yes_no_cell,
)
from workflow.sheets.reading import read_table, sheet_notes
from workflow.text.vntext import fold, order_text
from workflow.usecases import tracking
from workflow.usecases.access import Action
from workflow.usecases.context import Context
from workflow.usecases.organizations import live_org, org_by_code, parent_problem, place_org

FIELDS: tuple[str, ...] = tuple(OrgIn.model_fields)
TITLES: dict[str, str] = {f: str(OrgIn.model_fields[f].title) for f in FIELDS}
ALIASES = {
    "ma": "code",
    "ma_don_vi": "code",
    "ten": "name",
    "ten_don_vi": "name",
    "loai": "kind",
    "cap_tren": "parent_code",
    "ma_cap_tren": "parent_code",
    "truc_thuoc": "parent_code",
}
SHEET_TITLE = "Tổ chức"
_CHOICES = {"kind": labels(OrgKind), "sector": labels(Sector)}
_UPDATABLE = ("name", "sector", "has_doan", "has_cong_doan")


def _cell(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in {"has_doan", "has_cong_doan", "decides_admission"}:
        return yes_no_cell(value)
    if name in _CHOICES:
        return _CHOICES[name].get(header_key(str(value)), str(value))
    return text_cell(value)


def import_organizations(ctx: Context, path: Path, *, dry_run: bool = False) -> dict[str, Any]:
    """Check every row, then (unless ``dry_run``) write them all in one transaction."""
    sheet = read_table(path)
    columns = match_columns(sheet.headers, TITLES, ALIASES)
    missing_columns(sheet.name, columns, ("code", "name", "kind"), TITLES)
    problems = Problems(sheet.name, {f: sheet.headers[i] for f, i in columns.items()}, TITLES)
    with ctx.read() as s:
        ctx.allow(s, Action.admin)
        known = s.exec(select(Organization)).all()
    by_code = {o.code: o for o in known}
    find_known = finder(known)
    rows: dict[str, tuple[int, OrgIn]] = {}
    for number, row in sheet.rows:
        data = {f: _cell(f, row[i]) for f, i in columns.items()}
        org_in = problems.checked(
            number, OrgIn, {k: v for k, v in data.items() if v is not None}, ctx.today()
        )
        if org_in is None:
            continue
        if org_in.code in rows:
            problems.cell(number, "code", f"trùng mã với dòng {rows[org_in.code][0]}")
            continue
        rows[org_in.code] = (number, org_in)
    find_in_file = finder(org for _, org in rows.values())

    def parent_of(raw: str) -> tuple[str, OrgKind] | None:
        """The parent's code and kind, from the sheet or the database (a code or a name)."""
        in_file = find_in_file(raw)
        if in_file is not None:
            return in_file.code, in_file.kind
        row = find_known(raw)
        return (row.code, OrgKind(row.kind)) if row is not None else None

    new: dict[str, tuple[OrgIn, str | None]] = {}
    updates: list[tuple[Organization, OrgIn, list[str]]] = []
    unchanged = 0
    for code, (number, org_in) in rows.items():
        bad = partial(problems.cell, number)
        parent = parent_of(org_in.parent_code) if org_in.parent_code else None
        if org_in.parent_code and parent is None:
            bad("parent_code", f"không có tổ chức '{org_in.parent_code}' (trong tệp hoặc đã có)")
            continue
        problem = parent_problem(
            org_in.kind, parent[1] if parent else None, org_in.decides_admission
        )
        if problem is not None:
            bad("parent_code", problem)
            continue
        existing = by_code.get(code)
        if existing is None:
            new[code] = (org_in, parent[0] if parent else None)
            continue
        old_parent = next((o.code for o in known if o.id == existing.parent_id), None)
        if existing.kind != org_in.kind.value or old_parent != (parent[0] if parent else None):
            bad(
                "parent_code" if existing.kind == org_in.kind.value else "kind",
                f"tổ chức {code} đã có ({OrgKind(existing.kind).label}, cấp trên "
                f"{old_parent or 'không có'}); đổi loại hoặc cấp trên không làm qua nhập tệp",
            )
            continue
        changed = [
            f
            for f in _UPDATABLE
            if f in columns and getattr(existing, f) != _value(getattr(org_in, f))
        ]
        if changed:
            updates.append((existing, org_in, changed))
        else:
            unchanged += 1
    order = _parents_first(new)
    for code in sorted(set(new) - set(order)):
        bad = partial(problems.cell, rows[code][0])
        bad("parent_code", "cấp trên vòng quanh: tổ chức này nằm dưới chính nó")
    problems.raise_any()
    if not dry_run and (new or updates):
        with ctx.write() as s:
            ctx.allow(s, Action.admin)
            for code in order:
                org_in, parent_code = new[code]
                above = (
                    live_org(org_by_code(s, parent_code), ctx.today(), "Tổ chức cấp trên")
                    if parent_code
                    else None
                )
                place_org(s, ctx, org_in, above, source=path.name)
            for existing, org_in, changed in updates:
                _update(s, ctx, existing, org_in, changed, path.name)
    return {
        "file": path.name,
        "rows": len(sheet.rows),
        "new": len(new),
        "updated": len(updates),
        "unchanged": unchanged,
        "dry_run": dry_run,
        "notes": sheet_notes(sheet),
    }


def _value(v: Any) -> Any:
    return v.value if hasattr(v, "value") else v


def _parents_first(new: dict[str, tuple[OrgIn, str | None]]) -> list[str]:
    """New codes, each after its parent when the parent is new too; a cycle is left out."""
    order: list[str] = []
    placed: set[str] = set()
    pending = list(new)
    while pending:
        ready = [c for c in pending if new[c][1] not in new or new[c][1] in placed]
        if not ready:
            break
        for code in ready:
            order.append(code)
            placed.add(code)
        pending = [c for c in pending if c not in placed]
    return order


def _update(
    s: Any, ctx: Context, existing: Organization, org_in: OrgIn, changed: list[str], source: str
) -> None:
    row = s.get(Organization, existing.id)
    for f in changed:
        setattr(row, f, _value(getattr(org_in, f)))
    if "name" in changed:
        row.name_key, row.sort_key = fold(row.name), order_text(row.name)
    s.add(row)
    tracking.bump_org_revision(s)
    audit.append(
        s,
        at=ctx.clock.now(),
        actor=ctx.actor,
        kind="admin",
        event="sua_to_chuc",
        data={
            "code": existing.code,
            "fields": changed,
            "values": {f: _value(getattr(org_in, f)) for f in changed},
            "source": source,
        },
    )


def _lines(orgs: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            o["code"],
            o["name"],
            OrgKind(o["kind"]).label,
            Sector(o["sector"]).label,
            o["parent_code"],
            "x" if o["has_doan"] else "",
            "x" if o["has_cong_doan"] else "",
            "x" if o["decides_admission"] else "",
        ]
        for o in orgs
    ]


_HELP = [
    [TITLES["code"], "chữ không dấu, số, dấu chấm, gạch ngang; không trùng"],
    [TITLES["kind"], ", ".join(k.label for k in OrgKind)],
    [TITLES["sector"], ", ".join(k.label for k in Sector)],
    [TITLES["parent_code"], "mã (hoặc tên) tổ chức cấp trên, đã có hoặc ở một dòng trong tệp"],
    [TITLES["has_doan"], "x hoặc có; để trống nếu không"],
    [
        TITLES["decides_admission"],
        "x với đảng bộ cơ sở được ủy quyền quyết định kết nạp (hoặc trực thuộc Tỉnh ủy)",
    ],
]


def write_template(path: Path) -> None:
    example = [
        {
            "code": "DB-SYT",
            "name": "Đảng bộ Sở Y tế",
            "kind": "dang_bo_co_so",
            "sector": "co_quan",
            "parent_code": "DUK-CQ",
            "has_doan": True,
            "has_cong_doan": True,
            "decides_admission": False,
        },
        {
            "code": "CB-VP-SYT",
            "name": "Chi bộ Văn phòng Sở Y tế",
            "kind": "chi_bo",
            "sector": "co_quan",
            "parent_code": "DB-SYT",
            "has_doan": True,
            "has_cong_doan": True,
            "decides_admission": False,
        },
    ]
    write_book(path, SHEET_TITLE, [TITLES[f] for f in FIELDS], _lines(example), help_rows=_HELP)


def export_organizations(ctx: Context, path: Path) -> int:
    """The organization tree in the template's layout, parents first."""
    from workflow.usecases.organizations import list_orgs

    orgs = list_orgs(ctx)
    write_book(path, SHEET_TITLE, [TITLES[f] for f in FIELDS], _lines(orgs), help_rows=_HELP)
    return len(orgs)
