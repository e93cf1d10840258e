"""Bringing in the candidates' sheets clerks already keep.

The template's headers are the input model's field titles ("Họ và tên", "Ngày sinh", "Số
CCCD" …); a sheet's headers are matched to them without accents, case or spacing, so a
clerk's own sheet works when its columns say the same things. Every row goes through the
same input model as the CLI (CandidateIn), plus the checks only a file needs: an unknown
chi bộ, the same CCCD twice in the file, the same person already in another organization.
Nothing is written unless every row is right; a second import of the same file changes
nothing; a row whose person exists (same CCCD, same chi bộ) updates what changed, audited,
and keeps its dossier's stage and facts; a row of a closed dossier (an export holds the
Party's members too) is skipped when unchanged and refused when changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from models import audit
from models.bulk import allocate_ids, insert_columns, insert_rows
from models.tables import (
    Candidate,
    Ceremony,
    Certificate,
    Decision,
    Dossier,
    Organization,
    Resolution,
)
from workflow.domain.calendar import WorkingCalendar
from workflow.domain.deadlines import Due, dossier_dues
from workflow.domain.facts import DossierFacts
from workflow.domain.process import MAIN_LINE, Stage
from workflow.domain.profile import admission_profile
from workflow.domain.rules import NoRuleSet, RuleSet, rule_set_for
from workflow.domain.vocabulary import OrgKind
from workflow.inputs.dossier import CandidateIn
from workflow.inputs.imported import MidwayIn
from workflow.sheets.candidate_columns import (
    ALIASES,
    AT_SOURCE,
    PERSON_FIELDS,
    STAGE_FIELDS,
    TITLES,
    sheet_cell,
)
from workflow.sheets.fields import Problems, finder, match_columns, missing_columns
from workflow.sheets.midway import facts_of, stage_problems
from workflow.sheets.reading import read_table, sheet_notes
from workflow.text.vntext import fold, sort_text
from workflow.usecases import tracking
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.context import Context
from workflow.usecases.organizations import CELLS
from workflow.usecases.step_reads import rule_overrides

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


def import_candidates(
    ctx: Context,
    path: Path,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Check every row, then (unless ``dry_run``) write them all in one transaction."""
    sheet = read_table(path)
    columns = match_columns(sheet.headers, TITLES, ALIASES)
    required = ("full_name", "birth_date", "sex", "cccd", "education", "org_code")
    missing_columns(sheet.name, columns, required, TITLES)
    problems = Problems(sheet.name, {f: sheet.headers[i] for f, i in columns.items()}, TITLES)
    person_columns = {f: i for f, i in columns.items() if f in PERSON_FIELDS}
    stage_columns = {f: i for f, i in columns.items() if f in STAGE_FIELDS}
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        orgs = s.exec(select(Organization)).all()
        known = {c.cccd: (c, d) for c, d in s.exec(select(Candidate, Dossier).join(Dossier)).all()}
        visible = scope_ids(s, ctx.actor)
        overrides = rule_overrides(s) if stage_columns else ()
        cal = tracking.calendar(s) if stage_columns else None
    find_org = finder(orgs)
    new: list[NewRow] = []
    updates: list[tuple[Candidate, dict[str, Any]]] = []
    unchanged = 0
    closed = 0  # rows of dossiers already closed, unchanged: skipped
    seen: dict[str, int] = {}
    notes: dict[str, Any] = sheet_notes(sheet)
    total = len(sheet.rows)
    today = ctx.today()

    def convert(name: str, value: Any) -> Any:
        return sheet_cell(name, value, notes, today)

    for done, (number, row) in enumerate(sheet.rows, 1):
        if progress is not None:
            progress(done, total)
        bad = partial(problems.cell, number)
        data, bad_cells = problems.cells(number, person_columns, row, convert)
        raw_org = str(data.get("org_code", "")).strip()
        org = find_org(raw_org)
        if org is None or OrgKind(org.kind) not in CELLS:
            what = "không có chi bộ" if org is None else "không phải chi bộ:"
            bad("org_code", f"{what} '{raw_org}'")
            continue
        if visible is not None and org.id not in visible:
            bad("org_code", "ngoài phạm vi của bạn")
            continue
        data["org_code"] = org.code
        stage_data, bad_stage = problems.cells(number, stage_columns, row, convert)
        c_in = problems.checked(number, CandidateIn, data, today, bad_cells)
        m = (
            problems.checked(number, MidwayIn, stage_data, today, bad_stage)
            if stage_data or bad_stage
            else AT_SOURCE
        )
        if c_in is None or m is None:
            continue
        if c_in.cccd in seen:
            bad("cccd", f"trùng số CCCD với dòng {seen[c_in.cccd]}")
            continue
        seen[c_in.cccd] = number
        existing = known.get(c_in.cccd)
        if existing is None:
            # the stage and facts of a new dossier are written: judged as the steps are
            staged = m.stage is not Stage.nguon or m.has_facts
            facts, rs = None, None
            if staged and cal is not None:
                facts = facts_of(
                    m,
                    c_in,
                    under_dang_uy=OrgKind(org.kind) is OrgKind.chi_bo,
                    unit_has_doan=org.has_doan,
                )
                try:
                    rs = rule_set_for(m.voted_on or today, overrides)
                except NoRuleSet as exc:
                    bad("voted_on", str(exc))
                    continue
                for field, unmet in stage_problems(facts, rs, cal):
                    bad(field, str(unmet))
            new.append(NewRow(c_in, m, org, facts, rs))
        elif (
            existing[1].org_id != org.id
            and visible is not None
            and (existing[1].org_id not in visible)
        ):  # said as candidate add says it: neither the organization nor the dossier
            bad(
                "cccd",
                "số CCCD này đã có hồ sơ ở một tổ chức ngoài phạm vi của bạn; hãy liên hệ "
                "Ban Tổ chức cấp trên",
            )
        elif existing[1].org_id != org.id:
            other = next((o.code for o in orgs if o.id == existing[1].org_id), "?")
            bad(
                "cccd",
                f"người này đã có ở tổ chức {other} (hồ sơ #{existing[1].id}); không tạo thêm",
            )
        else:
            # a known dossier keeps its stage and facts (moving it is a transition, a fact
            # is recorded): the row's are not written, so not judged; a different stage is
            # reported
            person, dossier = existing
            stage = Stage(dossier.stage)
            if "stage" in stage_columns and m.stage is not stage:
                notes.setdefault("stage_kept", []).append(
                    f"dòng {number}: hồ sơ #{dossier.id} đang ở '{stage.label}', "
                    f"tệp ghi '{m.stage.label}'"
                )
            changed = {
                f: getattr(c_in, f).value
                if hasattr(getattr(c_in, f), "value")
                else getattr(c_in, f)
                for f in _UPDATABLE
                if f in columns
            }
            changed = {f: v for f, v in changed.items() if getattr(person, f) != v}
            if stage.closed:  # already on file and over: skipped, or refused if changed
                for field in changed:
                    bad(
                        field, f"hồ sơ #{dossier.id} đã kết thúc ({stage.label}): không sửa qua tệp"
                    )
                closed += 0 if changed else 1
            elif changed:
                updates.append((person, changed))
            else:
                unchanged += 1
    problems.raise_any()
    if not dry_run and (new or updates):
        with ctx.write() as s:
            events = _open_many(s, ctx, new, path.name, cal)
            admitted_now = {
                r.org.id
                for r in new
                if r.m.signed_on is not None and r.m.signed_on.year == ctx.today().year
            }
            if admitted_now:  # this year's progress against the targets moved (P-HALF, P-YEAR)
                tree = tracking.OrgTree(s)
                ids = {a for o in admitted_now if o is not None for a in tree.ancestors(o)}
                tracking.sync_cycle(s, ctx.today().year, ctx.today(), ctx.clock.now(), org_ids=ids)
            # the audit chain's head is the last thing a unit of work takes (models/audit.py)
            audit.append_many(s, ctx.clock.now(), ctx.actor, events)
            for person, changed in updates:
                _update(s, ctx, person, changed, path.name)
    stages: dict[str, int] = {}
    for r in new:
        stages[r.m.stage.label] = stages.get(r.m.stage.label, 0) + 1
    return {
        "file": path.name,
        "rows": total,
        "new": len(new),
        "new_by_stage": stages,
        "updated": len(updates),
        "unchanged": unchanged,
        "closed": closed,
        "dry_run": dry_run,
        "notes": notes,
    }


