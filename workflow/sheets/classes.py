"""Class lists of the awareness classes (lớp bồi dưỡng nhận thức về Đảng), in and out.

A political centre sends one list per class: the class (code, name, who opened it, when),
then a row per learner with the certificate number and date once issued. Learners are
people already in the pool, found by CCCD (import the candidates first); the name must
match, so a wrong CCCD cannot give someone else's certificate. A learner is recorded in
the class; a certificate is recorded as the person's fact (R-CLASS counts its 60 months),
each with an audit event on the dossier, and the dossier's deadlines recomputed.
The stage is not moved: sending a person to class or back to the chi bộ is a transition
the clerk makes (`ketnap advance`), with its guards; the report counts who is still at
nguồn. All rows, or none; importing the same list again changes nothing.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from models import audit
from models.tables import AwarenessClass, Candidate, Certificate, ClassLearner, Dossier
from workflow.domain.process import Stage
from workflow.inputs.imported import ClassIn, LearnerIn
from workflow.sheets.fields import (
    Problems,
    cccd_cell,
    date_cell,
    match_columns,
    missing_columns,
    text_cell,
    write_book,
    write_personal_export,
)
from workflow.sheets.reading import read_table, sheet_notes
from workflow.text.vntext import fmt_date, fold, name_sort_key, nfc
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.context import Context
from workflow.usecases.dossiers import load_facts, sync_dossier
from workflow.usecases.outfiles import check_target

CLASS_FIELDS = tuple(ClassIn.model_fields)
LEARNER_FIELDS = tuple(LearnerIn.model_fields)
FIELDS = CLASS_FIELDS + LEARNER_FIELDS
TITLES: dict[str, str] = {f: str(ClassIn.model_fields[f].title) for f in CLASS_FIELDS} | {
    f: str(LearnerIn.model_fields[f].title) for f in LEARNER_FIELDS
}
ALIASES = {
    "lop": "class_name",
    "ten_lop_hoc": "class_name",
    "don_vi_mo_lop": "organizer",
    "co_so_dao_tao": "organizer",
    "tu_ngay": "opened_on",
    "den_ngay": "closed_on",
    "cccd": "cccd",
    "ho_ten": "full_name",
    "so_gcn": "certificate_number",
    "ngay_cap_gcn": "certificate_on",
    "ngay_cap": "certificate_on",
}
SHEET_TITLE = "Học viên"
_DATES = frozenset({"opened_on", "closed_on", "certificate_on"})


def _cell(name: str, value: Any, notes: dict[str, Any], today: date | None = None) -> Any:
    if value is None:
        return None
    if name in _DATES:
        return date_cell(value, notes, today)
    if name == "cccd":
        return cccd_cell(value, notes)  # Excel's lost 0s put back, counted
    return text_cell(value)


def _same_name(on_file: str, typed: str) -> bool:
    """Same letters and tones, any case and spacing; or, typed without accents, the same
    name unaccented ("Lê Hoàng Ánh" is not "Lê Hoàng Anh"; "LE HOANG ANH" is)."""
    if " ".join(typed.split()).isascii():
        return fold(on_file) == fold(typed)
    return " ".join(on_file.casefold().split()) == " ".join(nfc(typed).casefold().split())


def import_classes(ctx: Context, path: Path, *, dry_run: bool = False) -> dict[str, Any]:
    """Check every row, then (unless ``dry_run``) write them all in one transaction."""
    sheet = read_table(path)
    columns = match_columns(sheet.headers, TITLES, ALIASES)
    required = ("class_code", "class_name", "organizer", "opened_on", "cccd", "full_name")
    missing_columns(sheet.name, columns, required, TITLES)
    problems = Problems(sheet.name, {f: sheet.headers[i] for f, i in columns.items()}, TITLES)
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        classes = {c.code: c for c in s.exec(select(AwarenessClass)).all()}
        people = {c.cccd: (c, d) for c, d in s.exec(select(Candidate, Dossier).join(Dossier)).all()}
        enrolled = {
            (k, c) for k, c in s.exec(select(ClassLearner.class_id, ClassLearner.candidate_id))
        }
        certified = {
            (c, n) for c, n in s.exec(select(Certificate.candidate_id, Certificate.number))
        }
        visible = scope_ids(s, ctx.actor)
    notes: dict[str, Any] = sheet_notes(sheet)
    seen_class: dict[str, tuple[int, ClassIn]] = {}
    seen_learner: dict[tuple[str, str], int] = {}
    learners: list[tuple[ClassIn, LearnerIn, Candidate, Dossier]] = []
    today = ctx.today()

    def convert(name: str, value: Any) -> Any:
        return _cell(name, value, notes, today)

    for number, row in sheet.rows:
        bad = partial(problems.cell, number)
        data, bad_cells = problems.cells(number, columns, row, convert)
        class_data = {f: v for f, v in data.items() if f in CLASS_FIELDS and v is not None}
        learner_data = {f: v for f, v in data.items() if f in LEARNER_FIELDS and v is not None}
        k_in = problems.checked(number, ClassIn, class_data, today, bad_cells & set(CLASS_FIELDS))
        l_in = problems.checked(
            number, LearnerIn, learner_data, today, bad_cells & set(LEARNER_FIELDS)
        )
        if k_in is None or l_in is None:
            continue
        first = seen_class.setdefault(k_in.class_code, (number, k_in))
        if first[1] != k_in:
            bad("class_code", f"lớp {k_in.class_code} ghi khác với dòng {first[0]}")
            continue
        key = (k_in.class_code, l_in.cccd)
        if key in seen_learner:
            bad("cccd", f"học viên đã có ở dòng {seen_learner[key]} của cùng lớp")
            continue
        seen_learner[key] = number
        found = people.get(l_in.cccd)
        if found is None:
            bad("cccd", "chưa có trong danh sách quần chúng (nhập danh sách quần chúng trước)")
            continue
        person, dossier = found
        if not _same_name(person.full_name, l_in.full_name):
            bad("full_name", f"không khớp với người có số CCCD này (hồ sơ #{dossier.id})")
            continue
        if visible is not None and person.org_id not in visible:
            bad("cccd", "người này ngoài phạm vi của bạn")
            continue
        if Stage(dossier.stage).closed:
            bad("cccd", f"hồ sơ #{dossier.id} đã kết thúc ({Stage(dossier.stage).label})")
            continue
        if l_in.certificate_on is not None and l_in.certificate_on < k_in.opened_on:
            bad(
                "certificate_on",
                f"ngày cấp {fmt_date(l_in.certificate_on)} trước ngày khai giảng "
                f"{fmt_date(k_in.opened_on)}",
            )
            continue
        learners.append((k_in, l_in, person, dossier))
    problems.raise_any()
    new_classes = [k for _, k in seen_class.values() if k.class_code not in classes]
    changed_classes = [
        k
        for _, k in seen_class.values()
        if k.class_code in classes and _class_of(classes[k.class_code]) != k
    ]
    todo = [
        (k, lrn, p, d)
        for k, lrn, p, d in learners
        if k.class_code not in classes
        or (classes[k.class_code].id, p.id) not in enrolled
        or (lrn.certificate_number is not None and (p.id, lrn.certificate_number) not in certified)
    ]
    if not dry_run and (new_classes or changed_classes or todo):
        with ctx.write() as s:
            ids = _put_classes(s, ctx, new_classes, changed_classes, classes, path.name)
            for k, lrn, p, d in todo:
                _put_learner(s, ctx, ids[k.class_code], k, lrn, p, d, path.name)
    at_source = sum(1 for *_, d in learners if d.stage == Stage.nguon.value)
    return {
        "file": path.name,
        "rows": len(sheet.rows),
        "classes_new": len(new_classes),
        "classes_updated": len(changed_classes),
        "learners": len(learners),
        "learners_written": len(todo),
        "certificates": sum(1 for _, lrn, _, _ in learners if lrn.certificate_on is not None),
        "at_source": at_source,
        "dry_run": dry_run,
        "notes": notes,
    }


def _class_of(row: AwarenessClass) -> ClassIn:
    return ClassIn(
        class_code=row.code,
        class_name=row.name,
        organizer=row.organizer,
        opened_on=row.opened_on,
        closed_on=row.closed_on,
    )


def _put_classes(
    s: Session,
    ctx: Context,
    new: list[ClassIn],
    changed: list[ClassIn],
    known: dict[str, AwarenessClass],
    source: str,
) -> dict[str, int]:
    """The sheet's classes, made or brought up to date (audited); code → id."""
    ids = {code: row.id for code, row in known.items() if row.id is not None}
    for k in new + changed:
        row = s.get(AwarenessClass, ids[k.class_code]) if k.class_code in ids else None
        if row is None:
            row = AwarenessClass(
                code=k.class_code,
                name=k.class_name,
                organizer=k.organizer,
                opened_on=k.opened_on,
                closed_on=k.closed_on,
                created_at=ctx.clock.now(),
            )
        else:
            row.name, row.organizer = k.class_name, k.organizer
            row.opened_on, row.closed_on = k.opened_on, k.closed_on
        s.add(row)
        s.flush()
        assert row.id is not None
        ids[k.class_code] = row.id
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="fact",
            event="them_lop" if k in new else "sua_lop",
            data={**k.model_dump(mode="json"), "source": source},
        )
    return ids


