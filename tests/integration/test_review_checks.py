"""What a clerk's review of the pages found, through the use cases on a real database:
a date before the person's birth, the lý lịch đảng viên before the ceremony, '1.000'
months, an existing CCCD outside the clerk's scope."""

from __future__ import annotations

import json

import pytest

from tests.conftest import fact, new_candidate
from tests.databases import TestDB
from workflow.domain.errors import BadInput, RecordRefused
from workflow.inputs import dossier as inputs
from workflow.usecases.context import Context


def test_a_date_before_the_person_was_born_is_named_and_nothing_written(
    ctx: Context, db: TestDB
) -> None:
    did = new_candidate(ctx)
    before = db.sql("SELECT count(*) FROM certificate")
    with pytest.raises(BadInput) as bad:
        fact(ctx, did, inputs.CertificateIn, number="GCN-1", issued_on="01/01/1900", issuer="TTCT")
    assert bad.value.problems[0][0] == "Ngày cấp" and "trước ngày sinh" in bad.value.problems[0][1]
    assert db.sql("SELECT count(*) FROM certificate") == before


def test_the_party_members_history_comes_after_the_ceremony(ctx: Context) -> None:
    did = new_candidate(ctx)
    with pytest.raises(RecordRefused) as refused:
        fact(ctx, did, inputs.DocumentIn, kind="ly_lich_dang_vien", dated="01/11/2026")
    assert [u.rule_id for u in refused.value.unmet] == ["D-HISTORY"]


def test_a_thousand_is_written_with_a_dot(ctx: Context) -> None:
    did = new_candidate(ctx)
    with pytest.raises(BadInput) as bad:  # 1.300 is one thousand three hundred, not 1.3
        fact(
            ctx,
            did,
            inputs.IntroducerIn,
            full_name="Phan Văn Hùng",
            official="true",
            months_together="1.300",
            introduced_on="01/11/2026",
        )
    assert "nhỏ hơn hoặc bằng 1200" in bad.value.problems[0][1]


def test_recording_the_same_round_again_corrects_it(ctx: Context, db: TestDB) -> None:
    did = new_candidate(ctx)
    vote = {"kind": "chi_bo", "dated": "06/05/2025", "official_members": 9}
    fact(ctx, did, inputs.ResolutionIn, **vote, agree=4, against=5)  # mistyped
    fact(ctx, did, inputs.ResolutionIn, **vote, agree=8, against=1)
    assert db.sql("SELECT round, agree FROM resolution WHERE dossier_id = :d", {"d": did}) == [
        (1, 8)
    ]
    data = db.sql("SELECT data FROM audit_event ORDER BY id DESC LIMIT 1")[0][0]
    kept = data if isinstance(data, dict) else json.loads(data)  # JSON on PostgreSQL
    assert kept["replaces"]["agree"] == 4 and kept["agree"] == 8
    fact(ctx, did, inputs.ResolutionIn, **vote, agree=9, round=2)  # a second round is its own
    assert len(db.sql("SELECT id FROM resolution WHERE dossier_id = :d", {"d": did})) == 2