@dataclass(frozen=True)
class NewRow:
    """A checked row for a person not yet known: where the dossier stands, and (when it is
    under way) the facts and rule set it was judged with."""

    c_in: CandidateIn
    m: MidwayIn
    org: Organization
    facts: DossierFacts | None
    rs: RuleSet | None


def _open_many(
    s: Session, ctx: Context, rows: list[NewRow], source: str, cal: WorkingCalendar | None
) -> list[dict[str, Any]]:
    """The new people of a sheet, each with a dossier and its audit event: the rows
    ``open_dossier`` writes for a person at nguồn; for a dossier under way, at the stage the
    sheet gives with its dated facts, its deadlines, and an import event (not transitions
    nobody made in ketnap). A few statements for the whole sheet. Returns the audit events,
    for the caller to append last."""
    if not rows:
        return []
    for org_id in {r.org.id for r in rows}:  # the right to add, once per chi bộ
        ctx.allow(s, Action.add_candidate, org_id)
    conn = s.connection()
    now, today = ctx.clock.now(), ctx.today()
    n = len(rows)
    people = [r.c_in for r in rows]
    candidate_ids = allocate_ids(conn, Candidate, n)
    dossier_ids = allocate_ids(conn, Dossier, n)
    org_ids = [r.org.id for r in rows]
    insert_columns(
        conn,
        Candidate,
        {
            "id": candidate_ids,
            "full_name": [p.full_name for p in people],
            "name_key": [fold(p.full_name) for p in people],
            "sort_key": [sort_text(p.full_name) for p in people],
            "birth_date": [p.birth_date for p in people],
            "sex": [p.sex.value for p in people],
            "ethnicity": [p.ethnicity for p in people],
            "religion": [p.religion for p in people],
            "cccd": [p.cccd for p in people],
            "education": [p.education.value for p in people],
            "edu_exception": [p.edu_exception.value for p in people],
            "occupation": [p.occupation.value for p in people],
            "doan_member": [p.doan_member for p in people],
            "cong_doan_member": [p.cong_doan_member for p in people],
            "residence": [p.residence for p in people],
            "org_id": org_ids,
            "created_at": [now] * n,
        },
    )
    joined = [_joined_on(r.m) for r in rows]  # D-PARTY-AGE: the decision's date
    insert_columns(
        conn,
        Dossier,
        {
            "id": dossier_ids,
            "candidate_id": candidate_ids,
            "org_id": org_ids,
            "stage": [r.m.stage.value for r in rows],
            "version": [1] * n,
            "rule_set_id": [r.rs.id if r.rs and r.m.voted_on else None for r in rows],
            "party_joined_on": joined,
            "admitted_profile": [
                _profile(p, day) if day else None for p, day in zip(people, joined, strict=True)
            ],
            "admitted_org_id": [
                org if day else None for org, day in zip(org_ids, joined, strict=True)
            ],
            "opened_on": [today] * n,
            "updated_at": [now] * n,
        },
    )
    under_way = [
        (r, cid, did)
        for r, cid, did in zip(rows, candidate_ids, dossier_ids, strict=True)
        if r.facts is not None
    ]
    _insert_facts(conn, under_way)
    if under_way and cal is not None:
        table = tracking.policies(s)
        subjects: list[tuple[str, int, int | None, Iterable[Due]]] = []
        for r, _, did in under_way:
            assert r.facts is not None and r.rs is not None
            dues = dossier_dues(r.facts, r.rs, cal)
            assert r.org.id is not None
            subjects.append((tracking.dossier_subject(did), r.org.id, did, dues))
        tracking.sync_many(s, subjects, today, now, cal, table)
    return [_event(r, did, source) for r, did in zip(rows, dossier_ids, strict=True)]


