"""The process table, the shared machine, and its invariants under random events."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workflow.domain.process import (
    MACHINE,
    TERMINAL,
    TRANSITIONS,
    Event,
    InvalidTransition,
    Stage,
    allowed,
    events_from,
    fire,
    mermaid,
)


def test_one_shared_machine_without_auto_transitions() -> None:
    assert not MACHINE.auto_transitions
    assert MACHINE.models == []  # rows are never the machine's model
    assert set(MACHINE.events) == {e.value for e in Event}


def test_every_stage_and_event_has_a_vietnamese_label() -> None:
    assert all(s.label for s in Stage) and all(e.label for e in Event)
    assert Stage.chi_bo_xet.label == "Chi bộ họp xét"


def test_terminal_stages_have_no_way_out() -> None:
    for stage in TERMINAL:
        assert events_from(stage) == []


def test_return_goes_back_to_the_named_step() -> None:
    assert fire(Stage.btv_quyet_dinh, Event.tra_lai) is Stage.tham_dinh
    assert fire(Stage.btv_quyet_dinh, Event.tra_lai, back_to=Stage.chi_bo_xet) is Stage.chi_bo_xet


def test_diagram_comes_from_the_table() -> None:
    text = mermaid()
    assert text.startswith("stateDiagram-v2")
    assert text.count(" --> ") == len(TRANSITIONS) + 1 + len(TERMINAL)
    assert 'state "Ban Thường vụ quyết định" as btv_quyet_dinh' in text


@given(st.lists(st.sampled_from(list(Event)), max_size=40), st.sampled_from([None, *Stage]))
def test_random_events_never_leave_the_table(events: list[Event], back_to: Stage | None) -> None:
    stage = Stage.nguon
    for event in events:
        try:
            new = fire(stage, event, back_to if event is Event.tra_lai else None)
        except InvalidTransition:
            assert event not in events_from(stage) or back_to is not None
            continue
        assert allowed(stage, new)
        stage = new


def test_docs_diagram_is_the_generated_one() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "process.md").read_text(encoding="utf-8")
    assert mermaid() in doc
