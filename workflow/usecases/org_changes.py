"""Organizations that change (issue 18 point 6): one ends and hands on to its successors
(sáp nhập, chia tách, đổi tên, chuyển trực thuộc), or is moved under another parent or
renamed in place. Each is one audited unit of work of the administrator.

Ending says where everything the organization holds goes: its dossiers (each one an audit
event of kind "move", replayed by ``audit verify --state``), its candidates, the targets
and plans of the periods still open, its users and contacts, its open reminders and
deadlines. Afterwards nothing live points at it; what is history stays (its admissions,
counted under it as it was by ``Dossier.admitted_org_id``, roll up under its successor in
the reports: reports/progress.py; docs/organizations.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from models import audit
from models.tables import (
    AppUser,
    Candidate,
    Contact,
    Deadline,
    Dossier,
    Organization,
    OrgSuccession,
    Reminder,
    Submission,
    Target,
)
from workflow.domain.errors import BadInput
from workflow.domain.process import Stage
from workflow.domain.vocabulary import OrgKind
from workflow.inputs.base import validate
from workflow.inputs.organization import OrgEndIn, OrgMoveIn, OrgRenameIn, SuccessionKind
from workflow.text.vntext import fmt_date, fold, order_text
from workflow.usecases import tracking
from workflow.usecases.access import Action
from workflow.usecases.context import Context
from workflow.usecases.dossiers import load_facts, sync_dossier
from workflow.usecases.organizations import CELLS, live_org, org_by_code, parent_problem
from workflow.usecases.sessions import end_sessions

MOVE_EVENT = "sap_nhap_to_chuc"  # the dossiers' "move" events of an organization change


def _open_periods(targets: list[Target], year: int) -> list[Target]:
    """The targets whose period is still open on the end date's year: that year or later,
    or a term that includes it."""
    out = []
    for t in targets:
        if t.period.isdigit():
            if int(t.period) >= year:
                out.append(t)
        else:
            first, last = (int(p) for p in t.period.split("-"))
            if first <= year <= last:
                out.append(t)
    return out


def _heir(s: Session, code: str, org: Organization, e: OrgEndIn, field: str) -> Organization:
    """A successor named by its code: not the organization itself, not ended."""
    heir = org_by_code(s, code, field)
    if heir.id == org.id:
        raise BadInput.one(field, f"'{heir.code}' là chính tổ chức kết thúc")
    if heir.valid_to is not None:
        raise BadInput.one(
            field,
            f"'{heir.name}' ({heir.code}) đã kết thúc hoạt động từ ngày "
            f"{fmt_date(heir.valid_to)}; không thể kế thừa",
        )
    return live_org(heir, e.on, field)


def _among(code: str | None, heirs: dict[str, Organization], field: str) -> Organization | None:
    if code is None:
        return None
    found = heirs.get(code.strip().upper())
    if found is None:
        raise BadInput.one(
            field, f"'{code}' không phải tổ chức kế thừa; chọn: {', '.join(sorted(heirs))}"
        )
    return found


def _check_cell(dest: Organization, field: str) -> None:
    """Dossiers live in a chi bộ or a chi bộ cơ sở (organizations.CELLS)."""
    if OrgKind(dest.kind) not in CELLS:
        raise BadInput.one(
            field,
            f"'{dest.name}' là {OrgKind(dest.kind).label}: hồ sơ chỉ chuyển đến chi bộ hoặc "
            "chi bộ cơ sở",
        )


def end_org(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """End an organization on the day before ``on`` and hand everything live it holds to its
    successors, in one unit of work; returns what went where (the admin event's data)."""
    with ctx.write() as s:
        ctx.allow(s, Action.admin)  # who may, before what they typed is judged
        e = validate(OrgEndIn, data, ctx.today())
        org = org_by_code(s, e.code)
        assert org.id is not None
        if org.valid_to is not None:
            raise BadInput.one(
                "Tổ chức", f"'{org.name}' đã kết thúc hoạt động từ ngày {fmt_date(org.valid_to)}"
            )
        if org.valid_from is not None and e.on <= org.valid_from:
            raise BadInput.one(
                "Ngày hiệu lực (--on)",
                f"phải sau ngày tổ chức bắt đầu hoạt động ({fmt_date(org.valid_from)})",
            )
        field = "Tổ chức kế thừa (--successor)"
        heirs: dict[str, Organization] = {}
        for code in e.successors:
            heir = _heir(s, code, org, e, field)
            heirs.setdefault(heir.code, heir)
        first = next(iter(heirs.values()))
        children = s.exec(
            select(Organization).where(
                Organization.parent_id == org.id, col(Organization.valid_to).is_(None)
            )
        ).all()
        if children:
            shown = ", ".join(c.code for c in children[:10])
            raise BadInput.one(
                "Tổ chức",
                f"còn {len(children)} tổ chức trực thuộc ({shown}); hãy chuyển trực thuộc "
                "trước ('ketnap org move MÃ --parent MÃ_MỚI --on dd/mm/yyyy')",
            )
        to_field = "Chuyển hồ sơ đến (--dossiers-to)"
        main = _among(e.dossiers_to, heirs, to_field)
        if main is None:
            if len(heirs) > 1:
                raise BadInput.one(to_field, "bắt buộc khi có nhiều tổ chức kế thừa")
            main = first
        users_to = _among(e.users_to, heirs, "Chuyển người dùng đến (--users-to)") or main
        targets_to = _among(e.targets_to, heirs, "Chuyển chỉ tiêu đến (--targets-to)") or main
        dossiers = s.exec(
            select(Dossier).where(Dossier.org_id == org.id).order_by(col(Dossier.id))
        ).all()
        mine = {d.id for d in dossiers}
        dest: dict[int, Organization] = {}
        for did, code in e.moves.items():
            move_field = f"Chuyển riêng hồ sơ (--move {did}={code})"
            if did not in mine:
                raise BadInput.one(move_field, f"hồ sơ #{did} không thuộc '{org.code}'")
            found = _among(code, heirs, move_field)
            assert found is not None
            _check_cell(found, move_field)
            dest[did] = found
        if any(d.id not in dest for d in dossiers):
            _check_cell(main, to_field)
        return _hand_on(s, ctx, e, org, list(heirs.values()), main, users_to, targets_to, dest)


def _hand_on(
    s: Session,
    ctx: Context,
    e: OrgEndIn,
    org: Organization,
    heirs: list[Organization],
    main: Organization,
    users_to: Organization,
    targets_to: Organization,
    dest: dict[int, Organization],
) -> dict[str, Any]:
    """Everything checked: write the change (the caller's unit of work)."""
    now, today = ctx.clock.now(), ctx.today()
    assert org.id is not None and main.id is not None
    org.valid_to = e.on - timedelta(days=1)
    s.add(org)
    # the main successor first: reports roll the ended organization up under it
    for heir in sorted(heirs, key=lambda h: h.id != main.id):
        assert heir.id is not None
        s.add(
            OrgSuccession(
                org_id=org.id,
                successor_id=heir.id,
                kind=e.kind.value,
                effective_on=e.on,
                decision=e.decision,
                set_by=ctx.actor,
                set_at=now,
            )
        )
    moved = _move_dossiers(s, ctx, e, org, main, dest)
    by_id = {h.id: h for h in heirs}
    went = {d: by_id[o].code for d, o in moved.items()}
    candidates, main_id, to_id = 0, main.id, users_to.id
    assert to_id is not None
    for c in s.exec(select(Candidate).where(Candidate.org_id == org.id)).all():
        last = s.exec(
            select(Dossier.org_id)
            .where(Dossier.candidate_id == c.id)
            .order_by(col(Dossier.id).desc())
        ).first()
        c.org_id = last if last is not None and last in by_id else main_id
        s.add(c)
        candidates += 1
    targets = _move_targets(s, ctx, org, targets_to, e.on.year)
    submissions = _move_submissions(s, org, targets_to, e.on.year)
    users = []
    for u in s.exec(select(AppUser).where(AppUser.org_id == org.id)).all():
        u.org_id = users_to.id
        s.add(u)
        end_sessions(s, u.username, now, MOVE_EVENT)  # the user's scope changed
        users.append(u.username)
    contacts = 0
    for ct in s.exec(select(Contact).where(Contact.org_id == org.id)).all():
        twin = s.exec(
            select(Contact.id).where(
                Contact.org_id == to_id, Contact.role == ct.role, Contact.email == ct.email
            )
        ).first()
        if twin is not None:
            s.delete(ct)
        else:
            ct.org_id = to_id
            s.add(ct)
        contacts += 1
    reminders = _move_reminders(s, ctx, org, main, moved)
    s.exec(delete(Deadline).where(col(Deadline.subject).startswith(f"org:{org.id}:")))
    s.flush()
    tracking.bump_org_revision(s)
    tree = tracking.OrgTree(s)
    above = {a for h in heirs if h.id is not None for a in tree.ancestors(h.id)}
    tracking.sync_cycle(s, today.year, today, now, org_ids=above)
    made = {
        "org": org.code,
        "kind": e.kind.value,
        "on": e.on.isoformat(),
        "valid_to": org.valid_to.isoformat(),
        "successors": [h.code for h in sorted(heirs, key=lambda h: h.id != main.id)],
        "decision": e.decision,
        "dossiers": {code: list(went.values()).count(code) for code in sorted(set(went.values()))},
        "dossiers_to": main.code,
        "candidates": candidates,
        "targets": targets,
        "submissions": submissions,
        "users": users,
        "users_to": users_to.code,
        "contacts": contacts,
        "reminders": reminders,
    }
    audit.append(
        s,
        at=now,
        actor=ctx.actor,
        kind="admin",
        event="ket_thuc_to_chuc",
        reason=e.reason,
        data=made,
    )
    return made


def _move_dossiers(
    s: Session,
    ctx: Context,
    e: OrgEndIn,
    org: Organization,
    main: Organization,
    dest: dict[int, Organization],
) -> dict[int, int]:
    """Every dossier of the ended organization to its destination: version bumped, an
    audit event of kind "move" each (replay.py), deadlines recomputed there."""
    now = ctx.clock.now()
    moved: dict[int, int] = {}
    events: list[dict[str, Any]] = []
    for d in s.exec(select(Dossier).where(Dossier.org_id == org.id).order_by(col(Dossier.id))):
        assert d.id is not None
        to = dest.get(d.id, main)
        assert to.id is not None
        d.org_id, d.version, d.updated_at = to.id, d.version + 1, now
        s.add(d)
        moved[d.id] = to.id
        events.append(
            {
                "kind": "move",
                "event": MOVE_EVENT,
                "dossier_id": d.id,
                "from_stage": None,
                "to_stage": None,
                "reason": e.reason,
                "rule_set_id": d.rule_set_id,
                "data": {
                    "org": {"from": org.code, "to": to.code},
                    "kind": e.kind.value,
                    "decision": e.decision,
                    "on": e.on.isoformat(),
                },
            }
        )
    s.flush()
    for did in moved:
        row = s.get(Dossier, did)
        assert row is not None
        if not Stage(row.stage).closed:
            sync_dossier(s, row, load_facts(s, row), ctx)
    s.exec(  # closed dossiers keep no open deadline, but their rows follow them
        update(Deadline)
        .where(col(Deadline.org_id) == org.id, col(Deadline.dossier_id).is_not(None))
        .values(org_id=main.id)
    )
    audit.append_many(s, now, ctx.actor, events)
    return moved


def _move_targets(
    s: Session, ctx: Context, org: Organization, to: Organization, year: int
) -> list[dict[str, Any]]:
    """The targets of open periods to ``to``: summed into its own target of the same period
    and kind when it has one, else moved; each recorded (targets of closed periods stay)."""
    out = []
    mine = list(s.exec(select(Target).where(Target.org_id == org.id)).all())
    for t in _open_periods(mine, year):
        theirs = s.exec(
            select(Target).where(
                Target.org_id == to.id, Target.period == t.period, Target.kind == t.kind
            )
        ).first()
        item = {"period": t.period, "kind": t.kind, "value": t.value, "to": to.code}
        if theirs is not None:
            item["successor_had"] = theirs.value
            theirs.value += t.value
            theirs.set_by, theirs.set_at = ctx.actor, ctx.clock.now()
            s.add(theirs)
            s.delete(t)
        else:
            assert to.id is not None
            t.org_id = to.id
            s.add(t)
        out.append(item)
    s.flush()
    return out


def _move_submissions(
    s: Session, org: Organization, to: Organization, year: int
) -> dict[str, list[str]]:
    """Plans and reports of open years to ``to``; where it already sent that year and kind,
    its own stays and the other is recorded here (and removed)."""
    moved, kept = [], []
    for sub in s.exec(
        select(Submission).where(Submission.org_id == org.id, Submission.year >= year)
    ).all():
        label = f"{sub.kind} {sub.year} ({fmt_date(sub.submitted_on)} {sub.number})".strip()
        twin = s.exec(
            select(Submission.id).where(
                Submission.org_id == to.id, Submission.year == sub.year, Submission.kind == sub.kind
            )
        ).first()
        if twin is not None:
            kept.append(label)
            s.delete(sub)
        else:
            assert to.id is not None
            sub.org_id = to.id
            s.add(sub)
            moved.append(label)
    s.flush()
    return {"moved": moved, "dropped": kept}


def _move_reminders(
    s: Session, ctx: Context, org: Organization, main: Organization, moved: dict[int, int]
) -> dict[str, int]:
    """Open reminders: a dossier's follow it; the organization's own (its planning cycle)
    are closed, the successor's cycle being recomputed instead."""
    closed = followed = 0
    for r in s.exec(
        select(Reminder).where(Reminder.org_id == org.id, col(Reminder.done_at).is_(None))
    ).all():
        if r.dossier_id is not None:
            r.org_id = moved.get(r.dossier_id, main.id or r.org_id)
            followed += 1
        else:
            r.done_at, r.done_by = ctx.clock.now(), ctx.actor
            closed += 1
        s.add(r)
    return {"closed": closed, "moved": followed}


def move_org(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Chuyển trực thuộc in place: the organization keeps its code, dossiers and history and
    sits under another parent from ``on`` (audited; the reports' roll-up follows it)."""
    with ctx.write() as s:
        ctx.allow(s, Action.admin)
        m = validate(OrgMoveIn, data, ctx.today())
        org = live_org(org_by_code(s, m.code), m.on)
        field = "Tổ chức cấp trên mới (--parent)"
        parent = org_by_code(s, m.parent_code, field)
        if parent.valid_to is not None:
            live_org(parent, max(m.on, parent.valid_to + timedelta(days=1)), field)
        assert org.id is not None and parent.id is not None
        if parent.id == org.id or org.id in tracking.OrgTree(s).ancestors(parent.id):
            raise BadInput.one(field, f"'{parent.code}' nằm trong chính '{org.code}'")
        if parent.id == org.parent_id:
            raise BadInput.one(field, f"'{org.code}' đã trực thuộc '{parent.code}'")
        problem = parent_problem(OrgKind(org.kind), OrgKind(parent.kind), org.decides_admission)
        if problem is not None:
            raise BadInput.one(field, problem)
        old = s.get(Organization, org.parent_id) if org.parent_id else None
        before = set(tracking.OrgTree(s).ancestors(org.id))
        org.parent_id = parent.id
        s.add(org)
        s.flush()
        tracking.bump_org_revision(s)
        after = set(tracking.OrgTree(s).ancestors(org.id))
        today, now = ctx.today(), ctx.clock.now()
        tracking.sync_cycle(s, today.year, today, now, org_ids=before | after)
        made = {
            "org": org.code,
            "kind": SuccessionKind.chuyen_truc_thuoc.value,
            "from_parent": old.code if old else None,
            "to_parent": parent.code,
            "on": m.on.isoformat(),
            "decision": m.decision,
        }
        audit.append(
            s,
            at=now,
            actor=ctx.actor,
            kind="admin",
            event="chuyen_truc_thuoc",
            reason=m.reason or None,
            data=made,
        )
        return made


def rename_org(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Đổi tên in place: the code stays, the old name (and heading) is kept in the event."""
    with ctx.write() as s:
        ctx.allow(s, Action.admin)
        r = validate(OrgRenameIn, data, ctx.today())
        org = live_org(org_by_code(s, r.code), r.on)
        if r.name == org.name and r.heading_name in (None, org.heading_name):
            raise BadInput.one("Tên mới (--name)", "giống tên hiện tại")
        made = {
            "org": org.code,
            "kind": SuccessionKind.doi_ten.value,
            "old_name": org.name,
            "name": r.name,
            "old_heading": org.heading_name,
            "heading_name": r.heading_name or org.heading_name,
            "on": r.on.isoformat(),
            "decision": r.decision,
        }
        org.name, org.name_key, org.sort_key = r.name, fold(r.name), order_text(r.name)
        if r.heading_name is not None:
            org.heading_name = r.heading_name
        s.add(org)
        s.flush()
        tracking.bump_org_revision(s)
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="admin",
            event="doi_ten_to_chuc",
            reason=r.reason or None,
            data=made,
        )
        return made
