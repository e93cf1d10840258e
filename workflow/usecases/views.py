"""Read views of dossiers: the list, one dossier, its next steps, its history, and the
audit chain's verification."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, literal, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models import audit
from models.tables import (
    AppUser,
    AuditEvent,
    Candidate,
    Ceremony,
    Certificate,
    Consent,
    Deadline,
    Decision,
    Designation,
    Document,
    Dossier,
    Introducer,
    Organization,
    PriorMembership,
    Relative,
    Resolution,
    Verification,
)
from workflow.domain import guards
from workflow.domain.deadlines import Due, dossier_deadlines
from workflow.domain.errors import BadInput
from workflow.domain.process import Stage, events_from, targets
from workflow.domain.rules import rule_set_for
from workflow.text.vntext import fold
from workflow.usecases import tracking
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.context import Context
from workflow.usecases.designations import allow_dossier, dossier_designations
from workflow.usecases.dossiers import get_dossier, load_facts
from workflow.usecases.event_names import event_label, kind_label, stage_label
from workflow.usecases.organizations import competent_committee, org_by_code
from workflow.usecases.step_reads import rule_overrides, rules_on
from workflow.usecases.transfers import dossier_transfers


def mask_cccd(cccd: str) -> str:
    return "*" * 8 + cccd[-4:]


@dataclass(frozen=True)
class DossierFilter:
    """What a list of dossiers is narrowed to: a name (without accents), a stage, an
    organization's subtree, the deadlines' state ("qua_han": one is overdue; "sap_den_han":
    one falls due within ``SOON`` working days)."""

    search: str | None = None
    stage: Stage | None = None
    org_code: str | None = None
    due: str | None = None


DUE_STATES = {"qua_han": "Có hạn đã quá", "sap_den_han": "Có hạn trong 10 ngày làm việc tới"}
SOON = 10
PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # 50 million dossiers


_LISTED = (
    col(Dossier.id),
    col(Candidate.full_name),
    col(Candidate.birth_date),
    col(Candidate.sex),
    col(Organization.code),
    col(Organization.name),
    col(Dossier.stage),
    col(Dossier.version),
)


def _conditions(s: Session, ctx: Context, f: DossierFilter) -> tuple[list[Any], bool]:
    """The WHERE conditions ``f`` and the actor's scope make, and whether they need the
    person's row (a name search); checked for permission first."""
    tree = tracking.OrgTree.of(s)
    where: list[Any] = []
    if f.org_code:
        org = org_by_code(s, f.org_code)
        assert org.id is not None
        ctx.allow(s, Action.read, org.id)
        where.append(col(Dossier.org_id).in_(sorted(tree.subtree(org.id))))
    else:
        ctx.allow(s, Action.read)
    scope = scope_ids(s, ctx.actor)
    if scope is not None and len(scope) < len(tree.nodes):  # their own organizations only
        mine = sorted(scope)
        where.append(
            or_(
                col(Dossier.org_id).in_(mine),
                exists().where(  # and those a chi bộ of theirs was designated for (L-NO-MEMBER)
                    col(Designation.dossier_id) == col(Dossier.id),
                    col(Designation.chi_bo_id).in_(mine),
                ),
            )
        )
    if f.stage is not None:
        where.append(col(Dossier.stage) == f.stage.value)
    if f.search and len(f.search) > 120:  # a name is at most 120 characters
        raise BadInput.one("Tìm theo tên", f"dài quá 120 ký tự (nhận được {len(f.search)})")
    searched = bool(f.search and fold(f.search))
    if searched:
        where.append(col(Candidate.name_key).contains(fold(f.search or ""), autoescape=True))
    if f.due is not None:
        if f.due not in DUE_STATES:
            raise BadInput.one("Tình trạng hạn", f"chọn một trong: {', '.join(DUE_STATES)}")
        today = ctx.today()
        if f.due == "qua_han":
            due = [col(Deadline.due) < today]
        else:
            soon = tracking.calendar(s).add_working_days(today, SOON)
            due = [col(Deadline.due) >= today, col(Deadline.due) <= soon]
        where.append(
            exists().where(
                col(Deadline.dossier_id) == col(Dossier.id),
                col(Deadline.done_on).is_(None),
                col(Deadline.milestone) == literal(False),
                *due,
            )
        )
    return where, searched


def _dossier_query(where: list[Any]) -> Any:
    """The dossiers in Vietnamese order: the persons' stored sort key (its index walked)."""
    return (
        sa_select(*_LISTED)
        .join(Candidate, col(Candidate.id) == col(Dossier.candidate_id))
        .join(Organization, col(Organization.id) == col(Dossier.org_id))
        .where(*where)
        .order_by(col(Candidate.sort_key), col(Candidate.id), col(Dossier.id))
    )