def _put_learner(
    s: Session,
    ctx: Context,
    class_id: int,
    k: ClassIn,
    lrn: LearnerIn,
    person: Candidate,
    dossier: Dossier,
    source: str,
) -> None:
    """A learner in a class, and the certificate if issued: one audit event on the dossier."""
    assert person.id is not None and dossier.id is not None
    ctx.allow(s, Action.record, dossier.org_id)
    in_class = s.exec(
        select(ClassLearner.id).where(
            ClassLearner.class_id == class_id, ClassLearner.candidate_id == person.id
        )
    ).first()
    if in_class is None:
        s.add(ClassLearner(class_id=class_id, candidate_id=person.id))
    data: dict[str, Any] = {"class": k.class_code, "source": source}
    event = "ghi_hoc_vien_lop"
    if lrn.certificate_on is not None and lrn.certificate_number is not None:
        already = s.exec(
            select(Certificate.id).where(
                Certificate.candidate_id == person.id,
                Certificate.number == lrn.certificate_number,
            )
        ).first()
        if already is None:
            s.add(
                Certificate(
                    candidate_id=person.id,
                    number=lrn.certificate_number,
                    issued_on=lrn.certificate_on,
                    issuer=k.organizer,
                    class_id=class_id,
                )
            )
            event = "ghi_giay_chung_nhan"
            data |= {
                "number": lrn.certificate_number,
                "issued_on": lrn.certificate_on.isoformat(),
                "issuer": k.organizer,
            }
    s.flush()
    d = s.get(Dossier, dossier.id)
    assert d is not None
    sync_dossier(s, d, load_facts(s, d), ctx)  # R-CLASS: the certificate's 60 months
    audit.append(
        s,
        at=ctx.clock.now(),
        actor=ctx.actor,
        kind="fact",
        event=event,
        dossier_id=dossier.id,
        data=data,
    )


