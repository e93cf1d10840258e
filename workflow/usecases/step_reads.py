"""What a step reads, in as few statements as possible: the facts of its dossiers in one,
the installation's settings (working calendar, rule overrides, reminder policies) in another.

Each kind of row is one branch of a UNION ALL: its values as text in the same few columns,
tagged with the kind (and for facts the dossier or person they belong to), and decoded
here. One statement is one round trip: the eleven fact queries cost a PostgreSQL step
eleven (about 3 ms on loopback), and SQLite eleven passes through SQLAlchemy's execution.

Text is spelled the same on both databases: dates as ISO (``to_char`` on PostgreSQL,
whose cast to text follows the server's DateStyle), booleans as 1/0 or true/false.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, String, and_, cast, func, literal_column, null, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from models.among import among
from models.tables import (
    CalendarOverride,
    Candidate,
    Ceremony,
    Certificate,
    Consent,
    Decision,
    Document,
    Introducer,
    Organization,
    PriorMembership,
    Relative,
    ReminderPolicy,
    Resolution,
    RuleOverride,
    Verification,
)
from workflow.domain.calendar import WorkingCalendar
from workflow.domain.reminders import Policy
from workflow.domain.rules import LOCAL, Override, RuleSet, rule_set_for
from workflow.usecases.tracking import calendar_from, policies_from

_PARENT = aliased(Organization)  # the chi bộ's parent: is it authorised to decide?
_WIDTH = 9  # the widest kind (the person, with the unit's) has nine columns
_IN_CHUNK = 5000  # dossiers per statement


class _IsoDate(FunctionElement[str]):
    """A date column as 'YYYY-MM-DD' text on every database."""

    type = String()
    inherit_cache = True


@compiles(_IsoDate)
def _iso_text(element: _IsoDate, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses  # SQLite keeps dates as ISO text already
    return f"CAST({compiler.process(column, **kw)} AS TEXT)"


@compiles(_IsoDate, "postgresql")
def _iso_pg(element: _IsoDate, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"to_char({compiler.process(column, **kw)}, 'YYYY-MM-DD')"


def _text(column: Any) -> Any:
    return _IsoDate(column) if isinstance(column.type, Date) else cast(column, String)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _flag(value: str | None) -> bool:
    return value in ("1", "true")  # SQLite stores 1/0; PostgreSQL's boolean casts to true


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)


def _same(value: str | None) -> str | None:
    return value


Decoder = Callable[[str | None], Any]


def _tagged(kind: str, columns: Sequence[Any], width: int, *keys: Any) -> Any:
    """SELECT 'kind', keys…, the columns as text padded to ``width`` (one UNION branch)."""
    texts = [_text(c) for c in columns] + [cast(null(), String)] * (width - len(columns))
    return sa_select(literal_column(f"'{kind}'", String).label("kind"), *keys, *texts)


@dataclass(frozen=True)
class _Kind:
    """One kind of fact: whose it is (a dossier's or a person's), its columns and decoders."""

    owner: Any
    order: Any
    columns: tuple[tuple[Any, Decoder], ...]
    ids: str = "dids"  # the list the owner is among: dossiers, or "cids" for people
    latest: bool = False  # one row per owner (its columns aggregated)
    on: Any = None  # a second table's join condition

    def query(self, kind: str) -> Any:
        keys = (self.owner.label("owner"), self.order.label("n"))
        query = _tagged(kind, [c for c, _ in self.columns], _WIDTH, *keys)
        query = query.where(among(self.owner, self.ids))
        if self.on is not None:
            query = query.where(self.on)
        return query.group_by(self.owner) if self.latest else query


def _of_dossier(table: Any, *columns: tuple[Any, Decoder]) -> _Kind:
    return _Kind(col(table.dossier_id), col(table.id), columns)


def _latest(owner: Any, day: Any, ids: str) -> _Kind:
    return _Kind(owner, literal_column("0"), ((func.max(day), _day),), ids, latest=True)


_KINDS = {
    "person": _Kind(
        col(Candidate.id),
        col(Candidate.id),
        (
            (col(Candidate.birth_date), _day),
            (col(Candidate.education), _same),
            (col(Candidate.edu_exception), _same),
            (col(Candidate.doan_member), _flag),
            (col(Candidate.cong_doan_member), _flag),
            (col(Organization.kind), _same),
            (col(Organization.has_doan), _flag),
            (col(Organization.sector), _same),
            (col(_PARENT.decides_admission), _flag),
        ),
        "cids",
        on=and_(
            col(Organization.id) == col(Candidate.org_id),
            col(_PARENT.id) == col(Organization.parent_id),
        ),
    ),
    "certificate": _latest(col(Certificate.candidate_id), Certificate.issued_on, "cids"),
    "verified": _latest(col(Verification.dossier_id), Verification.certified_on, "dids"),
    "ceremony": _of_dossier(Ceremony, (col(Ceremony.held_on), _day)),
    "prior": _of_dossier(
        PriorMembership,
        (col(PriorMembership.left_on), _day),
        (col(PriorMembership.cause), _same),
        (col(PriorMembership.readmitted_before), _flag),
        (col(PriorMembership.record_cleared_on), _day),
    ),
    "introducers": _of_dossier(
        Introducer,
        (col(Introducer.full_name), _same),
        (col(Introducer.official), _flag),
        (col(Introducer.months_together), _int),
        (col(Introducer.introduced_on), _day),
    ),
    "documents": _of_dossier(Document, (col(Document.kind), _same), (col(Document.dated), _day)),
    "relatives": _of_dossier(
        Relative,
        (col(Relative.relation), _same),
        (col(Relative.party_member), _flag),
        (col(Relative.verified_on), _day),
        (col(Relative.history_declared), _flag),
        (col(Relative.abroad), _flag),
        (col(Relative.confirmed_abroad_on), _day),
    ),
    "resolutions": _of_dossier(
        Resolution,
        (col(Resolution.kind), _same),
        (col(Resolution.dated), _day),
        (col(Resolution.official_members), _int),
        (col(Resolution.exempted), _int),
        (col(Resolution.agree), _int),
        (col(Resolution.against), _int),
        (col(Resolution.round), _int),
    ),
    "decisions": _of_dossier(
        Decision,
        (col(Decision.kind), _same),
        (col(Decision.number), _same),
        (col(Decision.signed_on), _day),
        (col(Decision.received_on), _day),
        (col(Decision.approve), _flag),
        (col(Decision.ground), _same),
    ),
    "consents": _of_dossier(
        Consent,
        (col(Consent.kind), _same),
        (col(Consent.number), _same),
        (col(Consent.dated), _day),
        (col(Consent.ground), _same),
    ),
}
_DECODERS = {kind: [decode for _, decode in k.columns] for kind, k in _KINDS.items()}
_ALL = union_all(*(k.query(kind) for kind, k in _KINDS.items()))
# Built once, so SQLAlchemy compiles it once per dialect. Rows in id order within a kind:
# the facts' tuples (and the audit snapshot made of them) do not depend on a query plan.
FACT_ROWS = _ALL.order_by(_ALL.selected_columns.n)

Grouped = dict[str, dict[int, list[tuple[Any, ...]]]]


def fact_rows(s: Session, dossier_ids: Sequence[int], candidate_ids: Sequence[int]) -> Grouped:
    """Every kind of fact's rows, decoded, by kind and then by dossier (the person's and the
    certificate's by candidate)."""
    conn = s.connection()
    grouped: Grouped = {kind: {} for kind in _KINDS}
    for i in range(0, len(dossier_ids), _IN_CHUNK):
        params = {
            "dids": list(dossier_ids[i : i + _IN_CHUNK]),
            "cids": list(candidate_ids[i : i + _IN_CHUNK]),
        }
        for kind, owner, _, *texts in conn.execute(FACT_ROWS, params).all():
            decoders = _DECODERS[kind]
            row = tuple(decode(t) for decode, t in zip(decoders, texts, strict=False))
            grouped[kind].setdefault(owner, []).append(row)
    return grouped


