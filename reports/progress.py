"""The progress report: admitted against target, per organization, rolled up the tree.

Every figure comes from SQL aggregates (GROUP BY organization), never from loading the
dossiers: the database returns one row per organization, and the roll-up walks the tree
in Python (thousands of organizations, not millions of dossiers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from models.tables import AuditEvent, Candidate, Deadline, Dossier, Organization, Resolution, Target
from reports.periods import Period, resolve
from workflow.domain.errors import BadInput
from workflow.domain.process import Stage
from workflow.domain.profile import BITS
from workflow.domain.vocabulary import OrgKind, TargetKind
from workflow.text.vntext import fmt_date, percent
from workflow.usecases.access import Action, home_org
from workflow.usecases.context import Context
from workflow.usecases.tracking import BASE_KINDS, OrgTree

# The breakdown columns real reports use (RULES.md, planning cycle), in their order.
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
_OPEN_AFTER_VOTE = (Stage.gui_ho_so, Stage.tham_dinh, Stage.btv_quyet_dinh)
_OPEN_BEFORE_VOTE = (Stage.nguon, Stage.hoc_lop, Stage.chi_bo_xet)
# When there is no history yet, the forecast uses these (and says so).
DEFAULT_DECIDE_DAYS = 45
DEFAULT_VOTE_DAYS = 120
DEFAULT_RATE_AFTER_VOTE = Decimal("0.9")
DEFAULT_RATE_BEFORE_VOTE = Decimal("0.5")
HISTORY = 20_000  # the forecast learns from this many of the newest dossiers


def _days_between(dialect: str, earlier: Any, later: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return later - earlier  # type: ignore[no-any-return]
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


@dataclass
class OrgRow:
    id: int
    code: str
    name: str
    kind: OrgKind
    depth: int
    parent_id: int | None
    children: list[int] = field(default_factory=list)
    own_target: int | None = None
    children_target: int | None = None
    admitted: int = 0
    prev_admitted: int = 0
    prev_target: int | None = None
    breakdown: dict[str, int] = field(default_factory=dict)
    pipeline: dict[str, int] = field(default_factory=dict)
    forecast_oct: Decimal = Decimal(0)
    forecast_dec: Decimal = Decimal(0)

    @property
    def target(self) -> int | None:
        """The organization's own target when set, else the sum of its children's."""
        return self.own_target if self.own_target is not None else self.children_target

    @property
    def target_source(self) -> str | None:
        if self.own_target is not None:
            return "riêng"
        return "tổng cấp dưới" if self.children_target is not None else None


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
    """The organizations under ``root_code`` (default: every top one), in tree order."""
    nodes = {
        n.id: OrgRow(n.id, n.code, n.name, n.kind, 0, n.parent_id)
        for n in OrgTree(s).nodes.values()
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
        return func.count() if condition is None else _count_if(condition)

    in_period = within(start, end)
    columns: list[Any] = [col(Dossier.org_id), count(in_period).label("n")]
    columns += [count(within(a, b)).label(k) for k, (a, b) in windows.items()]
    if with_breakdown:  # the flags fixed at each decision (workflow/profile.py)
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
        .group_by(col(Dossier.org_id))
    )
    out: dict[int, dict[str, int]] = {}
    for row in s.connection().execute(query):
        values = tuple(row)
        out[values[0]] = {k: int(v or 0) for k, v in zip(row._fields[1:], values[1:], strict=True)}
    return out


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


def _median(pairs: list[tuple[int, int]], default: int) -> tuple[int, bool]:
    values = [v for v, n in pairs for _ in range(min(n, 100_000)) if v is not None and v >= 0]
    return (int(median(values)), True) if values else (default, False)


@dataclass
class Forecast:
    decide_days: int
    vote_days: int
    rate_after: Decimal
    rate_before: Decimal
    known: dict[str, bool]  # which inputs came from history (else from the defaults)

    @property
    def from_history(self) -> bool:
        return all(self.known.values())

    def method(self, year: int) -> str:
        defaults = [name for name, known in self.known.items() if not known]
        source = (
            "theo số liệu lịch sử trong hệ thống"
            if not defaults
            else "theo số liệu lịch sử; chưa đủ số liệu nên dùng giá trị mặc định cho: "
            + ", ".join(defaults)
        )
        return (
            f"Cách dự báo ({source}). Mỗi hồ sơ đang mở được tính với xác suất được kết nạp "
            f"bằng tỷ lệ lịch sử ở bước của nó: sau khi chi bộ đã xét "
            f"{_rate(self.rate_after)}, trước khi chi bộ xét {_rate(self.rate_before)}. Ngày "
            f"quyết định dự kiến bằng ngày nghị quyết chi bộ cộng {self.decide_days} ngày "
            f"(trung vị thời gian từ nghị quyết chi bộ đến quyết định kết nạp); hồ sơ chưa được "
            f"chi bộ xét cộng thêm {self.vote_days} ngày (trung vị từ khi mở hồ sơ đến khi chi "
            f"bộ xét); không sớm hơn ngày báo cáo. Số dự kiến đến 31/10/{year} và 31/12/{year} "
            f"là số đã kết nạp trong năm cộng tổng các xác suất có ngày dự kiến trước các mốc đó."
        )


def _rate(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.01'), ROUND_HALF_UP)}%".replace(".", ",")


def _voted(by: date | None = None) -> Any:
    """The first chi bộ vote of the outer dossier (correlated: read only where asked);
    with ``by``, only a vote held by that day counts."""
    conditions = [col(Resolution.dossier_id) == col(Dossier.id), col(Resolution.kind) == "chi_bo"]
    if by is not None:
        conditions.append(col(Resolution.dated) <= by)
    return sa_select(func.min(col(Resolution.dated))).where(*conditions).scalar_subquery()


def _forecast_inputs(s: Session, dialect: str) -> Forecast:
    """Medians and rates from the most recent HISTORY dossiers (by id): recent practice, and
    a bounded cost whatever the size of the database."""
    newest = s.connection().execute(sa_select(func.max(col(Dossier.id)))).scalar() or 0
    recent = col(Dossier.id) > newest - HISTORY
    cb = (
        sa_select(col(Resolution.dossier_id), func.min(col(Resolution.dated)).label("voted"))
        .where(col(Resolution.kind) == "chi_bo", col(Resolution.dossier_id) > newest - HISTORY)
        .group_by(col(Resolution.dossier_id))
        .subquery()
    )
    decide_lag = _days_between(dialect, cb.c.voted, col(Dossier.party_joined_on))
    decide = s.connection().execute(
        sa_select(decide_lag, func.count())
        .select_from(Dossier)
        .join(cb, cb.c.dossier_id == col(Dossier.id))
        .where(col(Dossier.party_joined_on).is_not(None), recent)
        .group_by(decide_lag)
    )
    decide_days, known_a = _median([(int(a), int(n)) for a, n in decide], DEFAULT_DECIDE_DAYS)
    vote_lag = _days_between(dialect, col(Dossier.opened_on), cb.c.voted)
    vote = s.connection().execute(  # dossiers opened in ketnap before their vote
        sa_select(vote_lag, func.count())
        .select_from(Dossier)
        .join(cb, cb.c.dossier_id == col(Dossier.id))
        .where(col(Dossier.opened_on) < cb.c.voted, recent)
        .group_by(vote_lag)
    )
    vote_days, known_b = _median([(int(a), int(n)) for a, n in vote], DEFAULT_VOTE_DAYS)
    ended = [Stage.khong_dat.value, Stage.rut.value]
    admitted_flag = col(Dossier.party_joined_on).is_not(None)
    voted_flag = cb.c.voted.is_not(None)
    row = (
        s.connection()
        .execute(
            sa_select(
                _count_if(and_(admitted_flag, voted_flag)),
                _count_if(and_(col(Dossier.stage).in_(ended), voted_flag)),
                _count_if(admitted_flag),
                _count_if(col(Dossier.stage).in_(ended)),
            )
            .select_from(Dossier)
            .outerjoin(cb, cb.c.dossier_id == col(Dossier.id))
            .where(recent)
        )
        .one()
    )
    won_after, lost_after, won_all, lost_all = (int(v or 0) for v in row)
    rate_after = (
        Decimal(won_after) / (won_after + lost_after)
        if won_after + lost_after
        else DEFAULT_RATE_AFTER_VOTE
    )
    rate_before = (
        Decimal(won_all) / (won_all + lost_all) if won_all + lost_all else DEFAULT_RATE_BEFORE_VOTE
    )
    known = {
        "thời gian từ nghị quyết chi bộ đến quyết định": known_a,
        "thời gian từ khi mở hồ sơ đến khi chi bộ xét": known_b,
        "tỷ lệ được kết nạp sau khi chi bộ xét": bool(won_after + lost_after),
        "tỷ lệ được kết nạp trước khi chi bộ xét": bool(won_all + lost_all),
    }
    return Forecast(decide_days, vote_days, rate_after, rate_before, known)


def _stages_as_of(as_of: date) -> Any:
    """Each dossier's stage at the end of ``as_of``, from the audit log: the stage its last
    event up to then led to (creation, import or transition)."""
    from workflow.usecases.asof import end_of_day_utc

    last = (
        sa_select(func.max(col(AuditEvent.id)))
        .where(
            col(AuditEvent.to_stage).is_not(None),
            col(AuditEvent.dossier_id).is_not(None),
            col(AuditEvent.at) <= end_of_day_utc(as_of),
        )
        .group_by(col(AuditEvent.dossier_id))
    )
    return (
        sa_select(
            col(AuditEvent.dossier_id).label("dossier_id"), col(AuditEvent.to_stage).label("stage")
        )
        .where(col(AuditEvent.id).in_(last))
        .subquery()
    )


def _pipeline_and_forecast(
    s: Session, nodes: dict[int, OrgRow], fc: Forecast, as_of: date, live: bool
) -> None:
    """Per organization: open dossiers per stage, and how many of them are expected to be
    decided by 31/10 and 31/12 of the as-of year (SQL sums against cut-off dates). For a
    past day (``live`` False) the stages are rebuilt from the audit events."""
    year = as_of.year
    voted = _voted() if live else _voted(as_of)
    if live:
        stage: Any = col(Dossier.stage)
        source: Any = Dossier
    else:
        past = _stages_as_of(as_of)
        stage = past.c.stage
        source = past.join(Dossier, col(Dossier.id) == past.c.dossier_id)
    closed = [st.value for st in Stage if st.closed]
    after = [st.value for st in _OPEN_AFTER_VOTE]
    before = [st.value for st in _OPEN_BEFORE_VOTE]
    sums: list[Any] = []
    for day in (date(year, 10, 31), date(year, 12, 31)):
        # decided by ``day`` when max(vote + decide, as_of) <= day (after the vote), or
        # max(opened + vote, as_of) + decide <= day (before it)
        cut = day - timedelta(days=fc.decide_days)
        after_ok = literal(as_of <= day)
        before_ok = literal(as_of <= cut)
        sums.append(_count_if(and_(stage.in_(after), voted <= cut, after_ok)))
        pre_cut = cut - timedelta(days=fc.vote_days)
        sums.append(
            _count_if(and_(stage.in_(before), col(Dossier.opened_on) <= pre_cut, before_ok))
        )
    query = (
        sa_select(col(Dossier.org_id), stage, func.count(), *sums)
        .select_from(source)
        .where(stage.notin_(closed))
        .group_by(col(Dossier.org_id), stage)
    )
    for org_id, st, count, a_oct, b_oct, a_dec, b_dec in s.connection().execute(query):
        node = nodes.get(org_id)
        if node is None:
            continue
        node.pipeline[st] = node.pipeline.get(st, 0) + int(count)
        node.forecast_oct += fc.rate_after * int(a_oct or 0) + fc.rate_before * int(b_oct or 0)
        node.forecast_dec += fc.rate_after * int(a_dec or 0) + fc.rate_before * int(b_dec or 0)


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
        fc = _forecast_inputs(s, dialect)
        _pipeline_and_forecast(s, nodes, fc, as_of, live=as_of >= ctx.today())
        overdue = _overdue(s, set(nodes) if org_code else None, as_of)
        other = {
            kind: _targets(s, period.target_period, kind)
            for kind in (TargetKind.cam_tinh, TargetKind.hoc_lop)
        }
        top = [n for n in order if n.depth == 0]
        above = (
            s.get(Organization, top[0].parent_id) if len(top) == 1 and top[0].parent_id else None
        )
        heading = {
            "committee": top[0].name if len(top) == 1 else None,
            "parent": above.name if above else None,
        }
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
            f"Kết nạp {head['admitted']}/{head['target'] if head['target'] is not None else '—'}"
            f" đảng viên, đạt {head['percent']} kế hoạch"
        )
        if before is not None:
            summary += (
                f"; cùng kỳ năm {before.start.year}: {head['prev_admitted']}/"
                f"{head['prev_target'] if head['prev_target'] is not None else '—'}"
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