_HELP = [
    [TITLES["class_code"], "mã lớp (chữ, số); mọi dòng của cùng lớp ghi giống nhau"],
    [TITLES["organizer"], "trung tâm chính trị hoặc cơ sở mở lớp; là nơi cấp giấy chứng nhận"],
    [TITLES["opened_on"], "dd/mm/yyyy, hoặc ô ngày của Excel"],
    [TITLES["cccd"], "12 chữ số của người đã có trong danh sách quần chúng"],
    [TITLES["full_name"], "phải khớp họ tên của người có số CCCD đó"],
    [TITLES["certificate_number"], "để trống nếu chưa cấp; có số thì phải có ngày cấp"],
]


def write_template(path: Path) -> None:
    example = [
        "L01-2026",
        "Lớp bồi dưỡng nhận thức về Đảng khóa 1 năm 2026",
        "Trung tâm Chính trị huyện Bảo Lâm",
        "02/03/2026",
        "06/03/2026",
        "001200012345",
        "Nguyễn Văn Thắng",
        "125-GCN/TTCT",
        "12/03/2026",
    ]
    cccd = FIELDS.index("cccd")
    write_book(
        path,
        SHEET_TITLE,
        [TITLES[f] for f in FIELDS],
        [example],
        help_rows=_HELP,
        text_columns=[cccd],
    )


def export_classes(ctx: Context, path: Path) -> int:
    """Every class with its learners in the template's layout (holds CCCDs: audited)."""
    check_target(path)  # before anything is read or audited
    with ctx.read() as s:
        ctx.allow(s, Action.record)
        query = (
            select(AwarenessClass, Candidate)
            .join(ClassLearner, col(ClassLearner.class_id) == col(AwarenessClass.id))
            .join(Candidate, col(Candidate.id) == col(ClassLearner.candidate_id))
        )
        scope = scope_ids(s, ctx.actor)
        if scope is not None:
            query = query.where(col(Candidate.org_id).in_(scope))
        rows = s.exec(query).all()
        certs: dict[tuple[int | None, int | None], Certificate] = {
            (c.class_id, c.candidate_id): c
            for c in s.exec(select(Certificate).where(col(Certificate.class_id).is_not(None)))
        }
    rows = sorted(rows, key=lambda r: (r[0].code, name_sort_key(r[1].full_name)))
    lines = []
    for k, person in rows:
        cert = certs.get((k.id, person.id))
        lines.append(
            [
                k.code,
                k.name,
                k.organizer,
                fmt_date(k.opened_on),
                fmt_date(k.closed_on) if k.closed_on else None,
                person.cccd,
                person.full_name,
                cert.number if cert else None,
                fmt_date(cert.issued_on) if cert else None,
            ]
        )
    book = {
        "title": SHEET_TITLE,
        "headers": [TITLES[f] for f in FIELDS],
        "rows": lines,
        "help_rows": _HELP,
        "text_columns": [FIELDS.index("cccd")],
    }
    write_personal_export(ctx, path, "xuat_danh_sach_lop", {"rows": len(rows)}, book)
    return len(lines)