def _joined_on(m: MidwayIn) -> date | None:
    admitted = MAIN_LINE.index(m.stage) >= MAIN_LINE.index(Stage.ket_nap)
    return m.signed_on if admitted else None


def _profile(p: CandidateIn, admitted_on: date) -> int:
    return admission_profile(
        doan_member=p.doan_member,
        sex=p.sex.value,
        ethnicity=p.ethnicity,
        religion=p.religion,
        occupation=p.occupation.value,
        education=p.education.value,
        birth_date=p.birth_date,
        admitted_on=admitted_on,
    )


def _insert_facts(conn: Any, under_way: list[tuple[NewRow, int, int]]) -> None:
    """The dated facts of the dossiers under way, one statement per kind."""
    certificates, votes, decisions, ceremonies = [], [], [], []
    for r, cid, did in under_way:
        m = r.m
        if m.certificate_on is not None:
            certificates.append(
                {
                    "candidate_id": cid,
                    "number": m.certificate_number or "",
                    "issued_on": m.certificate_on,
                    "issuer": m.certificate_issuer or "",
                }
            )
        if m.voted_on is not None:
            votes.append(
                {
                    "dossier_id": did,
                    "kind": "chi_bo",
                    "dated": m.voted_on,
                    "official_members": m.official_members or 0,
                    "agree": m.agree or 0,
                }
            )
        if m.signed_on is not None:
            decisions.append(
                {
                    "dossier_id": did,
                    "kind": "ket_nap",
                    "number": m.decision_number or "",
                    "signed_on": m.signed_on,
                    "received_on": m.signed_on,
                }
            )
        if m.ceremony_on is not None:
            ceremonies.append({"dossier_id": did, "held_on": m.ceremony_on})
    insert_rows(conn, Certificate, certificates)
    insert_rows(conn, Resolution, votes)
    insert_rows(conn, Decision, decisions)
    insert_rows(conn, Ceremony, ceremonies)


