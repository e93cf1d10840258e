"""The 54 ethnic groups of Việt Nam (Danh mục các dân tộc Việt Nam, Tổng cục Thống kê,
Quyết định 121-TCTK/PPCĐ, 1979), for checking the "Dân tộc" a clerk types.

Names are matched without accents, case, spaces, hyphens or apostrophes, and with the
other spellings in common use ("K'Ho" for Cơ-ho, "H'Mông" for Mông, "Khmer" for Khơ-me);
the official name is what is stored.
"""

from __future__ import annotations

from functools import lru_cache

from workflow.text.vntext import fold

OFFICIAL: tuple[str, ...] = (
    "Kinh",
    "Tày",
    "Thái",
    "Mường",
    "Khơ-me",
    "Hoa",
    "Nùng",
    "Mông",
    "Dao",
    "Gia-rai",
    "Ê-đê",
    "Ba-na",
    "Xơ-đăng",
    "Sán Chay",
    "Cơ-ho",
    "Chăm",
    "Sán Dìu",
    "Hrê",
    "Ra-glai",
    "Mnông",
    "Thổ",
    "Xtiêng",
    "Khơ-mú",
    "Bru-Vân Kiều",
    "Cơ-tu",
    "Giáy",
    "Tà-ôi",
    "Mạ",
    "Giẻ-triêng",
    "Co",
    "Chơ-ro",
    "Xinh-mun",
    "Hà Nhì",
    "Chu-ru",
    "Lào",
    "Kháng",
    "La Chí",
    "Phù Lá",
    "La Hủ",
    "La Ha",
    "Pà Thẻn",
    "Chứt",
    "Lự",
    "Lô Lô",
    "Mảng",
    "Cờ Lao",
    "Bố Y",
    "Cống",
    "Ngái",
    "Si La",
    "Pu Péo",
    "Rơ-măm",
    "Brâu",
    "Ơ-đu",
)
OTHER_SPELLINGS: dict[str, str] = {
    "K'Ho": "Cơ-ho",
    "Kơ Ho": "Cơ-ho",
    "Koho": "Cơ-ho",
    "H'Mông": "Mông",
    "Hmong": "Mông",
    "Mèo": "Mông",
    "Khmer": "Khơ-me",
    "Khơ Me": "Khơ-me",
    "Stiêng": "Xtiêng",
    "Ede": "Ê-đê",
    "Jrai": "Gia-rai",
    "Bahnar": "Ba-na",
    "Vân Kiều": "Bru-Vân Kiều",
    "Pa Cô": "Tà-ôi",
    "Chơ Ro": "Chơ-ro",
}


def _key(name: str) -> str:
    return "".join(ch for ch in fold(name) if ch.isalnum())


_BY_KEY = {_key(n): n for n in OFFICIAL} | {_key(k): v for k, v in OTHER_SPELLINGS.items()}


@lru_cache(maxsize=1024)
def official(name: str) -> str | None:
    """The official name of an ethnic group, or None when the name is not one of the 54."""
    return _BY_KEY.get(_key(name))
