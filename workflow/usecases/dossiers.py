"""People and their dossiers: a new person in the pool, a dossier by id, its facts as the
guards see them, its deadline rows kept in step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models import audit
from models.tables import Candidate, Dossier, Organization
from workflow.domain.deadlines import chi_bo_date, dossier_dues
from workflow.domain.errors import BadInput, Conflict
from workflow.domain.facts import (
    ConsentFact,
    DecisionFact,
    DocumentFact,
    DossierFacts,
    IntroducerFact,
    PriorMembershipFact,
    RelativeFact,
    ResolutionFact,
)
from workflow.domain.process import Stage
from workflow.domain.profile import admission_profile
from workflow.domain.vocabulary import (
    AgeGround,
    ConsentKind,
    DecisionKind,
    DocumentKind,
    Education,
    EduException,
    ExitCause,
    OrgKind,
    Relation,
    ResolutionKind,
    Sector,
)
from workflow.inputs.base import validate
from workflow.inputs.dossier import CandidateIn
from workflow.text.vntext import fold, sort_text
from workflow.usecases import tracking
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.context import Context
from workflow.usecases.life_record import adjust
from workflow.usecases.organizations import CELLS, live_org, org_by_code
from workflow.usecases.step_reads import fact_rows, rules_on

CLOSED_STAGES = [st.value for st in Stage if st.closed]


def sync_dossier(s: Session, d: Dossier, facts: DossierFacts, ctx: Context) -> None:
    """The dossier's deadline rows, recomputed in the transaction that changed its facts."""
    assert d.id is not None
    today_ = ctx.today()
    cal = tracking.calendar(s)
    dues = (
        []
        if facts.stage.closed
        else dossier_dues(facts, rules_on(s, chi_bo_date(facts) or today_), cal)
    )
    tracking.sync(
        s,
        tracking.dossier_subject(d.id),
        d.org_id,
        d.id,
        dues,
        today_,
        ctx.clock.now(),
        cal,
        tracking.policies(s),
    )


def new_person(s: Session, ctx: Context, c_in: CandidateIn) -> tuple[Candidate, Organization]:
    """The candidate row of a new person in a chi bộ (checked: a cell, a CCCD not yet used,
    the actor's right to add people there)."""
    now = ctx.clock.now()
    org = live_org(org_by_code(s, c_in.org_code, "Chi bộ"), ctx.today(), "Chi bộ")
    if OrgKind(org.kind) not in CELLS:
        raise BadInput.one(
            "Chi bộ", f"'{org.name}' là {OrgKind(org.kind).label}, không phải chi bộ"
        )
    assert org.id is not None
    ctx.allow(s, Action.add_candidate, org.id)  # before anything is said about the number
    existing = s.exec(
        select(Dossier.id, Dossier.org_id).join(Candidate).where(Candidate.cccd == c_in.cccd)
    ).first()
    if existing is not None:
        scope = scope_ids(s, ctx.actor)
        if scope is None or existing[1] in scope:
            raise BadInput.one("Số CCCD", f"đã có người với số CCCD này (hồ sơ #{existing[0]})")
        raise BadInput.one(
            "Số CCCD",
            "số CCCD này đã có hồ sơ ở một tổ chức ngoài phạm vi của bạn; "
            "hãy liên hệ Ban Tổ chức cấp trên",
        )
    person = Candidate(
        **c_in.model_dump(
            include=set(CandidateIn.model_fields)
            - {"org_code", "sex", "education", "edu_exception", "occupation"}
        ),
        sex=c_in.sex.value,
        education=c_in.education.value,
        edu_exception=c_in.edu_exception.value,
        occupation=c_in.occupation.value,
        name_key=fold(c_in.full_name),
        sort_key=sort_text(c_in.full_name),
        org_id=org.id,
        created_at=now,
    )
    s.add(person)
    s.flush()
    return person, org


