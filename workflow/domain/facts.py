"""What the guards see: plain, frozen data about one dossier, with no database behind it.

The values are the glossary's enumerations (``workflow.domain.vocabulary``), so one word
means one thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from enum import Enum
from functools import cache
from typing import Any

from workflow.domain.process import Stage
from workflow.domain.vocabulary import (
    AgeGround,
    ConsentKind,
    DecisionKind,
    DocumentKind,
    Education,
    EduException,
    ExitCause,
    Relation,
    ResolutionKind,
    Sector,
)


@dataclass(frozen=True)
class IntroducerFact:
    name: str
    official: bool
    months_together: int
    introduced_on: date


@dataclass(frozen=True)
class DocumentFact:
    kind: DocumentKind
    dated: date


@dataclass(frozen=True)
class RelativeFact:
    relation: Relation
    party_member: bool
    verified_on: date | None
    history_declared: bool = False  # a member whose history is fully declared (R-VERIFY)
    abroad: bool = False  # confirmed through the Party committee abroad, not verified here
    confirmed_abroad_on: date | None = None


@dataclass(frozen=True)
class ResolutionFact:
    kind: ResolutionKind
    dated: date
    official_members: int
    exempted: int
    agree: int
    against: int
    round: int = 1

    @property
    def eligible(self) -> int:
        """R-VOTE-CB: official members less those attending elsewhere or exempted."""
        return self.official_members - self.exempted


@dataclass(frozen=True)
class DecisionFact:
    kind: DecisionKind
    number: str
    signed_on: date
    received_on: date
    approve: bool
    ground: str | None = None  # a xóa tên's ground, an XoaTenGround value (L-XOA-TEN)


@dataclass(frozen=True)
class ConsentFact:
    kind: ConsentKind
    number: str
    dated: date
    ground: AgeGround | None = None  # R-AGE-60's ground


@dataclass(frozen=True)
class PriorMembershipFact:
    left_on: date
    cause: ExitCause
    readmitted_before: bool
    record_cleared_on: date | None = None  # a lesser crime's record cleared (R-REJOIN)


@dataclass(frozen=True)
class DossierFacts:
    """Everything any guard may look at, and nothing personal it does not need (no CCCD)."""

    stage: Stage
    birth_date: date
    education: Education
    edu_exception: EduException
    doan_member: bool
    cong_doan_member: bool
    under_dang_uy: bool
    unit_has_doan: bool
    unit_sector: Sector = Sector.khac
    base_decides: bool = False  # the đảng ủy cơ sở is authorised to decide (R-VOTE-DU)
    certificate_issued_on: date | None = None
    introducers: tuple[IntroducerFact, ...] = ()
    documents: tuple[DocumentFact, ...] = ()
    verified_on: date | None = None
    relatives: tuple[RelativeFact, ...] = ()
    resolutions: tuple[ResolutionFact, ...] = ()
    decisions: tuple[DecisionFact, ...] = ()
    consents: tuple[ConsentFact, ...] = ()
    ceremony_on: date | None = None
    prior_membership: PriorMembershipFact | None = None

    def latest_resolution(self, kind: ResolutionKind) -> ResolutionFact | None:
        found = [r for r in self.resolutions if r.kind is kind]
        return max(found, key=lambda r: (r.dated, r.round)) if found else None

    def latest_decision(self, kind: DecisionKind) -> DecisionFact | None:
        found = [d for d in self.decisions if d.kind is kind]
        return max(found, key=lambda d: d.signed_on) if found else None

    def consent(self, kind: ConsentKind) -> ConsentFact | None:
        found = [c for c in self.consents if c.kind is kind]
        return max(found, key=lambda c: c.dated) if found else None

    def document(self, kind: DocumentKind) -> DocumentFact | None:
        found = [d for d in self.documents if d.kind is kind]
        return max(found, key=lambda d: d.dated) if found else None

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready copy for the audit log; the birth date is kept to the month (R-AGE)."""
        data: dict[str, Any] = _jsonable(self)
        data["birth_date"] = f"{self.birth_date.year:04d}-{self.birth_date.month:02d}"
        return data


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names; () for any other type."""
    return tuple(f.name for f in fields(cls)) if is_dataclass(cls) else ()


def _jsonable(value: Any) -> Any:
    """Facts as JSON values, walking the dataclasses' fields directly (``asdict`` deep-copies
    every value first: a batch of 20,000 transitions spent seconds there)."""
    cls = value.__class__
    if cls is str or cls is int or cls is bool or value is None:  # most leaves: ask nothing
        return value
    if cls is date:
        return value.isoformat()
    names = _field_names(cls)
    if names:
        return {f: _jsonable(getattr(value, f)) for f in names}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value
