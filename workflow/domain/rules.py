"""Rule sets as versioned data (docs/rules.md, 'Bộ quy định theo ngày hiệu lực').

A rule set is chosen by the date the judged fact happened (e.g. the chi bộ resolution),
never by the code's age. The numbers of the Charter and the central regulation are part
of the set and locked: a different number is a new set with its own effective date and
source. An installation may change only its local parameters (the youth-age band where
the law allows), each override dated and scoped to the sets it applies to; an applied
override becomes part of the set's id (``QD294-2025+cfg:ab12cd34``) so every verdict and
audit event says exactly which numbers produced it, and an override never reaches a fact
dated before it took effect.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from typing import Any


@dataclass(frozen=True)
class RuleSet:
    """The numbers the guards use. Confidence (docs/rules.md): V, S, U."""

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
    # R-INTRO-DOAN, R-INTRO-CD: youth age, in full years counted by month (a local band)
    youth_age_min: int = 18
    youth_age_max: int = 30
    # R-INTRO-CD: the union committee introduces a youth where no Đoàn exists (V)
    union_may_introduce: bool = True
    # R-CB-MIN: minimum official members for a chi bộ to vote (V)
    cb_min_official: int = 3
    # R-VOTE-CB / R-VOTE-DU / R-VOTE-OFFICIAL: approval threshold as a fraction (V/S)
    vote_num: int = 2
    vote_den: int = 3
    official_vote_rounds: int = 3
    # R-REJOIN: months out of the Party, or after the record of a lesser crime was cleared,
    # and the causes that bar re-admission for ever (V, QĐ 294 §3.5)
    rejoin_months: int = 36
    rejoin_cleared_months: int = 60
    rejoin_barred: tuple[str, ...] = (
        "tu_bo_sinh_hoat",
        "tu_xin_ra",
        "gay_mat_doan_ket",
        "tham_nhung",
        "an_nghiem_trong",
    )
    # Deadlines in working days / months (V unless noted)
    decide_working_days: int = 60
    decide_extension_working_days: int = 30
    ceremony_working_days: int = 30
    history_working_days: int = 30  # D-HISTORY (S)
    probation_months: int = 12
    official_consider_working_days: int = 30
    official_decide_working_days: int = 30
    official_extension_working_days: int = 30
    overrides: tuple[tuple[str, Any], ...] = field(default=())

    def with_overrides(self, values: dict[str, Any]) -> RuleSet:
        """A copy with local parameters applied and recorded in its id."""
        if not values:
            return self
        locked = set(values) - set(LOCAL)
        if locked:
            raise KeyError(", ".join(sorted(locked)))
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


@dataclass(frozen=True)
class Local:
    """A local parameter: what an installation may change, and the sane range it may take."""

    label: str
    low: int
    high: int
    why: str


# Only these numbers of a rule set may differ locally (docs/rules.md, 'Tham số').
LOCAL: dict[str, Local] = {
    "youth_age_min": Local(
        "Tuổi đoàn: từ (tuổi)", 16, 18, "Luật Thanh niên 2020: thanh niên từ đủ 16 tuổi"
    ),
    "youth_age_max": Local(
        "Tuổi đoàn: đến (tuổi)", 28, 35, "Luật Thanh niên 2020: đến 30 tuổi; Điều lệ Đoàn"
    ),
}
# The numbers a rule set holds; every one not in LOCAL is locked (Charter, central rules).
NUMBERS = tuple(
    f.name
    for f in fields(RuleSet)
    if f.name not in {"id", "name", "sources", "effective_from", "overrides"}
)
LOCKED = tuple(n for n in NUMBERS if n not in LOCAL)

_CHARTER = "Điều lệ Đảng (2011)"
RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet(
        id="QD29-2016",
        name="QĐ 29-QĐ/TW (2016) và HD 01-HD/TW (2016)",
        sources=(_CHARTER, "QĐ 29-QĐ/TW ngày 25/7/2016", "HD 01-HD/TW ngày 20/9/2016"),
        effective_from=date(2016, 7, 25),
    ),
    RuleSet(
        id="QD24-2021",
        name="QĐ 24-QĐ/TW (2021), hướng dẫn HD 01-HD/TW (2016) còn áp dụng",
        sources=(_CHARTER, "QĐ 24-QĐ/TW ngày 30/7/2021", "HD 01-HD/TW ngày 20/9/2016"),
        effective_from=date(2021, 7, 30),
    ),
    RuleSet(
        id="HD01-2021",
        name="QĐ 24-QĐ/TW (2021) và HD 01-HD/TW (2021)",
        sources=(
            _CHARTER,
            "QĐ 24-QĐ/TW ngày 30/7/2021",
            "HD 01-HD/TW ngày 28/9/2021",
            "HD 12-HD/BTCTW (2022), biểu mẫu",
        ),
        effective_from=date(2021, 9, 28),
    ),
    RuleSet(
        id="QD232-2025",
        name="QĐ 232-QĐ/TW (2025) sửa đổi QĐ 24-QĐ/TW, và HD 01-HD/TW (2021)",
        sources=(
            _CHARTER,
            "QĐ 24-QĐ/TW ngày 30/7/2021",
            "QĐ 232-QĐ/TW ngày 20/01/2025",
            "HD 01-HD/TW ngày 28/9/2021",
            "HD 12-HD/BTCTW (2022), biểu mẫu",
        ),
        effective_from=date(2025, 1, 20),
    ),
    RuleSet(
        id="QD294-2025",
        name="QĐ 294-QĐ/TW (2025) và HD 06-HD/TW (2025)",
        sources=(
            _CHARTER,
            "QĐ 294-QĐ/TW ngày 26/5/2025, hiệu lực 01/7/2025",
            "HD 06-HD/TW ngày 09/6/2025",
        ),
        effective_from=date(2025, 7, 1),
    ),
)
SET_IDS = tuple(rs.id for rs in RULE_SETS)


class NoRuleSet(LookupError):
    pass


@dataclass(frozen=True)
class Override:
    """An installation's value for a local parameter, from a day on, for some rule sets."""

    key: str
    value: Any
    effective_from: date
    rule_sets: tuple[str, ...]


