"""What a rule change would do to an in-flight dossier, before it takes effect: the verdict
of each step open to it and each of its deadlines, judged under the rules as they are and
as they would be, compared (docs/rule-changes.md).

Pure: the use case gives the facts, the day of the judgement and the two ways of choosing a
rule set for a fact's date (the rules now; the rules with the override or the new set).
A step whose fact is dated before the change is judged by the same rule set both ways, so
it cannot change: an override never reaches a fact dated before it took effect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date

from workflow.domain import guards
from workflow.domain.calendar import WorkingCalendar
from workflow.domain.deadlines import Due, chi_bo_date, dossier_dues
from workflow.domain.facts import DossierFacts
from workflow.domain.process import Event, events_from
from workflow.domain.rules import RuleSet
from workflow.domain.verdicts import Verdict
from workflow.text.vntext import fmt_date

Chooser = Callable[[date], RuleSet]  # a fact's date → the rule set that judges it

MET = "đáp ứng"
NO_DEADLINE = "không có hạn"


@dataclass(frozen=True)
class Change:
    """One verdict or one deadline that differs: what, under which rule, before → after."""

    what: str  # "verdict" (a step's condition) or "deadline"
    subject: str  # the event's code, or the deadline's kind
    label: str  # the step or the deadline in words
    rule: str  # the rule id (docs/rules.md)
    before: str
    after: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Effect:
    """A dossier under a change: the rule set of its next step before and after, and what
    differs (nothing: the change does not touch it)."""

    rule_set_before: str
    rule_set_after: str
    changes: tuple[Change, ...]

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def governing(facts: DossierFacts, on: date, choose: Chooser) -> RuleSet:
    """The rule set the dossier's next step on the main line would be judged under (the
    first step the table allows from its stage), on the date of the fact it rests on."""
    steps = events_from(facts.stage)
    return choose(guards.judged_on(steps[0], facts, on) if steps else on)


def effect(
    facts: DossierFacts, on: date, cal: WorkingCalendar, before: Chooser, after: Chooser
) -> Effect:
    """Every step the dossier may take and every deadline it has, judged on ``on`` under
    ``before`` and under ``after``; the differences, by rule."""
    changes: list[Change] = []
    for event in events_from(facts.stage):
        day = guards.judged_on(event, facts, on)
        old, new = before(day), after(day)
        if old.id != new.id:  # the id names the numbers (and the overrides): same id, same verdict
            changes.extend(
                _verdicts(
                    event,
                    guards.check(event, facts, old, on, cal),
                    guards.check(event, facts, new, on, cal),
                )
            )
    day = chi_bo_date(facts) or on  # the deadlines' rule set, as dossiers.sync_dossier picks it
    old, new = before(day), after(day)
    if old.id != new.id and not facts.stage.closed:
        changes.extend(_deadlines(dossier_dues(facts, old, cal), dossier_dues(facts, new, cal)))
    return Effect(governing(facts, on, before).id, governing(facts, on, after).id, tuple(changes))


def _by_rule(verdict: Verdict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for unmet in verdict.unmet:
        out.setdefault(unmet.rule_id, []).append(unmet.message)
    return out


def _verdicts(event: Event, old: Verdict, new: Verdict) -> list[Change]:
    """Per rule id, the unmet conditions that differ (a rule met on one side says so)."""
    was, now = _by_rule(old), _by_rule(new)
    return [
        Change(
            "verdict",
            event.value,
            event.label,
            rule,
            " ".join(was.get(rule, [])) or MET,
            " ".join(now.get(rule, [])) or MET,
        )
        for rule in sorted(was.keys() | now.keys())
        if was.get(rule) != now.get(rule)
    ]


def _due_text(due: Due | None) -> str:
    return NO_DEADLINE if due is None else f"hạn {fmt_date(due.due)}"


def _deadlines(old: list[Due], new: list[Due]) -> list[Change]:
    """Per kind of deadline, a due day that moves, appears or goes."""
    was, now = {d.kind: d for d in old}, {d.kind: d for d in new}
    out = []
    for kind in sorted(was.keys() | now.keys()):
        a, b = was.get(kind), now.get(kind)
        if (a and a.due) != (b and b.due):
            shown = b or a
            assert shown is not None
            out.append(
                Change("deadline", kind, shown.label, shown.rule_id, _due_text(a), _due_text(b))
            )
    return out