def _count(where: list[Any], searched: bool) -> Any:
    """How many dossiers: from the dossier table alone unless a name is searched."""
    query = sa_select(func.count()).select_from(Dossier)
    if searched:
        query = query.join(Candidate, col(Candidate.id) == col(Dossier.candidate_id))
    return query.where(*where)


def _row(r: Any) -> dict[str, Any]:
    did, name, birth, sex, code, org_name, stage, version = r
    return {
        "dossier_id": did,
        "full_name": name,
        "birth_date": birth.isoformat() if hasattr(birth, "isoformat") else str(birth),
        "sex": sex,
        "org_code": code,
        "org_name": org_name,
        "stage": stage,
        "stage_label": Stage(stage).label,
        "version": version,
    }


def list_dossiers(
    ctx: Context,
    *,
    search: str | None = None,
    stage: Stage | None = None,
    org_code: str | None = None,
) -> list[dict[str, Any]]:
    """Dossiers with their candidate, in Vietnamese order by given name (every one)."""
    with ctx.read() as s:
        where, _ = _conditions(s, ctx, DossierFilter(search, stage, org_code))
        return [_row(r) for r in s.connection().execute(_dossier_query(where))]


def dossier_page(ctx: Context, f: DossierFilter, page: int = 1) -> dict[str, Any]:
    """One page of ``PAGE_SIZE`` dossiers, paged and counted by the database, each with its
    earliest open deadline (for the list's colours)."""
    if not 1 <= page <= MAX_PAGE:
        raise BadInput.one("Trang", "phải từ 1 đến 1.000.000")
    with ctx.read() as s:
        where, searched = _conditions(s, ctx, f)
        conn = s.connection()
        total = int(conn.execute(_count(where, searched)).scalar_one())
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page, pages)  # past the end (an old link, a shorter list): the last page
        query = _dossier_query(where).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        rows = [_row(r) for r in conn.execute(query)]
        nearest = _nearest_deadlines(s, ctx, [r["dossier_id"] for r in rows])
    for r in rows:
        r["deadline"] = nearest.get(r["dossier_id"])
    return {"rows": rows, "total": total, "page": page, "pages": pages}


