"""Recording a dated fact of a dossier (a vote, a paper, a decision …): one unit of work
with its audit event and the deadlines it moves."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, SQLModel, select

from models import audit
from models.tables import (
    Ceremony,
    Certificate,
    Consent,
    Decision,
    Document,
    Dossier,
    Introducer,
    PriorMembership,
    Relative,
    Resolution,
    Verification,
)
from workflow.domain.errors import BadInput, RecordRefused
from workflow.domain.facts import DossierFacts
from workflow.domain.guards import ceremony_unmet, member_history_unmet
from workflow.domain.process import Stage
from workflow.domain.verdicts import Unmet
from workflow.domain.vocabulary import DocumentKind, ResolutionKind
from workflow.inputs.base import validate
from workflow.inputs.dossier import (
    CeremonyIn,
    CertificateIn,
    ConsentIn,
    DecisionIn,
    DocumentIn,
    FactIn,
    IntroducerIn,
    PriorMembershipIn,
    RelativeIn,
    ResolutionIn,
    VerificationIn,
)
from workflow.text.vntext import fmt_date
from workflow.usecases.access import Action
from workflow.usecases.context import Context, replace_row
from workflow.usecases.designations import allow_dossier
from workflow.usecases.dossiers import check_version, get_dossier, load_facts, sync_dossier
from workflow.usecases.life_record import check_typed_prior


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
                ground=fact.ground.value if fact.ground else None,
            )
        case CeremonyIn():
            return "ghi_le_ket_nap", Ceremony(dossier_id=did, held_on=fact.held_on)
        case ConsentIn():
            return "ghi_van_ban_dong_y", Consent(
                dossier_id=did,
                **fact.model_dump(exclude={"kind", "ground"}),
                kind=fact.kind.value,
                ground=fact.ground.value if fact.ground else None,
            )
        case PriorMembershipIn():
            return "ghi_qua_trinh_dang_truoc", PriorMembership(
                dossier_id=did,
                left_on=fact.left_on,
                cause=fact.cause.value,
                readmitted_before=fact.readmitted_before,
                record_cleared_on=fact.record_cleared_on,
            )
    raise TypeError(type(fact))  # pragma: no cover


def _fact_action(model: type[FactIn], data: dict[str, Any]) -> Action:
    """The committee's facts need its right (decide); the chi bộ's own, the right to record.
    Read from the form's kind as typed, so that who may is checked before it is judged."""
    if issubclass(model, (DecisionIn, ConsentIn, VerificationIn, PriorMembershipIn)):
        return Action.decide
    committee_votes = {ResolutionKind.dang_uy.value, ResolutionKind.dang_uy_chinh_thuc.value}
    if issubclass(model, ResolutionIn) and str(data.get("kind", "")) in committee_votes:
        return Action.decide
    return Action.record


# Facts of which a dossier holds one: recording again replaces the earlier one (audited).
_SINGLE: dict[type[SQLModel], Any] = {
    Ceremony: Ceremony.dossier_id,
    PriorMembership: PriorMembership.dossier_id,
}


def _earlier(s: Session, row: SQLModel, dossier_id: int) -> Any:
    """The row this one replaces: the dossier's ceremony or former membership, or the same
    round of the same vote (recording it again corrects a mistyped count), else None."""
    if type(row) in _SINGLE:
        return s.exec(select(type(row)).where(_SINGLE[type(row)] == dossier_id)).first()
    if isinstance(row, Resolution):
        return s.exec(
            select(Resolution).where(
                Resolution.dossier_id == dossier_id,
                Resolution.kind == row.kind,
                Resolution.round == row.round,
            )
        ).first()
    return None


def may_record(ctx: Context, dossier_id: int, model: type[FactIn], data: dict[str, Any]) -> None:
    """Before a fact's form is shown: refuse (audited) who could not record it here."""
    with ctx.read() as s:
        # a chi bộ designated for the dossier records as its own (L-NO-MEMBER)
        allow_dossier(s, ctx, _fact_action(model, data), get_dossier(s, dossier_id))


def record_fact(
    ctx: Context,
    dossier_id: int,
    model: type[FactIn],
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Record one dated fact of a dossier (a vote, a paper, a decision …), audited. With
    ``expected_version`` (a page that showed the dossier), a dossier moved meanwhile is a
    conflict and nothing is written."""
    with ctx.write() as s:
        d = get_dossier(s, dossier_id)
        allow_dossier(s, ctx, _fact_action(model, data), d)  # or a designated chi bộ
        fact = validate(model, data, ctx.today())
        check_version(d, expected_version)
        if Stage(d.stage).closed:
            raise BadInput.one(
                "Mã hồ sơ", f"hồ sơ #{dossier_id} đã kết thúc ({Stage(d.stage).label})"
            )
        name, row = _fact_row(d, fact)
        if isinstance(fact, PriorMembershipIn):  # the record's xóa tên wins (R-REJOIN)
            check_typed_prior(s, dossier_id, d.candidate_id, fact.left_on, fact.cause)
        facts = load_facts(s, d)
        _after_birth(fact, facts.birth_date)
        unmet = _refusal(fact, facts)
        if not unmet:
            return _write(s, ctx, d, fact, name, row)
    _record_refusal(ctx, dossier_id, name, unmet)
    raise RecordRefused(_WHAT.get(name, name), tuple(unmet))


_WHAT = {"ghi_le_ket_nap": "lễ kết nạp", "ghi_giay_to": "lý lịch đảng viên"}


def _after_birth(fact: FactIn, born: date) -> None:
    """A paper, a vote or a decision about a person dated before they were born is a typing
    mistake (01/01/1900 for 01/01/2019): every such date is named, nothing is written."""
    problems = [
        (str(info.title or name), f"ngày {fmt_date(value)} trước ngày sinh ({fmt_date(born)})")
        for name, info in type(fact).model_fields.items()
        if isinstance(value := getattr(fact, name), date) and value < born
    ]
    if problems:
        raise BadInput(problems)


def _refusal(fact: FactIn, facts: DossierFacts) -> list[Unmet]:
    """What the rules say against recording this fact now (most facts: nothing)."""
    if isinstance(fact, CeremonyIn):
        return ceremony_unmet(facts, fact.held_on)
    if isinstance(fact, DocumentIn) and fact.kind is DocumentKind.ly_lich_dang_vien:
        return member_history_unmet(facts, fact.dated)
    return []


def _record_refusal(ctx: Context, dossier_id: int, name: str, unmet: list[Unmet]) -> None:
    """The unit of work wrote nothing; the refusal is recorded for inspectors."""
    with ctx.write() as s:
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="refusal",
            event=name,
            dossier_id=dossier_id,
            data={"unmet": [[u.rule_id, u.message] for u in unmet]},
        )


def _write(
    s: Session, ctx: Context, d: Dossier, fact: FactIn, name: str, row: SQLModel
) -> dict[str, Any]:
    """Store the fact (in place of a single one), its deadlines moved, its audit event."""
    dossier_id, model = d.id, type(fact)
    assert dossier_id is not None
    old = _earlier(s, row, dossier_id)
    replaced = old.model_dump(mode="json", exclude={"id", "dossier_id"}) if old else None
    replace_row(s, old, row)
    payload = fact.model_dump(mode="json", exclude={"full_name"} if model is RelativeIn else None)
    if replaced is not None:
        payload["replaces"] = replaced
    # which row it is: a correction (đính chính) names the row, and the as-of view applies
    # the correction to the fact that recorded it
    payload["row_id"] = getattr(row, "id", None)
    sync_dossier(s, d, load_facts(s, d), ctx)
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
