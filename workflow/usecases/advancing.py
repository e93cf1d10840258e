"""Use cases. Each public function is one unit of work and the only place that commits.

The path of every change: validate input → open a write transaction → load the dossier
and its facts → judge with the pure guards → fire the shared machine → write the new
stage, the audit event and whatever else changed → commit once. A refusal rolls all of
that back and records only the refusal itself, in its own transaction, for inspectors.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from models import audit
from models.db import HEAD_REVISION, make_engine, migrate, schema_revision, unit_of_work
from models.tables import (
    AuditEvent,
    CalendarOverride,
    Candidate,
    Ceremony,
    Certificate,
    Consent,
    Decision,
    Document,
    Dossier,
    Introducer,
    Organization,
    PriorMembership,
    Relative,
    Resolution,
    RuleOverride,
    Setting,
    Verification,
)
from workflow.domain import guards
from workflow.domain.calendar import WorkingCalendar
from workflow.domain.deadlines import chi_bo_date, dossier_deadlines, dossier_dues, probation_end
from workflow.domain.errors import (
    BadInput,
    BatchRefused,
    Conflict,
    Forbidden,
    NotInitialised,
    Refused,
)
from workflow.domain.facts import (
    ConsentFact,
    ConsentKind,
    DecisionFact,
    DecisionKind,
    DocumentFact,
    DocumentKind,
    DossierFacts,
    Education,
    EduException,
    ExitCause,
    IntroducerFact,
    OrgKind,
    PriorMembershipFact,
    Relation,
    RelativeFact,
    ResolutionFact,
    ResolutionKind,
)
from workflow.domain.process import Event, Stage, events_from, fire, targets
from workflow.domain.profile import admission_profile
from workflow.domain.reminders import Policy
from workflow.domain.rules import OVERRIDABLE, RuleSet, coerce_override, rule_set_for
from workflow.inputs.dossier import (
    CandidateIn,
    CeremonyIn,
    CertificateIn,
    ConsentIn,
    DecisionIn,
    DocumentIn,
    FactIn,
    IntroducerIn,
    OrgIn,
    PriorMembershipIn,
    RelativeIn,
    ResolutionIn,
    VerificationIn,
    validate,
)
from workflow.text.vntext import fold, name_sort_key
from workflow.usecases import tracking
from workflow.usecases.access import Action, authorize, scope_ids
from workflow.usecases.clock import Clock, today
from workflow.usecases.step_reads import fact_rows, step_settings

# Which kind of organization may sit under which (RULES.md: no district level since
# 01/7/2025, so the deciding committee is a role, not a fixed "Huyện ủy").
PARENT_KINDS: dict[OrgKind, set[OrgKind | None]] = {
    OrgKind.cap_tinh: {None},
    OrgKind.cap_uy_co_tham_quyen: {None, OrgKind.cap_tinh, OrgKind.cap_uy_co_tham_quyen},
    OrgKind.dang_bo_co_so: {OrgKind.cap_uy_co_tham_quyen},
    OrgKind.chi_bo: {OrgKind.dang_bo_co_so},
    OrgKind.chi_bo_co_so: {OrgKind.cap_uy_co_tham_quyen},
}
CELLS = frozenset({OrgKind.chi_bo, OrgKind.chi_bo_co_so})
_CLOSED = [st.value for st in Stage if st.closed]


@dataclass
class Context:
    """Who acts, on which database, at what time. Built by the CLI (or a test)."""

    engine: Engine
    clock: Clock
    actor: str

    def today(self) -> date:
        return today(self.clock)

    def write(self) -> AbstractContextManager[Session]:
        return self._unit(write=True)

    def read(self) -> AbstractContextManager[Session]:
        return self._unit(write=False)

    @contextmanager
    def _unit(self, *, write: bool) -> Iterator[Session]:
        try:
            with unit_of_work(self.engine, write=write) as session:
                yield session
        except Forbidden as exc:
            self._denied(exc)
            raise

    def _denied(self, exc: Forbidden) -> None:
        """A refused action is itself audited, in its own transaction after the rollback."""
        with unit_of_work(self.engine, write=True) as session:
            audit.append(
                session,
                at=self.clock.now(),
                actor=self.actor,
                kind="denied",
                event=exc.action,
                reason=str(exc),
                data={"org_id": exc.org_id},
            )

    def allow(self, s: Session, action: Action, org_id: int | None = None) -> None:
        """Check the actor may do ``action`` (in ``org_id``'s subtree); raise Forbidden."""
        authorize(s, self.actor, action, org_id)


def open_context(url: str, actor: str, clock: Clock, *, require_init: bool = True) -> Context:
    engine = make_engine(url)
    if require_init and schema_revision(engine) != HEAD_REVISION:
        engine.dispose()
        raise NotInitialised(
            "Cơ sở dữ liệu chưa được khởi tạo hoặc chưa cập nhật; hãy chạy 'ketnap init'."
        )
    return Context(engine, clock, actor)


# --- set-up ---------------------------------------------------------------------------------


def initialise(ctx: Context) -> bool:
    """Create or upgrade the schema through Alembic; True when the installation is new (its
    audit log was empty: the schema may have been made by a DBA running the migrations)."""
    migrate(ctx.engine)
    with ctx.write() as s:
        fresh = audit.head(s)[0] == 0
        if fresh:
            audit.append(
                s,
                at=ctx.clock.now(),
                actor=ctx.actor,
                kind="admin",
                event="khoi_tao",
                data={"schema": HEAD_REVISION},
            )
    return fresh


_calendar = tracking.calendar


_OVERRIDES = sa_select(col(RuleOverride.key), col(RuleOverride.value))


def _overrides(s: Session) -> dict[str, Any]:
    rows = s.connection().execute(_OVERRIDES)
    return {key: coerce_override(key, value) for key, value in rows}


def _rules(s: Session, day: date) -> RuleSet:
    return rule_set_for(day, _overrides(s))


def _sync_dossier(s: Session, d: Dossier, facts: DossierFacts, ctx: Context) -> None:
    """The dossier's deadline rows, recomputed in the transaction that changed its facts."""
    assert d.id is not None
    today_ = ctx.today()
    cal = _calendar(s)
    dues = (
        []
        if facts.stage.closed
        else dossier_dues(facts, _rules(s, chi_bo_date(facts) or today_), cal)
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


def resync_all(s: Session, ctx: Context) -> int:
    """Every open dossier's and this year's cycle deadlines again (a calendar or rule
    change moves them all); returns the number of dossiers."""
    count = 0
    for d in s.exec(select(Dossier).where(col(Dossier.stage).notin_(_CLOSED))).all():
        _sync_dossier(s, d, load_facts(s, d), ctx)
        count += 1
    tracking.sync_cycle(s, ctx.today().year, ctx.today(), ctx.clock.now())
    return count


# --- organizations ---------------------------------------------------------------------------


def _org(s: Session, code: str, field: str = "Tổ chức") -> Organization:
    org = s.exec(select(Organization).where(Organization.code == code.strip().upper())).first()
    if org is None:
        raise BadInput.one(field, f"không có tổ chức mã '{code}'")
    return org


def parent_problem(kind: OrgKind, parent_kind: OrgKind | None) -> str | None:
    """Why an organization of ``kind`` cannot sit under one of ``parent_kind`` (or None)."""
    if parent_kind in PARENT_KINDS[kind]:
        return None
    allowed = ", ".join(k.label if k else "không có" for k in PARENT_KINDS[kind])
    return (
        f"{kind.label} không thể trực thuộc "
        f"{parent_kind.label if parent_kind else 'không có cấp trên'}; cấp trên hợp lệ: {allowed}"
    )


def place_org(
    s: Session,
    ctx: Context,
    org_in: OrgIn,
    parent: Organization | None,
    source: str | None = None,
) -> Organization:
    """A new organization in the caller's unit of work (checked by the caller), with its
    planning cycle of this year and its audit event."""
    org = Organization(
        code=org_in.code,
        name=org_in.name,
        name_key=fold(org_in.name),
        kind=org_in.kind.value,
        sector=org_in.sector.value,
        parent_id=parent.id if parent else None,
        has_doan=org_in.has_doan,
        has_cong_doan=org_in.has_cong_doan,
        created_at=ctx.clock.now(),
    )
    s.add(org)
    s.flush()
    assert org.id is not None
    # its planning cycle of this year (a base organization owes a plan and reports)
    tracking.sync_cycle(s, ctx.today().year, ctx.today(), ctx.clock.now(), org_ids={org.id})
    data = org_in.model_dump(mode="json")
    if source is not None:
        data["source"] = source
    audit.append(
        s, at=ctx.clock.now(), actor=ctx.actor, kind="admin", event="them_to_chuc", data=data
    )
    return org


def add_org(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    org_in = validate(OrgIn, data, ctx.today())
    with ctx.write() as s:
        ctx.allow(s, Action.admin)
        if s.exec(select(Organization.id).where(Organization.code == org_in.code)).first():
            raise BadInput.one("Mã tổ chức", f"mã '{org_in.code}' đã được dùng")
        parent = _org(s, org_in.parent_code, "Tổ chức cấp trên") if org_in.parent_code else None
        problem = parent_problem(org_in.kind, OrgKind(parent.kind) if parent else None)
        if problem is not None:
            raise BadInput.one("Tổ chức cấp trên", problem)
        return _org_view(place_org(s, ctx, org_in, parent), parent)


def _org_view(org: Organization, parent: Organization | None) -> dict[str, Any]:
    return {
        "id": org.id,
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "kind_label": OrgKind(org.kind).label,
        "sector": org.sector,
        "parent_code": parent.code if parent else None,
        "has_doan": org.has_doan,
        "has_cong_doan": org.has_cong_doan,
    }


def list_orgs(ctx: Context) -> list[dict[str, Any]]:
    """Organizations in tree order (each parent before its children)."""
    with ctx.read() as s:
        orgs = s.exec(select(Organization)).all()
    by_id = {o.id: o for o in orgs}
    children: dict[int | None, list[Organization]] = {}
    for o in orgs:
        children.setdefault(o.parent_id, []).append(o)
    out: list[dict[str, Any]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for o in sorted(children.get(parent_id, []), key=lambda o: name_sort_key(o.name)[1]):
            view = _org_view(o, by_id.get(o.parent_id))
            view["depth"] = depth
            out.append(view)
            walk(o.id, depth + 1)

    walk(None, 0)
    return out


def _subtree_ids(s: Session, root: Organization) -> set[int]:
    rows = s.exec(select(col(Organization.id), col(Organization.parent_id))).all()
    children: dict[int | None, list[int]] = {}
    for oid, parent in rows:
        if oid is not None:
            children.setdefault(parent, []).append(oid)
    found: set[int] = set()
    stack: list[int | None] = [root.id]
    while stack:
        current = stack.pop()
        if current is None or current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


# --- candidates and dossiers -----------------------------------------------------------------


def new_person(s: Session, ctx: Context, c_in: CandidateIn) -> tuple[Candidate, Organization]:
    """The candidate row of a new person in a chi bộ (checked: a cell, a CCCD not yet used,
    the actor's right to add people there)."""
    now = ctx.clock.now()
    org = _org(s, c_in.org_code, "Chi bộ")
    if OrgKind(org.kind) not in CELLS:
        raise BadInput.one(
            "Chi bộ", f"'{org.name}' là {OrgKind(org.kind).label}, không phải chi bộ"
        )
    existing = s.exec(select(Dossier.id).join(Candidate).where(Candidate.cccd == c_in.cccd)).first()
    if existing is not None:
        raise BadInput.one("Số CCCD", f"đã có người với số CCCD này (hồ sơ #{existing})")
    assert org.id is not None
    ctx.allow(s, Action.add_candidate, org.id)
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
        org_id=org.id,
        created_at=now,
    )
    s.add(person)
    s.flush()
    return person, org


def add_candidate(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
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


def _dossier(s: Session, dossier_id: int) -> Dossier:
    d = s.get(Dossier, dossier_id)
    if d is None:
        raise _no_dossier(dossier_id)
    return d


def _no_dossier(*ids: int) -> BadInput:
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
    def official_effective_on(self) -> date | None: ...


_DOSSIER_TABLE = Dossier.__table__  # type: ignore[attr-defined]  # its rows, not ORM objects
_DOSSIER_ROW = sa_select(_DOSSIER_TABLE).where(col(Dossier.id) == bindparam("id"))


def _state(s: Session, dossier_id: int) -> DossierState:
    """One dossier as a plain row, for a step (the ORM's identity map is not needed there)."""
    row: DossierState | None = s.connection().execute(_DOSSIER_ROW, {"id": dossier_id}).first()
    if row is None:
        raise _no_dossier(dossier_id)
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
        birth, education, exception, doan, cong_doan, org_kind, has_doan = person
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
            certificate_issued_on=certificate[0][0] if certificate else None,
            introducers=tuple(IntroducerFact(*r) for r in rows("introducers")),
            documents=tuple(DocumentFact(DocumentKind(r[0]), r[1]) for r in rows("documents")),
            verified_on=verified[0][0] if verified else None,
            relatives=tuple(RelativeFact(Relation(r[0]), r[1], r[2]) for r in rows("relatives")),
            resolutions=tuple(
                ResolutionFact(ResolutionKind(r[0]), *r[1:]) for r in rows("resolutions")
            ),
            decisions=tuple(DecisionFact(DecisionKind(r[0]), *r[1:]) for r in rows("decisions")),
            consents=tuple(ConsentFact(ConsentKind(r[0]), *r[1:]) for r in rows("consents")),
            ceremony_on=ceremony[0][0] if ceremony else None,
            prior_membership=(
                PriorMembershipFact(prior[0][0], ExitCause(prior[0][1]), prior[0][2])
                if prior
                else None
            ),
        )
    return out


def _fact_row(d: Dossier, fact: FactIn) -> tuple[str, Any]:
    """The table row for a fact, and the name of the audit event recording it."""
    did = d.id
    assert did is not None
    match fact:
        case CertificateIn():
            return "ghi_giay_chung_nhan", Certificate(
                candidate_id=d.candidate_id, **fact.model_dump()
            )
        case IntroducerIn():
            return "ghi_nguoi_gioi_thieu", Introducer(dossier_id=did, **fact.model_dump())
        case DocumentIn():
            return "ghi_giay_to", Document(
                dossier_id=did,
                kind=fact.kind.value,
                form=fact.kind.form,
                dated=fact.dated,
                number=fact.number,
            )
        case VerificationIn():
            return "ghi_tham_tra", Verification(dossier_id=did, **fact.model_dump())
        case RelativeIn():
            return "ghi_nguoi_than", Relative(
                dossier_id=did,
                **fact.model_dump(exclude={"relation"}),
                relation=fact.relation.value,
            )
        case ResolutionIn():
            return "ghi_nghi_quyet", Resolution(
                dossier_id=did, **fact.model_dump(exclude={"kind"}), kind=fact.kind.value
            )
        case DecisionIn():
            return "ghi_quyet_dinh", Decision(
                dossier_id=did,
                kind=fact.kind.value,
                number=fact.number,
                signed_on=fact.signed_on,
                received_on=fact.received,
                approve=fact.approve,
            )
        case CeremonyIn():
            return "ghi_le_ket_nap", Ceremony(dossier_id=did, held_on=fact.held_on)
        case ConsentIn():
            return "ghi_van_ban_dong_y", Consent(
                dossier_id=did, **fact.model_dump(exclude={"kind"}), kind=fact.kind.value
            )
        case PriorMembershipIn():
            return "ghi_qua_trinh_dang_truoc", PriorMembership(
                dossier_id=did,
                left_on=fact.left_on,
                cause=fact.cause.value,
                readmitted_before=fact.readmitted_before,
            )
    raise TypeError(type(fact))  # pragma: no cover


def _fact_action(fact: FactIn) -> Action:
    """The committee's facts need its right (decide); the chi bộ's own, the right to record."""
    committee = (DecisionIn, ConsentIn, VerificationIn, PriorMembershipIn)
    if isinstance(fact, committee):
        return Action.decide
    if isinstance(fact, ResolutionIn) and fact.kind in {
        ResolutionKind.dang_uy,
        ResolutionKind.dang_uy_chinh_thuc,
    }:
        return Action.decide
    return Action.record


def _replace(s: Session, old: SQLModel | None, new: SQLModel) -> None:
    """Put ``new`` where ``old`` was (one row per key); the caller audits the old value."""
    if old is not None:
        s.delete(old)
        s.flush()
    s.add(new)
    s.flush()


# Facts of which a dossier holds one: recording again replaces the earlier one (audited).
_SINGLE: dict[type[SQLModel], Any] = {
    Ceremony: Ceremony.dossier_id,
    PriorMembership: PriorMembership.dossier_id,
}


def record_fact(
    ctx: Context, dossier_id: int, model: type[FactIn], data: dict[str, Any]
) -> dict[str, Any]:
    """Record one dated fact of a dossier (a vote, a paper, a decision …), audited."""
    fact = validate(model, data, ctx.today())
    with ctx.write() as s:
        d = _dossier(s, dossier_id)
        ctx.allow(s, _fact_action(fact), d.org_id)
        if Stage(d.stage).closed:
            raise BadInput.one(
                "Mã hồ sơ", f"hồ sơ #{dossier_id} đã kết thúc ({Stage(d.stage).label})"
            )
        name, row = _fact_row(d, fact)
        old = None
        if type(row) in _SINGLE:
            old = s.exec(select(type(row)).where(_SINGLE[type(row)] == dossier_id)).first()
        replaced = old.model_dump(mode="json", exclude={"id", "dossier_id"}) if old else None
        _replace(s, old, row)
        payload = fact.model_dump(
            mode="json", exclude={"full_name"} if model is RelativeIn else None
        )
        if replaced is not None:
            payload["replaces"] = replaced
        _sync_dossier(s, d, load_facts(s, d), ctx)
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="fact",
            event=name,
            dossier_id=dossier_id,
            data=payload,
        )
        return {"dossier_id": dossier_id, "fact": name, "id": getattr(row, "id", None)}


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


# The versioned write of an advance, compiled once (optimistic concurrency: WHERE version).
_ADVANCE = (
    update(Dossier)
    .where(col(Dossier.id) == bindparam("did"), col(Dossier.version) == bindparam("seen"))
    .values(
        {
            name: bindparam(name)
            for name in (
                "stage",
                "version",
                "rule_set_id",
                "updated_at",
                "returned_reason",
                "closed_reason",
                "party_joined_on",
                "admitted_profile",
                "official_effective_on",
            )
        }
    )
)


@dataclass(frozen=True)
class Advanced:
    dossier_id: int
    event: Event
    from_stage: Stage
    to_stage: Stage
    version: int
    rule_set_id: str
    notes: tuple[guards.Unmet, ...]


@dataclass(frozen=True)
class _Planned:
    d: DossierState
    facts: DossierFacts
    rs: RuleSet
    verdict: guards.Verdict
    dest: Stage


Refusal = tuple[int, str, guards.Verdict, DossierFacts]  # dossier id, its stage, why


@dataclass(frozen=True)
class _Judgement:
    """The dossiers judged, and the calendar and rule overrides they were judged under
    (read once per unit of work: the writes use the same ones)."""

    planned: list[_Planned]
    refused: list[Refusal]
    cal: WorkingCalendar
    overrides: dict[str, Any]
    policies: dict[str, Policy]


def _judge(
    s: Session,
    ctx: Context,
    ds: Sequence[DossierState],
    event: Event,
    back_to: Stage | None,
) -> _Judgement:
    """Every dossier judged by the event's guards (pure), its facts read in bulk."""
    today_ = ctx.today()
    settings = step_settings(s)
    cal, overrides = settings.calendar, settings.overrides
    facts_of = load_facts_many(s, ds)
    planned: list[_Planned] = []
    refused: list[Refusal] = []
    for d in ds:
        assert d.id is not None
        facts = facts_of[d.id]
        rs = rule_set_for(guards.judged_on(event, facts, today_), overrides)
        verdict = guards.check(event, facts, rs, today_, cal)
        if not verdict.ok:
            refused.append((d.id, d.stage, verdict, facts))
            continue
        source = Stage(d.stage)
        if back_to is not None and back_to not in targets(event, source):
            choices = ", ".join(x.value for x in targets(event, source)) or "không có"
            raise BadInput.one("Trả về bước", f"không thể về '{back_to.value}'; chọn: {choices}")
        planned.append(_Planned(d, facts, rs, verdict, fire(source, event, back_to)))
    return _Judgement(planned, refused, cal, overrides, settings.policies)


def _apply(
    s: Session, ctx: Context, judged: _Judgement, event: Event, reason: str | None
) -> list[Advanced]:
    """Write the planned transitions: the versioned rows, the deadlines, the progress
    against the targets, the audit events. A few statements for the whole list."""
    conn = s.connection()
    now, today_ = ctx.clock.now(), ctx.today()
    planned, cal, overrides = judged.planned, judged.cal, judged.overrides
    people: dict[int | None, Candidate] = {}
    if event is Event.quyet_dinh_ket_nap:
        ids = [p.d.candidate_id for p in planned]
        people = {c.id: c for c in s.exec(select(Candidate).where(col(Candidate.id).in_(ids)))}
    params, subjects, events, done, admitted_orgs = [], [], [], [], set()
    for p in planned:
        d, facts, rs, dest = p.d, p.facts, p.rs, p.dest
        assert d.id is not None
        values: dict[str, Any] = {
            "did": d.id,
            "seen": d.version,
            "closed_reason": d.closed_reason,
            "party_joined_on": d.party_joined_on,
            "admitted_profile": d.admitted_profile,
            "official_effective_on": d.official_effective_on,
            "stage": dest.value,
            "version": d.version + 1,
            "rule_set_id": rs.id,
            "updated_at": now,
            "returned_reason": reason if event is Event.tra_lai else None,
        }
        if dest.closed and dest is not Stage.chinh_thuc:
            values["closed_reason"] = reason
        if event is Event.quyet_dinh_ket_nap:
            decision = facts.latest_decision(DecisionKind.ket_nap)
            assert decision is not None
            values["party_joined_on"] = decision.signed_on  # D-PARTY-AGE
            values["admitted_profile"] = profile_of(people[d.candidate_id], decision.signed_on)
            if decision.signed_on.year == today_.year:
                admitted_orgs.add(d.org_id)
        if event is Event.cong_nhan_chinh_thuc:
            values["official_effective_on"] = probation_end(facts, rs)  # D-OFFICIAL
        params.append(values)
        moved = replace(facts, stage=dest)
        dues = (
            []
            if dest.closed
            else dossier_dues(moved, rule_set_for(chi_bo_date(moved) or today_, overrides), cal)
        )
        subjects.append((tracking.dossier_subject(d.id), d.org_id, d.id, dues))
        events.append(
            {
                "kind": "transition",
                "event": event.value,
                "dossier_id": d.id,
                "from_stage": d.stage,
                "to_stage": dest.value,
                "reason": reason,
                "rule_set_id": rs.id,
                "data": {
                    "facts": facts.snapshot(),
                    "judged_on": p.verdict.judged_on.isoformat(),
                    "notes": [str(n) for n in p.verdict.notes],
                    "rule_overrides": dict(rs.overrides),
                },
            }
        )
        done.append(
            Advanced(d.id, event, Stage(d.stage), dest, d.version + 1, rs.id, p.verdict.notes)
        )
    changed = conn.execute(_ADVANCE, params)
    if conn.dialect.supports_sane_multi_rowcount and changed.rowcount != len(params):
        raise Conflict("Hồ sơ vừa được người khác cập nhật; không ghi gì.")  # pragma: no cover
    tracking.sync_many(s, subjects, today_, now, cal, judged.policies)
    if admitted_orgs:  # the organizations' progress against their targets moved (P-HALF, P-YEAR)
        tree = tracking.OrgTree(s)
        above = {a for o in admitted_orgs for a in tree.ancestors(o)}
        tracking.sync_cycle(s, today_.year, today_, now, org_ids=above)
    audit.append_many(s, now, ctx.actor, events)
    return done


def _record_refusals(
    ctx: Context, event: Event, reason: str | None, refused: list[Refusal]
) -> None:
    """The unit of work above wrote nothing; the refusals are recorded for inspectors."""
    with ctx.write() as s:
        audit.append_many(
            s,
            ctx.clock.now(),
            ctx.actor,
            [
                {
                    "kind": "refusal",
                    "event": event.value,
                    "dossier_id": did,
                    "from_stage": stage,
                    "reason": reason,
                    "rule_set_id": verdict.rule_set_id,
                    "data": {
                        "unmet": [[u.rule_id, u.message] for u in verdict.unmet],
                        "facts": facts.snapshot(),
                    },
                }
                for did, stage, verdict, facts in refused
            ],
        )


def _reason(event: Event, reason: str | None) -> str | None:
    reason = reason.strip() if reason else None
    if event.needs_reason and not reason:
        raise BadInput.one("Lý do", f"bắt buộc khi '{event.label}'")
    return reason


def advance(
    ctx: Context,
    dossier_id: int,
    event: Event,
    *,
    reason: str | None = None,
    back_to: Stage | None = None,
    expected_version: int | None = None,
) -> Advanced:
    """Move a dossier one step, if the rules allow it; one unit of work."""
    reason = _reason(event, reason)
    with ctx.write() as s:
        d = _state(s, dossier_id)
        ctx.allow(s, Action.advance, d.org_id)
        if expected_version is not None and d.version != expected_version:
            raise Conflict(
                f"Hồ sơ #{dossier_id} vừa được người khác cập nhật (phiên bản {expected_version} "
                f"→ {d.version}); không ghi gì. Hãy xem lại hồ sơ rồi thử lại."
            )
        judged = _judge(s, ctx, [d], event, back_to)
        if judged.planned:
            return _apply(s, ctx, judged, event, reason)[0]
    _record_refusals(ctx, event, reason, judged.refused)
    raise Refused(judged.refused[0][2])


def advance_many(
    ctx: Context,
    dossier_ids: Sequence[int],
    event: Event,
    *,
    reason: str | None = None,
    back_to: Stage | None = None,
) -> list[Advanced]:
    """One step for a whole list (a class of 30 sent on, a chi bộ's list): every dossier
    judged by the same guards, then all written in one unit of work, or none when any is
    refused (each refusal audited, all listed)."""
    reason = _reason(event, reason)
    wanted = list(dict.fromkeys(dossier_ids))
    if not wanted:
        raise BadInput.one("Mã hồ sơ", "danh sách trống")
    with ctx.write() as s:
        query = sa_select(_DOSSIER_TABLE).where(col(Dossier.id).in_(wanted))
        conn = s.connection()
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()  # the versions read are the versions written
        found: dict[int, DossierState] = {d.id: d for d in conn.execute(query)}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise _no_dossier(*missing)
        ds = [found[i] for i in wanted]
        for org_id in sorted({d.org_id for d in ds}):
            ctx.allow(s, Action.advance, org_id)
        judged = _judge(s, ctx, ds, event, back_to)
        if not judged.refused:
            return _apply(s, ctx, judged, event, reason)
    _record_refusals(ctx, event, reason, judged.refused)
    raise BatchRefused([(did, verdict) for did, _, verdict, _ in judged.refused])


# --- reads -----------------------------------------------------------------------------------


def _mask(cccd: str) -> str:
    return "*" * 8 + cccd[-4:]


def list_dossiers(
    ctx: Context,
    *,
    search: str | None = None,
    stage: Stage | None = None,
    org_code: str | None = None,
) -> list[dict[str, Any]]:
    """Dossiers with their candidate, in Vietnamese order by given name."""
    with ctx.read() as s:
        query = (
            select(Dossier, Candidate, Organization)
            .join(Candidate, col(Candidate.id) == Dossier.candidate_id)
            .join(Organization, col(Organization.id) == Dossier.org_id)
        )
        if search:
            query = query.where(col(Candidate.name_key).contains(fold(search)))
        if stage is not None:
            query = query.where(Dossier.stage == stage.value)
        if org_code:
            org = _org(s, org_code)
            ctx.allow(s, Action.read, org.id)
            query = query.where(col(Dossier.org_id).in_(_subtree_ids(s, org)))
        else:
            ctx.allow(s, Action.read)
        scope = scope_ids(s, ctx.actor)
        if scope is not None:  # a user sees their own organizations only
            query = query.where(col(Dossier.org_id).in_(scope))
        rows = s.exec(query).all()
    rows = sorted(rows, key=lambda r: (name_sort_key(r[1].full_name), r[0].id))
    return [
        {
            "dossier_id": d.id,
            "full_name": c.full_name,
            "birth_date": c.birth_date.isoformat(),
            "sex": c.sex,
            "org_code": o.code,
            "org_name": o.name,
            "stage": d.stage,
            "stage_label": Stage(d.stage).label,
            "version": d.version,
        }
        for d, c, o in rows
    ]


def show(ctx: Context, dossier_id: int, *, reveal_cccd: bool = False) -> dict[str, Any]:
    """One dossier: candidate (CCCD masked unless revealed), facts, deadlines.

    The CCCD is sensitive personal data (Nghị định 13/2023/NĐ-CP): only the roles that
    handle the dossier (clerk, chi bộ secretary, in scope) may see it whole, and each time
    they do it is audited."""
    if reveal_cccd:
        with ctx.write() as s:
            d = _dossier(s, dossier_id)
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
        d = _dossier(s, dossier_id)
        ctx.allow(s, Action.read, d.org_id)
        c = s.get(Candidate, d.candidate_id)
        o = s.get(Organization, d.org_id)
        assert c is not None and o is not None
        facts = load_facts(s, d)
        today_ = ctx.today()
        rs = _rules(s, today_)
        cal = _calendar(s)
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
            "cccd_masked": _mask(c.cccd),
            **({"cccd": c.cccd} if reveal_cccd else {}),
            "education": c.education,
            "edu_exception": c.edu_exception,
            "occupation": c.occupation,
            "doan_member": c.doan_member,
            "cong_doan_member": c.cong_doan_member,
            "residence": c.residence,
        },
        "org": {"code": o.code, "name": o.name, "kind": o.kind},
        "facts": record,
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
        d = _dossier(s, dossier_id)
        ctx.allow(s, Action.read, d.org_id)
        facts = load_facts(s, d)
        cal = _calendar(s)
        today_ = ctx.today()
        overrides = _overrides(s)
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
        ctx.allow(s, Action.read, _dossier(s, dossier_id).org_id)
        events = s.exec(
            select(AuditEvent)
            .where(AuditEvent.dossier_id == dossier_id)
            .order_by(col(AuditEvent.id))
        ).all()
    return [
        {
            "id": e.id,
            "at": e.at,
            "actor": e.actor,
            "kind": e.kind,
            "event": e.event,
            "from_stage": e.from_stage,
            "to_stage": e.to_stage,
            "reason": e.reason,
            "rule_set_id": e.rule_set_id,
        }
        for e in events
    ]


PARALLEL_VERIFY_FROM = 200_000  # events; below that, starting processes costs more


def verify_audit(ctx: Context) -> audit.ChainReport:
    """The whole chain; a long one is cut into segments verified on every core at once."""
    import os

    with ctx.read() as s:
        ctx.allow(s, Action.read)
        last_id, _ = audit.head(s)
        cores = os.cpu_count() or 1
        if last_id < PARALLEL_VERIFY_FROM or cores < 2:
            return audit.verify(s)
    url = ctx.engine.url.render_as_string(hide_password=False)
    return audit.verify_parallel(url, last_id, cores)


# --- installation settings -------------------------------------------------------------------


def set_rule_override(ctx: Context, key: str, value: str, reason: str) -> dict[str, Any]:
    if key not in OVERRIDABLE:
        raise BadInput.one("Tham số", f"'{key}' không có; chọn: {', '.join(sorted(OVERRIDABLE))}")
    try:
        parsed = coerce_override(key, value)
    except ValueError:
        raise BadInput.one("Giá trị", f"'{value}' không hợp lệ cho '{key}'") from None
    if not reason.strip():
        raise BadInput.one("Lý do", "bắt buộc khi thay đổi quy định")
    with ctx.write() as s:
        ctx.allow(s, Action.admin)
        previous = put_setting(s, ctx, RuleOverride, key, str(value), reason.strip())
        rs = _rules(s, ctx.today())
        resync_all(s, ctx)
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="admin",
            event="ghi_de_quy_dinh",
            reason=reason.strip(),
            rule_set_id=rs.id,
            data={"key": key, "value": parsed, "previous": previous},
        )
    return {"key": key, "value": parsed, "rule_set_id": rs.id}


