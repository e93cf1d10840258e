"""Deadline rows kept in step with the facts, inside the caller's transaction.

The service calls these in the same unit of work as the change that moves a deadline (a
fact recorded, a transition, a target or a plan, a setting), so the stored deadlines are
never out of date with what the clerk sees. Nothing here commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, text, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, select

from models.among import among
from models.bulk import insert_rows
from models.tables import (
    CalendarOverride,
    Deadline,
    Dossier,
    Installation,
    Organization,
    OrgSuccession,
    ReminderPolicy,
    Setting,
    Submission,
    Target,
)
from workflow.domain.calendar import WorkingCalendar
from workflow.domain.deadlines import Due
from workflow.domain.planning import CycleSettings, OrgCycleFacts, cycle_dues, cycle_settings
from workflow.domain.reminders import Policy, default_policy, next_step, parse_leads, parse_roles
from workflow.domain.vocabulary import OrgKind, Role, SubmissionKind, TargetKind

BASE_KINDS = frozenset({OrgKind.dang_bo_co_so, OrgKind.chi_bo_co_so})
COMMITTEE_KINDS = frozenset({OrgKind.cap_uy_co_tham_quyen, OrgKind.cap_tinh})


# Read in every unit of work that moves a deadline: plain statements on the connection,
# built once (the ORM's per-query machinery cost more than these small reads themselves).
_CALENDAR = sa_select(col(CalendarOverride.day), col(CalendarOverride.working))
_POLICIES = sa_select(
    col(ReminderPolicy.kind),
    col(ReminderPolicy.leads),
    col(ReminderPolicy.overdue_every),
    col(ReminderPolicy.roles),
)
_SETTINGS = sa_select(col(Setting.key), col(Setting.value))


def calendar(s: Session) -> WorkingCalendar:
    return calendar_from(s.connection().execute(_CALENDAR).all())


def calendar_from(days: Iterable[tuple[date, bool]]) -> WorkingCalendar:
    """The working calendar with the installation's overrides (day, working)."""
    return WorkingCalendar(dict(days))


def policies(s: Session) -> dict[str, Policy]:
    """Policies by deadline kind: the installation's rows over the defaults."""
    return policies_from(s.connection().execute(_POLICIES).all())


def policies_from(rows: Iterable[tuple[str, str, int, str]]) -> dict[str, Policy]:
    """The policies from their rows (kind, leads, overdue_every, roles)."""
    return {
        kind: Policy(kind, parse_leads(leads), every, parse_roles(roles), custom=True)
        for kind, leads, every, roles in rows
    }


def policy_for(table: dict[str, Policy], kind: str) -> Policy:
    return table.get(kind) or default_policy(kind)


def settings(s: Session) -> CycleSettings:
    return cycle_settings(dict(s.connection().execute(_SETTINGS).all()))


def dossier_subject(dossier_id: int) -> str:
    return f"dossier:{dossier_id}"


def org_subject(org_id: int, year: int) -> str:
    return f"org:{org_id}:{year}"


_EXISTING = sa_select(
    col(Deadline.id),
    col(Deadline.subject),
    col(Deadline.kind),
    col(Deadline.rule_id),
    col(Deadline.due),
    col(Deadline.last_step),
    col(Deadline.start),
    col(Deadline.done_on),
    col(Deadline.label),
    col(Deadline.milestone),
    col(Deadline.target),
    col(Deadline.next_fire_on),
    col(Deadline.org_id),
    col(Deadline.created_on),
).where(among(col(Deadline.subject), "subjects"))

_UPDATE = (
    update(Deadline)
    .where(col(Deadline.id) == bindparam("row_id"))
    .values(
        {
            name: bindparam(name)
            for name in (
                "rule_id",
                "label",
                "start",
                "due",
                "done_on",
                "milestone",
                "target",
                "org_id",
                "last_step",
                "next_fire_on",
                "created_on",
                "updated_at",
            )
        }
    )
)

Subject = tuple[str, int, int | None, Iterable[Due]]  # subject, org, dossier, its dues


def sync(
    s: Session,
    subject: str,
    org_id: int,
    dossier_id: int | None,
    dues: Iterable[Due],
    today: date,
    now: datetime,
    cal: WorkingCalendar,
    table: dict[str, Policy],
) -> None:
    """Make one subject's deadline rows equal ``dues`` (see ``sync_many``)."""
    sync_many(s, [(subject, org_id, dossier_id, dues)], today, now, cal, table)


