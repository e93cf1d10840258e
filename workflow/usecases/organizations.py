"""Use cases of the organization tree: place an organization, find one by its code, list the
tree (without the ended ones unless asked), its formal heading, a subtree's ids. Ending,
moving and renaming an organization: org_changes.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models import audit
from models.tables import Organization, OrgSuccession
from workflow.domain.errors import BadInput
from workflow.domain.vocabulary import OrgKind
from workflow.inputs.base import validate
from workflow.inputs.organization import OrgAddIn, OrgHeadingIn, OrgIn
from workflow.text.vntext import fmt_date, fold, order_text
from workflow.usecases import tracking
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.context import Context

# Which kind of organization may sit under which (docs/rules.md: no district level since
# 01/7/2025, so the deciding committee is a role, not a fixed "Huyện ủy").
PARENT_KINDS: dict[OrgKind, set[OrgKind | None]] = {
    OrgKind.cap_tinh: {None},
    OrgKind.cap_uy_co_tham_quyen: {None, OrgKind.cap_tinh, OrgKind.cap_uy_co_tham_quyen},
    OrgKind.dang_bo_co_so: {OrgKind.cap_uy_co_tham_quyen},
    OrgKind.chi_bo: {OrgKind.dang_bo_co_so},
    OrgKind.chi_bo_co_so: {OrgKind.cap_uy_co_tham_quyen},
}


CELLS = frozenset({OrgKind.chi_bo, OrgKind.chi_bo_co_so})


def org_by_code(s: Session, code: str, field: str = "Tổ chức") -> Organization:
    if not code.strip():
        raise BadInput.one(field, "bắt buộc phải nhập")
    org = s.exec(select(Organization).where(Organization.code == code.strip().upper())).first()
    if org is None:
        raise BadInput.one(field, f"không có tổ chức mã '{code}'")
    return org


def ended(org: Organization, day: date) -> bool:
    """The organization no longer exists on ``day`` (it ended: merged, split …, issue 18)."""
    return org.valid_to is not None and org.valid_to < day


def live_org(org: Organization, day: date, field: str = "Tổ chức") -> Organization:
    """``org`` if it exists on ``day``; else bad input naming the field and its successors'
    place to look (nothing can be added to, moved to or decided in an ended organization)."""
    if ended(org, day):
        assert org.valid_to is not None
        raise BadInput.one(
            field,
            f"'{org.name}' ({org.code}) đã kết thúc hoạt động từ ngày {fmt_date(org.valid_to)}; "
            "hãy chọn tổ chức kế thừa ('ketnap org list --all')",
        )
    return org


def parent_problem(kind: OrgKind, parent_kind: OrgKind | None, decides: bool = False) -> str | None:
    """Why an organization of ``kind`` cannot sit under one of ``parent_kind`` (or None).
    Since 01/7/2025 a đảng ủy xã/phường may sit directly under the Tỉnh ủy: it is then the
    competent committee, so it must be marked authorised to decide admission."""
    if parent_kind in PARENT_KINDS[kind]:
        return None
    if kind is OrgKind.dang_bo_co_so and parent_kind is OrgKind.cap_tinh:
        if decides:
            return None
        return (
            "Đảng bộ cơ sở trực thuộc Tỉnh ủy (không có cấp huyện) là cấp ủy có thẩm quyền: "
            "phải được ủy quyền quyết định kết nạp (--decides)"
        )
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
        sort_key=order_text(org_in.name),
        kind=org_in.kind.value,
        sector=org_in.sector.value,
        parent_id=parent.id if parent else None,
        has_doan=org_in.has_doan,
        has_cong_doan=org_in.has_cong_doan,
        decides_admission=org_in.decides_admission,
        created_at=ctx.clock.now(),
    )
    if isinstance(org_in, OrgAddIn):
        org.heading_name = org_in.heading_name
        org.superior_heading = org_in.superior_heading
        org.valid_from = org_in.valid_from
    s.add(org)
    s.flush()
    tracking.bump_org_revision(s)
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
    with ctx.write() as s:
        ctx.allow(s, Action.admin)  # who may, before what they typed is judged
        org_in = validate(OrgAddIn, data, ctx.today())
        if s.exec(select(Organization.id).where(Organization.code == org_in.code)).first():
            raise BadInput.one("Mã tổ chức", f"mã '{org_in.code}' đã được dùng")
        parent = (
            live_org(
                org_by_code(s, org_in.parent_code, "Tổ chức cấp trên"),
                ctx.today(),
                "Tổ chức cấp trên",
            )
            if org_in.parent_code
            else None
        )
        problem = parent_problem(
            org_in.kind, OrgKind(parent.kind) if parent else None, org_in.decides_admission
        )
        if problem is not None:
            raise BadInput.one("Tổ chức cấp trên", problem)
        return _org_view(place_org(s, ctx, org_in, parent), parent)


def _org_view(org: Any, parent: Any) -> dict[str, Any]:
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
        "decides_admission": org.decides_admission,
        "heading_name": org.heading_name,
        "superior_heading": org.superior_heading,
        "valid_from": org.valid_from.isoformat() if org.valid_from else None,
        "valid_to": org.valid_to.isoformat() if org.valid_to else None,
        "valid_text": _valid_text(org.valid_from, org.valid_to),
    }


def _valid_text(start: date | None, end: date | None) -> str:
    """'từ 01/07/2025', 'đến 30/06/2026', '' for an organization with no dates."""
    parts = ([f"từ {fmt_date(start)}"] if start else []) + ([f"đến {fmt_date(end)}"] if end else [])
    return " ".join(parts)


def heading_of(org: Organization) -> str:
    """The name a document prints: the formal heading when set, else the upper-cased name."""
    return org.heading_name or org.name.upper()


def list_orgs(ctx: Context, *, all_orgs: bool = False) -> list[dict[str, Any]]:
    """Organizations in tree order (each parent before its children); an ended one (and
    what hangs under it) only with ``all_orgs``, then with its successors' codes."""
    with ctx.read() as s:  # plain rows: a thousand ORM objects cost more than the query
        ctx.allow(s, Action.read)
        orgs: list[Any] = list(s.connection().execute(sa_select(Organization.__table__)))  # type: ignore[attr-defined]
        heirs: dict[int, list[int]] = {}
        for org_id, successor_id in s.connection().execute(
            sa_select(col(OrgSuccession.org_id), col(OrgSuccession.successor_id)).order_by(
                col(OrgSuccession.id)
            )
        ):
            heirs.setdefault(org_id, []).append(successor_id)
    today = ctx.today()
    by_id = {o.id: o for o in orgs}
    children: dict[int | None, list[Any]] = {}
    for o in orgs:
        children.setdefault(o.parent_id, []).append(o)
    out: list[dict[str, Any]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for o in sorted(
            children.get(parent_id, []), key=lambda o: o.sort_key or order_text(o.name)
        ):
            if not all_orgs and ended(o, today):
                continue
            view = _org_view(o, by_id.get(o.parent_id))
            view["depth"] = depth
            view["successors"] = [by_id[i].code for i in heirs.get(o.id, []) if i in by_id]
            out.append(view)
            walk(o.id, depth + 1)

    walk(None, 0)
    return out


def set_heading(ctx: Context, code: str, data: dict[str, Any]) -> dict[str, Any]:
    """The formal heading name and the superior body's heading line of an organization
    (documents print them; issue 20 lays out the whole HD 36 form), audited."""
    with ctx.write() as s:
        ctx.allow(s, Action.admin)
        org = org_by_code(s, code)
        given = {k: v for k, v in data.items() if v is not None}
        if not given:
            raise BadInput.one("Tên trên văn bản", "hãy nhập --heading hoặc --superior-heading")
        h = validate(OrgHeadingIn, given, ctx.today())
        before = {"heading_name": org.heading_name, "superior_heading": org.superior_heading}
        if "heading_name" in given:
            org.heading_name = h.heading_name
        if "superior_heading" in given:
            org.superior_heading = h.superior_heading
        s.add(org)
        s.flush()
        after = {"heading_name": org.heading_name, "superior_heading": org.superior_heading}
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind="admin",
            event="dat_ten_van_ban",
            data={"org": org.code, "before": before, "after": after},
        )
        parent = s.get(Organization, org.parent_id) if org.parent_id else None
        return _org_view(org, parent)


def subtree_ids(s: Session, root: Organization) -> set[int]:
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


def competent_committee(s: Session, org_id: int) -> Organization | None:
    """The committee that decides admission for a chi bộ: the nearest organization above it
    that is a cấp ủy có thẩm quyền, or a đảng ủy cơ sở authorised to decide (R-VOTE-DU)."""
    current = s.get(Organization, org_id)
    while current is not None:
        kind = OrgKind(current.kind)
        if kind is OrgKind.cap_uy_co_tham_quyen or current.decides_admission:
            return current
        current = s.get(Organization, current.parent_id) if current.parent_id else None
    return None


def orgs_in_scope(ctx: Context) -> list[dict[str, Any]]:
    """The organizations the actor may see, in tree order (a page's filter and choices),
    without the ended ones (issue 18: nothing is added to them)."""
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        scope = scope_ids(s, ctx.actor)
        tree = tracking.OrgTree.of(s)
    today = ctx.today()
    return [
        {"id": n.id, "code": n.code, "name": n.name, "kind": n.kind.value, "depth": depth}
        for n, depth in tree.in_order(scope)
        if not (n.id in tree.ended_on and tree.ended_on[n.id] < today)
    ]
