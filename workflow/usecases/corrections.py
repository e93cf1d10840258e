"""Corrections (đính chính) of the person's data and of a recorded fact, and the findings
they raise.

A correction is one unit of work: the row changed, one audit event ``dinh_chinh`` naming
the field, its old and its new value (a CCCD, a relative's name: masked, with a keyed
hash, never in clear), the dates the steps already taken fixed on the dossier brought in
line, the deadlines recomputed. Every step already taken is judged again on the corrected
facts; a condition that held and no longer does is not a refusal (the record must say
what is true) but a finding (``Finding``), raised in the same unit of work, for the
inspector and the administrator to conclude.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from models import audit
from models.tables import (
    AuditEvent,
    Candidate,
    Ceremony,
    Certificate,
    Consent,
    Decision,
    Document,
    Dossier,
    Installation,
    Introducer,
    Organization,
    PriorMembership,
    Relative,
    Resolution,
    Verification,
)
from workflow.domain.deadlines import probation_end
from workflow.domain.errors import BadInput
from workflow.domain.facts import DossierFacts
from workflow.domain.guards import GUARDS, judged_on
from workflow.domain.process import Event, Stage
from workflow.domain.verdicts import Unmet
from workflow.domain.vocabulary import DecisionKind
from workflow.inputs.base import InputModel, free_text, validate
from workflow.inputs.correction import (
    FIELD,
    REASON_TITLE,
    fact_kind,
    field_named,
    label_of,
    typed_value,
)
from workflow.inputs.dossier import (
    CandidateIn,
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
from workflow.text.vntext import fold, sort_text
from workflow.usecases import tracking
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.clock import local
from workflow.usecases.context import Context
from workflow.usecases.dossiers import (
    check_version,
    get_dossier,
    load_facts,
    profile_of,
    sync_dossier,
)
from workflow.usecases.findings import raise_findings
from workflow.usecases.recording import _after_birth, _fact_action, _fact_row
from workflow.usecases.step_reads import rules_on
from workflow.usecases.views import mask_cccd

EVENT = "dinh_chinh"
KIND = "correction"
_HASH_KEY = "khoa_bam_dinh_chinh"  # Installation row: the key of the hashes kept for secrets

# Each fact's table, and the event that recorded it (whose payload names the row).
TABLES: dict[type[InputModel], tuple[type[SQLModel], str]] = {
    CertificateIn: (Certificate, "ghi_giay_chung_nhan"),
    IntroducerIn: (Introducer, "ghi_nguoi_gioi_thieu"),
    DocumentIn: (Document, "ghi_giay_to"),
    VerificationIn: (Verification, "ghi_tham_tra"),
    RelativeIn: (Relative, "ghi_nguoi_than"),
    ResolutionIn: (Resolution, "ghi_nghi_quyet"),
    DecisionIn: (Decision, "ghi_quyet_dinh"),
    CeremonyIn: (Ceremony, "ghi_le_ket_nap"),
    ConsentIn: (Consent, "ghi_van_ban_dong_y"),
    PriorMembershipIn: (PriorMembership, "ghi_qua_trinh_dang_truoc"),
}
# Values the log keeps masked, with a keyed hash (an inspector holding the number can check
# it; a reader of the log cannot read it): the person's CCCD, a relative's name (the fact's
# own event does not keep it either).
SECRET = {(CandidateIn, "cccd"), (CandidateIn, "residence"), (RelativeIn, "full_name")}
_LONG_NUMBER = re.compile(r"[0-9]{9,}")  # a CCCD-like number typed into free text
_OWNERS = {"id", "dossier_id", "candidate_id", "class_id"}


def _reason(reason: str | None) -> str:
    text = free_text(reason, REASON_TITLE)
    if len(text) < 5:
        raise BadInput.one(REASON_TITLE, "bắt buộc, ít nhất 5 ký tự: vì sao đính chính")
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return getattr(value, "value", value)  # an enum: its code


def _hash_key(s: Session) -> bytes:
    row = s.get(Installation, _HASH_KEY)
    if row is None:
        row = Installation(key=_HASH_KEY, value=secrets.token_hex(32))
        s.add(row)
        s.flush()
    return bytes.fromhex(row.value)


def _masked(model: type[InputModel], name: str, value: Any) -> str:
    if name == "cccd":
        return mask_cccd(str(value))
    if (model, name) not in SECRET:  # free text holding a long number: the number hidden
        return _LONG_NUMBER.sub(lambda m: "*" * len(m.group()), str(value))
    return " ".join(word[0] + "." for word in str(value).split())


def _kept(s: Session, model: type[InputModel], name: str, value: Any) -> Any:
    """A value as the log keeps it: plain, or masked with its keyed hash."""
    secret = (model, name) in SECRET or (isinstance(value, str) and _LONG_NUMBER.search(value))
    if value is None or not secret:
        return _plain(value)
    digest = hmac.new(_hash_key(s), str(value).encode(), hashlib.sha256).hexdigest()
    return {"masked": _masked(model, name, value), "hmac": digest}


def _same(name: str) -> BadInput:
    return BadInput.one(
        FIELD, f"giá trị mới của '{name}' giống giá trị đang ghi; không có gì để đính chính"
    )


# --- the person ---------------------------------------------------------------------------


def correct_person(
    ctx: Context,
    dossier_id: int,
    field: str,
    value: Any,
    reason: str | None,
    *,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Correct one field of the person of a dossier (name, birth date, CCCD, sex, …),
    checked as on entry; audited with the old value; findings for steps it makes unlawful."""
    with ctx.write() as s:
        d = get_dossier(s, dossier_id)
        ctx.allow(s, Action.record, d.org_id)  # who may, before what was typed is judged
        name = field_named(CandidateIn, field)
        why = _reason(reason)
        check_version(d, expected_version)
        c = s.get(Candidate, d.candidate_id)
        org = s.get(Organization, c.org_id) if c is not None else None
        assert c is not None and org is not None
        current = {n: getattr(c, n) for n in CandidateIn.model_fields if n != "org_code"}
        typed = typed_value(CandidateIn, name, value)
        new = validate(CandidateIn, {**current, name: typed, "org_code": org.code}, ctx.today())
        new_value = _plain(getattr(new, name))
        old_value = _plain(current[name])
        if new_value == old_value:
            raise _same(label_of(CandidateIn, name))
        if name == "cccd":
            _cccd_free(s, ctx, c, str(new_value))
        before = load_facts(s, d)
        setattr(c, name, new_value if name != "birth_date" else getattr(new, name))
        if name == "full_name":
            c.name_key, c.sort_key = fold(c.full_name), sort_text(c.full_name)
        if d.admitted_profile is not None and d.party_joined_on is not None:
            d.admitted_profile = profile_of(c, d.party_joined_on)  # as the reports count them
        s.add_all([c, d])
        s.flush()
        change = {
            "target": "person",
            "row_id": c.id,
            "field": name,
            "label": label_of(CandidateIn, name),
            "old": _kept(s, CandidateIn, name, current[name]),
            "new": _kept(s, CandidateIn, name, getattr(new, name)),
        }
        return _finish(s, ctx, d, before, change, why)