def sync_many(
    s: Session,
    subjects: Sequence[Subject],
    today: date,
    now: datetime,
    cal: WorkingCalendar,
    table: dict[str, Policy],
) -> int:
    """Make each subject's deadline rows equal its dues; keep the reminder progress of a due
    whose date did not move, start it again for one that moved. Rows are read in one query
    and only changed rows are written, in one statement per kind of change; returns how
    many rows were written (inserted, changed or removed): none for rows already equal."""
    conn = s.connection()
    existing: dict[tuple[str, str], Any] = {}
    names = [subject for subject, *_ in subjects]
    for i in range(0, len(names), 5000):
        for r in conn.execute(_EXISTING, {"subjects": names[i : i + 5000]}).all():
            existing[(r.subject, r.kind)] = r
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for subject, org_id, dossier_id, dues in subjects:
        for due in dues:
            row = existing.pop((subject, due.kind), None)
            last = row.last_step if row is not None and row.due == due.due else None
            policy = policy_for(table, due.kind)
            following = (
                None if due.done_on else next_step(last, due.due, due.milestone, policy, cal)
            )
            values = {**due_fields(due), "org_id": org_id, "last_step": last}
            values["next_fire_on"] = following[1] if following else None
            if row is None:
                inserts.append(
                    {
                        **values,
                        "subject": subject,
                        "kind": due.kind,
                        "dossier_id": dossier_id,
                        "created_on": today,
                        "updated_at": now,
                    }
                )
            elif any(getattr(row, k) != v for k, v in values.items()):
                created = today if row.due != due.due else row.created_on
                updates.append(
                    {**values, "row_id": row.id, "created_on": created, "updated_at": now}
                )
    if inserts:
        insert_rows(conn, Deadline, inserts)
    if updates:
        conn.execute(_UPDATE, updates)
    if existing:
        stale = [r.id for r in existing.values()]
        conn.execute(delete(Deadline).where(col(Deadline.id).in_(stale)))
    return len(inserts) + len(updates) + len(existing)


def due_fields(due: Due) -> dict[str, Any]:
    return {
        "rule_id": due.rule_id,
        "label": due.label,
        "start": due.start,
        "due": due.due,
        "done_on": due.done_on,
        "milestone": due.milestone,
        "target": due.target,
    }


def refresh_next_fire(s: Session, kind: str, cal: WorkingCalendar) -> int:
    """Every open deadline of that kind gets its next day again, in the caller's transaction
    (what a policy change did before issue 17; it is now recomputed in batches,
    workflow/usecases/recompute.py, and the tests compare the two). Rows sharing a due date
    and a last step move alike: one UPDATE per group."""
    policy = policy_for(policies(s), kind)
    conn = s.connection()
    groups: dict[tuple[date, bool, int | None], list[int]] = defaultdict(list)
    for row_id, due, milestone, last in conn.execute(
        sa_select(
            col(Deadline.id), col(Deadline.due), col(Deadline.milestone), col(Deadline.last_step)
        ).where(col(Deadline.kind) == kind, col(Deadline.done_on).is_(None))
    ):
        if row_id is not None:
            groups[(due, milestone, last)].append(row_id)
    for (due, milestone, last), ids in groups.items():
        following = next_step(last, due, milestone, policy, cal)
        for i in range(0, len(ids), 5000):
            conn.execute(
                update(Deadline)
                .where(col(Deadline.id).in_(ids[i : i + 5000]))
                .values(next_fire_on=following[1] if following else None)
            )
    return sum(len(ids) for ids in groups.values())


@dataclass(frozen=True)
class OrgNode:
    id: int
    code: str
    name: str
    kind: OrgKind
    parent_id: int | None


_KINDS = {k.value: k for k in OrgKind}  # the enum's own lookup is slower, a thousand times
ORG_REVISION = "org_revision"  # an Installation row: bumped by every change to the tree
_TREES: dict[tuple[object, ...], OrgTree] = {}  # per database and revision, in this process


def bump_org_revision(s: Session) -> None:
    """Mark the organization tree changed, in the unit of work that changes it (so every
    server process builds its tree anew; a tree changed by hand in SQL is seen after a
    restart)."""
    row = s.get(Installation, ORG_REVISION)
    if row is None:
        s.add(Installation(key=ORG_REVISION, value="1"))
    else:
        row.value = str(int(row.value) + 1)
        s.add(row)
    s.flush()


