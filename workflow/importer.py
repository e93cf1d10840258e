"""Bringing in the candidates' sheets clerks already keep, and sending them back.

The template's headers are the input model's field titles ("Họ và tên", "Ngày sinh", "Số
CCCD" …); a sheet's headers are matched to them without accents, case or spacing, so a
clerk's own sheet works when its columns say the same things. Every row goes through the
same input model as the CLI (CandidateIn), plus the checks only a file needs: an unknown
chi bộ, the same CCCD twice in the file, the same person already in another organization.
Nothing is written unless every row is right; a second import of the same file changes
nothing; a row whose person exists (same CCCD, same chi bộ) updates what changed, audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from models import audit
from models.tables import Candidate, Dossier, Organization
from workflow.access import Action, scope_ids
from workflow.errors import BadInput
from workflow.facts import Education, Occupation, OrgKind, Sex
from workflow.inputs import CandidateIn, validate
from workflow.process import Stage
from workflow.service import CELLS, Context
from workflow.sheets import read_table
from workflow.vntext import fold

# The template's columns, in order: the input model's own titles.
FIELDS: tuple[str, ...] = (
    "full_name",
    "birth_date",
    "sex",
    "ethnicity",
    "religion",
    "cccd",
    "education",
    "occupation",
    "doan_member",
    "cong_doan_member",
    "residence",
    "org_code",
)
TITLES: dict[str, str] = {f: str(CandidateIn.model_fields[f].title) for f in FIELDS}
ALIASES: dict[str, str] = {
    "ho_ten": "full_name",
    "ten": "full_name",
    "cccd": "cccd",
    "so_can_cuoc": "cccd",
    "can_cuoc_cong_dan": "cccd",
    "hoc_van": "education",
    "ma_chi_bo": "org_code",
    "to_chuc": "org_code",
}
EXCEL_EPOCH = date(1899, 12, 30)
_TRUE = {"x", "co", "1", "true", "dung"}
_FALSE = {"", "khong", "0", "false"}
_UPDATABLE = (
    "full_name",
    "ethnicity",
    "religion",
    "education",
    "occupation",
    "doan_member",
    "cong_doan_member",
    "residence",
)


@lru_cache(maxsize=4096)
def _key(header: str) -> str:
    """A header or a word as an identifier; cached: a sheet repeats the same few words."""
    return "_".join(fold(header).replace("-", " ").replace("/", " ").split())


def _columns(headers: list[str]) -> dict[str, int]:
    by_key = {_key(title): f for f, title in TITLES.items()} | ALIASES
    found: dict[str, int] = {}
    for i, header in enumerate(headers):
        name = by_key.get(_key(header))
        if name is not None and name not in found:
            found[name] = i
    return found


def _labels(enum: Any) -> dict[str, str]:
    """Folded value or label → value ("Đại học" and "dai_hoc" both give dai_hoc)."""
    out = {}
    for member in enum:
        out[_key(member.value)] = member.value
        out[_key(member.label)] = member.value
    return out


_CHOICES = {"sex": _labels(Sex), "education": _labels(Education), "occupation": _labels(Occupation)}


def _cell(name: str, value: Any, notes: dict[str, Any]) -> Any:
    """A sheet's cell as the input model takes it: dates from Excel, words to identifiers."""
    if value is None:
        return None
    if name == "birth_date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, int | float) and not isinstance(value, bool):
            notes["excel_dates"] = notes.get("excel_dates", 0) + 1
            return EXCEL_EPOCH + timedelta(days=int(value))
        return str(value)
    if name == "cccd" and isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        # A CCCD starts with its province code, 001–096: a numeric cell loses one or two
        # leading zeros. A 9-digit number is an old CMND, not a CCCD: left for the check.
        if len(digits) in (10, 11):
            notes["cccd_zero"] = notes.get("cccd_zero", 0) + 1
            return digits.zfill(12)
        return digits
    if name in {"doan_member", "cong_doan_member"}:
        word = _key(str(value))
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        return str(value)
    if name in _CHOICES:
        return _CHOICES[name].get(_key(str(value)), str(value))
    return str(value) if not isinstance(value, str) else value


