"""Rule changes through the command line (issue 18, point 7; docs/rule-changes.md): the
preview names the dossier, the rule, before and after and writes nothing; rules set applies
it in one audited unit of work and the log still leads to the rows; a bad rule set file is
bad input naming its field."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import cccd_of
from tests.databases import TestDB
from tests.e2e.test_cli import ok, run

# Aged 31 on the day: two introducers and no Đoàn resolution meet R-INTRO today; with the
# youth band raised to 35 he is a youth and the Đoàn's resolution is asked (R-INTRO-DOAN).
LINES = [
    "init --rehearsal",
    "org add --code TU --name 'Tỉnh ủy Lâm Đồng' --kind cap_tinh",
    "org add --code DUK --name 'Đảng ủy Khối các cơ quan tỉnh' --kind cap_uy_co_tham_quyen --parent TU",
    "org add --code DB --name 'Đảng bộ Sở Giáo dục' --kind dang_bo_co_so --parent DUK",
    "org add --code CB --name 'Chi bộ Văn phòng' --kind chi_bo --parent DB",
    "candidate add --name 'Lê Văn Hai' --birth 10/05/1995 --sex nam "
    f"--cccd {cccd_of('10/05/1995', 'nam', 7)} --education dai_hoc --org CB --doan",
    "advance 1 cu_di_hoc",
    "record certificate 1 --number GCN-01 --issued 10/03/2026 --issuer 'Trung tâm Chính trị'",
    "advance 1 hoan_thanh_lop",
    "record introducer 1 --name 'Phan Văn Hùng' --months 36 --date 21/09/2026",
    "record introducer 1 --name 'Trần Thị Mai' --months 36 --date 21/09/2026",
]


def _ready(env: dict[str, str]) -> None:
    for line in LINES:
        ok(env, line)


def _counts(db: TestDB) -> list[tuple[object, ...]]:
    return [
        tuple(r)
        for r in db.sql(
            "SELECT (SELECT count(*) FROM audit_event), (SELECT count(*) FROM rule_override),"
            " (SELECT max(rule_set_id) FROM dossier)"
        )
    ]


def test_preview_lists_the_change_and_writes_nothing(env: dict[str, str], db: TestDB) -> None:
    _ready(env)
    before = _counts(db)
    wide = {**env, "COLUMNS": "250"}  # the table's cells unwrapped
    out = ok(wide, "rules preview set youth_age_max 35 --from 01/11/2026")
    assert "#1" in out and "Lê Văn Hai" in out and "R-INTRO-DOAN" in out
    assert "1 trong 1 hồ sơ đang xử lý" in out and "chưa ghi gì" in out
    found = json.loads(ok(env, "rules preview set youth_age_max 35 --from 01/11/2026 --json"))
    assert found["count"] == 1 and found["dossiers"][0]["dossier_id"] == 1
    assert _counts(db) == before


def test_applying_records_the_rule_set_and_the_log_agrees(env: dict[str, str], db: TestDB) -> None:
    _ready(env)
    out = ok(
        env,
        "rules set youth_age_max 35 --from 01/11/2026 --reason 'Quyết định của Ban Thường vụ'",
    )
    assert "Đã ghi bộ quy định áp dụng cho 1 hồ sơ" in out
    (row,) = list(db.sql("SELECT event, dossier_id FROM audit_event WHERE kind = 'rule_change'"))
    assert tuple(row) == ("ap_dung_quy_dinh", 1)
    verified = json.loads(ok(env, "audit verify --state --json"))
    assert verified["ok"] is True, verified
    after = ok(env, "rules preview set youth_age_max 35 --from 01/11/2026")
    assert "0 trong 1 hồ sơ" in after


def test_a_bad_rule_set_file_names_its_field(
    env: dict[str, str], db: TestDB, tmp_path: Path
) -> None:
    _ready(env)
    path = tmp_path / "bo-moi.json"
    path.write_text(
        json.dumps(
            {
                "id": "QD300-2027",
                "name": "Quy định giả định",
                "sources": ["Quy định giả định"],
                "effective_from": "01/01/2027",
                "youth_age_max": "ba mươi",
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    before = _counts(db)
    code, out = run(env, f"rules preview ruleset {path}")
    assert code == 2, out
    assert "Tuổi đoàn" in out and "số nguyên" in out and "Traceback" not in out
    assert _counts(db) == before
    code, out = run(env, "rules preview set introducers_required 1")
    assert code == 2 and "Điều lệ" in out
