"""The admission profile: the person as the report counts them, on the decision day."""

from __future__ import annotations

from datetime import date

from workflow.domain.profile import BITS, admission_profile


def flags(**kw: object) -> set[str]:
    person: dict[str, object] = {
        "doan_member": False,
        "sex": "nam",
        "ethnicity": "Kinh",
        "religion": "Không",
        "occupation": "khac",
        "education": "thpt",
        "birth_date": date(2000, 8, 15),
        "admitted_on": date(2026, 8, 14),
    }
    person.update(kw)
    value = admission_profile(**person)  # type: ignore[arg-type]
    return {k for k, bit in BITS.items() if value & bit}


def test_each_column_has_its_flag() -> None:
    assert flags() == {"tuoi_18_30"}
    assert flags(doan_member=True, sex="nu", ethnicity="K'Ho", religion="Công giáo") == {
        "doan",
        "nu",
        "dan_toc",
        "ton_giao",
        "tuoi_18_30",
    }
    assert flags(occupation="nong_dan", education="dai_hoc") == {
        "nong_dan",
        "cao_dang_tro_len",
        "tuoi_18_30",
    }


def test_age_18_to_30_is_counted_on_the_decision_day() -> None:
    # born 15/08/1995: 30 until 14/08/2026, 31 from 15/08/2026
    assert "tuoi_18_30" in flags(birth_date=date(1995, 8, 15), admitted_on=date(2026, 8, 14))
    assert "tuoi_18_30" not in flags(birth_date=date(1995, 8, 15), admitted_on=date(2026, 8, 15))
    assert "tuoi_18_30" not in flags(birth_date=date(2008, 8, 16), admitted_on=date(2026, 8, 15))
