"""Vietnamese text: search without accents, alphabetical order, dates, percentages."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.text.vntext import fmt_date, fold, name_sort_key, nfc, parse_date, percent, word_key


def test_vietnamese_alphabetical_order() -> None:
    words = ["Đặng", "Dương", "Anh", "Ân", "Ăn"]
    assert sorted(words, key=word_key) == ["Anh", "Ăn", "Ân", "Dương", "Đặng"]


def test_tones_sort_in_dictionary_order() -> None:
    assert sorted(["má", "mạ", "mà", "ma", "mả", "mã"], key=word_key) == [
        "ma",
        "mà",
        "mả",
        "mã",
        "má",
        "mạ",
    ]


def test_people_sort_by_given_name_first() -> None:
    names = ["Trần Văn Bình", "Lê Thị An", "Nguyễn An"]
    assert sorted(names, key=name_sort_key) == ["Lê Thị An", "Nguyễn An", "Trần Văn Bình"]


def test_fold_finds_nfd_typed_names() -> None:
    typed = unicodedata.normalize("NFD", "Nguyễn Văn Thắng")
    assert fold(typed) == "nguyen van thang"
    assert nfc(typed) == unicodedata.normalize("NFC", "Nguyễn Văn Thắng")
    assert fold("Đặng  Thị") == "dang thi"


@pytest.mark.parametrize(
    ("part", "whole", "text"), [(45, 210, "21,43%"), (10, 41, "24,39%"), (1, 0, "—")]
)
def test_percent_with_decimal_comma(part: int, whole: int, text: str) -> None:
    assert percent(part, whole) == text


def test_dates() -> None:
    assert parse_date("03/02/2025") == date(2025, 2, 3)
    assert fmt_date(date(2025, 2, 3)) == "03/02/2025"
    with pytest.raises(ValueError, match="không có thật"):
        parse_date("31/02/2000")
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        parse_date("2000-02-01")


def test_the_fast_canonical_event_equals_canonical_json() -> None:
    """models.audit spells the event's canonical JSON out for speed; it must be the same."""
    from models.audit import _canonical_event, _hashed_fields
    from models.canonical import canonical_json

    for reason in (None, 'Lý do có "ngoặc kép", \\\\ và xuống\\ndòng', "Ân"):
        fields = {
            "id": 7,
            "at": "2026-11-25T02:00:00.000000+00:00",
            "actor": "chuyên_viên",
            "dossier_id": None if reason is None else 12,
            "kind": "transition",
            "event": "tra_lai",
            "from_stage": "tham_dinh",
            "to_stage": None,
            "reason": reason,
            "rule_set_id": "QD294-2025+cfg:ab12cd34",
            "data": canonical_json({"facts": {"tên": "Ngô"}, "n": [1, 2]}),
            "prev_hash": "0" * 64,
        }
        assert _canonical_event(*_hashed_fields(fields).values()) == canonical_json(
            _hashed_fields(fields)
        )


def test_legacy_codes_are_told_apart_and_converted() -> None:
    from workflow.text.legacy import TO_UNICODE_BY_CODE, legacy_code

    cases = {
        "NguyÔn V¨n Th¾ng": ("TCVN3", "Nguyễn Văn Thắng"),
        "§Æng Minh §øc": ("TCVN3", "Đặng Minh Đức"),
        "Nguyeãn Vaên Thaéng": ("VNI", "Nguyễn Văn Thắng"),
        "Tröôøng THPT": ("VNI", "Trường THPT"),
        "Buøi Thò Ngoïc AÙnh": ("VNI", "Bùi Thị Ngọc Ánh"),
    }
    for text, (code, unicode_text) in cases.items():
        assert legacy_code(text) == code, text
        assert TO_UNICODE_BY_CODE[code](text) == unicode_text
    for plain in ("Hoà Bình", "Khoá học", "Nguyễn Văn Thắng", "Lê Hà", "Nguyen Van A", "Kinh"):
        assert legacy_code(plain) is None, plain


def _fold_reference(text: str) -> str:
    """fold as first written: decompose everything, drop the marks."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


VIETNAMESE = (
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
)


@given(
    st.text(
        alphabet=st.sampled_from(
            list(VIETNAMESE + VIETNAMESE.upper() + " \t-'0123456789") + ["\u0301", "\u0323", "ß"]
        ),
        max_size=40,
    )
)
def test_fold_by_table_equals_fold_by_decomposition(text: str) -> None:
    """The fast path (one str.translate) gives what decomposing every letter gives, for NFC
    and NFD input alike."""
    assert fold(text) == _fold_reference(text)
    assert fold(unicodedata.normalize("NFD", text)) == _fold_reference(text)
    assert nfc(text) == " ".join(unicodedata.normalize("NFC", text).split())
