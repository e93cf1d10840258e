"""What the twelve digits of a căn cước công dân say about its holder (Nghị định
137/2015/NĐ-CP, Điều 13; Thông tư 59/2021/TT-BCA, Điều 7):

- digits 1–3: the province where the birth was registered (``workflow/text/provinces.py``,
  the published list, kept as data);
- digit 4: the century of birth and the sex: 0 a man born 1900–1999, 1 a woman born then,
  2/3 the same for 2000–2099, 4/5 for the 22nd century, 6/7 the 23rd, 8/9 the 24th;
- digits 5–6: the last two digits of the year of birth;
- digits 7–12: a serial.

A number that contradicts the person's sex or birth date is a typing slip or somebody
else's number. The words here never repeat the number. Numbers stored before these checks
existed are never judged again: only what a clerk types now is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflow.domain.vocabulary import Sex
from workflow.text.provinces import PROVINCES
from workflow.text.vntext import fmt_date

FIRST_YEAR = 1900
"""The first year digit 4 can say (0 and 1: 1900–1999); 9 ends with 2399."""

LAST_YEAR = FIRST_YEAR + 5 * 100 - 1

SOURCE = "Thông tư 59/2021/TT-BCA"


@dataclass(frozen=True)
class Encoded:
    """What a well-formed number says: the province's name (None: no such code), the sex
    and the year of birth."""

    province: str | None
    sex: Sex
    year: int


def decode(cccd: str) -> Encoded:
    """``cccd`` is twelve ASCII digits (``workflow.inputs.base.cccd_digits`` made it so)."""
    digit = int(cccd[3])
    return Encoded(
        province=PROVINCES.get(cccd[:3]),
        sex=Sex.nu if digit % 2 else Sex.nam,
        year=FIRST_YEAR + 100 * (digit // 2) + int(cccd[4:6]),
    )


def unknown_province(cccd: str) -> str | None:
    """Why the first three digits are no province's code, or None."""
    if cccd[:3] in PROVINCES:
        return None
    return (
        "ba chữ số đầu không phải mã tỉnh, thành phố nơi đăng ký khai sinh nào "
        f"(danh mục của {SOURCE})"
    )


def contradiction(
    cccd: str,
    born: date,
    sex: Sex,
    *,
    born_field: str = "Ngày sinh",
    sex_field: str = "Giới tính",
) -> str | None:
    """Why the number cannot be this person's (its digits 4–6 say another sex, century or
    year of birth), naming the fields it contradicts; None when it agrees."""
    said = decode(cccd)
    other_sex = said.sex is not sex
    other_year = said.year != born.year
    if not (other_sex or other_year):
        return None
    against = []
    if other_sex:
        against.append(f"{sex_field} ({sex.label.lower()})")
    if other_year:
        against.append(f"{born_field} ({fmt_date(born)})")
    who = " ".join(
        part
        for part in (
            said.sex.label.lower() if other_sex else "",
            f"sinh năm {said.year}" if other_year else "",
        )
        if part
    )
    digits = "4 đến 6" if other_year else "4"
    return f"theo chữ số thứ {digits}, đây là số của một người {who}, trái với " + " và ".join(
        against
    )


def century_digit(year: int, sex: Sex) -> int:
    """Digit 4 of the number of a person of ``sex`` born in ``year``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"năm sinh {year} ngoài {FIRST_YEAR}–{LAST_YEAR}")
    return 2 * ((year - FIRST_YEAR) // 100) + (1 if sex is Sex.nu else 0)


def make_cccd(born: date, sex: Sex, serial: int, province: str = "068") -> str:
    """A well-formed number for a person made up by the demo, the tests or the bench
    (``serial`` modulo a million): it agrees with the birth year and the sex, so every
    check above passes; by default the province is Lâm Đồng, the demo's."""
    if province not in PROVINCES:
        raise ValueError(f"'{province}' không phải mã tỉnh ({SOURCE})")
    return f"{province}{century_digit(born.year, sex)}{born.year % 100:02d}{serial % 1_000_000:06d}"
