"""The pipeline (dossiers at each step, as of a day) and the forecast of admissions to 31/10 and
31/12, learnt from the newest dossiers' own durations and rates (in SQL aggregates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from models.tables import AuditEvent, Dossier, Resolution
from reports.rows import OrgRow
from workflow.domain.process import Stage

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


def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


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


def forecast_inputs(s: Session, dialect: str) -> Forecast:
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
                count_if(and_(admitted_flag, voted_flag)),
                count_if(and_(col(Dossier.stage).in_(ended), voted_flag)),
                count_if(admitted_flag),
                count_if(col(Dossier.stage).in_(ended)),
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


def pipeline_and_forecast(
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
        sums.append(count_if(and_(stage.in_(after), voted <= cut, after_ok)))
        pre_cut = cut - timedelta(days=fc.vote_days)
        sums.append(count_if(and_(stage.in_(before), col(Dossier.opened_on) <= pre_cut, before_ok)))
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