def import_candidates(
    ctx: Context,
    path: Path,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Check every row, then (unless ``dry_run``) write them all in one transaction."""
    sheet = read_table(path)
    columns = _columns(sheet.headers)
    missing = [
        TITLES[f]
        for f in ("full_name", "birth_date", "sex", "cccd", "education", "org_code")
        if f not in columns
    ]
    if missing:
        raise BadInput([(f"{sheet.name}, dòng 1", f"thiếu cột: {', '.join(missing)}")])
    header_of = {f: sheet.headers[i] for f, i in columns.items()}
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        orgs = s.exec(select(Organization)).all()
        known = {c.cccd: (c, d) for c, d in s.exec(select(Candidate, Dossier).join(Dossier)).all()}
        visible = scope_ids(s, ctx.actor)
    by_code = {o.code: o for o in orgs}
    by_name = {fold(o.name): o for o in orgs}
    problems: list[tuple[str, str]] = []
    new: list[CandidateIn] = []
    updates: list[tuple[Candidate, dict[str, Any]]] = []
    unchanged = 0
    seen: dict[str, int] = {}
    notes: dict[str, Any] = {}
    if sheet.legacy_columns:
        notes["legacy_columns"] = sheet.legacy_columns
    total = len(sheet.rows)
    for done, (number, row) in enumerate(sheet.rows, 1):
        where = f"{sheet.name}, dòng {number}"
        data = {f: _cell(f, row[i], notes) for f, i in columns.items()}
        data = {k: v for k, v in data.items() if v is not None}
        raw_org = str(data.get("org_code", "")).strip()
        org = by_code.get(raw_org.upper()) or by_name.get(fold(raw_org))
        if org is None or OrgKind(org.kind) not in CELLS:
            what = "không có chi bộ" if org is None else "không phải chi bộ:"
            problems.append((f"{where}, cột '{header_of['org_code']}'", f"{what} '{raw_org}'"))
            continue
        if visible is not None and org.id not in visible:
            problems.append((f"{where}, cột '{header_of['org_code']}'", "ngoài phạm vi của bạn"))
            continue
        data["org_code"] = org.code
        try:
            c_in = validate(CandidateIn, data, ctx.today())
        except BadInput as exc:
            for field, message in exc.problems:
                column = next((h for f, h in header_of.items() if TITLES[f] == field), field)
                problems.append((f"{where}, cột '{column}'", message))
            continue
        if c_in.cccd in seen:
            problems.append(
                (f"{where}, cột '{header_of['cccd']}'", f"trùng số CCCD với dòng {seen[c_in.cccd]}")
            )
            continue
        seen[c_in.cccd] = number
        existing = known.get(c_in.cccd)
        if existing is None:
            new.append(c_in)
        elif existing[1].org_id != org.id:
            other = next((o.code for o in orgs if o.id == existing[1].org_id), "?")
            problems.append(
                (
                    f"{where}, cột '{header_of['cccd']}'",
                    f"người này đã có ở tổ chức {other} (hồ sơ #{existing[1].id}); không tạo thêm",
                )
            )
        else:
            person = existing[0]
            changed = {
                f: getattr(c_in, f).value
                if hasattr(getattr(c_in, f), "value")
                else getattr(c_in, f)
                for f in _UPDATABLE
                if f in columns
            }
            changed = {f: v for f, v in changed.items() if getattr(person, f) != v}
            if changed:
                updates.append((person, changed))
            else:
                unchanged += 1
        if progress is not None:
            progress(done, total)
    if problems:
        raise BadInput(problems)
    if not dry_run and (new or updates):
        with ctx.write() as s:
            _open_many(s, ctx, new, {o.code: o for o in orgs}, path.name)
            for person, changed in updates:
                _update(s, ctx, person, changed, path.name)
    return {
        "file": path.name,
        "rows": total,
        "new": len(new),
        "updated": len(updates),
        "unchanged": unchanged,
        "dry_run": dry_run,
        "notes": notes,
    }


def _open_many(
    s: Session,
    ctx: Context,
    people: list[CandidateIn],
    orgs: dict[str, Organization],
    source: str,
) -> None:
    """The new people of a sheet, each with a dossier at nguồn and its audit event: the same
    rows as ``open_dossier`` one by one, written a few statements for the whole sheet."""
    if not people:
        return
    for code in {p.org_code for p in people}:  # the right to add, once per chi bộ
        ctx.allow(s, Action.add_candidate, orgs[code].id)
    conn = s.connection()
    first_c = (conn.execute(select(func.max(col(Candidate.id)))).scalar() or 0) + 1
    first_d = (conn.execute(select(func.max(col(Dossier.id)))).scalar() or 0) + 1
    now, today = ctx.clock.now(), ctx.today()
    people_rows, dossier_rows, events = [], [], []
    for k, p in enumerate(people):
        org = orgs[p.org_code]
        cid, did = first_c + k, first_d + k
        people_rows.append(
            {
                "id": cid,
                "full_name": p.full_name,
                "name_key": fold(p.full_name),
                "birth_date": p.birth_date,
                "sex": p.sex.value,
                "ethnicity": p.ethnicity,
                "religion": p.religion,
                "cccd": p.cccd,
                "education": p.education.value,
                "edu_exception": p.edu_exception.value,
                "occupation": p.occupation.value,
                "doan_member": p.doan_member,
                "cong_doan_member": p.cong_doan_member,
                "residence": p.residence,
                "org_id": org.id,
                "created_at": now,
            }
        )
        dossier_rows.append(
            {
                "id": did,
                "candidate_id": cid,
                "org_id": org.id,
                "stage": Stage.nguon.value,
                "version": 1,
                "opened_on": today,
                "updated_at": now,
            }
        )
        events.append(
            {
                "kind": "create",
                "event": "tao_ho_so",
                "dossier_id": did,
                "to_stage": Stage.nguon.value,
                "data": {
                    "org": org.code,
                    "birth_month": p.birth_date.strftime("%Y-%m"),
                    "source": source,
                },
            }
        )
    conn.execute(insert(Candidate), people_rows)
    conn.execute(insert(Dossier), dossier_rows)
    audit.append_many(s, now, ctx.actor, events)


def _update(
    s: Session, ctx: Context, person: Candidate, changed: dict[str, Any], source: str
) -> None:
    row = s.get(Candidate, person.id)
    assert row is not None
    ctx.allow(s, Action.record, row.org_id)
    for field, value in changed.items():
        setattr(row, field, value)
    if "full_name" in changed:
        row.name_key = fold(row.full_name)
    s.add(row)
    dossier_id = s.exec(select(col(Dossier.id)).where(Dossier.candidate_id == row.id)).first()
    audit.append(
        s,
        at=ctx.clock.now(),
        actor=ctx.actor,
        kind="fact",
        event="cap_nhat_tu_tep",
        dossier_id=dossier_id,
        data={"fields": sorted(changed), "source": source},
    )


def write_template(path: Path) -> None:
    """The candidates' template: the columns, one example row, and a sheet of the values
    each column accepts."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Quần chúng"
    ws.append([TITLES[f] for f in FIELDS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(
        [
            "Nguyễn Văn Thắng",
            "15/08/2000",
            "Nam",
            "Kinh",
            "Không",
            "001200012345",
            "Đại học",
            "Cán bộ, công chức",
            "x",
            "",
            "Thôn 2, xã Lộc An",
            "CB-VP",
        ]
    )
    ws.freeze_panes = "A2"
    for i, f in enumerate(FIELDS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(14, len(TITLES[f]) + 4)
    help_ws = book.create_sheet("Hướng dẫn")
    help_ws.append(["Cột", "Giá trị"])
    help_ws.append([TITLES["birth_date"], "dd/mm/yyyy, hoặc ô ngày của Excel"])
    help_ws.append([TITLES["sex"], ", ".join(m.label for m in Sex)])
    help_ws.append([TITLES["education"], ", ".join(m.label for m in Education)])
    help_ws.append([TITLES["occupation"], ", ".join(m.label for m in Occupation)])
    help_ws.append([TITLES["cccd"], "12 chữ số (gõ như chữ để giữ số 0 đầu)"])
    help_ws.append([TITLES["doan_member"], "x hoặc có; để trống nếu không"])
    help_ws.append([TITLES["org_code"], "mã hoặc tên chi bộ (ketnap org list)"])
    help_ws.column_dimensions["A"].width = 24
    help_ws.column_dimensions["B"].width = 90
    book.save(path)


def export_candidates(ctx: Context, path: Path, org_code: str | None = None) -> int:
    """The candidates in scope, in the template's layout (so a clerk can round-trip). The
    file holds CCCDs: only the dossier's handlers may export, and it is audited."""
    from openpyxl import Workbook

    from workflow.service import _org, _subtree_ids
    from workflow.vntext import fmt_date, name_sort_key

    with ctx.write() as s:
        ctx.allow(s, Action.record, _org(s, org_code).id if org_code else None)
        query = select(Candidate, Organization).join(
            Organization, col(Organization.id) == col(Candidate.org_id)
        )
        if org_code:
            query = query.where(col(Candidate.org_id).in_(_subtree_ids(s, _org(s, org_code))))
        scope = scope_ids(s, ctx.actor)
        if scope is not None:
            query = query.where(col(Candidate.org_id).in_(scope))
        rows = sorted(s.exec(query).all(), key=lambda r: name_sort_key(r[0].full_name))
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="personal",
            event="xuat_danh_sach",
            data={"org": org_code, "rows": len(rows)},
        )
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Quần chúng"
    ws.append([TITLES[f] for f in FIELDS])
    for c, o in rows:
        ws.append(
            [
                c.full_name,
                fmt_date(c.birth_date),
                Sex(c.sex).label,
                c.ethnicity,
                c.religion,
                c.cccd,
                Education(c.education).label,
                Occupation(c.occupation).label,
                "x" if c.doan_member else "",
                "x" if c.cong_doan_member else "",
                c.residence,
                o.code,
            ]
        )
    for cell in ws["F"][1:]:
        cell.number_format = "@"  # the CCCD stays text: its leading 0 survives
    book.save(path)
    return len(rows)
