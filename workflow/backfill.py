"""What happened before ketnap was used: past admissions, and dossiers under way.

A committee starting with ketnap in June still has to compare with "the same period last
year" and forecast from its own history. A past admission is entered in one step, with
what the Party's records hold (decision, and where known the chi bộ vote and the
ceremony); the dossier lands at the stage those facts reach, and the entry is audited as
an import, not as transitions nobody made in ketnap.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from models import audit
from models.tables import Ceremony, Certificate, Decision, Dossier, Resolution
from workflow.calendar import add_months
from workflow.inputs import CandidateIn, MidwayIn, PastAdmissionIn, validate
from workflow.process import MAIN_LINE, Stage
from workflow.rules import rule_set_for
from workflow.service import Context, _rules, _sync_dossier, load_facts, new_person, profile_of


def record_past_admission(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    p = validate(PastAdmissionIn, data, ctx.today())
    today = ctx.today()
    rs = rule_set_for(p.signed_on, {})
    stage = Stage.ket_nap
    official_on = None
    if p.ceremony_on is not None:
        stage = Stage.du_bi
        end = add_months(p.ceremony_on, rs.probation_months)
        if end <= today:  # recognised: D-OFFICIAL takes effect at the end of probation
            stage, official_on = Stage.chinh_thuc, end
    with ctx.write() as s:
        now = ctx.clock.now()
        person, org = new_person(s, ctx, p)
        assert person.id is not None and org.id is not None
        dossier = Dossier(
            candidate_id=person.id,
            org_id=org.id,
            stage=stage.value,
            rule_set_id=rs.id,
            party_joined_on=p.signed_on,  # D-PARTY-AGE
            admitted_profile=profile_of(person, p.signed_on),
            official_effective_on=official_on,
            opened_on=p.voted_on or p.signed_on,
            updated_at=now,
        )
        s.add(dossier)
        s.flush()
        assert dossier.id is not None
        if p.voted_on is not None:
            s.add(
                Resolution(
                    dossier_id=dossier.id,
                    kind="chi_bo",
                    dated=p.voted_on,
                    official_members=p.official_members,
                    agree=p.agree,
                )
            )
        s.add(
            Decision(
                dossier_id=dossier.id,
                kind="ket_nap",
                number=p.number,
                signed_on=p.signed_on,
                received_on=p.signed_on,
            )
        )
        if p.ceremony_on is not None:
            s.add(Ceremony(dossier_id=dossier.id, held_on=p.ceremony_on))
        s.flush()
        _sync_dossier(s, dossier, load_facts(s, dossier), ctx)
        audit.append(
            s,
            at=now,
            actor=ctx.actor,
            kind="import",
            event="nhap_ket_nap_truoc_day",
            dossier_id=dossier.id,
            to_stage=stage.value,
            rule_set_id=rs.id,
            data={
                "org": org.code,
                "birth_month": p.birth_date.strftime("%Y-%m"),
                "decision": p.number,
                "signed_on": p.signed_on.isoformat(),
                "voted_on": p.voted_on.isoformat() if p.voted_on else None,
                "ceremony_on": p.ceremony_on.isoformat() if p.ceremony_on else None,
            },
        )
        return {"dossier_id": dossier.id, "stage": stage.value}


def open_midway(s: Session, ctx: Context, c_in: CandidateIn, m: MidwayIn, source: str) -> int:
    """A dossier already under way when ketnap started, at the stage a sheet gives, with its
    dated facts (checked beforehand by workflow/midway.py); audited as an import, in the
    caller's unit of work. Returns the dossier's id."""
    now = ctx.clock.now()
    person, org = new_person(s, ctx, c_in)
    assert person.id is not None and org.id is not None
    rs = _rules(s, m.voted_on or ctx.today())
    admitted = m.signed_on is not None and MAIN_LINE.index(m.stage) >= MAIN_LINE.index(
        Stage.ket_nap
    )
    dossier = Dossier(
        candidate_id=person.id,
        org_id=org.id,
        stage=m.stage.value,
        rule_set_id=rs.id if m.voted_on else None,
        party_joined_on=m.signed_on if admitted else None,  # D-PARTY-AGE
        admitted_profile=profile_of(person, m.signed_on) if admitted and m.signed_on else None,
        opened_on=ctx.today(),
        updated_at=now,
    )
    s.add(dossier)
    s.flush()
    assert dossier.id is not None
    rows: list[Any] = []
    if m.certificate_on is not None:
        rows.append(
            Certificate(
                candidate_id=person.id,
                number=m.certificate_number or "",
                issued_on=m.certificate_on,
                issuer=m.certificate_issuer or "",
            )
        )
    if m.voted_on is not None:
        rows.append(
            Resolution(
                dossier_id=dossier.id,
                kind="chi_bo",
                dated=m.voted_on,
                official_members=m.official_members or 0,
                agree=m.agree or 0,
            )
        )
    if m.signed_on is not None:
        rows.append(
            Decision(
                dossier_id=dossier.id,
                kind="ket_nap",
                number=m.decision_number or "",
                signed_on=m.signed_on,
                received_on=m.signed_on,
            )
        )
    if m.ceremony_on is not None:
        rows.append(Ceremony(dossier_id=dossier.id, held_on=m.ceremony_on))
    s.add_all(rows)
    s.flush()
    _sync_dossier(s, dossier, load_facts(s, dossier), ctx)
    audit.append(
        s,
        at=now,
        actor=ctx.actor,
        kind="import",
        event="nhap_ho_so_dang_xu_ly",
        dossier_id=dossier.id,
        to_stage=m.stage.value,
        rule_set_id=dossier.rule_set_id,
        data={
            "org": org.code,
            "birth_month": c_in.birth_date.strftime("%Y-%m"),
            "source": source,
            "facts": m.model_dump(mode="json", exclude={"stage"}, exclude_none=True),
        },
    )
    return dossier.id
