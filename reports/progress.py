"""The progress report: admitted against target, per organization, rolled up the tree.

Every figure comes from SQL aggregates (GROUP BY organization), never from loading the
dossiers: the database returns one row per organization, and the roll-up walks the tree
in Python (thousands of organizations, not millions of dossiers).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from models.tables import Annulment, Candidate, Deadline, Dossier, Organization, Target
from reports.forecast import Forecast, count_if, forecast_inputs, pipeline_and_forecast
from reports.periods import Period, resolve
from reports.rows import OrgRow
from workflow.domain.errors import BadInput
from workflow.domain.process import Stage
from workflow.domain.profile import BITS
from workflow.domain.vocabulary import TargetKind
from workflow.text.vntext import count, fmt_date, percent
from workflow.usecases.access import Action, home_org
from workflow.usecases.context import Context
from workflow.usecases.organizations import heading_of
from workflow.usecases.tracking import BASE_KINDS, OrgTree

# The breakdown columns real reports use (docs/reports.md), in their order.
BREAKDOWN: tuple[tuple[str, str], ...] = (
    ("doan", "Đoàn viên"),
    ("nu", "Nữ"),
    ("dan_toc", "Dân tộc thiểu số"),
    ("ton_giao", "Tôn giáo"),
    ("cbcc", "Cán bộ, công chức"),
    ("vien_chuc", "Viên chức"),
    ("doanh_nghiep", "Lao động doanh nghiệp"),
    ("cong_nhan", "Công nhân"),
    ("nong_dan", "Nông dân"),
    ("llvt", "Lực lượng vũ trang"),
    ("hssv", "Học sinh, sinh viên"),
    ("tuoi_18_30", "Tuổi 18–30"),
    ("cao_dang_tro_len", "Cao đẳng trở lên"),
)


def _of(done: Any, target: Any) -> str:
    """'45/210', '1.905/2.000'; '—' for a target nobody set."""
    return f"{count(int(done))}/{count(int(target)) if target is not None else '—'}"


def _points(now: int, target: int | None, before: int, before_target: int | None) -> str:
    """'giảm 11,90 điểm phần trăm' between two shares of plan; '—' when one is missing."""
    if not target or not before_target:
        return "—"
    diff = (Decimal(now) * 100 / target - Decimal(before) * 100 / before_target).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    word = "tăng" if diff > 0 else "giảm" if diff < 0 else "bằng"
    text = f"{abs(diff)}".replace(".", ",")
    return f"{word} {text} điểm phần trăm" if diff else "bằng cùng kỳ"


def _tree(s: Session, root_code: str | None) -> tuple[list[OrgRow], dict[int, OrgRow]]:
    """The organizations under ``root_code`` (default: every top one), in tree order; an
    ended organization sits under its main successor (issue 18: its admissions, counted
    under it as it was, roll up there, the same period last year too)."""
    tree = OrgTree(s)
    nodes = {
        n.id: OrgRow(n.id, n.code, n.name, n.kind, 0, tree.heirs.get(n.id, n.parent_id))
        for n in tree.nodes.values()
    }
    for node in nodes.values():
        if node.parent_id in nodes:
            nodes[node.parent_id].children.append(node.id)
    for node in nodes.values():
        node.children.sort(key=lambda i: nodes[i].code)
    if root_code:
        root = next((n for n in nodes.values() if n.code == root_code.strip().upper()), None)
        if root is None:
            raise BadInput.one("Tổ chức", f"không có tổ chức mã '{root_code}'")
        roots = [root]
    else:
        roots = sorted((n for n in nodes.values() if n.parent_id is None), key=lambda n: n.code)
    ordered: list[OrgRow] = []

    def walk(node: OrgRow, depth: int) -> None:
        node.depth = depth
        ordered.append(node)
        for child in node.children:
            walk(nodes[child], depth + 1)

    for root in roots:
        walk(root, 0)
    return ordered, {n.id: n for n in ordered}


def _admissions(
    s: Session,
    dialect: str,
    start: date,
    end: date,
    with_breakdown: bool,
    windows: dict[str, tuple[date, date]] | None = None,
) -> dict[int, dict[str, int]]:
    """Admissions decided in [start, end], per organization: the count ("n"), the breakdown,
    and a count for each extra window — one pass over the index of decision dates."""
    joined = col(Dossier.party_joined_on)
    windows = windows or {}
    low = min([start, *(a for a, _ in windows.values())])
    high = max([end, *(b for _, b in windows.values())])

    def within(a: date, b: date) -> ColumnElement[Any] | None:
        """Rows inside [a, b]; None when that is every row read (no test needed)."""
        return None if (a, b) == (low, high) else and_(joined >= a, joined <= b)

    def count(condition: ColumnElement[Any] | None) -> ColumnElement[Any]:
        return func.count() if condition is None else count_if(condition)

    in_period = within(start, end)
    # under the organization that admitted, however the dossier moved since (issue 18)
    where = func.coalesce(col(Dossier.admitted_org_id), col(Dossier.org_id))
    columns: list[Any] = [where, count(in_period).label("n")]
    columns += [count(within(a, b)).label(k) for k, (a, b) in windows.items()]
    if with_breakdown:  # the flags fixed at each decision (workflow/domain/profile.py)
        flags = func.coalesce(col(Dossier.admitted_profile), 0)
        for key, _ in BREAKDOWN:
            bit = flags.op(">>")(BITS[key].bit_length() - 1).op("&")(1)  # 0 or 1, no CASE
            if in_period is None:
                columns.append(func.sum(bit).label(key))
            else:
                columns.append(func.sum(case((in_period, bit), else_=0)).label(key))
    query = (
        sa_select(*columns)
        .select_from(Dossier)
        .where(joined >= low, joined <= high)
        .group_by(where)
    )
    out: dict[int, dict[str, int]] = {}
    for row in s.connection().execute(query):
        values = tuple(row)
        out[values[0]] = {k: int(v or 0) for k, v in zip(row._fields[1:], values[1:], strict=True)}
    return out


def _annulled(s: Session, start: date, end: date, within: set[int]) -> list[dict[str, Any]]:
    """L-ANNUL: the admissions of [start, end] in these organizations whose decision the
    committee annulled; the dossier no longer holds the date, so they are out of the count
    (``_admissions``), and the report says which (the annulment keeps what was counted)."""
    joined = col(Annulment.previous_joined_on)
    rows = s.connection().execute(
        sa_select(
            col(Annulment.dossier_id),
            col(Annulment.number),
            col(Annulment.signed_on),
            joined,
            col(Annulment.previous_org_id),
        )
        .where(joined >= start, joined <= end)
        .order_by(col(Annulment.signed_on), col(Annulment.id))
    )
    return [
        {
            "dossier_id": did,
            "number": number,
            "signed_on": _day(signed).isoformat(),
            "joined_on": _day(day).isoformat(),
            "org_id": org_id,
        }
        for did, number, signed, day, org_id in rows
        if org_id in within
    ]


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def annulled_note(items: list[dict[str, Any]], label: str) -> str | None:
    """ "Đã trừ N trường hợp hủy quyết định kết nạp (QĐ số …)" for one period (L-ANNUL)."""
    if not items:
        return None
    which = "; ".join(
        f"QĐ số {a['number']} ngày {fmt_date(date.fromisoformat(a['signed_on']))} hủy kết nạp "
        f"ngày {fmt_date(date.fromisoformat(a['joined_on']))}"
        for a in items
    )
    return (
        f"Đã trừ {len(items)} trường hợp hủy quyết định kết nạp khỏi số đã kết nạp "
        f"{label} ({which}) (L-ANNUL)"
    )


def _handed_on(
    s: Session, order: list[OrgRow], nodes: dict[int, OrgRow], before: Period | None
) -> list[str]:
    """A note for each ended organization the report shows under its successor: counted
    under it as it was, rolled up under the successor (the period before too)."""
    heirs = OrgTree.of(s).heirs
    ended = [n for n in order if n.id in heirs and n.parent_id in nodes]
    notes = []
    for node in ended:
        org = s.get(Organization, node.id)
        heir = nodes[node.parent_id] if node.parent_id is not None else None
        if org is None or org.valid_to is None or heir is None:
            continue
        notes.append(
            f"{org.name} ({org.code}) kết thúc hoạt động ngày {fmt_date(org.valid_to)}; số "
            f"kết nạp của tổ chức này tính theo tổ chức lúc kết nạp và cộng vào {heir.name} "
            f"({heir.code})" + (" (cả cùng kỳ năm trước)" if before is not None else "")
        )
    return notes


def _targets(s: Session, period: str, kind: TargetKind) -> dict[int, int]:
    rows = s.connection().execute(
        sa_select(col(Target.org_id), col(Target.value)).where(
            col(Target.period) == period, col(Target.kind) == kind.value
        )
    )
    return {int(org_id): int(value) for org_id, value in rows}


def _roll_targets(order: list[OrgRow], nodes: dict[int, OrgRow], own: dict[int, int]) -> None:
    """Own targets as set; each parent's children-sum from its children's effective targets
    (bottom-up, so a chi bộ's target counts once, through its base organization)."""
    for node in reversed(order):
        node.own_target = own.get(node.id)
        known = [nodes[c].target for c in node.children if nodes[c].target is not None]
        node.children_target = sum(t for t in known if t is not None) if known else None


def _roll_counts(order: list[OrgRow], nodes: dict[int, OrgRow], attr: str) -> None:
    for node in reversed(order):
        if node.parent_id in nodes:
            parent = nodes[node.parent_id]
            setattr(parent, attr, getattr(parent, attr) + getattr(node, attr))


def _overdue(
    s: Session, ids: set[int] | None, as_of: date, limit: int = 200
) -> list[dict[str, Any]]:
    """The oldest overdue dossier deadlines (in the subtree ``ids``; None: everywhere)."""
    scope = col(Deadline.org_id).in_(ids) if ids is not None else literal(True)
    rows = s.connection().execute(
        sa_select(
            col(Deadline.dossier_id),
            col(Deadline.rule_id),
            col(Deadline.label),
            col(Deadline.due),
            col(Organization.code),
            col(Candidate.full_name),
        )
        .join(Organization, col(Organization.id) == col(Deadline.org_id))
        .join(Dossier, col(Dossier.id) == col(Deadline.dossier_id))
        .join(Candidate, col(Candidate.id) == col(Dossier.candidate_id))
        .where(
            col(Deadline.done_on).is_(None),
            col(Deadline.milestone) == literal(False),
            col(Deadline.due) < as_of,
            scope,
        )
        .order_by(col(Deadline.due), col(Deadline.dossier_id))
        .limit(limit)
    )
    return [
        {
            "dossier_id": did,
            "full_name": name,
            "org": code,
            "rule_id": rule,
            "label": label,
            "due": due.isoformat(),
            "due_text": fmt_date(due),
        }
        for did, rule, label, due, code, name in rows
    ]


def progress(
    ctx: Context,
    org_code: str | None = None,
    period_code: str | None = None,
    as_of: date | None = None,
) -> dict[str, Any]:
    """The progress report of an organization (default: every top organization) for a
    period, as data: the renderers (table, JSON, xlsx, docx, png) only lay it out."""
    as_of = as_of or ctx.today()
    period = resolve(period_code, as_of)
    before = period.year_before() if period.code != "nhiem-ky" else None
    dialect = ctx.engine.dialect.name
    with ctx.read() as s:
        if org_code is None:  # a user with a scope reports on their own organization
            home = home_org(s, ctx.actor)
            org_code = home.code if home is not None else None
        order, nodes = _tree(s, org_code)
        ctx.allow(s, Action.read, order[0].id if org_code and order else None)
        _roll_targets(order, nodes, _targets(s, period.target_period, TargetKind.ket_nap))
        year_start = date(as_of.year, 1, 1)
        windows = {  # the forecast starts from the year's admissions up to each cut-off
            "by_oct": (year_start, min(as_of, date(as_of.year, 10, 31))),
            "by_dec": (year_start, as_of),
        }
        current = _admissions(s, dialect, period.start, period.end, True, windows)
        for org_id, data in current.items():
            if org_id in nodes:
                nodes[org_id].admitted = data["n"]
                nodes[org_id].breakdown = {k: data[k] for k, _ in BREAKDOWN}
        if before is not None:
            prev = _admissions(s, dialect, before.start, before.end, False)
            for org_id, data in prev.items():
                if org_id in nodes:
                    nodes[org_id].prev_admitted = data["n"]
            prev_targets = _targets(s, before.target_period, TargetKind.ket_nap)
        annulled = _annulled(s, period.start, period.end, set(nodes))
        annulled_before = (
            _annulled(s, before.start, before.end, set(nodes)) if before is not None else []
        )
        fc = forecast_inputs(s, dialect)
        pipeline_and_forecast(s, nodes, fc, as_of, live=as_of >= ctx.today())
        overdue = _overdue(s, set(nodes) if org_code else None, as_of)
        other = {
            kind: _targets(s, period.target_period, kind)
            for kind in (TargetKind.cam_tinh, TargetKind.hoc_lop)
        }
        top = [n for n in order if n.depth == 0]
        above = (
            s.get(Organization, top[0].parent_id) if len(top) == 1 and top[0].parent_id else None
        )
        first = s.get(Organization, top[0].id) if len(top) == 1 else None
        heading = {  # documents print the formal heading names (issue 18)
            "committee": heading_of(first) if first else None,
            "parent": (first.superior_heading if first else None)
            or (heading_of(above) if above else None),
        }
        handed = _handed_on(s, order, nodes, before)
    for node in order:
        node.forecast_oct += current.get(node.id, {}).get("by_oct", 0)
        node.forecast_dec += current.get(node.id, {}).get("by_dec", 0)
    _roll_counts(order, nodes, "admitted")
    _roll_counts(order, nodes, "prev_admitted")
    _roll_counts(order, nodes, "forecast_oct")
    _roll_counts(order, nodes, "forecast_dec")
    for node in reversed(order):
        if node.parent_id in nodes:
            parent = nodes[node.parent_id]
            for k, v in node.breakdown.items():
                parent.breakdown[k] = parent.breakdown.get(k, 0) + v
            for k, v in node.pipeline.items():
                parent.pipeline[k] = parent.pipeline.get(k, 0) + v
    prev_roll: dict[int, int | None] = {}
    if before is not None:
        tmp = [
            OrgRow(n.id, n.code, n.name, n.kind, n.depth, n.parent_id, n.children) for n in order
        ]
        tmp_nodes = {n.id: n for n in tmp}
        _roll_targets(tmp, tmp_nodes, prev_targets)
        prev_roll = {n.id: n.target for n in tmp}
    report = _as_data(order, nodes, period, before, prev_roll, as_of, fc, overdue, other)
    report["heading"] = heading
    report["notes"].extend(handed)  # issue 18: an ended organization's counts, rolled up
    report["annulled"] = annulled  # L-ANNUL: counted out, and said so
    report["annulled_note"] = annulled_note(annulled, period.label)
    if before is not None:
        note = annulled_note(annulled_before, f"cùng kỳ ({before.label})")
        report["notes"].extend(n for n in (report["annulled_note"], note) if n)
    elif report["annulled_note"]:
        report["notes"].append(report["annulled_note"])
    return report


def _base_share(node: OrgRow, nodes: dict[int, OrgRow]) -> tuple[int, int]:
    """Base organizations under (or equal to) ``node``, and how many admitted someone."""
    total = admitted = 0
    stack = [node.id]
    while stack:
        current = nodes[stack.pop()]
        if current.kind in BASE_KINDS:
            total += 1
            admitted += current.admitted > 0
            continue
        stack.extend(current.children)
    return total, admitted


def _as_data(
    order: list[OrgRow],
    nodes: dict[int, OrgRow],
    period: Period,
    before: Period | None,
    prev_targets: dict[int, int | None],
    as_of: date,
    fc: Forecast,
    overdue: list[dict[str, Any]],
    other: dict[TargetKind, dict[int, int]],
) -> dict[str, Any]:
    rows = []
    for n in order:
        prev_t = prev_targets.get(n.id)
        total, with_one = _base_share(n, nodes)
        rows.append(
            {
                "code": n.code,
                "name": n.name,
                "kind": n.kind.value,
                "depth": n.depth,
                "parent": nodes[n.parent_id].code if n.parent_id in nodes else None,
                "own_target": n.own_target,
                "children_target": n.children_target,
                "target": n.target,
                "target_source": n.target_source,
                "admitted": n.admitted,
                "percent": percent(n.admitted, n.target or 0),
                "prev_admitted": n.prev_admitted if before else None,
                "prev_target": prev_t,
                "prev_percent": percent(n.prev_admitted, prev_t or 0) if before else None,
                "change": _points(n.admitted, n.target, n.prev_admitted, prev_t) if before else "—",
                "base_orgs": total,
                "base_orgs_admitting": with_one,
                "base_share": percent(with_one, total),
                "breakdown": {k: n.breakdown.get(k, 0) for k, _ in BREAKDOWN},
                "pipeline": {
                    st.value: n.pipeline.get(st.value, 0) for st in Stage if not st.closed
                },
                "forecast_31_10": float(n.forecast_oct.quantize(Decimal("0.1"))),
                "forecast_31_12": float(n.forecast_dec.quantize(Decimal("0.1"))),
                "will_miss": bool(n.target) and n.forecast_dec < (n.target or 0),
            }
        )
    roots = [r for r in rows if r["depth"] == 0]
    head = roots[0] if len(roots) == 1 else None
    summary = None
    if head is not None:
        summary = (
            f"Kết nạp {_of(head['admitted'], head['target'])} đảng viên, "
            f"đạt {head['percent']} kế hoạch"
        )
        if before is not None:
            summary += (
                f"; cùng kỳ năm {before.start.year}: "
                f"{_of(head['prev_admitted'], head['prev_target'])}"
                f" ({head['prev_percent']}), {head['change']}"
            )
    stage_labels = {st.value: st.label for st in Stage if not st.closed}
    return {
        "as_of": as_of.isoformat(),
        "as_of_text": fmt_date(as_of),
        "period": {
            "code": period.code,
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "target_period": period.target_period,
        },
        "previous": (
            {
                "label": before.label,
                "start": before.start.isoformat(),
                "end": before.end.isoformat(),
            }
            if before
            else None
        ),
        "summary": summary,
        "rows": rows,
        "breakdown_labels": dict(BREAKDOWN),
        "stage_labels": stage_labels,
        "overdue": overdue,
        "forecast": {
            "method": fc.method(as_of.year),
            "decide_days": fc.decide_days,
            "vote_days": fc.vote_days,
            "rate_after_vote": float(fc.rate_after),
            "rate_before_vote": float(fc.rate_before),
            "from_history": fc.from_history,
            "at_risk": [r["code"] for r in rows if r["will_miss"]],
        },
        "other_targets": [
            {
                "kind": kind.value,
                "label": kind.label,
                "targets": {nodes[i].code: v for i, v in values.items() if i in nodes},
            }
            for kind, values in other.items()
        ],
        "notes": [
            "Số hồ sơ ở từng bước và dự báo tính theo tình trạng vào cuối ngày báo cáo; với một "
            "ngày trong quá khứ, tình trạng được dựng lại từ nhật ký.",
        ],
    }
