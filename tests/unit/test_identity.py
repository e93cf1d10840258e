"""What a CCCD's digits say (workflow/domain/identity.py) and the input models that check it
against the person: a number is ASCII digits, its province is on the published list, and its
digits 4–6 agree with the sex and the birth year; dates are plausible."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.domain.errors import BadInput
from workflow.domain.identity import (
    FIRST_YEAR,
    LAST_YEAR,
    century_digit,
    contradiction,
    decode,
    make_cccd,
    unknown_province,
)
from workflow.domain.vocabulary import Sex
from workflow.inputs.base import cccd_digits, validate
from workflow.inputs.dossier import CandidateIn
from workflow.inputs.imported import PastAdmissionIn
from workflow.text.provinces import PROVINCES

TODAY = date(2026, 11, 25)


def test_the_province_list_is_the_published_one() -> None:
    assert len(PROVINCES) == 63  # the 63 provinces and cities before the 2025 merger
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCES)
    assert list(PROVINCES) == sorted(PROVINCES)
    assert (PROVINCES["001"], PROVINCES["068"], PROVINCES["079"], PROVINCES["096"]) == (
        "Hà Nội",
        "Lâm Đồng",
        "Hồ Chí Minh",
        "Cà Mau",
    )
    for missing in ("000", "003", "005", "097", "099", "100"):
        assert missing not in PROVINCES


@pytest.mark.parametrize(
    ("digit", "sex", "first"),
    [
        (0, Sex.nam, 1900),
        (1, Sex.nu, 1900),
        (2, Sex.nam, 2000),
        (3, Sex.nu, 2000),
        (4, Sex.nam, 2100),
        (5, Sex.nu, 2100),
        (6, Sex.nam, 2200),
        (7, Sex.nu, 2200),
        (8, Sex.nam, 2300),
        (9, Sex.nu, 2300),
    ],
)
def test_digit_four_is_the_century_and_the_sex(digit: int, sex: Sex, first: int) -> None:
    said = decode(f"068{digit}07123456")
    assert (said.sex, said.year, said.province) == (sex, first + 7, "Lâm Đồng")
    assert century_digit(first + 7, sex) == digit


def test_years_digit_four_cannot_say_are_refused() -> None:
    for year in (1899, 2400):
        with pytest.raises(ValueError):
            century_digit(year, Sex.nam)
    with pytest.raises(ValueError):
        make_cccd(date(2000, 1, 1), Sex.nam, 1, province="003")


@given(
    year=st.integers(FIRST_YEAR, LAST_YEAR),
    sex=st.sampled_from(Sex),
    serial=st.integers(0, 10**7),
    province=st.sampled_from(sorted(PROVINCES)),
)
def test_a_made_number_agrees_with_its_holder(
    year: int, sex: Sex, serial: int, province: str
) -> None:
    born = date(year, 6, 15)
    number = make_cccd(born, sex, serial, province)
    assert len(number) == 12 and number.isascii() and number.isdigit()
    assert number == cccd_digits(number)
    assert unknown_province(number) is None
    assert contradiction(number, born, sex) is None
    other = Sex.nu if sex is Sex.nam else Sex.nam
    assert contradiction(number, born, other) is not None


@pytest.mark.parametrize(
    ("number", "born", "sex", "names"),
    [
        ("001199000001", date(1999, 1, 1), Sex.nam, ["Giới tính (nam)"]),
        ("001099000001", date(1999, 1, 1), Sex.nu, ["Giới tính (nữ)"]),
        ("001299000001", date(1999, 1, 1), Sex.nam, ["Ngày sinh (01/01/1999)"]),
        ("001000000001", date(2000, 1, 1), Sex.nam, ["Ngày sinh (01/01/2000)"]),
        ("001098000001", date(1999, 12, 31), Sex.nam, ["Ngày sinh (31/12/1999)"]),
        ("001201000001", date(2000, 1, 1), Sex.nam, ["Ngày sinh (01/01/2000)"]),
        ("001399000001", date(1999, 1, 1), Sex.nam, ["Giới tính (nam)", "Ngày sinh"]),
        ("001400000001", date(2000, 5, 5), Sex.nam, ["sinh năm 2100", "Ngày sinh"]),
        ("001900000001", date(2000, 5, 5), Sex.nu, ["sinh năm 2300", "Ngày sinh"]),
    ],
)
def test_a_number_that_is_someone_else_s_is_named_with_both_fields(
    number: str, born: date, sex: Sex, names: list[str]
) -> None:
    said = contradiction(number, born, sex)
    assert said is not None
    assert all(name in said for name in names), said
    assert number not in said and number[-6:] not in said


def test_only_what_is_typed_is_judged() -> None:
    """decode reads any twelve digits (numbers stored before these checks too)."""
    assert decode("999999999999").province is None
    assert decode("000000000000").year == 1900
    assert unknown_province("099000000001") is not None


def person(**changes: Any) -> dict[str, Any]:
    return {
        "full_name": "Nguyễn Văn Thắng",
        "birth_date": "15/08/2000",
        "sex": "nam",
        "cccd": "068200012345",
        "education": "dai_hoc",
        "org_code": "CB",
    } | changes


def problems(model: Any, data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(BadInput) as caught:
        validate(model, data, TODAY)
    return caught.value.problems


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"cccd": "068100012345"}, "Số CCCD", "Giới tính (nam)"),
        ({"cccd": "068299012345"}, "Số CCCD", "Ngày sinh (15/08/2000)"),
        ({"cccd": "068399012345"}, "Số CCCD", "Giới tính (nam) và Ngày sinh"),
        ({"cccd": "069200012345"}, "Số CCCD", "mã tỉnh"),
        ({"cccd": "٠٦٨٢٠٠٠١٢٣٤٥"}, "Số CCCD", "chỉ gồm các chữ số 0–9"),
        ({"cccd": "068 200 012 34"}, "Số CCCD", "12 chữ số"),
        ({"birth_date": "31/12/1899", "cccd": "068099012345"}, "Ngày sinh", "năm 1899"),
        ({"birth_date": "26/11/2010", "cccd": "068210012345"}, "Ngày sinh", "chưa đủ 16 tuổi"),
        ({"birth_date": "26/11/2026", "cccd": "068226012345"}, "Ngày sinh", "tương lai"),
    ],
)
def test_the_candidate_model_names_the_field(
    changes: dict[str, Any], field: str, words: str
) -> None:
    found = problems(CandidateIn, person(**changes))
    assert [label for label, _ in found] == [field], found
    assert words in found[0][1], found
    assert "068200012345" not in str(found) and "012345" not in found[0][1]


def test_a_good_number_is_stored_as_ascii_digits() -> None:
    assert validate(CandidateIn, person(cccd="０６８ ２００ ０１２ ３４５"), TODAY).cccd == (
        "068200012345"
    )
    # sixteen today is old enough to be in the pool (R-AGE's 18 is judged at the chi bộ)
    sixteen = validate(CandidateIn, person(birth_date="25/11/2010", cccd="068210012345"), TODAY)
    assert sixteen.birth_date == date(2010, 11, 25)


def past(**changes: Any) -> dict[str, Any]:
    return (
        person(
            number="12-QĐ/HU",
            signed_on="10/06/2021",
            voted_on="01/05/2021",
            official_members=9,
            agree=8,
            ceremony_on="01/07/2021",
        )
        | changes
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"voted_on": "01/05/1999"}, "Ngày chi bộ xét"),
        ({"voted_on": "01/05/1999", "signed_on": "10/06/1999"}, "Ngày chi bộ xét"),
        ({"voted_on": None, "signed_on": "10/06/1999", "ceremony_on": None}, "Ngày quyết định"),
        ({"cccd": "068100012345"}, "Số CCCD"),
    ],
)
def test_a_past_admission_before_the_person_was_born_is_named(
    changes: dict[str, Any], field: str
) -> None:
    data = {k: v for k, v in past(**changes).items() if v is not None}
    found = problems(PastAdmissionIn, data)
    assert found[0][0].startswith(field), found
