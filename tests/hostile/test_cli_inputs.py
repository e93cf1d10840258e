"""Every bad input of tests/hostile/cases.py through the command line: the documented exit
code, a Vietnamese message naming the field (no traceback, no English from the framework
or pydantic), and the database unchanged, except for the audited refusal of a step the
rules or the user's rights do not allow."""

from __future__ import annotations

import pytest

from tests.hostile.cases import ALL, Case
from tests.hostile.conftest import AUDITED, Office, judged


def test_the_table_holds_enough_bad_inputs() -> None:
    assert len(ALL) >= 250
    assert len({c.id for c in ALL}) == len(ALL)


@pytest.mark.parametrize("case", ALL, ids=[c.id for c in ALL])
def test_a_bad_input_is_named_and_changes_nothing(office: Office, case: Case) -> None:
    before = office.fingerprint()
    last = office.last_event()
    said = office.run(case.who, case.line)
    judged(said, case.line, case.code, case.words)
    after = office.fingerprint()
    changed = {name for name in before if before[name] != after.get(name)}
    if case.code in (1, 4):  # a refusal is audited, and only that is written
        assert changed <= set(AUDITED), (case.line, changed)
        kinds = set(office.new_events(last))  # one per dossier refused by a batch step
        assert kinds == {"refusal" if case.code == 1 else "denied"}, (case.line, kinds)
    else:
        assert not changed, (case.line, changed)
