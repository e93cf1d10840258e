"""Rule changes, previewed and then applied (issue 18, point 7; docs/rule-changes.md): the
preview lists exactly the open dossiers whose verdict or deadlines the change moves, never
one judged on a fact dated before it; applying tells each of them which rule set governs it
now, in the override's unit of work, with no version and no stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import fact, new_candidate
from tests.databases import TestDB
from workflow.domain.errors import BadInput
from workflow.domain.process import Event
from workflow.inputs import dossier as inputs
from workflow.usecases.advancing import advance
from workflow.usecases.context import Context
from workflow.usecases.replay import differences
from workflow.usecases.rule_changes import preview_override, preview_rule_set
from workflow.usecases.settings import set_rule_override

OVERRIDE = ("youth_age_max", "35")
FROM = "01/11/2026"  # before the tests' today, 25/11/2026


def to_chi_bo(ctx: Context, did: int, *, introducers: int, doan_paper: bool) -> None:
    """A dossier waiting for its chi bộ's vote (judged on today), with its introducers."""
    advance(ctx, did, Event.cu_di_hoc)
    fact(
        ctx,
        did,
        inputs.CertificateIn,
        number=f"GCN-{did}",
        issued_on="10/03/2026",
        issuer="Trung tâm Chính trị",
    )
    advance(ctx, did, Event.hoan_thanh_lop)
    for n in range(introducers):
        fact(
            ctx,
            did,
            inputs.IntroducerIn,
            full_name=["Phan Văn Hùng", "Trần Thị Mai"][n],
            official=True,
            months_together=36,
            introduced_on="21/09/2026",
        )
    if doan_paper:
        fact(ctx, did, inputs.DocumentIn, kind="nghi_quyet_doan", dated="22/09/2026")


def people(ctx: Context) -> dict[str, int]:
    """Aged 31 (born 1995) with two introducers and no Đoàn resolution: met before, the Đoàn's
    resolution is asked after (R-INTRO-DOAN); aged 31 with one introducer and the Đoàn's
    resolution: two members asked before (R-INTRO), met after; aged 26: a youth both ways;
    31 at a chi bộ vote of 2025, before the override: not reached; a closed dossier."""
    made = {
        "two": new_candidate(ctx, full_name="Lê Văn Hai", birth_date="10/05/1995"),
        "one": new_candidate(ctx, full_name="Lê Văn Một", birth_date="10/05/1995"),
        "young": new_candidate(ctx, full_name="Lê Văn Trẻ", birth_date="10/05/2000"),
        "voted": new_candidate(ctx, full_name="Lê Văn Xét", birth_date="10/05/1994"),
        "closed": new_candidate(ctx, full_name="Lê Văn Rút", birth_date="10/05/1995"),
    }
    to_chi_bo(ctx, made["two"], introducers=2, doan_paper=False)
    to_chi_bo(ctx, made["one"], introducers=1, doan_paper=True)
    to_chi_bo(ctx, made["young"], introducers=1, doan_paper=True)
    to_chi_bo(ctx, made["voted"], introducers=2, doan_paper=False)
    fact(
        ctx,
        made["voted"],
        inputs.ResolutionIn,
        kind="chi_bo",
        dated="06/05/2025",
        official_members=9,
        agree=8,
        against=1,
    )
    to_chi_bo(ctx, made["closed"], introducers=2, doan_paper=False)
    advance(ctx, made["closed"], Event.rut_ho_so, reason="Xin rút")
    return made


def rules_of(found: dict[str, Any], did: int) -> dict[str, tuple[str, str]]:
    (one,) = [d for d in found["dossiers"] if d["dossier_id"] == did]
    return {
        c["rule"]: (c["before"], c["after"])
        for c in one["changes"]
        if c["subject"] == Event.chi_bo_thong_qua.value
    }


def table_rows(db: TestDB, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.sql(sql)]


