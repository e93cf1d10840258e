"""An admission annulled by the committee that decided it (L-ANNUL), and a person whose
last dossier closed applying again (R-REJOIN then judges the new dossier with what the
record says, L-XOA-TEN). Each is one unit of work."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from models import audit
from models.tables import Annulment, Candidate, Dossier, Finding, Organization
from workflow.domain.errors import BadInput, Conflict
from workflow.domain.process import ADMITTED, Event, Stage, fire
from workflow.domain.vocabulary import AnnulOutcome, OrgKind
from workflow.inputs.base import validate
from workflow.inputs.dossier import AnnulmentIn
from workflow.text.vntext import fmt_date
from workflow.usecases import tracking
from workflow.usecases.access import Action
from workflow.usecases.context import Context
from workflow.usecases.dossiers import check_version, get_dossier, load_facts, sync_dossier
from workflow.usecases.organizations import CELLS, competent_committee, live_org, org_by_code
from workflow.usecases.step_reads import rules_on

FINDING = (
    "Quyết định kết nạp số {number} bị hủy vì sai thẩm quyền hoặc quy trình (L-ANNUL): "
    "làm lại thủ tục từ bước '{back}'; xem xét trách nhiệm của tổ chức, cá nhân liên quan."
)


def _committee(s: Session, d: Dossier) -> Organization:
    """The committee that decided the admission: the dossier's competent committee."""
    committee = competent_committee(s, d.org_id)
    if committee is None:  # pragma: no cover - every chi bộ sits under one
        org = s.get(Organization, d.org_id)
        assert org is not None
        return org
    return committee


def annul(
    ctx: Context, dossier_id: int, data: dict[str, Any], *, expected_version: int | None = None
) -> dict[str, Any]:
    """L-ANNUL: the deciding committee annuls its admission decision, from ``ket_nap``,
    ``du_bi`` or ``chinh_thuc``. Struck off (``xoa_ten``: the person did not meet the
    conditions) the dossier closes; redone (``lam_lai``: only the authority or the procedure
    was wrong) it goes back to the committee's decision or the chi bộ's vote, and a finding
    asks the committee to review who was responsible. The row's admission dates are cleared
    (what they were is kept on the Annulment row, for the reports), the deadlines and the
    organizations' progress recomputed, one audited transition."""
    with ctx.write() as s:
        d = get_dossier(s, dossier_id)
        committee = _committee(s, d)
        assert committee.id is not None and d.id is not None
        ctx.allow(s, Action.decide, committee.id)
        a_in = validate(AnnulmentIn, data, ctx.today())
        check_version(d, expected_version)
        source = Stage(d.stage)
        if source not in ADMITTED:
            raise BadInput.one(
                "Mã hồ sơ",
                f"hồ sơ #{dossier_id} đang ở bước '{source.label}': chỉ hủy được quyết định kết "
                "nạp khi hồ sơ ở bước Kết nạp, Đảng viên dự bị hoặc Đảng viên chính thức "
                "(L-ANNUL)",
            )
        joined = d.party_joined_on
        if joined is not None and a_in.signed_on < joined:
            raise BadInput.one(
                "Ngày quyết định hủy",
                f"ngày {fmt_date(a_in.signed_on)} trước quyết định kết nạp ({fmt_date(joined)})",
            )
        dest = (
            Stage.huy_ket_nap if a_in.outcome is AnnulOutcome.xoa_ten else Stage(str(a_in.back_to))
        )
        fire(source, Event.huy_quyet_dinh_ket_nap, dest)
        return _write(s, ctx, d, committee, a_in, dest)


