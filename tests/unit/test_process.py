"""The process table, the shared machine, and its invariants under random events."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workflow.domain.process import (
    ADMITTED,
    MACHINE,
    TERMINAL,
    TRANSITIONS,
    Event,
    InvalidTransition,
    Stage,
    acts_on,
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


def test_terminal_stages_have_no_step_out() -> None:
    """A terminal stage has no next step. L-ANNUL's annulment is no step of the dossier but
    the deciding committee's act undoing its decision, possible even after recognition
    (chinh_thuc): it is the only way out of a terminal stage, from chinh_thuc alone, to the
    struck-off stage or back to a step to redo."""
    for stage in TERMINAL:
        assert events_from(stage) == []
    out = {(t.source, t.event, t.dest) for t in TRANSITIONS if t.source in TERMINAL}
    assert out == {
        (Stage.chinh_thuc, Event.huy_quyet_dinh_ket_nap, dest)
        for dest in (Stage.huy_ket_nap, Stage.btv_quyet_dinh, Stage.chi_bo_xet)
    }
    assert acts_on(Stage.chinh_thuc) == [Event.huy_quyet_dinh_ket_nap]
    assert acts_on(Stage.huy_ket_nap) == [] and acts_on(Stage.xoa_ten) == []


def test_annulment_is_never_offered_as_a_step() -> None:
    """L-ANNUL: from ket_nap, du_bi, chinh_thuc; never in events_from (own use case)."""
    for stage in Stage:
        assert Event.huy_quyet_dinh_ket_nap not in events_from(stage)
        assert (Event.huy_quyet_dinh_ket_nap in acts_on(stage)) is (stage in ADMITTED)
    assert fire(Stage.du_bi, Event.huy_quyet_dinh_ket_nap) is Stage.huy_ket_nap
    redo = fire(Stage.ket_nap, Event.huy_quyet_dinh_ket_nap, back_to=Stage.chi_bo_xet)
    assert redo is Stage.chi_bo_xet


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
