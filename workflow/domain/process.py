"""The admission process, defined once as data: stages, events, one transition table.

Everything else (the shared state machine, ``ketnap diagram``, ``ketnap next``, the tests)
reads this table, so the process cannot drift between code paths. The dossier row stores
only the stage value; the machine works on a throw-away token (pydantic/SQLModel rows
reject the attributes ``transitions`` would add).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from transitions import Machine


class Stage(StrEnum):
    """Stages of a dossier (GLOSSARY.md, 'Stages of a dossier')."""

    nguon = "nguon"
    hoc_lop = "hoc_lop"
    chi_bo_xet = "chi_bo_xet"
    gui_ho_so = "gui_ho_so"
    tham_dinh = "tham_dinh"
    btv_quyet_dinh = "btv_quyet_dinh"
    ket_nap = "ket_nap"
    du_bi = "du_bi"
    chinh_thuc = "chinh_thuc"
    khong_dat = "khong_dat"
    rut = "rut"
    xoa_ten = "xoa_ten"
    huy_ket_nap = "huy_ket_nap"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def closed(self) -> bool:
        return self in TERMINAL


STAGE_LABELS: dict[Stage, str] = {
    Stage.nguon: "Nguồn",
    Stage.hoc_lop: "Học lớp nhận thức",
    Stage.chi_bo_xet: "Chi bộ họp xét",
    Stage.gui_ho_so: "Gửi hồ sơ",
    Stage.tham_dinh: "Thẩm định, sưu tra",
    Stage.btv_quyet_dinh: "Ban Thường vụ quyết định",
    Stage.ket_nap: "Kết nạp",
    Stage.du_bi: "Đảng viên dự bị",
    Stage.chinh_thuc: "Đảng viên chính thức",
    Stage.khong_dat: "Không đủ điều kiện / không được chấp thuận",
    Stage.rut: "Rút hồ sơ",
    Stage.xoa_ten: "Xóa tên",
    Stage.huy_ket_nap: "Hủy quyết định kết nạp, xóa tên",
}

TERMINAL = frozenset(
    {Stage.chinh_thuc, Stage.khong_dat, Stage.rut, Stage.xoa_ten, Stage.huy_ket_nap}
)

# Where an admission decision stands (L-ANNUL: the deciding committee may annul it from here).
ADMITTED: tuple[Stage, ...] = (Stage.ket_nap, Stage.du_bi, Stage.chinh_thuc)

# The main line, in order: used to say "you skipped a step" and to sort pipelines.
MAIN_LINE: tuple[Stage, ...] = (
    Stage.nguon,
    Stage.hoc_lop,
    Stage.chi_bo_xet,
    Stage.gui_ho_so,
    Stage.tham_dinh,
    Stage.btv_quyet_dinh,
    Stage.ket_nap,
    Stage.du_bi,
    Stage.chinh_thuc,
)


class Event(StrEnum):
    """What a clerk (or a committee) does to a dossier."""

    cu_di_hoc = "cu_di_hoc"
    hoan_thanh_lop = "hoan_thanh_lop"
    chi_bo_thong_qua = "chi_bo_thong_qua"
    gui_cap_uy = "gui_cap_uy"
    trinh_btv = "trinh_btv"
    quyet_dinh_ket_nap = "quyet_dinh_ket_nap"
    to_chuc_le = "to_chuc_le"
    cong_nhan_chinh_thuc = "cong_nhan_chinh_thuc"
    tra_lai = "tra_lai"
    khong_dat = "khong_dat"
    rut_ho_so = "rut_ho_so"
    xoa_ten = "xoa_ten"
    huy_quyet_dinh_ket_nap = "huy_quyet_dinh_ket_nap"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]

    @property
    def needs_reason(self) -> bool:
        return self in NEEDS_REASON


EVENT_LABELS: dict[Event, str] = {
    Event.cu_di_hoc: "Cử đi học lớp bồi dưỡng nhận thức về Đảng",
    Event.hoan_thanh_lop: "Hoàn thành lớp, đưa ra chi bộ xem xét",
    Event.chi_bo_thong_qua: "Chi bộ biểu quyết đề nghị kết nạp",
    Event.gui_cap_uy: "Gửi hồ sơ lên cấp ủy có thẩm quyền",
    Event.trinh_btv: "Thẩm định xong, trình Ban Thường vụ",
    Event.quyet_dinh_ket_nap: "Ban Thường vụ quyết định kết nạp",
    Event.to_chuc_le: "Tổ chức lễ kết nạp",
    Event.cong_nhan_chinh_thuc: "Công nhận đảng viên chính thức",
    Event.tra_lai: "Trả lại bổ sung hồ sơ",
    Event.khong_dat: "Không đủ điều kiện / không được chấp thuận",
    Event.rut_ho_so: "Rút hồ sơ",
    Event.xoa_ten: "Xóa tên khỏi danh sách đảng viên dự bị",
    Event.huy_quyet_dinh_ket_nap: "Hủy quyết định kết nạp",
}

NEEDS_REASON = frozenset(
    {
        Event.tra_lai,
        Event.khong_dat,
        Event.rut_ho_so,
        Event.xoa_ten,
        Event.huy_quyet_dinh_ket_nap,
    }
)


@dataclass(frozen=True)
class Transition:
    event: Event
    source: Stage
    dest: Stage


_BEFORE_DECISION = (
    Stage.nguon,
    Stage.hoc_lop,
    Stage.chi_bo_xet,
    Stage.gui_ho_so,
    Stage.tham_dinh,
    Stage.btv_quyet_dinh,
)

# The one transition table. A return (tra_lai) goes back to the step that must redo its
# part; where more than one step could, the clerk names it (``back_to``).
TRANSITIONS: tuple[Transition, ...] = (
    Transition(Event.cu_di_hoc, Stage.nguon, Stage.hoc_lop),
    Transition(Event.hoan_thanh_lop, Stage.hoc_lop, Stage.chi_bo_xet),
    Transition(Event.chi_bo_thong_qua, Stage.chi_bo_xet, Stage.gui_ho_so),
    Transition(Event.gui_cap_uy, Stage.gui_ho_so, Stage.tham_dinh),
    Transition(Event.trinh_btv, Stage.tham_dinh, Stage.btv_quyet_dinh),
    Transition(Event.quyet_dinh_ket_nap, Stage.btv_quyet_dinh, Stage.ket_nap),
    Transition(Event.to_chuc_le, Stage.ket_nap, Stage.du_bi),
    Transition(Event.cong_nhan_chinh_thuc, Stage.du_bi, Stage.chinh_thuc),
    Transition(Event.tra_lai, Stage.gui_ho_so, Stage.chi_bo_xet),
    Transition(Event.tra_lai, Stage.tham_dinh, Stage.chi_bo_xet),
    Transition(Event.tra_lai, Stage.tham_dinh, Stage.gui_ho_so),
    Transition(Event.tra_lai, Stage.btv_quyet_dinh, Stage.tham_dinh),
    Transition(Event.tra_lai, Stage.btv_quyet_dinh, Stage.chi_bo_xet),
    *(Transition(Event.khong_dat, s, Stage.khong_dat) for s in _BEFORE_DECISION),
    *(Transition(Event.rut_ho_so, s, Stage.rut) for s in _BEFORE_DECISION),
    Transition(Event.xoa_ten, Stage.du_bi, Stage.xoa_ten),
    # L-ANNUL: the deciding committee annuls its admission decision; the name is struck off
    # (the person did not meet the conditions: the first, default target), or the procedure
    # is redone from the committee's decision or from the chi bộ's vote (``back_to``)
    *(
        Transition(Event.huy_quyet_dinh_ket_nap, s, dest)
        for s in ADMITTED
        for dest in (Stage.huy_ket_nap, Stage.btv_quyet_dinh, Stage.chi_bo_xet)
    ),
)


def targets(event: Event, source: Stage) -> list[Stage]:
    """Stages ``event`` may lead to from ``source``, in table order (first is the default)."""
    return [t.dest for t in TRANSITIONS if t.event is event and t.source is source]


# Acts outside the dossier's steps: another body's decision undoing one already taken (L-ANNUL:
# the committee that decided an admission annuls it, even after recognition, so from the
# terminal ``chinh_thuc`` too). The table holds them, so the machine checks their moves, but
# they are never a next step: ``events_from`` leaves them out (no page, rule-change preview or
# "Được phép" list offers them) and their own use case records them (annulment.py).
OUTSIDE_STEPS = frozenset({Event.huy_quyet_dinh_ket_nap})


def events_from(source: Stage) -> list[Event]:
    """The steps the table allows from ``source``, in table order, without repeats (a
    terminal stage has none; the acts in ``OUTSIDE_STEPS`` are not steps)."""
    seen: dict[Event, None] = {}
    for t in TRANSITIONS:
        if t.source is source and t.event not in OUTSIDE_STEPS:
            seen.setdefault(t.event)
    return list(seen)


def acts_on(source: Stage) -> list[Event]:
    """The acts outside the steps (``OUTSIDE_STEPS``) the table allows from ``source``."""
    return [e for e in OUTSIDE_STEPS if targets(e, source)]


def allowed(source: Stage, dest: Stage) -> bool:
    return any(t.source is source and t.dest is dest for t in TRANSITIONS)


class _Token:
    """What the shared machine moves: a plain object holding only a stage."""

    def __init__(self, state: Stage) -> None:
        self.state = state


def _dest_is(dest: Stage) -> Any:
    def condition(event_data: Any) -> bool:
        wanted = event_data.kwargs.get("back_to")
        return wanted is None or wanted is dest

    return condition


def _build_machine() -> Machine:
    machine = Machine(
        model=None,
        states=Stage,
        initial=Stage.nguon,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )
    for t in TRANSITIONS:
        machine.add_transition(t.event.value, t.source, t.dest, conditions=[_dest_is(t.dest)])
    return machine


MACHINE: Machine = _build_machine()


class InvalidTransition(Exception):
    """The table has no such move; the service turns this into a refusal."""


@cache
def fire(stage: Stage, event: Event, back_to: Stage | None = None) -> Stage:
    """Run ``event`` through the shared machine from ``stage`` and return the new stage.

    The machine has no callbacks with effects: it only checks the table. Anything the
    change implies (audit, deadlines) is written by the service in the same transaction.
    The answer depends on its arguments alone, so it is kept (a batch of 20,000 asks the
    same few questions); a refused move raises again each time.
    """
    token = _Token(stage)
    if not targets(event, stage) or (back_to is not None and back_to not in targets(event, stage)):
        raise InvalidTransition(f"{event.value} từ {stage.value}")
    ok = MACHINE.events[event.value].trigger(token, back_to=back_to)
    if not ok:  # pragma: no cover - guarded by the table check above
        raise InvalidTransition(f"{event.value} từ {stage.value}")
    return Stage(token.state)


def mermaid() -> str:
    """The process as a Mermaid state diagram, from the same table the machine uses."""
    lines = ["stateDiagram-v2"]
    for s in Stage:
        lines.append(f'    state "{s.label}" as {s.value}')
    lines.append(f"    [*] --> {Stage.nguon.value}")
    for t in TRANSITIONS:
        lines.append(f"    {t.source.value} --> {t.dest.value}: {t.event.label}")
    for s in sorted(TERMINAL, key=lambda s: s.value):
        lines.append(f"    {s.value} --> [*]")
    return "\n".join(lines) + "\n"
