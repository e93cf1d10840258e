"""Admissions decided before ketnap was used, entered for the reports.

A committee starting with ketnap in June still has to compare with "the same period last
year" and forecast from its own history. A past admission is entered in one step, with
what the Party's records hold (decision, and where known the chi bộ vote and the
ceremony); the dossier lands at the stage those facts reach, and the entry is audited as
an import, not as transitions nobody made in ketnap.
"""

from __future__ import annotations

from typing import Any

from models import audit
from models.tables import Ceremony, Decision, Dossier, Resolution
from workflow.domain.calendar import add_months
from workflow.domain.process import Stage
from workflow.domain.rules import rule_set_for
from workflow.inputs.base import validate
from workflow.inputs.imported import PastAdmissionIn
from workflow.usecases.context import Context
from workflow.usecases.dossiers import load_facts, new_person, profile_of, sync_dossier


def record_past_admission(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    p = validate(PastAdmissionIn, data, ctx.today())
    today = ctx.today()
    rs = rule_set_for(p.signed_on)
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
            admitted_org_id=org.id,
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
        sync_dossier(s, dossier, load_facts(s, dossier), ctx)
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
                "official_effective_on": official_on.isoformat() if official_on else None,
            },
        )
        return {"dossier_id": dossier.id, "stage": stage.value}