# The tree's revision, and its size (an organization inserted in bulk, without the use
# cases, is seen too): one small statement per unit of work.
_REVISION = sa_select(
    sa_select(col(Installation.value))
    .where(col(Installation.key) == ORG_REVISION)
    .scalar_subquery(),
    func.count(),
    func.max(col(Organization.id)),
).select_from(Organization)


class OrgTree:
    """The organizations in memory (hundreds or thousands, not millions): parents,
    committees, subtrees, the Vietnamese order. Built once per revision of the tree and
    database (``of``); treat it as read-only."""

    def __init__(self, s: Session) -> None:
        rows = (
            s.connection()
            .execute(
                sa_select(
                    col(Organization.id),
                    col(Organization.code),
                    col(Organization.name),
                    col(Organization.kind),
                    col(Organization.parent_id),
                    col(Organization.sort_key),
                    col(Organization.valid_to),
                )
            )
            .all()
        )
        self.nodes: dict[int, OrgNode] = {}
        self._order: dict[int, str] = {}
        self._subtrees: dict[int, frozenset[int]] = {}
        self._ordered: dict[frozenset[int] | None, list[tuple[OrgNode, int]]] = {}
        self.ended_on: dict[int, date] = {r[0] or 0: r[6] for r in rows if r[6] is not None}
        for oid, code, name, kind, parent, order, _ in rows:
            assert oid is not None
            self.nodes[oid] = OrgNode(oid, code, name, _KINDS[kind], parent)
            self._order[oid] = order or name
        # an ended organization's main successor (its first succession row): its admissions
        # roll up there (issue 18, docs/organizations.md)
        self.heirs: dict[int, int] = {}
        heirs = sa_select(col(OrgSuccession.org_id), col(OrgSuccession.successor_id))
        for oid, heir in s.connection().execute(heirs.order_by(col(OrgSuccession.id))):
            self.heirs.setdefault(oid, heir)

    @classmethod
    def of(cls, s: Session) -> OrgTree:
        """The tree at the revision this unit of work reads (one small query), built by
        this process once for that revision."""
        conn = s.connection()
        key = (str(conn.engine.url), *conn.execute(_REVISION).one())
        tree = _TREES.get(key)
        if tree is None:
            if len(_TREES) > 16:
                _TREES.clear()
            tree = _TREES[key] = cls(s)
        return tree

    def ancestors(self, org_id: int) -> list[int]:
        """The organization itself, then its parents up to the root."""
        out = []
        current: int | None = org_id
        while current is not None:
            out.append(current)
            current = self.nodes[current].parent_id
        return out

    def roll_chain(self, org_id: int) -> list[int]:
        """Itself, then up the tree, an ended organization going to its main successor."""
        out: list[int] = []
        current: int | None = org_id
        while current is not None and current not in out:
            out.append(current)
            current = self.heirs.get(current, self.nodes[current].parent_id)
        return out

    def committee(self, org_id: int) -> OrgNode:
        """The nearest deciding committee above (or at) the organization: its clerks and
        members receive the committee's reminders."""
        chain = self.ancestors(org_id)
        for oid in chain:
            if self.nodes[oid].kind in COMMITTEE_KINDS:
                return self.nodes[oid]
        return self.nodes[chain[-1]]

    def in_order(self, within: set[int] | None = None) -> list[tuple[OrgNode, int]]:
        """(node, depth) parents first, siblings in Vietnamese order; only ``within``
        (kept: a page asks it for the same scope again and again)."""
        key = frozenset(within) if within is not None else None
        if key not in self._ordered:
            self._ordered[key] = self._in_order(within)
        return self._ordered[key]

    def _in_order(self, within: set[int] | None) -> list[tuple[OrgNode, int]]:

        def order(node: OrgNode) -> str:
            return self._order[node.id]

        children: dict[int | None, list[OrgNode]] = {}
        for node in self.nodes.values():
            children.setdefault(node.parent_id, []).append(node)
        out: list[tuple[OrgNode, int]] = []
        stack = [(n, 0) for n in sorted(children.get(None, []), key=order, reverse=True)]
        while stack:
            node, depth = stack.pop()
            if within is None or node.id in within:
                out.append((node, depth))
            below = sorted(children.get(node.id, []), key=order, reverse=True)
            stack.extend((n, depth + 1) for n in below)
        return out

    def subtree(self, org_id: int) -> set[int]:
        found = self._subtrees.get(org_id)
        if found is None:
            found = frozenset(oid for oid in self.nodes if org_id in self.ancestors(oid))
            self._subtrees[org_id] = found
        return set(found)

    def recipients(self, org_id: int, roles: Iterable[Role]) -> list[tuple[Role, OrgNode]]:
        out = []
        for role in roles:
            node = self.nodes[org_id] if role is Role.bi_thu else self.committee(org_id)
            out.append((role, node))
        return out


