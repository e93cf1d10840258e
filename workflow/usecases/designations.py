"""L-NO-MEMBER: where the candidate's place has no Party member or organization, the
directly superior committee designates the chi bộ best placed to assign official members
to help the candidate (QĐ 29 §3.4).

The competent committee over the dossier's chi bộ (or the administrator) records the
designation: a Designation row and an audit event of kind "fact" (it changes no stage,
version or organization; the as-of view lists it with the facts). From then on the
designated chi bộ's users may read the dossier and record on it what a chi bộ records —
its papers, its introducers and its vote: the chi bộ's resolution recorded by the
designated chi bộ is the vote that counts (``allow_dossier``). The dossier stays where it
was opened (its organization, its reports and its deadlines' contacts do not change).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from models import audit
from models.tables import Designation, Dossier, Organization
from workflow.domain.errors import BadInput, Forbidden
from workflow.domain.process import Stage
from workflow.domain.vocabulary import OrgKind
from workflow.inputs.base import validate
from workflow.inputs.transfer import DesignationIn
from workflow.usecases.access import Action, authorize, enforced, first_permitted
from workflow.usecases.context import Context
from workflow.usecases.dossiers import get_dossier
from workflow.usecases.organizations import CELLS, competent_committee, live_org, org_by_code

RULE = "L-NO-MEMBER"
EVENT = "chi_dinh_chi_bo_giup_do"
CHI_BO_FIELD = "Chi bộ được chỉ định (--chi-bo)"

# What a designated chi bộ may do on the dossier: read it and record a chi bộ's facts.
_SHARED = frozenset({Action.read, Action.record})


def designate(ctx: Context, dossier_id: int, data: dict[str, Any]) -> dict[str, Any]:
    with ctx.write() as s:
        d = get_dossier(s, dossier_id)
        committee = competent_committee(s, d.org_id)
        action = first_permitted(s, ctx.actor, (Action.decide, Action.admin))
        ctx.allow(s, action, committee.id if committee is not None else d.org_id)
        d_in = validate(DesignationIn, data, ctx.today())
        if Stage(d.stage).closed:
            raise BadInput.one(
                "Mã hồ sơ", f"hồ sơ #{dossier_id} đã kết thúc ({Stage(d.stage).label})"
            )
        chi_bo = live_org(org_by_code(s, d_in.chi_bo_code, CHI_BO_FIELD), ctx.today(), CHI_BO_FIELD)
        if OrgKind(chi_bo.kind) not in CELLS:
            raise BadInput.one(
                CHI_BO_FIELD,
                f"'{chi_bo.name}' ({chi_bo.code}) là {OrgKind(chi_bo.kind).label}, không phải "
                f"chi bộ ({RULE})",
            )
        if chi_bo.id == d.org_id:
            raise BadInput.one(CHI_BO_FIELD, "là chính chi bộ của hồ sơ")
        if chi_bo.id in designated(s, dossier_id):
            raise BadInput.one(CHI_BO_FIELD, f"'{chi_bo.code}' đã được chỉ định cho hồ sơ này")
        assert chi_bo.id is not None
        by = committee or s.get(Organization, d.org_id)
        assert by is not None and by.id is not None
        row = Designation(
            dossier_id=dossier_id,
            chi_bo_id=chi_bo.id,
            by_org_id=by.id,
            number=d_in.number,
            signed_on=d_in.signed_on,
            place=d_in.place,
            recorded_by=ctx.actor,
            recorded_at=ctx.clock.now(),
        )
        s.add(row)
        s.flush()
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="fact",
            event=EVENT,
            dossier_id=dossier_id,
            rule_set_id=d.rule_set_id,
            data={
                "row_id": row.id,
                "chi_bo": chi_bo.code,
                "by": by.code,
                "number": d_in.number,
                "signed_on": d_in.signed_on.isoformat(),
                "place": d_in.place,
                "rule": RULE,
            },
        )
        return view(s, row)


def designated(s: Session, dossier_id: int) -> list[int]:
    """The chi bộ designated to help with the dossier (L-NO-MEMBER), oldest first."""
    return [
        int(i)
        for i in s.exec(
            select(Designation.chi_bo_id)
            .where(Designation.dossier_id == dossier_id)
            .order_by(col(Designation.id))
        ).all()
    ]


def dossier_designations(s: Session, dossier_id: int) -> list[dict[str, Any]]:
    rows = s.exec(
        select(Designation)
        .where(Designation.dossier_id == dossier_id)
        .order_by(col(Designation.id))
    ).all()
    return [view(s, r) for r in rows]


def view(s: Session, row: Designation) -> dict[str, Any]:
    chi_bo, by = s.get(Organization, row.chi_bo_id), s.get(Organization, row.by_org_id)
    assert chi_bo is not None and by is not None
    return {
        "id": row.id,
        "dossier_id": row.dossier_id,
        "chi_bo": {"code": chi_bo.code, "name": chi_bo.name},
        "by": {"code": by.code, "name": by.name},
        "number": row.number,
        "signed_on": row.signed_on.isoformat(),
        "place": row.place,
        "rule_id": RULE,
    }


def allow_dossier(s: Session, ctx: Context, action: Action, d: Dossier) -> None:
    """``ctx.allow(action, d.org_id)``, or, for reading and a chi bộ's recording, the same
    right in a chi bộ designated for the dossier (L-NO-MEMBER); else the first refusal."""
    try:
        ctx.allow(s, action, d.org_id)
        return
    except Forbidden as exc:
        if action not in _SHARED or d.id is None or not enforced(s):
            raise
        refused = exc
    for chi_bo_id in designated(s, d.id):
        try:
            authorize(s, ctx.actor, action, chi_bo_id)
            return
        except Forbidden:
            continue
    raise refused