def _setting(kind: str, *columns: Any) -> Any:
    return _tagged(kind, columns, 4)


SETTING_ROWS = union_all(
    _setting("calendar", col(CalendarOverride.day), col(CalendarOverride.working)),
    _setting(
        "override",
        col(RuleOverride.key),
        col(RuleOverride.value),
        col(RuleOverride.effective_from),
        col(RuleOverride.rule_sets),
    ),
    _setting(
        "policy",
        col(ReminderPolicy.kind),
        col(ReminderPolicy.leads),
        col(ReminderPolicy.overdue_every),
        col(ReminderPolicy.roles),
    ),
)


@dataclass(frozen=True)
class StepSettings:
    """The installation's settings as one unit of work sees them."""

    calendar: WorkingCalendar
    overrides: tuple[Override, ...]
    policies: dict[str, Policy]


def step_settings(s: Session) -> StepSettings:
    """The calendar's overrides, the rule overrides and the reminder policies, one statement."""
    days: list[tuple[date, bool]] = []
    overrides: list[Override] = []
    policies: list[tuple[str, str, int, str]] = []
    for kind, a, b, c, d in s.connection().execute(SETTING_ROWS).all():
        if kind == "calendar":
            days.append((date.fromisoformat(a), _flag(b)))
        elif kind == "override":
            overrides.extend(_override(a, b, c, d))
        else:
            policies.append((a, b, int(c), d))
    return StepSettings(calendar_from(days), tuple(overrides), policies_from(policies))


def _override(key: str, value: str, effective_from: str, sets: str) -> list[Override]:
    """An override row as the rules apply it; none for a number that is locked now (a row
    from before the Charter's numbers were locked stays in the table, not applied)."""
    if key not in LOCAL:
        return []
    day = date.fromisoformat(effective_from)
    return [Override(key, int(value), day, tuple(x for x in sets.split(",") if x))]


_OVERRIDES = sa_select(
    col(RuleOverride.key),
    col(RuleOverride.value),
    _text(col(RuleOverride.effective_from)),
    col(RuleOverride.rule_sets),
).order_by(col(RuleOverride.id))


def rule_overrides(s: Session) -> tuple[Override, ...]:
    """The installation's overrides alone, oldest first (a read view, not a step)."""
    rows = s.connection().execute(_OVERRIDES).all()
    return tuple(o for row in rows for o in _override(*row))


def rules_on(s: Session, day: date) -> RuleSet:
    """The rule set in force on ``day``, with the local parameters that applied that day."""
    return rule_set_for(day, rule_overrides(s))
