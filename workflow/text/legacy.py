"""Vietnamese typed in the legacy TCVN3 (ABC, fonts .VnTime …) code, turned into Unicode.

Many offices still type with the .Vn fonts: the file holds one byte per letter, which a
sheet or a Latin-1 reading shows as "NguyÔn V¨n Th¾ng". Each byte of TCVN 5712:1993 (VN3)
stands for one Vietnamese letter; the table below lists them by base letter. A text is taken
for TCVN3 when it holds one of the bytes that no Unicode Vietnamese text uses (µ, ¸, ¨, ®,
Æ …); then the whole column is converted, and the import says so. VNI (the VNI-Windows
fonts) writes a base letter followed by mark characters ("Nguyeãn Vaên Thaéng"); it is taken
for VNI when it holds a pair no Unicode text holds (a vowel then a VNI mark, "ñ" for đ).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from workflow.text.vntext import nfc

# Unicode letter → its TCVN3 byte, shown as the Latin-1 character of that byte.
_TABLE: dict[str, str] = {
    # a: grave, acute, hook, tilde, dot; ă and its five tones; â and its five tones
    "à": "µ",
    "á": "¸",
    "ả": "¶",
    "ã": "·",
    "ạ": "¹",
    "ă": "¨",
    "ằ": "»",
    "ắ": "¾",
    "ẳ": "¼",
    "ẵ": "½",
    "ặ": "Æ",
    "â": "©",
    "ầ": "Ç",
    "ấ": "Ê",
    "ẩ": "È",
    "ẫ": "É",
    "ậ": "Ë",
    "đ": "®",
    "è": "Ì",
    "é": "Ð",
    "ẻ": "Î",
    "ẽ": "Ï",
    "ẹ": "Ñ",
    "ê": "ª",
    "ề": "Ò",
    "ế": "Õ",
    "ể": "Ó",
    "ễ": "Ô",
    "ệ": "Ö",
    "ì": "×",
    "í": "Ý",
    "ỉ": "Ø",
    "ĩ": "Ü",
    "ị": "Þ",
    "ò": "ß",
    "ó": "ã",
    "ỏ": "á",
    "õ": "â",
    "ọ": "ä",
    "ô": "«",
    "ồ": "å",
    "ố": "è",
    "ổ": "æ",
    "ỗ": "ç",
    "ộ": "é",
    "ơ": "¬",
    "ờ": "ê",
    "ớ": "í",
    "ở": "ë",
    "ỡ": "ì",
    "ợ": "î",
    "ù": "ï",
    "ú": "ó",
    "ủ": "ñ",
    "ũ": "ò",
    "ụ": "ô",
    "ư": "\u00ad",
    "ừ": "õ",
    "ứ": "ø",
    "ử": "ö",
    "ữ": "÷",
    "ự": "ù",
    "ỳ": "ú",
    "ý": "ý",
    "ỷ": "û",
    "ỹ": "ü",
    "ỵ": "þ",
    # capitals with their own byte (toned capitals use a separate font: the lowercase code)
    "Ă": "¡",
    "Â": "¢",
    "Đ": "§",
    "Ê": "£",
    "Ô": "¤",
    "Ơ": "¥",
    "Ư": "¦",
}
TO_UNICODE: dict[str, str] = {v: k for k, v in _TABLE.items()}
_DECODE = str.maketrans(TO_UNICODE)
# TCVN3 bytes that neither a Unicode Vietnamese text nor a Windows-1258 one ever holds (the
# 1258 code page puts Ă Ơ Ư Đ and its combining tones at other bytes): seeing one means the
# text is TCVN3. Bytes both codes use (á, ê, ô …) are left out, so no Unicode text is taken
# for TCVN3.
MARKERS = frozenset("µ¸¶·¹¨»¾¼½Æ©ÇË®ÎÏѪÖ×ØÜßäå«æçë¬îïñö÷øûüþ¡¢§£¤¥¦\u00ad")


_BEYOND_LATIN1 = re.compile("[\u0100-\U0010ffff]")
_TCVN3_MARK = re.compile("[" + re.escape("".join(sorted(MARKERS))) + "]")


def _legacy_possible(text: str) -> bool:
    """Only a text with bytes above ASCII and nothing beyond Latin-1 can be in a legacy code
    (checked in C: an import looks at every cell)."""
    return not text.isascii() and _BEYOND_LATIN1.search(text) is None


def looks_tcvn3(text: str) -> bool:
    """True when the text holds a TCVN3 byte and no letter beyond Latin-1 (a Unicode text
    with "ế" or "ư" is not TCVN3, whatever else it holds)."""
    return _legacy_possible(text) and _TCVN3_MARK.search(text) is not None


def tcvn3_to_unicode(text: str) -> str:
    return nfc(text.translate(_DECODE))


# --- VNI (VNI-Windows fonts): a base letter, then one or two mark characters -------------------

_TONES = "ùøûõï"  # acute, grave, hook, tilde, dot, after a plain vowel
_HAT_TONES = "áàåãä"  # after a, e, o: the hat (â ê ô) with acute, grave, hook, tilde, dot
_BREVE_TONES = "éèúüë"  # after a: the breve (ă) with acute, grave, hook, tilde, dot
_TONE_MARKS = "\u0301\u0300\u0309\u0303\u0323"


def _vni_table() -> dict[str, str]:
    import unicodedata

    def make(base: str, marks: str) -> str:
        return unicodedata.normalize("NFC", base + marks)

    table: dict[str, str] = {}
    for upper in (False, True):
        tones = _TONES.upper() if upper else _TONES
        hat = _HAT_TONES.upper() if upper else _HAT_TONES
        breve = _BREVE_TONES.upper() if upper else _BREVE_TONES
        vowels = "AEOUY" if upper else "aeouy"
        for v in vowels:
            for t, mark in zip(tones, _TONE_MARKS, strict=True):
                table[v + t] = make(v, mark)
        for v in vowels[:3]:  # a e o take the hat: aâ = â, and the hat with a tone
            table[v + ("Â" if upper else "â")] = make(v, "\u0302")
            for t, mark in zip(hat, _TONE_MARKS, strict=True):
                table[v + t] = make(v, "\u0302" + mark)
        a = vowels[0]
        table[a + ("Ê" if upper else "ê")] = make(a, "\u0306")  # aê = ă
        for t, mark in zip(breve, _TONE_MARKS, strict=True):
            table[a + t] = make(a, "\u0306" + mark)
        # ơ and ư are one character each (ô, ö), then an ordinary tone
        for single, base in (("Ô", "Ơ"), ("Ö", "Ư")) if upper else (("ô", "ơ"), ("ö", "ư")):
            table[single] = base
            for t, mark in zip(tones, _TONE_MARKS, strict=True):
                table[single + t] = make(base, mark)
        # i and the dotted y have characters of their own; đ is ñ
        for ch, value in zip(
            "ÍÌÆÓÒÎÑ" if upper else "íìæóòîñ", "ÍÌỈĨỊỴĐ" if upper else "íìỉĩịỵđ", strict=True
        ):
            table[ch] = value
    return table


VNI_TO_UNICODE = _vni_table()
_VNI_PATTERN = None


def _vni_regex() -> Any:
    global _VNI_PATTERN
    if _VNI_PATTERN is None:
        import re

        keys = sorted(VNI_TO_UNICODE, key=len, reverse=True)
        _VNI_PATTERN = re.compile("|".join(re.escape(k) for k in keys))
    return _VNI_PATTERN


# Pairs no Unicode Vietnamese text holds (old-style "hoà", "khoá" keep o + à/á/ã possible).
_VNI_ONLY = frozenset(
    {
        v + m
        for v in "aAeE"
        for m in _TONES
        + _HAT_TONES
        + _BREVE_TONES
        + "âÂêÊ"
        + _TONES.upper()
        + _HAT_TONES.upper()
        + _BREVE_TONES.upper()
    }
    | {v + m for v in "oO" for m in "ùøûõïåäâ" + "ÙØÛÕÏÅÄÂ"}
    | {v + m for v in "uUyY" for m in "ùøûõï" + "ÙØÛÕÏ"}
    | {"ñ", "Ñ", "ö", "Ö"}
)


_VNI_MARK = re.compile("|".join(re.escape(p) for p in sorted(_VNI_ONLY, key=len, reverse=True)))


def looks_vni(text: str) -> bool:
    return _legacy_possible(text) and _VNI_MARK.search(text) is not None


def vni_to_unicode(text: str) -> str:
    return nfc(_vni_regex().sub(lambda m: VNI_TO_UNICODE[m.group(0)], text))


TO_UNICODE_BY_CODE: dict[str, Callable[[str], str]] = {
    "TCVN3": tcvn3_to_unicode,
    "VNI": vni_to_unicode,
}


def _badness(text: str) -> int:
    """How un-Vietnamese a converted text reads: a syllable carries one tone at most, and
    no legacy byte should be left over."""
    import unicodedata

    bad = sum(1 for ch in text if 0x80 <= ord(ch) < 0x100 and not ch.isalpha())
    for word in text.split():
        toned = sum(1 for ch in word if set(unicodedata.normalize("NFD", ch)) & set(_TONE_MARKS))
        bad += max(toned - 1, 0)
    return bad


def legacy_code(text: str) -> str | None:
    """ "TCVN3", "VNI", or None when the text is not in a legacy code; when both could be,
    the one whose conversion reads as Vietnamese ("Tröôøng" is VNI for "Trường")."""
    found = [code for code, test in (("TCVN3", looks_tcvn3), ("VNI", looks_vni)) if test(text)]
    if len(found) < 2:
        return found[0] if found else None
    # on a tie, VNI: its vowel-and-mark pairs ("uø") are not Vietnamese in TCVN3 either
    return min(found, key=lambda code: (_badness(TO_UNICODE_BY_CODE[code](text)), code != "VNI"))