def test_preview_lists_exactly_the_dossiers_the_youth_band_moves(ctx: Context) -> None:
    made = people(ctx)
    found = preview_override(ctx, *OVERRIDE, effective_from=FROM)
    assert sorted(d["dossier_id"] for d in found["dossiers"]) == sorted([made["two"], made["one"]])
    assert found["count"] == 2 and found["judged"] == 4  # the closed one is not in flight
    two = rules_of(found, made["two"])
    assert two["R-INTRO-DOAN"][0] == "đáp ứng"
    assert "nghị quyết giới thiệu của BCH Đoàn" in two["R-INTRO-DOAN"][1]
    one = rules_of(found, made["one"])
    assert one["R-INTRO"][0].startswith("Cần 2 đảng viên chính thức") and one["R-INTRO"][1] == (
        "đáp ứng"
    )
    for d in found["dossiers"]:
        assert d["rule_set_before"] == "QD294-2025"
        assert d["rule_set_after"].startswith("QD294-2025+cfg:")
    assert found["judged_on"] == "2026-11-25"


def test_an_override_from_a_later_day_is_judged_as_on_that_day(ctx: Context) -> None:
    made = people(ctx)
    found = preview_override(ctx, *OVERRIDE, effective_from="01/01/2027")
    assert found["judged_on"] == "2027-01-01"
    assert {d["dossier_id"] for d in found["dossiers"]} == {made["two"], made["one"]}


def test_the_preview_writes_nothing(ctx: Context, db: TestDB) -> None:
    people(ctx)
    before = table_rows(db, "SELECT count(*) FROM audit_event")
    preview_override(ctx, *OVERRIDE, effective_from=FROM)
    assert table_rows(db, "SELECT count(*) FROM audit_event") == before
    assert table_rows(db, "SELECT count(*) FROM rule_override") == [(0,)]


def test_applying_records_the_governing_set_per_listed_dossier(ctx: Context, db: TestDB) -> None:
    made = people(ctx)
    listed = preview_override(ctx, *OVERRIDE, effective_from=FROM)
    versions = dict(table_rows(db, "SELECT id, version FROM dossier"))
    stages = dict(table_rows(db, "SELECT id, stage FROM dossier"))
    done = set_rule_override(ctx, *OVERRIDE, "Quyết định của Ban Thường vụ", effective_from=FROM)
    assert done["governed"] == 2
    events = table_rows(
        db,
        "SELECT dossier_id, event, rule_set_id, from_stage, to_stage, data FROM audit_event "
        "WHERE kind = 'rule_change' ORDER BY dossier_id",
    )
    assert [e[0] for e in events] == sorted([made["two"], made["one"]])
    for did, event, rs_id, from_stage, to_stage, raw in events:
        data = raw if isinstance(raw, dict) else json.loads(raw)
        assert event == "ap_dung_quy_dinh" and to_stage is None and from_stage == stages[did]
        assert data["rule_set"] == {"from": "QD294-2025", "to": rs_id}
        assert data["cause"]["override"] == {
            "key": "youth_age_max",
            "value": 35,
            "effective_from": "2026-11-01",
        }
        shown = next(d for d in listed["dossiers"] if d["dossier_id"] == did)
        assert data["changes"] == shown["changes"]
    governed = dict(table_rows(db, "SELECT id, rule_set_id FROM dossier"))
    assert governed[made["two"]] == done["rule_set_id"] == governed[made["one"]]
    assert governed[made["young"]] != done["rule_set_id"]  # not moved: not told
    assert dict(table_rows(db, "SELECT id, version FROM dossier")) == versions
    assert dict(table_rows(db, "SELECT id, stage FROM dossier")) == stages
    with ctx.engine.connect() as conn:
        assert differences(conn)[0] == []  # AUD-STATE: the log still leads to the rows
    # Once applied, the same override changes nothing more.
    assert preview_override(ctx, *OVERRIDE, effective_from=FROM)["count"] == 0


def test_a_locked_number_is_refused_by_the_preview_and_the_setting(
    ctx: Context, db: TestDB
) -> None:
    people(ctx)
    before = table_rows(db, "SELECT count(*) FROM audit_event")
    for call in (
        lambda: preview_override(ctx, "introducers_required", "1"),
        lambda: set_rule_override(ctx, "introducers_required", "1", "thử"),
    ):
        with pytest.raises(BadInput) as err:
            call()
        assert err.value.exit_code == 2
        assert err.value.problems[0][0] == "Tham số"
        assert "Điều lệ" in err.value.problems[0][1]
    assert table_rows(db, "SELECT count(*) FROM audit_event") == before


