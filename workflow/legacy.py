"""Vietnamese typed in the legacy TCVN3 (ABC, fonts .VnTime …) code, turned into Unicode.

Many offices still type with the .Vn fonts: the file holds one byte per letter, which a
sheet or a Latin-1 reading shows as "NguyÔn V¨n Th¾ng". Each byte of TCVN 5712:1993 (VN3)
stands for one Vietnamese letter; the table below lists them by base letter. A text is taken
for TCVN3 when it holds one of the bytes that no Unicode Vietnamese text uses (µ, ¸, ¨, ®,
Æ …); then the whole column is converted, and the import says so. VNI is not handled yet.
"""

from __future__ import annotations

from workflow.vntext import nfc

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


def looks_tcvn3(text: str) -> bool:
    """True when the text holds a TCVN3 byte and no letter beyond Latin-1 (a Unicode text
    with "ế" or "ư" is not TCVN3, whatever else it holds)."""
    return any(ch in MARKERS for ch in text) and all(ord(ch) < 0x100 for ch in text)


def tcvn3_to_unicode(text: str) -> str:
    return nfc(text.translate(_DECODE))
