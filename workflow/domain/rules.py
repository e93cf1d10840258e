"""Rule sets as versioned data (docs/rules.md, 'Bộ quy định theo ngày hiệu lực').

A rule set is chosen by the date the judged fact happened (e.g. the chi bộ resolution),
never by the code's age. An installation may override a number; the override becomes
part of the rule set's id (``QD294-2025+cfg:ab12cd34``) so every verdict and audit event
says exactly which numbers produced it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from typing import Any


@dataclass(frozen=True)
class RuleSet:
    """The numbers the guards use. Confidence (docs/rules.md): V, S (configurable), U."""

    id: str
    name: str
    sources: tuple[str, ...]
    effective_from: date
    # R-AGE: age at the chi bộ's consideration, counted by month (V)
    age_min_months: int = 216
    age_max_months: int = 720
    # R-CLASS: certificate validity (S)
    class_valid_months: int = 60
    # R-DOCS-12M: validity of introductions, resolutions, comments, personal history (S)
    docs_valid_months: int = 12
    docs_rule_enabled: bool = True
    # R-INTRO: two official introducers who knew the candidate >= 12 months (V)
    introducers_required: int = 2
    introducer_months: int = 12
    # R-INTRO-DOAN: youth age band, in full years (V, band configurable)
    youth_age_min: int = 18
    youth_age_max: int = 30
    # R-INTRO-CD: union resolution may replace one introducer (S)
    union_may_introduce: bool = True
    # R-CB-MIN: minimum official members for a chi bộ to vote (S)
    cb_min_official: int = 3
    # R-VOTE-CB / R-VOTE-DU / R-VOTE-OFFICIAL: approval threshold as a fraction (V/S)
    vote_num: int = 2
    vote_den: int = 3
    official_vote_rounds: int = 3
    # R-REJOIN: months out of the Party before re-admission (V)
    rejoin_months: int = 36
    # Deadlines in working days / months (V unless noted)
    decide_working_days: int = 60
    decide_extension_working_days: int = 30
    ceremony_working_days: int = 30
    history_working_days: int = 30  # D-HISTORY (S)
    probation_months: int = 12
    official_consider_working_days: int = 30
    official_decide_working_days: int = 30
    overrides: tuple[tuple[str, Any], ...] = field(default=())

    def with_overrides(self, values: dict[str, Any]) -> RuleSet:
        """A copy with installation overrides applied and recorded in its id."""
        if not values:
            return self
        unknown = set(values) - OVERRIDABLE
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        items = tuple(sorted(values.items()))
        digest = hashlib.sha256(
            json.dumps(items, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()[:8]
        return replace(self, id=f"{self.id}+cfg:{digest}", overrides=items, **values)

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data["effective_from"] = self.effective_from.isoformat()
        data["overrides"] = dict(self.overrides)
        return data


# Numbers that an installation may change. Names, ids and dates stay data of the set.
OVERRIDABLE = frozenset(
    f.name
    for f in fields(RuleSet)
    if f.name not in {"id", "name", "sources", "effective_from", "overrides"}
)

RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet(
        id="QD29-2016",
        name="QĐ 29-QĐ/TW (2016) và HD 01-HD/TW (2016)",
        sources=("Điều lệ Đảng 2011", "QĐ 29-QĐ/TW ngày 25/7/2016", "HD 01-HD/TW 2016"),
        effective_from=date(2016, 7, 25),
    ),
    RuleSet(
        id="QD24-2021",
        name="QĐ 24-QĐ/TW (2021) và HD 12-HD/BTCTW (2022)",
        sources=("Điều lệ Đảng 2011", "QĐ 24-QĐ/TW ngày 30/7/2021", "HD 12-HD/BTCTW 2022"),
        effective_from=date(2021, 7, 30),
    ),
    RuleSet(
        id="QD294-2025",
        name="QĐ 294-QĐ/TW (2025) và HD 06-HD/TW (2025)",
        sources=("Điều lệ Đảng 2011", "QĐ 294-QĐ/TW ngày 26/5/2025", "HD 06-HD/TW ngày 09/6/2025"),
        effective_from=date(2025, 7, 1),
    ),
)


class NoRuleSet(LookupError):
    pass


def rule_set_for(day: date, overrides: dict[str, Any] | None = None) -> RuleSet:
    """The rule set in force on ``day``, with the installation's overrides applied."""
    in_force = [rs for rs in RULE_SETS if rs.effective_from <= day]
    if not in_force:
        raise NoRuleSet(day.isoformat())
    chosen = max(in_force, key=lambda rs: rs.effective_from)
    return chosen.with_overrides(overrides or {})


def coerce_override(key: str, raw: str) -> Any:
    """Parse a textual override to the type of the field it overrides."""
    if key not in OVERRIDABLE:
        raise KeyError(key)
    kind = {f.name: f.type for f in fields(RuleSet)}[key]
    if kind in ("bool", bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "co", "có", "yes"}:
            return True
        if lowered in {"0", "false", "khong", "không", "no"}:
            return False
        raise ValueError(raw)
    value = int(raw)
    if value < 0:
        raise ValueError(raw)
    return value
