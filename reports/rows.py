"""One organization's row of the progress report, as the tree roll-up fills it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from workflow.domain.vocabulary import OrgKind


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