def _nearest_deadlines(s: Session, ctx: Context, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each dossier's earliest open deadline, seen today (working days left or missed)."""
    if not ids:
        return {}
    today, cal = ctx.today(), tracking.calendar(s)
    rows = s.exec(
        select(Deadline)
        .where(
            col(Deadline.dossier_id).in_(ids),
            col(Deadline.done_on).is_(None),
            col(Deadline.milestone) == literal(False),
        )
        .order_by(col(Deadline.due))
    ).all()
    out: dict[int, dict[str, Any]] = {}
    for d in rows:
        if d.dossier_id is None or d.dossier_id in out:
            continue
        seen = Due(d.kind, d.rule_id, d.label, d.start, d.due).at(today, cal)
        out[d.dossier_id] = {
            "rule_id": d.rule_id,
            "label": d.label,
            "due": d.due.isoformat(),
            "overdue": seen.overdue,
            "remaining": seen.remaining,
            "status": seen.status,
        }
    return out


def show(ctx: Context, dossier_id: int, *, reveal_cccd: bool = False) -> dict[str, Any]:
    """One dossier: candidate (CCCD masked unless revealed), facts, deadlines.

    The CCCD is sensitive personal data (Nghị định 13/2023/NĐ-CP): only the roles that
    handle the dossier (clerk, chi bộ secretary, in scope) may see it whole, and each time
    they do it is audited."""
    if reveal_cccd:
        with ctx.write() as s:
            d = get_dossier(s, dossier_id)
            ctx.allow(s, Action.record, d.org_id)  # the roles that write the dossier
            audit.append(
                s,
                at=ctx.clock.now(),
                actor=ctx.actor,
                kind="personal",
                event="xem_cccd",
                dossier_id=dossier_id,
                data={},
            )
    with ctx.read() as s:
        d = get_dossier(s, dossier_id)
        allow_dossier(s, ctx, Action.read, d)  # or a designated chi bộ (L-NO-MEMBER)
        c = s.get(Candidate, d.candidate_id)
        o = s.get(Organization, d.org_id)
        deciding = competent_committee(s, d.org_id)
        assert c is not None and o is not None
        facts = load_facts(s, d)
        today_ = ctx.today()
        rs = rules_on(s, today_)
        cal = tracking.calendar(s)
        certificates = s.exec(select(Certificate).where(Certificate.candidate_id == c.id)).all()
        rows: dict[str, list[Any]] = {
            name: list(s.exec(select(table).where(table.dossier_id == dossier_id)).all())
            for name, table in (
                ("introducers", Introducer),
                ("documents", Document),
                ("verifications", Verification),
                ("relatives", Relative),
                ("resolutions", Resolution),
                ("decisions", Decision),
                ("consents", Consent),
                ("ceremony", Ceremony),
                ("prior_membership", PriorMembership),
            )
        }
        transfers = dossier_transfers(s, dossier_id)  # L-TRANSFER
        designations = dossier_designations(s, dossier_id)  # L-NO-MEMBER
    record = {
        name: [r.model_dump(mode="json", exclude={"dossier_id"}) for r in items]
        for name, items in rows.items()
    }
    record["certificates"] = [
        r.model_dump(mode="json", exclude={"candidate_id"}) for r in certificates
    ]
    return {
        "dossier_id": d.id,
        "version": d.version,
        "stage": d.stage,
        "stage_label": Stage(d.stage).label,
        "rule_set_id": d.rule_set_id,
        "returned_reason": d.returned_reason,
        "closed_reason": d.closed_reason,
        "party_joined_on": d.party_joined_on.isoformat() if d.party_joined_on else None,
        "official_effective_on": (
            d.official_effective_on.isoformat() if d.official_effective_on else None
        ),
        "opened_on": d.opened_on.isoformat(),
        "candidate": {
            "id": c.id,
            "full_name": c.full_name,
            "birth_date": c.birth_date.isoformat(),
            "sex": c.sex,
            "ethnicity": c.ethnicity,
            "religion": c.religion,
            "cccd_masked": mask_cccd(c.cccd),
            **({"cccd": c.cccd} if reveal_cccd else {}),
            "education": c.education,
            "edu_exception": c.edu_exception,
            "occupation": c.occupation,
            "doan_member": c.doan_member,
            "cong_doan_member": c.cong_doan_member,
            "residence": c.residence,
        },
        "org": {"code": o.code, "name": o.name, "kind": o.kind},
        "competent_committee": (
            {"code": deciding.code, "name": deciding.name} if deciding is not None else None
        ),
        "facts": record,
        "transfers": transfers,
        "designations": designations,
        "deadlines": [
            {
                "rule_id": x.rule_id,
                "label": x.label,
                "due": x.due.isoformat(),
                "done_on": x.done_on.isoformat() if x.done_on else None,
                "missed_by_working_days": x.missed_by,
                "status": x.status,
            }
            for x in dossier_deadlines(facts, rs, cal, today_)
        ],
    }


def next_steps(ctx: Context, dossier_id: int) -> dict[str, Any]:
    """Each event the table allows now, and for each every unmet condition."""
    with ctx.read() as s:
        d = get_dossier(s, dossier_id)
        allow_dossier(s, ctx, Action.read, d)  # or a designated chi bộ (L-NO-MEMBER)
        facts = load_facts(s, d)
        cal = tracking.calendar(s)
        today_ = ctx.today()
        overrides = rule_overrides(s)
    steps = []
    for event in events_from(Stage(d.stage)):
        rs = rule_set_for(guards.judged_on(event, facts, today_), overrides)
        verdict = guards.check(event, facts, rs, today_, cal)
        steps.append(
            {
                "event": event.value,
                "label": event.label,
                "to": [t.value for t in targets(event, Stage(d.stage))],
                "needs_reason": event.needs_reason,
                "allowed": verdict.ok,
                "rule_set_id": rs.id,
                "judged_on": verdict.judged_on.isoformat(),
                "judged_basis": guards.judged_basis(event, facts, today_),
                "unmet": [{"rule_id": u.rule_id, "message": u.message} for u in verdict.unmet],
                "notes": [{"rule_id": u.rule_id, "message": u.message} for u in verdict.notes],
            }
        )
    return {
        "dossier_id": dossier_id,
        "stage": d.stage,
        "stage_label": Stage(d.stage).label,
        "version": d.version,
        "steps": steps,
    }


def history(ctx: Context, dossier_id: int) -> list[dict[str, Any]]:
    with ctx.read() as s:
        ctx.allow(s, Action.read, get_dossier(s, dossier_id).org_id)
        events = s.exec(
            select(AuditEvent)
            .where(AuditEvent.dossier_id == dossier_id)
            .order_by(col(AuditEvent.id))
        ).all()
        who = {u.username: u.full_name for u in s.exec(select(AppUser)).all()}
    return [
        {
            "id": e.id,
            "at": e.at,
            "actor": e.actor,
            "actor_name": who.get(e.actor.lower()),  # a person, once the user is known
            "kind": e.kind,
            "kind_label": kind_label(e.kind),
            "event": e.event,
            "event_label": event_label(e.kind, e.event),
            "from_stage": e.from_stage,
            "from_label": stage_label(e.from_stage),
            "to_stage": e.to_stage,
            "to_label": stage_label(e.to_stage),
            "reason": e.reason,
            "rule_set_id": e.rule_set_id,
        }
        for e in events
    ]