def _write(
    s: Session, ctx: Context, d: Dossier, committee: Organization, a_in: AnnulmentIn, dest: Stage
) -> dict[str, Any]:
    now, today_ = ctx.clock.now(), ctx.today()
    assert d.id is not None and committee.id is not None
    source, seen = Stage(d.stage), d.version
    before = load_facts(s, d)
    row = Annulment(
        dossier_id=d.id,
        number=a_in.number,
        signed_on=a_in.signed_on,
        by_org_id=committee.id,
        outcome=a_in.outcome.value,
        reason=a_in.reason,
        previous_stage=source.value,
        previous_joined_on=d.party_joined_on,
        previous_org_id=d.admitted_org_id or (d.org_id if d.party_joined_on else None),
        previous_profile=d.admitted_profile,
        previous_official_on=d.official_effective_on,
        recorded_by=ctx.actor,
        recorded_at=now,
    )
    s.add(row)
    rs = rules_on(s, a_in.signed_on)
    changed = s.connection().execute(
        update(Dossier)
        .where(col(Dossier.id) == d.id, col(Dossier.version) == seen)
        .values(
            stage=dest.value,
            version=seen + 1,
            rule_set_id=rs.id,
            updated_at=now,
            party_joined_on=None,
            admitted_profile=None,
            admitted_org_id=None,
            official_effective_on=None,
            returned_reason=a_in.reason if not dest.closed else None,
            closed_reason=a_in.reason if dest.closed else None,
        )
    )
    if changed.rowcount != 1:
        raise Conflict("Hồ sơ vừa được người khác cập nhật; không ghi gì.")
    s.flush()
    s.expire(d)
    facts = load_facts(s, d)  # the annulled decisions no longer count (life_record.adjust)
    sync_dossier(s, d, facts, ctx)
    if row.previous_joined_on is not None and row.previous_joined_on.year == today_.year:
        tree = tracking.OrgTree(s)
        counted = row.previous_org_id or d.org_id
        tracking.sync_cycle(s, today_.year, today_, now, org_ids=set(tree.ancestors(counted)))
    event = audit.append(
        s,
        at=now,
        actor=ctx.actor,
        kind="transition",
        event=Event.huy_quyet_dinh_ket_nap.value,
        dossier_id=d.id,
        from_stage=source.value,
        to_stage=dest.value,
        reason=a_in.reason,
        rule_set_id=rs.id,
        data={
            "annulment": {
                "id": row.id,
                "number": a_in.number,
                "signed_on": a_in.signed_on.isoformat(),
                "by": committee.code,
                "outcome": a_in.outcome.value,
            },
            "previous": {
                "stage": source.value,
                "party_joined_on": _iso(row.previous_joined_on),
                "official_effective_on": _iso(row.previous_official_on),
            },
            "facts": before.snapshot(),
            "fixed": {"party_joined_on": None, "official_effective_on": None},
        },
    )
    finding = None
    if a_in.outcome is AnnulOutcome.lam_lai:
        number = next(
            (x.number for x in reversed(before.decisions) if x.kind.value == "ket_nap"), ""
        )
        f = Finding(
            dossier_id=d.id,
            org_id=committee.id,
            kind="huy_ket_nap",
            rule_id="L-ANNUL",
            step=Event.quyet_dinh_ket_nap.value,  # the step taken against the rules
            message=FINDING.format(number=number or "?", back=dest.label),
            cause_event=event.id,
            raised_on=today_,
            raised_by=ctx.actor,
            raised_at=now,
        )
        s.add(f)
        s.flush()
        finding = f.id
    return {
        "dossier_id": d.id,
        "annulment_id": row.id,
        "from_stage": source.value,
        "to_stage": dest.value,
        "version": seen + 1,
        "finding_id": finding,
    }


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


REAPPLY_FROM = frozenset(
    {Stage.xoa_ten, Stage.huy_ket_nap, Stage.khong_dat, Stage.rut}
)  # a closed dossier of a person who is not a member now


def reapply(ctx: Context, dossier_id: int, org_code: str | None = None) -> dict[str, Any]:
    """A new dossier at nguồn for the person of a closed dossier (struck off, annulled, not
    admitted, withdrawn), in the same chi bộ or in ``org_code``: the person is the same row,
    so R-REJOIN reads the xóa tên their earlier dossier recorded (L-XOA-TEN)."""
    with ctx.write() as s:
        old = get_dossier(s, dossier_id)
        org = (
            org_by_code(s, org_code, "Chi bộ")
            if org_code is not None
            else s.get(Organization, old.org_id)
        )
        assert org is not None and org.id is not None and old.id is not None
        ctx.allow(s, Action.add_candidate, org.id)
        if OrgKind(org.kind) not in CELLS:
            raise BadInput.one(
                "Chi bộ", f"'{org.name}' là {OrgKind(org.kind).label}, không phải chi bộ"
            )
        live_org(org, ctx.today(), "Chi bộ")
        stage = Stage(old.stage)
        if stage not in REAPPLY_FROM:
            raise BadInput.one(
                "Mã hồ sơ",
                f"hồ sơ #{dossier_id} đang ở bước '{stage.label}': chỉ nộp lại hồ sơ khi hồ sơ "
                "trước đã kết thúc (xóa tên, hủy kết nạp, không đạt, rút hồ sơ)",
            )
        newest = s.exec(
            select(col(Dossier.id))
            .where(Dossier.candidate_id == old.candidate_id)
            .order_by(col(Dossier.id).desc())
        ).first()
        if newest != old.id:
            raise BadInput.one("Mã hồ sơ", f"người này đã có hồ sơ mới hơn (#{newest})")
        person = s.get(Candidate, old.candidate_id)
        assert person is not None
        now = ctx.clock.now()
        if person.org_id != org.id:
            person.org_id = org.id  # the person now belongs to this chi bộ
            s.add(person)
        new = Dossier(
            candidate_id=old.candidate_id,
            org_id=org.id,
            stage=Stage.nguon.value,
            opened_on=ctx.today(),
            updated_at=now,
        )
        s.add(new)
        s.flush()
        audit.append(
            s,
            at=now,
            actor=ctx.actor,
            kind="create",
            event="nop_lai_ho_so",
            dossier_id=new.id,
            to_stage=Stage.nguon.value,
            data={
                "org": org.code,
                "birth_month": person.birth_date.strftime("%Y-%m"),
                "previous": old.id,
                "previous_stage": stage.value,
            },
        )
        return {"dossier_id": new.id, "previous": old.id, "stage": new.stage, "org": org.code}
