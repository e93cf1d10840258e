"""What a dossier's own record says beyond its facts (issue 18): a former membership ended
by a xóa tên recorded in ketnap (R-REJOIN reads its ground, L-XOA-TEN), and an admission
decision its committee annulled (L-ANNUL: it no longer counts for a redone procedure).

Read in bulk for the facts the guards see (``dossiers.load_facts_many`` calls ``adjust``);
this module imports nothing of the use cases, so that any of them may call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from models.among import among
from models.tables import Annulment, Decision, Dossier, PriorMembership
from workflow.domain.errors import BadInput
from workflow.domain.facts import DossierFacts, PriorMembershipFact
from workflow.domain.process import Stage
from workflow.domain.vocabulary import EXIT_CAUSE_OF, DecisionKind, ExitCause, XoaTenGround
from workflow.text.vntext import fmt_date

_CHUNK = 5000


@dataclass(frozen=True)
class StruckOff:
    """A xóa tên recorded in ketnap: the dossier, the decision's date, its ground."""

    dossier_id: int
    left_on: date
    ground: XoaTenGround
    readmission: bool  # that dossier was itself a readmission (R-REJOIN: once only)

    @property
    def cause(self) -> ExitCause:
        return EXIT_CAUSE_OF[self.ground]


_STRUCK = (
    sa_select(
        col(Dossier.candidate_id),
        col(Dossier.id),
        col(Decision.signed_on),
        col(Decision.ground),
        col(PriorMembership.id),
    )
    .join(Decision, col(Decision.dossier_id) == col(Dossier.id))
    .outerjoin(PriorMembership, col(PriorMembership.dossier_id) == col(Dossier.id))
    .where(
        among(col(Dossier.candidate_id), "cids"),
        col(Dossier.stage) == Stage.xoa_ten.value,
        col(Decision.kind) == DecisionKind.xoa_ten.value,
        col(Decision.approve).is_(True),
        col(Decision.ground).is_not(None),
    )
    .order_by(col(Decision.signed_on), col(Decision.id))
)

_ANNULLED = (
    sa_select(col(Annulment.dossier_id), func.max(col(Annulment.signed_on)))
    .where(among(col(Annulment.dossier_id), "dids"))
    .group_by(col(Annulment.dossier_id))
)


def struck_off(s: Session, candidate_ids: Sequence[int]) -> dict[int, list[StruckOff]]:
    """Each person's xóa tên records, oldest first."""
    conn = s.connection()
    out: dict[int, list[StruckOff]] = {}
    wanted = sorted(set(candidate_ids))
    for i in range(0, len(wanted), _CHUNK):
        rows: list[Any] = list(conn.execute(_STRUCK, {"cids": wanted[i : i + _CHUNK]}))
        for cid, did, signed, ground, prior in rows:
            day = signed if isinstance(signed, date) else date.fromisoformat(str(signed)[:10])
            out.setdefault(cid, []).append(
                StruckOff(did, day, XoaTenGround(ground), prior is not None)
            )
    return out


def annulled_on(s: Session, dossier_ids: Sequence[int]) -> dict[int, date]:
    """The latest annulment's date of each dossier that has one (L-ANNUL)."""
    conn = s.connection()
    out: dict[int, date] = {}
    wanted = sorted(set(dossier_ids))
    for i in range(0, len(wanted), _CHUNK):
        for did, signed in conn.execute(_ANNULLED, {"dids": wanted[i : i + _CHUNK]}):
            out[did] = signed if isinstance(signed, date) else date.fromisoformat(str(signed)[:10])
    return out


def prior_from_record(
    records: Sequence[StruckOff], dossier_id: int, typed: PriorMembershipFact | None
) -> PriorMembershipFact | None:
    """R-REJOIN's former membership as the record says it: the last xóa tên of the person in
    another dossier (its decision's date, the cause its ground maps to). What was typed by
    hand only adds what the record cannot know (a readmission before ketnap, a record
    cleared); without a record, the typed fact stands."""
    earlier = [r for r in records if r.dossier_id != dossier_id]
    if not earlier:
        return typed
    last = earlier[-1]
    again = len(earlier) > 1 or last.readmission or (typed is not None and typed.readmitted_before)
    return PriorMembershipFact(last.left_on, last.cause, again, None)


def adjust(
    s: Session, dossiers: Sequence[Any], facts: dict[int, DossierFacts]
) -> dict[int, DossierFacts]:
    """The facts as the record completes them: the former membership from a xóa tên in
    ketnap, and, after an annulment, the admission and recognition decisions it voided
    left out (the redone procedure needs a new decision)."""
    if not dossiers:
        return facts
    records = struck_off(s, [d.candidate_id for d in dossiers])
    annulled = annulled_on(s, [d.id for d in dossiers])
    if not records and not annulled:
        return facts
    voided = {DecisionKind.ket_nap, DecisionKind.chinh_thuc}
    for d in dossiers:
        f = facts[d.id]
        if d.candidate_id in records:
            prior = prior_from_record(records[d.candidate_id], d.id, f.prior_membership)
            f = replace(f, prior_membership=prior)
        if d.id in annulled:
            cut = annulled[d.id]
            kept = tuple(x for x in f.decisions if x.kind not in voided or x.signed_on > cut)
            f = replace(f, decisions=kept)
        facts[d.id] = f
    return facts


def check_typed_prior(
    s: Session, dossier_id: int, candidate_id: int, left_on: date, cause: ExitCause
) -> None:
    """A former membership typed by hand that the record contradicts is bad input, naming
    the field (R-REJOIN reads the xóa tên recorded in ketnap, L-XOA-TEN)."""
    records = struck_off(s, [candidate_id]).get(candidate_id, [])
    earlier = [r for r in records if r.dossier_id != dossier_id]
    if not earlier:
        return
    last = earlier[-1]
    problems = []
    where = f"hồ sơ #{last.dossier_id} ghi quyết định xóa tên ngày {fmt_date(last.left_on)}"
    if left_on != last.left_on:
        problems.append(("Ngày ra khỏi Đảng", f"{where}; không thể ghi ngày {fmt_date(left_on)}"))
    if cause is not last.cause:
        problems.append(
            (
                "Lý do ra khỏi Đảng",
                f"{where}, căn cứ '{last.ground.label}' tức là '{last.cause.label}' "
                f"({last.cause.value}); không thể ghi '{cause.value}'",
            )
        )
    if problems:
        raise BadInput(problems)
