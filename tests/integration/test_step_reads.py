"""The settings a step reads in one statement are the settings each table holds."""

from __future__ import annotations

from datetime import date

from workflow.usecases import agenda, tracking
from workflow.usecases.context import Context
from workflow.usecases.settings import set_calendar_day, set_rule_override
from workflow.usecases.step_reads import rule_overrides, step_settings


def test_one_statement_reads_what_the_three_tables_hold(ctx: Context) -> None:
    with ctx.read() as s:
        empty = step_settings(s)
    assert (empty.overrides, empty.policies) == ((), {})
    set_calendar_day(ctx, date(2026, 5, 4), False, "Nghỉ bù (thử)")  # a Monday made a day off
    set_calendar_day(ctx, date(2026, 5, 9), True, "Làm bù (thử)")  # a Saturday made working
    set_rule_override(ctx, "youth_age_max", "35", "Quyết định của Ban Thường vụ Tỉnh ủy")
    agenda.policy_set(
        ctx,
        {"kind": "P-PLAN", "leads": "15,3", "overdue_every": "2", "roles": "chuyen_vien"},
        "Ban Tổ chức nhắc sớm hơn",
    )
    with ctx.read() as s:
        read = step_settings(s)
        assert read.overrides == rule_overrides(s)
        assert [(o.key, o.value, o.effective_from) for o in read.overrides] == [
            ("youth_age_max", 35, ctx.today())
        ]
        assert read.policies == tracking.policies(s)
        separate = tracking.calendar(s)
    assert read.policies["P-PLAN"].leads == (15, 3) and read.policies["P-PLAN"].overdue_every == 2
    for cal in (read.calendar, separate):
        assert not cal.is_working_day(date(2026, 5, 4))
        assert cal.is_working_day(date(2026, 5, 9))