def _cccd_free(s: Session, ctx: Context, c: Candidate, number: str) -> None:
    """A corrected CCCD is nobody else's (said without their dossier outside the scope)."""
    other = s.exec(
        select(Dossier.id, Dossier.org_id)
        .join(Candidate)
        .where(Candidate.cccd == number, col(Candidate.id) != c.id)
    ).first()
    if other is None:
        return
    scope = scope_ids(s, ctx.actor)
    if scope is None or other[1] in scope:
        raise BadInput.one("Số CCCD", f"đã có người với số CCCD này (hồ sơ #{other[0]})")
    raise BadInput.one(
        "Số CCCD",
        "số CCCD này đã có hồ sơ ở một tổ chức ngoài phạm vi của bạn; "
        "hãy liên hệ Ban Tổ chức cấp trên",
    )


# --- a recorded fact ----------------------------------------------------------------------


def correct_fact(
    ctx: Context,
    dossier_id: int,
    kind: str,
    row_id: int,
    field: str,
    value: Any,
    reason: str | None,
    *,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Correct one field of one recorded fact of a dossier (a vote's count, a decision's
    date, …), checked by the fact's own input model; as ``correct_person`` otherwise."""
    with ctx.write() as s:
        d = get_dossier(s, dossier_id)
        ctx.allow(s, Action.read, d.org_id)  # outside the scope: refused before anything
        model = fact_kind(kind)
        table, recorded = TABLES[model]
        row = _fact_of(s, d, table, row_id, kind)
        action = _fact_action(model, {"kind": getattr(row, "kind", "")})  # type: ignore[arg-type]
        ctx.allow(s, action, d.org_id)
        name = field_named(model, field)
        why = _reason(reason)
        check_version(d, expected_version)
        current = {n: getattr(row, n) for n in model.model_fields}
        typed = typed_value(model, name, value)
        fact: FactIn = validate(model, {**current, name: typed}, ctx.today())  # type: ignore[assignment]
        before = load_facts(s, d)
        _after_birth(fact, before.birth_date)
        _, fresh = _fact_row(d, fact)
        changed = {
            c.name: getattr(fresh, c.name)
            for c in table.__table__.columns  # type: ignore[attr-defined]
            if c.name not in _OWNERS and getattr(fresh, c.name) != getattr(row, c.name)
        }
        if not changed:
            raise _same(label_of(model, name))
        if isinstance(row, Resolution) and "round" in changed:
            _round_free(s, row, changed["round"])
        for column, new_value in changed.items():
            setattr(row, column, new_value)
        s.add(row)
        s.flush()
        change = {
            "target": kind,
            "fact": recorded,
            "row_id": row_id,
            "field": name,
            "label": label_of(model, name),
            "old": _kept(s, model, name, current[name]),
            "new": _kept(s, model, name, getattr(fact, name)),
        }
        return _finish(s, ctx, d, before, change, why)


def _fact_of(s: Session, d: Dossier, table: type[SQLModel], row_id: int, kind: str) -> Any:
    row = s.get(table, row_id) if 1 <= row_id <= 2**63 - 1 else None
    owner = (
        getattr(row, "candidate_id", None) == d.candidate_id
        if table is Certificate
        else getattr(row, "dossier_id", None) == d.id
    )
    if row is None or not owner:
        raise BadInput.one("Mã dòng", f"hồ sơ #{d.id} không có {kind} #{row_id}")
    return row


def _round_free(s: Session, row: Resolution, new_round: int) -> None:
    taken = s.exec(
        select(Resolution.id).where(
            Resolution.dossier_id == row.dossier_id,
            Resolution.kind == row.kind,
            Resolution.round == new_round,
            col(Resolution.id) != row.id,
        )
    ).first()
    if taken is not None:
        raise BadInput.one("Lần biểu quyết", f"lần {new_round} của nghị quyết này đã được ghi")


# --- what both do next --------------------------------------------------------------------


def _finish(
    s: Session, ctx: Context, d: Dossier, before: DossierFacts, change: dict[str, Any], why: str
) -> dict[str, Any]:
    """The dates fixed by steps taken, the deadlines, the event, the findings: one unit."""
    assert d.id is not None
    after = load_facts(s, d)
    fixed = _refixed(s, ctx, d, after)
    if fixed:
        change["fixed"] = fixed
    sync_dossier(s, d, after, ctx)
    unlawful = unlawful_steps(s, d.id, before, after)
    change["unlawful"] = [[step, u.rule_id, u.message] for step, u in unlawful]
    event = audit.append(
        s,
        at=ctx.clock.now(),
        actor=ctx.actor,
        kind=KIND,
        event=EVENT,
        dossier_id=d.id,
        reason=why,
        data=change,
    )
    shown = str(change["label"])
    findings = raise_findings(s, ctx, d, unlawful, event.id, f"Đính chính {shown.lower()}")
    return {
        "dossier_id": d.id,
        "event_id": event.id,
        "field": change["field"],
        "label": shown,
        "fixed": fixed,
        "findings": findings,
    }


def _refixed(s: Session, ctx: Context, d: Dossier, after: DossierFacts) -> dict[str, Any]:
    """The admission's date (D-PARTY-AGE) and the official day (D-OFFICIAL) the dossier
    holds, again from the corrected decision or ceremony (in the event: AUD-STATE)."""
    fixed: dict[str, Any] = {}
    if d.party_joined_on is not None:
        decision = after.latest_decision(DecisionKind.ket_nap)
        if decision is not None and decision.signed_on != d.party_joined_on:
            years = {d.party_joined_on.year, decision.signed_on.year}
            d.party_joined_on = decision.signed_on
            if ctx.today().year in years:  # this year's progress against the targets moved
                tree = tracking.OrgTree(s)
                above = set(tree.ancestors(d.admitted_org_id or d.org_id))
                tracking.sync_cycle(
                    s, ctx.today().year, ctx.today(), ctx.clock.now(), org_ids=above
                )
            fixed["party_joined_on"] = decision.signed_on.isoformat()
            c = s.get(Candidate, d.candidate_id)
            if c is not None and d.admitted_profile is not None:
                d.admitted_profile = profile_of(c, decision.signed_on)
    if d.official_effective_on is not None:
        day = judged_on(Event.cong_nhan_chinh_thuc, after, ctx.today())
        end = probation_end(after, rules_on(s, day))
        if end is not None and end != d.official_effective_on:
            d.official_effective_on = end
            fixed["official_effective_on"] = end.isoformat()
    if fixed:
        s.add(d)
        s.flush()
    return fixed


def unlawful_steps(
    s: Session, dossier_id: int, before: DossierFacts, after: DossierFacts
) -> list[tuple[str, Unmet]]:
    """Each step already taken (its transition in the log), judged again with its guard on
    the day it was taken, on the facts before and after the change: the conditions that
    held before and do not now. Judged both ways, a fact recorded after the step (which
    the step could not have seen) says the same before and after, and is no finding."""
    taken = s.exec(
        select(AuditEvent)
        .where(AuditEvent.dossier_id == dossier_id, AuditEvent.kind == "transition")
        .order_by(col(AuditEvent.id))
    ).all()
    cal = tracking.calendar(s)
    found: list[tuple[str, Unmet]] = []
    seen: set[tuple[str, str]] = set()
    for e in taken:
        if e.event not in Event._value2member_map_ or e.from_stage not in Stage._value2member_map_:
            continue
        event, stage = Event(e.event), Stage(str(e.from_stage))
        on = local(datetime.fromisoformat(e.at)).date()
        was = {u.rule_id for u in _judge(s, event, replace(before, stage=stage), on, cal)}
        for u in _judge(s, event, replace(after, stage=stage), on, cal):
            if u.rule_id not in was and (event.value, u.rule_id) not in seen:
                seen.add((event.value, u.rule_id))
                found.append((event.value, u))
    return found


def _judge(s: Session, event: Event, facts: DossierFacts, on: date, cal: Any) -> list[Unmet]:
    return list(GUARDS[event](facts, rules_on(s, judged_on(event, facts, on)), on, cal))
