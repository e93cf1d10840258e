"""Deadlines as data and the scan, on a real SQLite file with a fixed clock (never sleeping)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from sqlmodel import select

from bench.synthetic import generate
from models.tables import AuditEvent, Deadline, Reminder
from scheduler.scan import due_count, scan
from tests.conftest import TREE, admit, fact, make_context, new_candidate
from tests.databases import TestDB
from tests.databases import counts as table_counts_of
from workflow.domain.errors import BadInput
from workflow.domain.process import Event
from workflow.inputs import dossier as inputs
from workflow.usecases import agenda, targets
from workflow.usecases.advancing import advance
from workflow.usecases.clock import VN_TZ, FixedClock
from workflow.usecases.context import Context
from workflow.usecases.organizations import add_org
from workflow.usecases.settings import resync_all
from workflow.usecases.trust import verify_audit


def rows(ctx: Context, subject_prefix: str = "") -> dict[tuple[str, str], Deadline]:
    with ctx.read() as s:
        found = s.exec(select(Deadline)).all()
    return {(d.subject, d.kind): d for d in found if d.subject.startswith(subject_prefix)}


def raised(ctx: Context) -> list[Reminder]:
    with ctx.read() as s:
        return list(s.exec(select(Reminder).order_by(Reminder.id)).all())  # type: ignore[arg-type]


def audit_count(ctx: Context) -> int:
    with ctx.read() as s:
        return len(s.exec(select(AuditEvent.id)).all())


def test_deadlines_move_with_the_facts_in_the_same_unit_of_work(ctx: Context) -> None:
    did = new_candidate(ctx)
    admit(ctx, did)
    mine = rows(ctx, f"dossier:{did}")
    decide = mine[(f"dossier:{did}", "D-DECIDE")]
    ceremony = mine[(f"dossier:{did}", "D-CEREMONY")]
    assert decide.done_on == date(2025, 6, 20) and decide.next_fire_on is None
    assert ceremony.due == date(2025, 8, 4) and ceremony.done_on is None
    assert ceremony.next_fire_on == date(2025, 7, 21)  # 10 working days before
    fact(ctx, did, inputs.CeremonyIn, held_on="10/07/2025")
    advance(ctx, did, Event.to_chuc_le)
    mine = rows(ctx, f"dossier:{did}")
    assert mine[(f"dossier:{did}", "D-CEREMONY")].done_on == date(2025, 7, 10)
    assert mine[(f"dossier:{did}", "D-CEREMONY")].next_fire_on is None
    assert {k for _, k in mine} == {
        "D-DECIDE",
        "D-CEREMONY",
        "D-HISTORY",
        "D-PROBATION",
        "D-OFFICIAL-CB",
    }
    # L-XOA-TEN: the chi bộ's resolution and the committee's decision with its ground
    fact(
        ctx,
        did,
        inputs.ResolutionIn,
        kind="chi_bo_xoa_ten",
        dated="10/10/2025",
        official_members=9,
        agree=8,
    )
    fact(
        ctx,
        did,
        inputs.DecisionIn,
        kind="xoa_ten",
        number="9-QĐ/ĐUK",
        signed_on="20/10/2025",
        ground="bo_sinh_hoat",
    )
    advance(ctx, did, Event.xoa_ten, reason="Bỏ sinh hoạt ba tháng liền.")
    assert rows(ctx, f"dossier:{did}") == {}  # a closed dossier has nothing left to do


def test_plan_reminder_on_01_02_for_the_organization_without_a_plan_only(ctx: Context) -> None:
    agenda.record_submission(
        ctx,
        {"org_code": "CBCS", "kind": "ke_hoach", "year": 2026, "submitted_on": "20/01/2026"},
    )
    report = scan(ctx, date(2026, 2, 1))
    plans = [r for r in raised(ctx) if r.kind == "P-PLAN"]
    assert report.raised == len(raised(ctx)) == 1
    (plan,) = plans
    assert plan.subject.startswith("org:") and "DB —" in plan.message
    assert "Hạn 13/02/2026; còn 10 ngày làm việc" in plan.message  # 15/02/2026 is a Sunday
    assert plan.recipients == "bi_thu@DB chuyen_vien@DUK"
    assert not plan.late


def test_scanning_again_the_same_day_adds_nothing(ctx: Context) -> None:
    first = scan(ctx, date(2026, 2, 1))
    events = audit_count(ctx)
    second = scan(ctx, date(2026, 2, 1))
    third = scan(ctx, date(2026, 2, 1), batch_size=1)
    assert first.raised == 2  # DB and CBCS have sent no plan
    assert second.raised == third.raised == 0
    assert len(raised(ctx)) == 2
    assert audit_count(ctx) == events  # a scan that raises nothing records nothing
    assert verify_audit(ctx).ok


def test_a_reminder_raised_already_is_counted_not_doubled(ctx: Context) -> None:
    """A node that read the deadlines before another node's batch committed raises the same
    reminders again: the unique key skips them, and the count says so."""
    before = {key: (d.last_step, d.next_fire_on) for key, d in rows(ctx, "org:").items()}
    first = scan(ctx, date(2026, 2, 1))
    with ctx.write() as s:  # the deadlines as the late node read them
        for key, d in rows(ctx, "org:").items():
            d.last_step, d.next_fire_on = before[key]
            s.add(d)
    second = scan(ctx, date(2026, 2, 1))
    assert (first.raised, first.already, first.emails) == (2, 0, 0)
    assert (second.raised, second.already) == (0, 2)
    assert len(raised(ctx)) == 2
    assert verify_audit(ctx).ok


@pytest.fixture
def january(db: TestDB) -> Iterator[Context]:
    """The installation as it stood on 05/01/2026: the organizations exist from that day."""
    context = make_context(db, FixedClock(datetime(2026, 1, 5, 9, tzinfo=VN_TZ)))
    for org in TREE:
        add_org(context, org)
    yield context
    context.engine.dispose()


def test_after_downtime_the_latest_step_is_raised_once_and_marked_late(january: Context) -> None:
    ctx = january
    scan(ctx, date(2026, 2, 1))  # T-10
    # Down until 02/03/2026: 16–20/02 is Tết, so the due date 13/02 is 6 working days behind.
    report = scan(ctx, date(2026, 3, 2))
    late = [r for r in raised(ctx) if r.raised_on == date(2026, 3, 2) and r.kind == "P-PLAN"]
    assert {r.step for r in late} == {5}
    assert all(r.late and r.fire_on == date(2026, 2, 27) for r in late)
    assert "quá hạn 5 ngày làm việc" in late[0].message
    assert report.late >= 2
    steps = {(r.subject, r.step) for r in raised(ctx) if r.kind == "P-PLAN"}
    assert len(steps) == 4 and all(s in {-10, 5} for _, s in steps)
    assert scan(ctx, date(2026, 3, 2)).raised == 0


def test_half_year_and_year_target_checks_say_how_many_are_missing(ctx: Context) -> None:
    targets.set_target(ctx, {"org_code": "DB", "year": 2026, "value": 10})
    for vote, du, signed in (
        ("02/02/2026", "09/02/2026", "10/03/2026"),
        ("03/03/2026", "06/03/2026", "15/04/2026"),
    ):
        admit(ctx, new_candidate(ctx), vote_on=vote, du_on=du, signed_on=signed, received_on=signed)
    half = rows(ctx, "org:")
    checks = {k: d for (_, k), d in half.items() if k in {"P-HALF", "P-YEAR"}}
    assert checks["P-HALF"].target == 5 and checks["P-HALF"].due == date(2026, 6, 30)
    assert checks["P-YEAR"].due == date(2026, 10, 30)  # 31/10/2026 is a Saturday

    scan(ctx, date(2026, 6, 30))
    (june,) = [r for r in raised(ctx) if r.kind == "P-HALF"]
    assert june.step == 0
    assert "đã kết nạp 2/5, còn thiếu 3 đảng viên so với mức cần đạt 6 tháng" in june.message

    scan(ctx, date(2026, 10, 30))
    (october,) = [r for r in raised(ctx) if r.kind == "P-YEAR"]
    assert "đã kết nạp 2/10, còn thiếu 8 đảng viên so với chỉ tiêu năm" in october.message
    assert {r.kind for r in raised(ctx) if "DUK —" in r.message} <= {"P-PLAN"}  # no target


def test_reaching_the_target_closes_the_check(ctx: Context) -> None:
    targets.set_target(ctx, {"org_code": "DB", "year": 2026, "value": 1})
    admit(
        ctx,
        new_candidate(ctx),
        vote_on="02/02/2026",
        du_on="09/02/2026",
        signed_on="10/03/2026",
        received_on="12/03/2026",
    )
    checks = {k: d for (_, k), d in rows(ctx, "org:").items() if k in {"P-HALF", "P-YEAR"}}
    assert checks["P-YEAR"].done_on == date(2026, 3, 10)
    assert checks["P-YEAR"].next_fire_on is None
    scan(ctx, date(2026, 10, 30))
    assert not [r for r in raised(ctx) if r.kind in {"P-HALF", "P-YEAR"}]


def test_policy_is_configurable_without_code_and_audited(ctx: Context) -> None:
    before = audit_count(ctx)
    agenda.policy_set(
        ctx,
        {"kind": "P-PLAN", "leads": "15,3", "overdue_every": "0", "roles": "chuyen_vien"},
        "Ban Tổ chức nhắc sớm hơn",
    )
    assert audit_count(ctx) == before + 2  # the policy, and its recompute done (tinh_lai_han)
    listed = {p["kind"]: p for p in agenda.policy_list(ctx)}
    assert listed["P-PLAN"]["leads"] == [15, 3] and listed["P-PLAN"]["custom"]
    scan(ctx, date(2026, 1, 23))  # 15 working days before 13/02/2026
    (first, second) = [r for r in raised(ctx) if r.kind == "P-PLAN"]
    assert first.step == second.step == -15
    assert first.recipients == "chuyen_vien@DUK"
    before = audit_count(ctx)
    with pytest.raises(BadInput) as caught:
        agenda.policy_set(
            ctx, {"kind": "X", "leads": "a", "overdue_every": "-1", "roles": "vua"}, "thử"
        )
    fields = {f for f, _ in caught.value.problems}
    assert fields == {
        "Loại hạn",
        "Nhắc trước (ngày làm việc)",
        "Nhắc khi quá hạn, mỗi (ngày làm việc)",
        "Người nhận (vai trò)",
    }
    assert audit_count(ctx) == before


def test_inbox_lists_filters_and_marks_done(ctx: Context) -> None:
    scan(ctx, date(2026, 2, 1))
    inbox = agenda.reminders(ctx)
    assert len(inbox) == 2 and all(r["state"] == "quá hạn" for r in inbox)  # today 25/11/2026
    assert [r["org"] for r in agenda.reminders(ctx, org_code="DB")] == ["DB"]
    assert len(agenda.reminders(ctx, role="bi_thu")) == 2
    assert agenda.reminders(ctx, role="cap_uy") == []
    agenda.reminder_done(ctx, inbox[0]["id"], "Đã đôn đốc qua điện thoại")
    assert len(agenda.reminders(ctx)) == 1
    assert len(agenda.reminders(ctx, include_done=True)) == 2
    with pytest.raises(BadInput) as caught:
        agenda.reminder_done(ctx, inbox[0]["id"])
    assert "đã đánh dấu xong" in str(caught.value.problems)
    with pytest.raises(BadInput):
        agenda.reminders(ctx, role="giam_doc")


def test_deadline_list_highlights_the_overdue(ctx: Context) -> None:
    did = new_candidate(ctx)
    admit(ctx, did)
    listed = agenda.deadlines(ctx)
    ceremony = [d for d in listed if d["kind"] == "D-CEREMONY"][0]
    assert ceremony["overdue"] and ceremony["status"].startswith("quá hạn")
    assert ceremony["subject"] == f"Hồ sơ #{did} Nguyễn Văn Thắng"
    assert agenda.deadlines(ctx, org_code="CBCS", within=5) == [
        d for d in agenda.deadlines(ctx, within=5) if d["org"] == "CBCS"
    ]
    with pytest.raises(BadInput):
        agenda.deadlines(ctx, org_code="KHONGCO")
    first = agenda.deadlines(ctx, limit=1)
    assert first == listed[:1]  # the earliest first, one page at a time
    with pytest.raises(BadInput):
        agenda.deadlines(ctx, limit=0)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda c: targets.set_target(c, {"org_code": "KHONGCO", "year": 2026, "value": 3}),
            "Tổ chức",
        ),
        (
            lambda c: targets.set_target(c, {"org_code": "DB", "year": 1990, "value": 3}),
            "Năm hoặc nhiệm kỳ",
        ),
        (
            lambda c: targets.set_target(c, {"org_code": "DB", "year": 2026, "value": -1}),
            "Chỉ tiêu",
        ),
        (
            lambda c: agenda.record_submission(
                c,
                {"org_code": "DB", "kind": "ke_hoach", "year": 2026, "submitted_on": "31/02/2026"},
            ),
            "Ngày gửi",
        ),
        (
            lambda c: agenda.contact_add(
                c, {"org_code": "DB", "role": "bi_thu", "name": "Lê Văn A", "email": "khong-co"}
            ),
            "Thư điện tử",
        ),
        (lambda c: agenda.cycle_set(c, "cycle.plan_due", "30/02", "thử"), "Giá trị"),
        (lambda c: agenda.cycle_set(c, "cycle.plan_due", "20/02", " "), "Lý do"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    ctx: Context, db: TestDB, call: Any, field: str
) -> None:
    def counts() -> list[int]:
        tables = ("audit_event", "target", "submission", "contact", "setting", "deadline")
        return table_counts_of(db, tables)

    before = counts()
    with pytest.raises(BadInput) as caught:
        call(ctx)
    assert field in {f for f, _ in caught.value.problems}
    assert counts() == before


def test_cycle_setting_moves_this_years_deadlines(ctx: Context) -> None:
    scan(ctx, date(2026, 2, 1))
    agenda.cycle_set(ctx, "cycle.plan_due", "28/02", "Huyện ủy gia hạn do Tết muộn")
    plan = [d for (_, k), d in rows(ctx, "org:").items() if k == "P-PLAN"]
    assert {d.due for d in plan} == {date(2026, 2, 27)}  # 28/02/2026 is a Saturday
    assert all(d.last_step is None for d in plan)  # a moved deadline starts its steps again
    shown = {r["key"]: r for r in agenda.cycle_show(ctx)}
    assert shown["cycle.plan_due"]["value"] == "28/02" and shown["cycle.plan_due"]["custom"]


def test_generated_deadlines_equal_what_the_service_computes(ctx: Context) -> None:
    generate(ctx, 40, as_of=date(2026, 11, 20), cells=3)
    made = {
        k: (d.due, d.done_on, d.next_fire_on, d.label) for k, d in rows(ctx, "dossier:").items()
    }
    assert len(made) == 80  # D-DECIDE and D-CEREMONY for each
    with ctx.write() as s:
        assert resync_all(s, ctx) == 40
    again = {
        k: (d.due, d.done_on, d.next_fire_on, d.label) for k, d in rows(ctx, "dossier:").items()
    }
    assert again == made


def test_scan_reads_exactly_the_rows_of_the_bare_indexed_query(ctx: Context) -> None:
    generate(ctx, 300, as_of=date(2026, 11, 20), cells=5, last_scan=date(2026, 11, 19))
    with ctx.write() as s:  # the cycle rows of 2026 exist before counting
        from workflow.usecases import tracking

        tracking.sync_cycle(s, 2026, date(2026, 11, 20), ctx.clock.now())
    expected = due_count(ctx, date(2026, 11, 20))
    report = scan(ctx, date(2026, 11, 20), batch_size=37)
    assert report.examined == expected and report.raised == expected > 0
    assert report.batches == -(-expected // 37)
    assert due_count(ctx, date(2026, 11, 20)) == 0


def test_a_deadline_that_appears_with_its_steps_behind_it_is_new_not_late(ctx: Context) -> None:
    did = new_candidate(ctx)
    admit(ctx, did)  # recorded today (25/11/2026) with a decision received on 23/06/2025
    scan(ctx, date(2026, 11, 25))
    (ceremony,) = [r for r in raised(ctx) if r.kind == "D-CEREMONY"]
    assert ceremony.step > 0 and ceremony.step % 5 == 0  # the latest overdue step only
    assert not ceremony.late
    assert "Hồ sơ #" in ceremony.message and "quá hạn" in ceremony.message