def _event(r: NewRow, dossier_id: int, source: str) -> dict[str, Any]:
    born = r.c_in.birth_date  # R-AGE counts months: the audit keeps the month, not the day
    data = {"org": r.org.code, "birth_month": f"{born.year:04d}-{born.month:02d}", "source": source}
    if r.facts is None:
        return {
            "kind": "create",
            "event": "tao_ho_so",
            "dossier_id": dossier_id,
            "to_stage": Stage.nguon.value,
            "data": data,
        }
    return {
        "kind": "import",
        "event": "nhap_ho_so_dang_xu_ly",
        "dossier_id": dossier_id,
        "to_stage": r.m.stage.value,
        "rule_set_id": r.rs.id if r.rs and r.m.voted_on else None,
        "data": {
            **data,
            "facts": r.m.model_dump(mode="json", exclude={"stage"}, exclude_none=True),
        },
    }


def _update(
    s: Session, ctx: Context, person: Candidate, changed: dict[str, Any], source: str
) -> None:
    row = s.get(Candidate, person.id)
    assert row is not None
    ctx.allow(s, Action.record, row.org_id)
    for field, value in changed.items():
        setattr(row, field, value)
    if "full_name" in changed:
        row.name_key, row.sort_key = fold(row.full_name), sort_text(row.full_name)
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
