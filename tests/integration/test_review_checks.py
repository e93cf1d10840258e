"""What a clerk's review of the pages found, through the use cases on a real database:
a date before the person's birth, the lý lịch đảng viên before the ceremony, '1.000'
months, an existing CCCD outside the clerk's scope."""

from __future__ import annotations

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