def add_candidate(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Who may add candidates at all is checked before what was typed is judged (the
    organization's scope and a known CCCD, once the row is valid, in open_dossier)."""
    ctx.require(Action.add_candidate)
    c_in = validate(CandidateIn, data, ctx.today())
    with ctx.write() as s:
        return open_dossier(s, ctx, c_in)


def open_dossier(
    s: Session, ctx: Context, c_in: CandidateIn, source: str | None = None
) -> dict[str, Any]:
    """A new person in the pool (nguồn), in the caller's unit of work (one clerk's entry,
    or one row of an imported sheet: ``source`` names the file)."""
    now = ctx.clock.now()
    person, org = new_person(s, ctx, c_in)
    assert person.id is not None and org.id is not None
    dossier = Dossier(
        candidate_id=person.id,
        org_id=org.id,
        stage=Stage.nguon.value,
        opened_on=ctx.today(),
        updated_at=now,
    )
    s.add(dossier)
    s.flush()
    data = {"org": org.code, "birth_month": c_in.birth_date.strftime("%Y-%m")}
    if source is not None:
        data["source"] = source
    audit.append(
        s,
        at=now,
        actor=ctx.actor,
        kind="create",
        event="tao_ho_so",
        dossier_id=dossier.id,
        to_stage=Stage.nguon.value,
        data=data,
    )
    return {"dossier_id": dossier.id, "candidate_id": person.id, "stage": dossier.stage}


MAX_ID = 2**63 - 1  # SQL's BIGINT: a larger number cannot be an id (and would not bind)


def get_dossier(s: Session, dossier_id: int) -> Dossier:
    if not 1 <= dossier_id <= MAX_ID:
        raise no_dossier(dossier_id)
    d = s.get(Dossier, dossier_id)
    if d is None:
        raise no_dossier(dossier_id)
    return d


def no_dossier(*ids: int) -> BadInput:
    return BadInput.one("Mã hồ sơ", "không có hồ sơ " + ", ".join(f"#{i}" for i in ids))


class DossierState(Protocol):
    """What judging and writing a transition read of a dossier: a plain row of its table
    (no identity map for a step, nor for a batch of 20,000), or its ORM object."""

    @property
    def id(self) -> int | None: ...
    @property
    def candidate_id(self) -> int: ...
    @property
    def org_id(self) -> int: ...
    @property
    def stage(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def closed_reason(self) -> str | None: ...
    @property
    def party_joined_on(self) -> date | None: ...
    @property
    def admitted_profile(self) -> int | None: ...
    @property
    def admitted_org_id(self) -> int | None: ...
    @property
    def official_effective_on(self) -> date | None: ...


DOSSIER_TABLE = Dossier.__table__  # type: ignore[attr-defined]  # its rows, not ORM objects


_DOSSIER_ROW = sa_select(DOSSIER_TABLE).where(col(Dossier.id) == bindparam("id"))


def check_version(d: DossierState, expected: int | None) -> None:
    """A page or a command that showed version ``expected`` of the dossier writes only if it
    is still that version (optimistic concurrency): else Conflict, nothing written."""
    if expected is not None and d.version != expected:
        raise Conflict(
            f"Hồ sơ #{d.id} vừa được người khác cập nhật (phiên bản {expected} → {d.version}); "
            "không ghi gì. Hãy xem lại hồ sơ rồi thử lại."
        )


def dossier_state(s: Session, dossier_id: int) -> DossierState:
    """One dossier as a plain row, for a step (the ORM's identity map is not needed there)."""
    if not 1 <= dossier_id <= MAX_ID:
        raise no_dossier(dossier_id)
    row: DossierState | None = s.connection().execute(_DOSSIER_ROW, {"id": dossier_id}).first()
    if row is None:
        raise no_dossier(dossier_id)
    return row


def load_facts(s: Session, d: Dossier) -> DossierFacts:
    """Everything the guards may need about one dossier, read in this transaction."""
    assert d.id is not None
    return load_facts_many(s, [d])[d.id]


def load_facts_many(s: Session, dossiers: Sequence[DossierState]) -> dict[int, DossierFacts]:
    """The facts of many dossiers, read in one statement (``workflow.step_reads``)."""
    grouped = fact_rows(s, [d.id or 0 for d in dossiers], [d.candidate_id for d in dossiers])
    out: dict[int, DossierFacts] = {}
    for d in dossiers:
        assert d.id is not None

        def rows(kind: str, key: int = d.id) -> list[tuple[Any, ...]]:
            return grouped[kind].get(key, [])

        (person,) = rows("person", d.candidate_id)
        birth, education, exception, doan, cong_doan, org_kind, has_doan, sector, decides = person
        certificate = rows("certificate", d.candidate_id)
        verified = rows("verified")
        ceremony = rows("ceremony")
        prior = rows("prior")
        out[d.id] = DossierFacts(
            stage=Stage(d.stage),
            birth_date=birth,
            education=Education(education),
            edu_exception=EduException(exception),
            doan_member=doan,
            cong_doan_member=cong_doan,
            under_dang_uy=OrgKind(org_kind) is OrgKind.chi_bo,
            unit_has_doan=has_doan,
            unit_sector=Sector(sector),
            base_decides=decides,
            certificate_issued_on=certificate[0][0] if certificate else None,
            introducers=tuple(IntroducerFact(*r) for r in rows("introducers")),
            documents=tuple(DocumentFact(DocumentKind(r[0]), r[1]) for r in rows("documents")),
            verified_on=verified[0][0] if verified else None,
            relatives=tuple(RelativeFact(Relation(r[0]), *r[1:]) for r in rows("relatives")),
            resolutions=tuple(
                ResolutionFact(ResolutionKind(r[0]), *r[1:]) for r in rows("resolutions")
            ),
            decisions=tuple(DecisionFact(DecisionKind(r[0]), *r[1:]) for r in rows("decisions")),
            consents=tuple(
                ConsentFact(ConsentKind(r[0]), r[1], r[2], AgeGround(r[3]) if r[3] else None)
                for r in rows("consents")
            ),
            ceremony_on=ceremony[0][0] if ceremony else None,
            prior_membership=(
                PriorMembershipFact(prior[0][0], ExitCause(prior[0][1]), *prior[0][2:])
                if prior
                else None
            ),
        )
    return adjust(s, dossiers, out)  # a xóa tên, an annulment on record (life_record.py)


def profile_of(c: Candidate, admitted_on: date) -> int:
    """The person as the reports count them, fixed at the admission decision."""
    return admission_profile(
        doan_member=c.doan_member,
        sex=c.sex,
        ethnicity=c.ethnicity,
        religion=c.religion,
        occupation=c.occupation,
        education=c.education,
        birth_date=c.birth_date,
        admitted_on=admitted_on,
    )
