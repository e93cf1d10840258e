"""Rule changes, previewed and then applied (issue 18, docs/rule-changes.md).

Before an override of a local parameter (``ketnap rules set``) or a new rule set takes
effect, ``ketnap rules preview`` lists the in-flight dossiers whose verdict or deadlines it
would change: per dossier the rule, before and after, and the rule set its next step would
be judged under. The comparison is pure (``workflow.domain.rule_changes``); the open
dossiers' facts are read in bulk, a few thousand at a time. Applying an override writes,
in the override's own unit of work, per dossier it changes, which rule set now governs it
(``Dossier.rule_set_id``) and why: one ``rule_change`` event, no version, no stage.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from models import audit
from models.tables import Candidate, Dossier, Organization
from workflow.domain.errors import BadInput
from workflow.domain.rule_changes import Chooser, Effect, effect
from workflow.domain.rules import (
    RULE_SETS,
    SET_IDS,
    NoRuleSet,
    Override,
    RuleSet,
    check_override,
    rule_set_for,
    sets_from,
)
from workflow.inputs.base import validate
from workflow.inputs.rule_set import RuleSetIn
from workflow.text.vntext import parse_date
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.context import Context
from workflow.usecases.dossiers import CLOSED_STAGES, DOSSIER_TABLE, load_facts_many
from workflow.usecases.step_reads import step_settings

CHUNK = 2000  # dossiers whose facts are read and judged together
EVENT = "ap_dung_quy_dinh"
KIND = "rule_change"
MAX_FILE = 64 * 1024  # a rule set file is a few hundred bytes; more is not one


# ----- the override's arguments, judged as `ketnap rules set` judges them -----------------


def override_day(effective_from: date | str | None, today: date) -> date:
    """The day an override takes effect: as typed (dd/mm/yyyy), or today."""
    if isinstance(effective_from, str):
        try:
            return parse_date(effective_from)
        except ValueError as exc:
            raise BadInput.one("Hiệu lực từ", str(exc)) from None
    return effective_from or today


def override_value(key: str, value: str) -> int:
    """A local parameter's value; a locked number (Charter, central rules) is refused."""
    try:
        return check_override(key, value)
    except ValueError as exc:
        raise BadInput.one("Tham số", str(exc)) from None


def override_sets(start: date, rule_sets: Sequence[str] | None) -> tuple[str, ...]:
    """The sets an override applies to: as named, or the one in force that day and later."""
    try:
        default = sets_from(start)
    except NoRuleSet:
        raise BadInput.one("Hiệu lực từ", "trước mọi bộ quy định") from None
    sets = tuple(dict.fromkeys(rule_sets)) if rule_sets else default
    unknown = [x for x in sets if x not in SET_IDS]
    if unknown:
        raise BadInput.one(
            "Bộ quy định", f"không có {', '.join(unknown)}; chọn: {', '.join(SET_IDS)}"
        )
    return sets


# ----- judging the open dossiers under two ways of choosing a rule set ---------------------


def chooser(overrides: Sequence[Override], known: Sequence[RuleSet] = RULE_SETS) -> Chooser:
    """A fact's date → its rule set, remembered per date (thousands of dossiers share few)."""
    held, sets = tuple(overrides), tuple(known)

    @lru_cache(maxsize=4096)
    def choose(day: date) -> RuleSet:
        return rule_set_for(day, held, sets)

    return choose


_OPEN = (
    sa_select(DOSSIER_TABLE, col(Organization.code).label("org_code"), col(Candidate.full_name))
    .join(Organization, col(Organization.id) == col(Dossier.org_id))
    .join(Candidate, col(Candidate.id) == col(Dossier.candidate_id))
    .where(col(Dossier.stage).notin_(CLOSED_STAGES))
    .order_by(col(Dossier.id))
)


def _open_rows(s: Session, scope: set[int] | None) -> Iterator[Sequence[Any]]:
    """The open dossiers (within ``scope``), in id order, a chunk at a time."""
    rows: list[Any] = list(s.connection().execute(_OPEN))
    if scope is not None:
        rows = [r for r in rows if r.org_id in scope]
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


def effects(
    s: Session, on: date, before: Chooser, after: Chooser, scope: set[int] | None = None
) -> tuple[list[tuple[Any, Effect]], int]:
    """The open dossiers the change touches, each with its effect; and how many were judged."""
    cal = step_settings(s).calendar
    out: list[tuple[Any, Effect]] = []
    judged = 0
    for rows in _open_rows(s, scope):
        facts_of = load_facts_many(s, rows)
        for row in rows:
            judged += 1
            found = effect(facts_of[row.id], on, cal, before, after)
            if found.changed:
                out.append((row, found))
    return out, judged


