"""The service layer on a real SQLite file: one unit of work per change, audited."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel, select

import models.tables
from models.tables import AuditEvent, Dossier
from tests.conftest import admit, complete_papers, fact, new_candidate
from tests.databases import ON_POSTGRES, TestDB, table_counts
from workflow.domain.errors import BadInput, Conflict, Refused
from workflow.domain.process import Event, Stage
from workflow.inputs import dossier as inputs
from workflow.usecases.advancing import advance
from workflow.usecases.context import Context
from workflow.usecases.dossiers import add_candidate
from workflow.usecases.settings import set_rule_override
from workflow.usecases.trust import verify_audit
from workflow.usecases.views import history, list_dossiers, next_steps, show


def test_schema_from_migration_matches_the_models(ctx: Context) -> None:
    assert models.tables  # the tables are registered
    with ctx.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's own settings")
def test_sqlite_pragmas(ctx: Context) -> None:
    with ctx.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def walk_to_official(ctx: Context, did: int) -> None:
    admit(ctx, did)
    fact(ctx, did, inputs.CeremonyIn, held_on="10/07/2025")
    advance(ctx, did, Event.to_chuc_le)
    fact(
        ctx,
        did,
        inputs.ResolutionIn,
        kind="chi_bo_chinh_thuc",
        dated="15/07/2026",
        official_members=10,
        agree=9,
    )
    fact(
        ctx,
        did,
        inputs.ResolutionIn,
        kind="dang_uy_chinh_thuc",
        dated="20/07/2026",
        official_members=7,
        agree=6,
    )
    fact(
        ctx, did, inputs.DecisionIn, kind="chinh_thuc", number="456-QĐ/ĐUK", signed_on="05/08/2026"
    )
    advance(ctx, did, Event.cong_nhan_chinh_thuc)


def test_whole_chain_records_party_age_and_official_date(ctx: Context) -> None:
    did = new_candidate(ctx)
    walk_to_official(ctx, did)
    view = show(ctx, did)
    assert view["stage"] == "chinh_thuc"
    assert view["party_joined_on"] == "2025-06-20"  # D-PARTY-AGE: the decision, not the ceremony
    assert view["official_effective_on"] == "2026-07-10"  # D-OFFICIAL: end of the 12 months
    events = [e for e in history(ctx, did) if e["kind"] == "transition"]
    assert [e["to_stage"] for e in events] == [
        "hoc_lop",
        "chi_bo_xet",
        "gui_ho_so",
        "tham_dinh",
        "btv_quyet_dinh",
        "ket_nap",
        "du_bi",
        "chinh_thuc",
    ]
    # The chi bộ voted under the 2021 set; the ceremony fell under the 2025 set.
    assert events[2]["rule_set_id"] == "QD232-2025"  # the chi bộ voted on 06/05/2025
    assert events[6]["rule_set_id"] == "QD294-2025"
    assert verify_audit(ctx).ok


def test_refusal_writes_nothing_but_its_own_audit_event(ctx: Context, db: TestDB) -> None:
    did = new_candidate(ctx)
    before = table_counts(db)
    with pytest.raises(Refused) as caught:
        advance(ctx, did, Event.quyet_dinh_ket_nap)
    assert caught.value.verdict.rule_ids[0] == "P-SEQUENCE"
    after = table_counts(db)
    assert after["audit_event"] == before["audit_event"] + 1
    assert after["audit_head"] == before["audit_head"] + 1  # its commit's signed head
    audit = {"audit_event", "audit_head"}
    assert {k: v for k, v in after.items() if k not in audit} == {
        k: v for k, v in before.items() if k not in audit
    }
    assert history(ctx, did)[-1]["kind"] == "refusal"
    assert verify_audit(ctx).ok


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("Ngày sinh", {"birth_date": "31/02/2000"}),
        ("Ngày sinh", {"birth_date": "01/01/2027"}),
        ("Số CCCD", {"cccd": "00120001234"}),
        ("Chi bộ", {"org_code": "KHONG-CO"}),
    ],
)
def test_bad_candidate_input_names_the_field_and_writes_nothing(
    ctx: Context, db: TestDB, field: str, changes: dict[str, str]
) -> None:
    before = table_counts(db)
    with pytest.raises(BadInput) as caught:
        new_candidate(ctx, **changes)
    assert field in [p[0] for p in caught.value.problems]
    assert "00120001234" not in str(caught.value)
    assert table_counts(db) == before


def test_more_votes_than_members_is_bad_input(ctx: Context, db: TestDB) -> None:
    did = new_candidate(ctx)
    before = table_counts(db)
    with pytest.raises(BadInput) as caught:
        fact(
            ctx,
            did,
            inputs.ResolutionIn,
            kind="chi_bo",
            dated="06/05/2025",
            official_members=9,
            probationary_members=3,
            agree=10,
        )
    assert caught.value.problems[0][0] == "Số phiếu tán thành"
    assert table_counts(db) == before


def test_duplicate_cccd_is_refused_without_echoing_it(ctx: Context) -> None:
    new_candidate(ctx, cccd="001200099999")
    with pytest.raises(BadInput) as caught:
        new_candidate(ctx, cccd="001200099999")
    assert "001200099999" not in str(caught.value)


def test_stale_version_is_a_conflict_and_writes_nothing(ctx: Context, db: TestDB) -> None:
    did = new_candidate(ctx)
    advance(ctx, did, Event.cu_di_hoc, expected_version=1)
    before = table_counts(db)
    with pytest.raises(Conflict, match="người khác"):
        advance(ctx, did, Event.rut_ho_so, reason="x", expected_version=1)
    assert table_counts(db) == before


def test_side_exits_need_a_reason_and_close_the_dossier(ctx: Context) -> None:
    did = new_candidate(ctx)
    with pytest.raises(BadInput):
        advance(ctx, did, Event.rut_ho_so)
    advance(ctx, did, Event.rut_ho_so, reason="Chuyển công tác")
    view = show(ctx, did)
    assert view["stage"] == "rut" and view["closed_reason"] == "Chuyển công tác"
    assert next_steps(ctx, did)["steps"] == []
    with pytest.raises(BadInput):
        fact(ctx, did, inputs.CeremonyIn, held_on="01/01/2025")


def test_return_for_supplement_goes_back_with_its_reason(ctx: Context) -> None:
    did = new_candidate(ctx)
    advance(ctx, did, Event.cu_di_hoc)
    complete_papers(ctx, did)
    advance(ctx, did, Event.hoan_thanh_lop)
    advance(ctx, did, Event.chi_bo_thong_qua)
    with pytest.raises(BadInput):
        advance(ctx, did, Event.tra_lai, reason="Thiếu", back_to=Stage.tham_dinh)
    advance(ctx, did, Event.tra_lai, reason="Thiếu xác nhận nơi cư trú")
    view = show(ctx, did)
    assert view["stage"] == "chi_bo_xet" and view["returned_reason"] == "Thiếu xác nhận nơi cư trú"


def test_not_admitted_and_struck_off(ctx: Context) -> None:
    did = new_candidate(ctx)
    advance(ctx, did, Event.khong_dat, reason="Không đủ tiêu chuẩn")
    assert show(ctx, did)["stage"] == "khong_dat"
    other = new_candidate(ctx)
    advance(ctx, other, Event.cu_di_hoc)
    with pytest.raises(Refused):
        advance(ctx, other, Event.xoa_ten, reason="x")  # only during probation


def test_rule_override_is_recorded_and_cited(ctx: Context) -> None:
    made = set_rule_override(ctx, "youth_age_max", "35", "Quyết định của Ban Thường vụ Tỉnh ủy")
    assert made["rule_set_id"].startswith("QD294-2025+cfg:")
    did = new_candidate(ctx, birth_date="01/01/1993", doan_member=False)
    steps = next_steps(ctx, did)
    assert steps["steps"][0]["rule_set_id"] == made["rule_set_id"]
    with pytest.raises(BadInput):
        set_rule_override(ctx, "khong_co", "1", "x")


def test_search_folds_accents_and_lists_sort_vietnamese(ctx: Context) -> None:
    for name in ["Đặng Văn Ân", "Dương Thị Ăn", "Lê Anh"]:
        new_candidate(ctx, full_name=name)
    new_candidate(ctx, full_name="Nguye\u0302\u0303n Va\u0306n Tha\u0306\u0301ng")  # typed NFD
    found = list_dossiers(ctx, search="nguyen van thang")
    assert [r["full_name"] for r in found] == ["Nguyễn Văn Thắng"]
    names = [r["full_name"] for r in list_dossiers(ctx)]
    assert names[:3] == ["Lê Anh", "Dương Thị Ăn", "Đặng Văn Ân"]


def test_audit_verify_names_an_edited_row(ctx: Context, db: TestDB) -> None:
    did = new_candidate(ctx)
    advance(ctx, did, Event.cu_di_hoc)
    advance(ctx, did, Event.rut_ho_so, reason="Xin rút")
    assert verify_audit(ctx).ok
    db.sql("UPDATE audit_event SET reason = 'Bị sửa' WHERE id = 3")
    report = verify_audit(ctx)
    assert not report.ok and report.problem_id == 3 and "#3" in (report.problem or "")


def test_audit_verify_names_a_deleted_row_and_a_reordering(ctx: Context, db: TestDB) -> None:
    did = new_candidate(ctx)
    advance(ctx, did, Event.cu_di_hoc)
    advance(ctx, did, Event.rut_ho_so, reason="Xin rút")
    db.sql("DELETE FROM audit_event WHERE id = 4")
    report = verify_audit(ctx)
    assert not report.ok and report.problem_id == 4 and "xóa" in (report.problem or "")
    db.sql("UPDATE audit_event SET id = -1 WHERE id = 2")  # reorder: events 2 and 3 trade places
    db.sql("UPDATE audit_event SET id = 2 WHERE id = 3")
    db.sql("UPDATE audit_event SET id = 3 WHERE id = -1")
    report = verify_audit(ctx)
    assert not report.ok and report.problem_id == 2


def test_candidate_without_chi_bo_cannot_be_added_to_a_committee(ctx: Context) -> None:
    with pytest.raises(BadInput, match="không phải chi bộ"):
        add_candidate(
            ctx,
            {
                "full_name": "Lê Văn Bình",
                "birth_date": "01/01/1990",
                "sex": "nam",
                "cccd": "001090000001",
                "education": "thpt",
                "org_code": "DUK",
            },
        )


def test_every_transition_has_exactly_one_audit_event(ctx: Context) -> None:
    did = new_candidate(ctx)
    walk_to_official(ctx, did)
    with ctx.read() as s:
        d = s.get(Dossier, did)
        transitions = s.exec(
            select(AuditEvent).where(AuditEvent.dossier_id == did, AuditEvent.kind == "transition")
        ).all()
    assert d is not None and d.version == len(transitions) + 1


def test_parallel_verification_finds_what_the_serial_walk_finds(ctx: Context, db: TestDB) -> None:
    from models.audit import verify_parallel

    for _ in range(6):
        new_candidate(ctx)
    url = ctx.engine.url.render_as_string(hide_password=False)
    last = db.sql("SELECT max(id) FROM audit_event")[0][0]
    serial = verify_audit(ctx)
    assert serial.ok and verify_parallel(url, last, 3) == serial.chain
    cases = [
        "UPDATE audit_event SET actor = 'ke_gian' WHERE id = 7",  # inside the 2nd segment
        "DELETE FROM audit_event WHERE id = 9",  # the 3rd segment's first event (4, 4, 4)
    ]
    for statement in cases:
        db.sql(statement)
        with ctx.read() as s:
            from models.audit import verify

            serial = verify(s)
        parallel = verify_parallel(url, last, 3)
        assert not parallel.ok and (parallel.problem_id, parallel.problem) == (
            serial.problem_id,
            serial.problem,
        ), statement
