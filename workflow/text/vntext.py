"""Vietnamese text: NFC names, accent-free search keys, alphabetical order, dd/mm/yyyy.

The Vietnamese order needs the CLDR "vi" tailoring: PyICU has it but builds against the
ICU headers with a compiler (no wheel); pyuca installs cleanly but sorts by the default
Unicode table, where ă and â are a with accents ("Ăn" before "Anh"), not letters of their
own. So the sort key is written here and tested: letters in the Vietnamese alphabet
(a ă â b c d đ e ê …), then tones in dictionary order (ngang, huyền, hỏi, ngã, sắc, nặng).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
# Combining marks that change the letter (circumflex, breve, horn) vs. the tone marks.
_LETTER_MARKS = {
    "\u0302": {"a": "â", "e": "ê", "o": "ô"},
    "\u0306": {"a": "ă"},
    "\u031b": {"o": "ơ", "u": "ư"},
}
_TONE_RANK = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def nfc(text: str) -> str:
    """Names are stored NFC with single spaces, whatever keyboard produced them."""
    if text.isascii():  # most cells of a sheet (codes, dates, numbers): nothing to compose
        return " ".join(text.split())
    return " ".join(unicodedata.normalize("NFC", text).split())


def _unaccent(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Every precomposed Latin letter with marks → its base letter, for one str.translate pass.
_UNACCENT = {
    cp: _unaccent(chr(cp))
    for cp in range(0xC0, 0x1F00)
    if _unaccent(chr(cp)).isascii() and _unaccent(chr(cp)) != chr(cp)
} | {ord("đ"): "d", ord("Đ"): "D"}


def fold(text: str) -> str:
    """Accent-free lower-case key: 'Nguyễn Văn Thắng' -> 'nguyen van thang'."""
    if not text.isascii():
        text = text.translate(_UNACCENT)
        if not text.isascii():  # decomposed input (NFD), or letters beyond Latin
            decomposed = unicodedata.normalize("NFD", text)
            text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


def _char_key(ch: str) -> tuple[int, int]:
    parts = unicodedata.normalize("NFD", ch.lower())
    base, tone = parts[0], ""
    for mark in parts[1:]:
        if mark in _TONE_RANK:
            tone = mark
        else:
            base = _LETTER_MARKS.get(mark, {}).get(base, base)
    return _LETTER_RANK.get(base, 100 + ord(base)), _TONE_RANK[tone]


SortKey = tuple[tuple[int, ...], tuple[int, ...]]


def word_key(text: str) -> SortKey:
    """Letters first, then tones: the order of a Vietnamese dictionary."""
    chars = [_char_key(ch) for ch in unicodedata.normalize("NFC", text) if not ch.isspace()]
    return tuple(c[0] for c in chars), tuple(c[1] for c in chars)


def name_sort_key(full_name: str) -> tuple[SortKey, SortKey]:
    """Lists of people sort by given name (the last word), then the whole name."""
    words = nfc(full_name).split()
    given = words[-1] if words else ""
    return (word_key(given), word_key(" ".join(words)))


def order_text(text: str) -> str:
    """``word_key`` as text whose plain character order is the same order (stored, so a
    database sorts in Vietnamese order): each letter or tone as four hex digits, one above
    its rank, "0000" closing the letters and the tones (a shorter word first)."""

    def enc(values: tuple[int, ...]) -> str:
        return "".join(f"{min(v + 1, 0xFFFF):04x}" for v in values) + "0000"

    letters, tones = word_key(text)
    return enc(letters) + enc(tones)


def sort_text(full_name: str) -> str:
    """``name_sort_key`` as such text: people sort by given name, then the whole name."""
    words = nfc(full_name).split()
    return order_text(words[-1] if words else "") + order_text(" ".join(words))


def fmt_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def parse_date(text: str) -> date:
    """dd/mm/yyyy (also d/m/yyyy); raises ValueError with a Vietnamese message."""
    raw = text.strip()
    parts = raw.split("/")
    if (
        len(parts) != 3
        or not raw.isascii()
        or not all(p.isdigit() and len(p) <= 2 for p in parts[:2])
        or not (parts[2].isdigit() and len(parts[2]) == 4)
    ):
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise ValueError(f"'{shown}' không đúng định dạng dd/mm/yyyy")
    day, month, year = (int(p) for p in parts)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"ngày '{raw}' không có thật") from None


def count(n: int) -> str:
    """1905 → '1.905': the thousands separator Vietnamese uses (the decimal one is ',')."""
    return f"{n:,}".replace(",", ".")


def percent(part: int, whole: int) -> str:
    """'21,43%' with the decimal comma; '—' when there is nothing to divide by."""
    if whole == 0:
        return "—"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{value}".replace(".", ",") + "%"


_SHOWN_AS_IS = {"\n", "\t"}
_INVISIBLE = {"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"}


def visible(text: str) -> str:
    """Text as a terminal may show it: every control, format (zero-width, direction
    override) or unassigned character written as its escape (``\\x1b``, ``\\u202e``), so
    that a stored value can neither move the cursor, recolour the screen nor reorder what
    the clerk reads. Ordinary letters, newlines and tabs are left alone."""
    if text.isascii() and text.isprintable():
        return text
    out: list[str] = []
    for ch in text:
        if ch in _SHOWN_AS_IS or unicodedata.category(ch) not in _INVISIBLE:
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)
