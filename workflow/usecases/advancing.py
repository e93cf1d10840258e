"""Advancing dossiers: one step for one dossier or for a whole list, judged by the pure
guards, written in one unit of work (or refused, with the refusal audited)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models import audit
from models.tables import Candidate, Dossier
from workflow.domain import guards
from workflow.domain.calendar import WorkingCalendar
from workflow.domain.deadlines import chi_bo_date, dossier_dues, probation_end
from workflow.domain.errors import BadInput, BatchRefused, Conflict, Refused
from workflow.domain.facts import DossierFacts
from workflow.domain.process import Event, Stage, fire, targets
from workflow.domain.reminders import Policy
from workflow.domain.rules import Override, RuleSet, rule_set_for
from workflow.domain.verdicts import Unmet, Verdict
from workflow.domain.vocabulary import DecisionKind
from workflow.inputs.base import free_text
from workflow.usecases import tracking
from workflow.usecases.access import Action
from workflow.usecases.context import Context
from workflow.usecases.dossiers import (
    DOSSIER_TABLE,
    MAX_ID,
    DossierState,
    check_version,
    dossier_state,
    load_facts_many,
    no_dossier,
    profile_of,
)
from workflow.usecases.step_reads import step_settings

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
                "admitted_org_id",
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
    notes: tuple[Unmet, ...]


@dataclass(frozen=True)
class _Planned:
    d: DossierState
    facts: DossierFacts
    rs: RuleSet
    verdict: Verdict
    dest: Stage


Refusal = tuple[int, str, Verdict, DossierFacts]  # dossier id, its stage, why


@dataclass(frozen=True)
class _Judgement:
    """The dossiers judged, and the calendar and rule overrides they were judged under
    (read once per unit of work: the writes use the same ones)."""

    planned: list[_Planned]
    refused: list[Refusal]
    cal: WorkingCalendar
    overrides: tuple[Override, ...]
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
            "admitted_org_id": d.admitted_org_id,
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
            values["admitted_org_id"] = d.org_id  # counted here however the dossier moves
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
                    **_fixed(event, values),
                    **_ground(event, facts),
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
    reason = free_text(reason, "Lý do") or None
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
        d = dossier_state(s, dossier_id)
        ctx.allow(s, Action.advance, d.org_id)
        check_version(d, expected_version)
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
        possible = [i for i in wanted if 1 <= i <= MAX_ID]
        query = sa_select(DOSSIER_TABLE).where(col(Dossier.id).in_(possible))
        conn = s.connection()
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()  # the versions read are the versions written
        found: dict[int, DossierState] = {d.id: d for d in conn.execute(query)}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise no_dossier(*missing)
        ds = [found[i] for i in wanted]
        for org_id in sorted({d.org_id for d in ds}):
            ctx.allow(s, Action.advance, org_id)
        judged = _judge(s, ctx, ds, event, back_to)
        if not judged.refused:
            return _apply(s, ctx, judged, event, reason)
    _record_refusals(ctx, event, reason, judged.refused)
    raise BatchRefused([(did, verdict) for did, _, verdict, _ in judged.refused])


def _fixed(event: Event, values: dict[str, Any]) -> dict[str, Any]:
    """The dates this transition fixes on the row, in its audit event too, so that the
    state can be checked against the log (AUD-STATE, workflow/usecases/replay.py)."""
    names = {
        Event.quyet_dinh_ket_nap: "party_joined_on",
        Event.cong_nhan_chinh_thuc: "official_effective_on",
    }
    name = names.get(event)
    if name is None or values.get(name) is None:
        return {}
    return {"fixed": {name: values[name].isoformat()}}


def _ground(event: Event, facts: DossierFacts) -> dict[str, Any]:
    """A xóa tên's ground, read from the committee's decision, in its event (L-XOA-TEN)."""
    ground = guards.xoa_ten_ground(facts) if event is Event.xoa_ten else None
    return {"ground": ground} if ground else {}