def _listed(found: list[tuple[Any, Effect]]) -> list[dict[str, Any]]:
    return [
        {
            "dossier_id": row.id,
            "full_name": row.full_name,
            "org": row.org_code,
            "stage": row.stage,
            "rule_set_before": e.rule_set_before,
            "rule_set_after": e.rule_set_after,
            "changes": [c.as_dict() for c in e.changes],
        }
        for row, e in found
    ]


def _preview(
    ctx: Context,
    s: Session,
    start: date,
    proposal: dict[str, Any],
    after_of: Callable[[tuple[Override, ...]], Chooser],
) -> dict[str, Any]:
    overrides = step_settings(s).overrides
    on = max(ctx.today(), start)  # a change from a later day is judged as on that day
    found, judged = effects(s, on, chooser(overrides), after_of(overrides), scope_ids(s, ctx.actor))
    return {
        "proposal": proposal,
        "judged_on": on.isoformat(),
        "judged": judged,
        "count": len(found),
        "dossiers": _listed(found),
    }


def preview_override(
    ctx: Context,
    key: str,
    value: str,
    *,
    effective_from: date | str | None = None,
    rule_sets: Sequence[str] | None = None,
) -> dict[str, Any]:
    """What ``ketnap rules set KEY VALUE`` would change, written nowhere: the open dossiers
    within the actor's scope whose verdict or deadlines differ, judged on the override's
    day (today if it is today or earlier)."""
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        start = override_day(effective_from, ctx.today())
        parsed = override_value(key, value)
        sets = override_sets(start, rule_sets)
        new = Override(key, parsed, start, sets)
        proposal = {
            "key": key,
            "value": parsed,
            "effective_from": start.isoformat(),
            "rule_sets": list(sets),
        }
        return _preview(ctx, s, start, proposal, lambda held: chooser((*held, new)))


def read_rule_set(path: Path, today: date) -> RuleSet:
    """A rule set file: a small UTF-8 JSON object, validated field by field."""
    label = "Tệp"
    if not path.is_file():
        raise BadInput.one(label, f"không có tệp {str(path)[:120]}")
    if path.stat().st_size > MAX_FILE:
        raise BadInput.one(label, f"lớn quá {MAX_FILE // 1024} KB, không phải một bộ quy định")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise BadInput.one(label, "không phải văn bản UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadInput.one(label, f"không phải JSON (dòng {exc.lineno}, cột {exc.colno})") from None
    if not isinstance(data, dict):
        raise BadInput.one(label, "phải là một đối tượng JSON {…} với các trường của bộ quy định")
    return validate(RuleSetIn, data, today).to_rule_set()


def preview_rule_set(ctx: Context, path: Path) -> dict[str, Any]:
    """What a new rule set (a file) would change from its effective date, written nowhere.
    The installation's overrides name the sets they apply to, so none reaches the new set."""
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        rs = read_rule_set(path, ctx.today())
        known = (*RULE_SETS, rs)
        proposal = rs.summary()
        return _preview(ctx, s, rs.effective_from, proposal, lambda held: chooser(held, known))


# ----- applying: in the override's unit of work -------------------------------------------

_GOVERN = (
    update(DOSSIER_TABLE)
    .where(DOSSIER_TABLE.c.id == bindparam("did"))
    .values(rule_set_id=bindparam("rs"))
)


def governance(
    s: Session, on: date, before: Sequence[Override], after: Sequence[Override]
) -> list[tuple[Any, Effect]]:
    """Every open dossier (whatever the actor's scope: the rules are the installation's)
    whose verdict or deadlines the change moves, with what moves."""
    return effects(s, on, chooser(before), chooser(after))[0]


def record_governance(
    s: Session,
    ctx: Context,
    moved: list[tuple[Any, Effect]],
    cause: dict[str, Any],
    reason: str,
    on: date,
) -> None:
    """Per dossier the change moves: its governing rule set (``Dossier.rule_set_id``) and
    one event saying which it was, which it is, why and what changed. Not a version, not a
    stage: no step was taken (the replay of the log, AUD-STATE, reads neither)."""
    if not moved:
        return
    s.connection().execute(_GOVERN, [{"did": row.id, "rs": e.rule_set_after} for row, e in moved])
    audit.append_many(
        s,
        ctx.clock.now(),
        ctx.actor,
        [
            {
                "kind": KIND,
                "event": EVENT,
                "dossier_id": row.id,
                "from_stage": row.stage,
                "reason": reason,
                "rule_set_id": e.rule_set_after,
                "data": {
                    "rule_set": {"from": e.rule_set_before, "to": e.rule_set_after},
                    "cause": cause,
                    "judged_on": on.isoformat(),
                    "changes": [c.as_dict() for c in e.changes],
                },
            }
            for row, e in moved
        ],
    )