def rule_set_file(tmp_path: Path, **data: Any) -> Path:
    body = {
        "id": "QD300-2027",
        "name": "Quy định giả định năm 2027",
        "sources": ["Quy định giả định ngày 01/01/2027"],
        "effective_from": "01/01/2027",
        **data,
    }
    path = tmp_path / "bo-moi.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_new_rule_set_is_previewed_from_its_date(ctx: Context, tmp_path: Path) -> None:
    made = people(ctx)
    found = preview_rule_set(ctx, rule_set_file(tmp_path, youth_age_max=35))
    assert found["proposal"]["id"] == "QD300-2027" and found["judged_on"] == "2027-01-01"
    assert {d["dossier_id"] for d in found["dossiers"]} == {made["two"], made["one"]}
    assert {d["rule_set_after"] for d in found["dossiers"]} == {"QD300-2027"}
    same = preview_rule_set(ctx, rule_set_file(tmp_path, probation_months=12))
    assert same["count"] == 0  # the numbers in force under a new name change no verdict


def test_a_new_rule_set_moves_deadlines_but_not_before_its_date(
    ctx: Context, tmp_path: Path
) -> None:
    """A certificate valid 24 months instead of 60: the chi bộ must vote by 09/03/2028, not
    09/03/2031, for every dossier whose vote is still to come; not for the one voted in 2025."""
    made = people(ctx)
    found = preview_rule_set(ctx, rule_set_file(tmp_path, class_valid_months=24))
    waiting = {made["two"], made["one"], made["young"]}
    assert {d["dossier_id"] for d in found["dossiers"]} == waiting
    for d in found["dossiers"]:
        (change,) = d["changes"]
        assert (change["what"], change["rule"]) == ("deadline", "R-CLASS")
        assert (change["before"], change["after"]) == ("hạn 09/03/2031", "hạn 09/03/2028")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"so_nguoi": 1}, "Trường 'so_nguoi'"),
        ({"effective_from": "31/02/2027"}, "Hiệu lực từ"),
        ({"effective_from": "01/01/2024"}, "Hiệu lực từ"),
        ({"id": "QD294-2025"}, "Mã bộ quy định"),
        ({"id": "bo moi"}, "Mã bộ quy định"),
        ({"introducers_required": 0}, "Số người giới thiệu"),
        ({"introducers_required": "2"}, "Số người giới thiệu"),
        ({"probation_months": 240}, "Thời gian dự bị (tháng)"),
        ({"vote_num": 1, "vote_den": 2}, "Tỷ lệ tán thành"),
        ({"rejoin_barred": ["khong_co"]}, "Lý do không được kết nạp lại"),
        ({"sources": []}, "Văn bản căn cứ"),
    ],
)
def test_a_bad_rule_set_file_names_the_field_and_writes_nothing(
    ctx: Context, db: TestDB, tmp_path: Path, data: dict[str, Any], field: str
) -> None:
    before = table_rows(db, "SELECT count(*) FROM audit_event")
    with pytest.raises(BadInput) as err:
        preview_rule_set(ctx, rule_set_file(tmp_path, **data))
    assert field in [label for label, _ in err.value.problems], err.value.problems
    assert table_rows(db, "SELECT count(*) FROM audit_event") == before


def test_a_file_that_is_no_rule_set(ctx: Context, tmp_path: Path) -> None:
    cases = {"rong.json": b"", "mang.json": b"[1, 2]", "latin.json": b'{"name": "\xe9"}'}
    for name, body in cases.items():
        path = tmp_path / name
        path.write_bytes(body)
        with pytest.raises(BadInput) as err:
            preview_rule_set(ctx, path)
        assert err.value.problems[0][0] == "Tệp"
    with pytest.raises(BadInput):
        preview_rule_set(ctx, tmp_path / "khong-co.json")