KeyedSetting = TypeVar("KeyedSetting", RuleOverride, Setting)


def put_setting(
    s: Session,
    ctx: Context,
    model: type[KeyedSetting],
    key: str,
    value: str,
    reason: str,
) -> str | None:
    """Store one installation setting (a rule override, a date of the cycle) in place of
    the previous one, and return the previous value for the audit event."""
    old = s.get(model, key)
    previous = old.value if old else None
    new = model(key=key, value=value, reason=reason, set_by=ctx.actor, set_at=ctx.clock.now())
    _replace(s, old, new)
    return previous


def rule_sets(ctx: Context) -> list[dict[str, Any]]:
    from workflow.domain.rules import RULE_SETS

    with ctx.read() as s:
        overrides = _overrides(s)
    return [rs.with_overrides(overrides).summary() for rs in RULE_SETS]


def set_calendar_day(ctx: Context, day: date, working: bool, note: str) -> dict[str, Any]:
    with ctx.write() as s:
        ctx.allow(s, Action.admin)
        _replace(
            s,
            s.get(CalendarOverride, day),
            CalendarOverride(
                day=day,
                working=working,
                note=note.strip(),
                set_by=ctx.actor,
                set_at=ctx.clock.now(),
            ),
        )
        resync_all(s, ctx)
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="admin",
            event="ghi_de_lich",
            reason=note.strip() or None,
            data={"day": day.isoformat(), "working": working},
        )
    return {"day": day.isoformat(), "working": working, "note": note.strip()}
