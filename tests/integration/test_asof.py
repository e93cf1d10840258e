"""The as-of view: a dossier rebuilt from the audit events equals the live one today, and
shows the earlier state on an earlier date."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import NOW, TREE, complete_papers, make_context
from tests.databases import TestDB
from workflow.domain.errors import BadInput
from workflow.domain.process import Event
from workflow.inputs import dossier as inputs
from workflow.usecases.advancing import advance
from workflow.usecases.asof import dossier_as_of
from workflow.usecases.clock import FixedClock
from workflow.usecases.demo import build_demo
from workflow.usecases.dossiers import add_candidate
from workflow.usecases.organizations import add_org
from workflow.usecases.recording import record_fact
from workflow.usecases.views import list_dossiers, show


def test_as_of_today_equals_the_live_state_for_every_demo_dossier(db: TestDB) -> None:
    ctx = make_context(db)
    build_demo(ctx)
    today = ctx.today()
    dossiers = list_dossiers(ctx)
    assert len(dossiers) == 156
    for d in dossiers:
        live = show(ctx, d["dossier_id"])
        rebuilt = dossier_as_of(ctx, d["dossier_id"], today)
        assert (rebuilt["stage"], rebuilt["version"]) == (live["stage"], live["version"]), d


def test_an_earlier_date_shows_the_earlier_state(db: TestDB) -> None:
    clock = FixedClock(NOW - timedelta(days=30))
    ctx = make_context(db, clock)
    for org in TREE:
        add_org(ctx, org)
    did = add_candidate(
        ctx,
        {
            "full_name": "Nguyễn Văn Thắng",
            "birth_date": "15/08/2000",
            "sex": "nam",
            "cccd": "001200012345",
            "education": "dai_hoc",
            "org_code": "CB",
            "doan_member": True,
        },
    )["dossier_id"]
    first_day = clock.now().date()
    clock.at = clock.at + timedelta(days=10)
    advance(ctx, did, Event.cu_di_hoc)
    complete_papers(ctx, did)
    second_day = clock.now().date()
    clock.at = clock.at + timedelta(days=10)
    advance(ctx, did, Event.hoan_thanh_lop)
    advance(ctx, did, Event.chi_bo_thong_qua)
    record_fact(
        ctx,
        did,
        inputs.ResolutionIn,
        {"kind": "dang_uy", "dated": "12/05/2025", "official_members": 7, "agree": 7},
    )

    then = dossier_as_of(ctx, did, first_day)
    assert (then["stage"], then["version"], then["facts"]) == ("nguon", 1, [])
    middle = dossier_as_of(ctx, did, second_day)
    assert (middle["stage"], middle["version"]) == ("hoc_lop", 2)
    assert {f["fact"] for f in middle["facts"]} >= {"ghi_giay_chung_nhan", "ghi_nghi_quyet"}
    now = dossier_as_of(ctx, did, clock.now().date())
    assert (now["stage"], now["version"]) == ("gui_ho_so", 4)
    assert [t["to_stage"] for t in now["transitions"]] == ["hoc_lop", "chi_bo_xet", "gui_ho_so"]
    with pytest.raises(BadInput):
        dossier_as_of(ctx, did, first_day - timedelta(days=1))