def admissions_by_org(s: Session, year: int) -> dict[int, list[date]]:
    """Admission decision dates (D-PARTY-AGE) of the year, by the organization that admitted
    (``admitted_org_id``, however the dossier moved), in SQL (a row per organization and day)."""
    day = col(Dossier.party_joined_on)
    where = func.coalesce(col(Dossier.admitted_org_id), col(Dossier.org_id))
    rows = s.connection().execute(
        sa_select(where, day, func.count())
        .where(day >= date(year, 1, 1), day <= date(year, 12, 31))
        .group_by(where, day)
    )
    out: dict[int, list[date]] = defaultdict(list)
    for org_id, joined, count in rows:
        if joined is not None:
            out[org_id].extend([joined] * count)
    return out


def rolled_up(tree: OrgTree, by_org: dict[int, list[date]]) -> dict[int, list[date]]:
    """Each organization's admissions with those under it and those it succeeded, sorted."""
    out: dict[int, list[date]] = defaultdict(list)
    for org_id, days in by_org.items():
        for oid in tree.roll_chain(org_id) if org_id in tree.nodes else ():
            out[oid].extend(days)
    return {oid: sorted(days) for oid, days in out.items()}


_CYCLE_LOCK = text("SELECT pg_advisory_xact_lock(7420011)")


def sync_cycle(
    s: Session,
    year: int,
    today: date,
    now: datetime,
    cal: WorkingCalendar | None = None,
    org_ids: set[int] | None = None,
) -> None:
    """Recompute the planning-cycle deadlines of ``year`` (all organizations, or some), and
    drop those of earlier years: a new year's cycle replaces the old one's reminders."""
    if s.connection().dialect.name == "postgresql":
        # the organizations' rows are shared by every writer (two admissions in one district,
        # two scheduler nodes starting): one at a time, until the transaction ends
        s.connection().execute(_CYCLE_LOCK)
    cal = cal or calendar(s)
    st = settings(s)
    table = policies(s)
    tree = OrgTree(s)
    s.exec(
        delete(Deadline).where(
            col(Deadline.subject).startswith("org:"), col(Deadline.start) < date(year, 1, 1)
        )
    )
    subs: dict[int, dict[SubmissionKind, date]] = defaultdict(dict)
    for org_id, kind, day in s.exec(
        select(col(Submission.org_id), col(Submission.kind), col(Submission.submitted_on)).where(
            Submission.year == year
        )
    ).all():
        subs[org_id][SubmissionKind(kind)] = day
    targets = dict(
        s.exec(
            select(col(Target.org_id), col(Target.value)).where(
                Target.period == str(year), Target.kind == TargetKind.ket_nap.value
            )
        ).all()
    )
    # Admissions matter only to the target checks: not read when no target is set.
    admitted = rolled_up(tree, admissions_by_org(s, year)) if targets else {}
    subjects: list[Subject] = []
    for node in tree.nodes.values():
        if org_ids is not None and node.id not in org_ids:
            continue
        if node.id in tree.ended_on and tree.ended_on[node.id] < today:
            continue  # an ended organization plans nothing: its successor does (issue 18)
        facts = OrgCycleFacts(
            year=year,
            is_base=node.kind in BASE_KINDS,
            submissions=subs.get(node.id, {}),
            target=targets.get(node.id),
            admissions=tuple(admitted.get(node.id, ())),
        )
        dues = cycle_dues(facts, st, cal)
        subjects.append((org_subject(node.id, year), node.id, None, dues))
    sync_many(s, subjects, today, now, cal, table)


_UP = text(
    "WITH RECURSIVE up(id, parent_id) AS ("
    " SELECT id, parent_id FROM organization WHERE id = :org"
    " UNION ALL SELECT o.id, o.parent_id FROM organization o JOIN up ON o.id = up.parent_id)"
    " SELECT id FROM up"
)


def ancestors(s: Session, org_id: int) -> list[int]:
    """The organization and its parents up to the root, in one small query (a permission
    check asks this on every unit of work: the whole tree is not needed for it)."""
    return [row[0] for row in s.connection().execute(_UP, {"org": org_id})]