def in_force(day: date, known: Sequence[RuleSet] = RULE_SETS) -> RuleSet:
    """The rule set in force on ``day`` as the texts give it (no local parameters): the
    newest of ``known`` effective on or before that day (a set is open-ended). ``known`` is
    the shipped sets, or those plus a proposed one (ketnap rules preview ruleset)."""
    sets = [rs for rs in known if rs.effective_from <= day]
    if not sets:
        raise NoRuleSet(day.isoformat())
    return max(sets, key=lambda rs: rs.effective_from)


def applicable(rs: RuleSet, day: date, overrides: Iterable[Override]) -> dict[str, Any]:
    """The local values that apply to ``rs`` for a fact dated ``day``: per parameter, the
    override that took effect last on or before that day (the later one of a tie)."""
    chosen: dict[str, Override] = {}
    for o in overrides:
        if o.key in LOCAL and o.effective_from <= day and rs.id in o.rule_sets:
            if o.key not in chosen or o.effective_from >= chosen[o.key].effective_from:
                chosen[o.key] = o
    return {key: o.value for key, o in chosen.items()}


def rule_set_for(
    day: date, overrides: Iterable[Override] = (), known: Sequence[RuleSet] = RULE_SETS
) -> RuleSet:
    """The rule set in force on ``day``, with the local parameters that applied that day."""
    rs = in_force(day, known)
    return rs.with_overrides(applicable(rs, day, overrides))


def sets_from(day: date) -> tuple[str, ...]:
    """The sets an override from ``day`` applies to by default: the one in force that day
    and every later one known now (a set added later is not covered: it is a new text)."""
    first = in_force(day).effective_from
    return tuple(rs.id for rs in RULE_SETS if rs.effective_from >= first)


def check_override(key: str, raw: str) -> int:
    """A local parameter's new value, or ValueError with a Vietnamese message naming the
    parameter and the bound it breaks (a locked number is refused the same way)."""
    if key not in LOCAL:
        if key in LOCKED:
            raise ValueError(
                f"'{key}' là con số của Điều lệ hoặc quy định của Trung ương, không ghi đè tại "
                "chỗ được; con số khác là một bộ quy định mới (có ngày hiệu lực, văn bản căn cứ). "
                f"Tham số được ghi đè: {', '.join(LOCAL)}"
            )
        raise ValueError(f"không có tham số '{key}'; tham số được ghi đè: {', '.join(LOCAL)}")
    spec = LOCAL[key]
    text = raw.strip()
    if not text.lstrip("-").isdigit() or len(text) > 6:
        raise ValueError(f"{spec.label}: '{raw}' không phải số nguyên")
    value = int(text)
    if not spec.low <= value <= spec.high:
        raise ValueError(
            f"{spec.label}: {value} ngoài khoảng cho phép {spec.low}–{spec.high} ({spec.why})"
        )
    return value
