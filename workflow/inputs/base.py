"""What every input model shares: dd/mm/yyyy dates that may not lie in the future (the
clock's day, passed in the validation context), clean Vietnamese text, and ``validate``,
which turns pydantic's errors into Vietnamese messages naming each field. Messages never
repeat a CCCD back.
"""

from __future__ import annotations

import re
import types
import unicodedata
from datetime import date
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from workflow.domain.calendar import full_months
from workflow.domain.errors import BadInput
from workflow.domain.vocabulary import Labelled
from workflow.text.vntext import fmt_date, nfc, parse_date


def _to_date(value: Any) -> Any:
    return parse_date(value) if isinstance(value, str) else value


def _not_future(value: date, info: ValidationInfo) -> date:
    today = (info.context or {}).get("today")
    if today is not None and value > today:
        raise ValueError(f"ngày {fmt_date(value)} ở tương lai (hôm nay là {fmt_date(today)})")
    return value


_SEPARATORS = str.maketrans("", "", " .-\u00a0")
_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def cccd_digits(value: Any) -> str:
    """Căn cước công dân: 12 ASCII digits (a 9-digit old CMND is not one). Full-width
    digits become ASCII and the spaces, dots and dashes of a printed card go, so that one
    number is stored one way and its uniqueness holds; other scripts' digits are refused."""
    digits = unicodedata.normalize("NFKC", str(value)).strip().translate(_SEPARATORS)
    if not _ASCII_DIGITS.fullmatch(digits):
        raise ValueError("chỉ gồm các chữ số 0–9")
    if len(digits) != 12:
        raise ValueError(f"phải gồm đúng 12 chữ số (nhận được {len(digits)} chữ số)")
    return digits


def unprintable(text: str) -> int | None:
    """The 1-based position of the first character a clerk cannot see or a sheet cannot
    hold: control characters, zero-width and direction marks, private or unassigned code
    points, and U+FFFD (what a broken encoding leaves behind)."""
    for index, ch in enumerate(text, 1):
        if ch == "\ufffd" or unicodedata.category(ch) in _HIDDEN:
            return index
    return None


_HIDDEN = {"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"}


def _clean_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    where = unprintable(value)
    if where is not None:
        raise ValueError(f"có ký tự không in được ở vị trí {where}")
    return nfc(value)


def _person_name(value: str) -> str:
    """A person's name is letters (any Vietnamese or ethnic-minority spelling), spaces and
    the apostrophe, dash or dot some names carry: never digits, which is how a CCCD typed
    in the wrong box or a spreadsheet formula (``=1+1``) is kept out."""
    for ch in value:
        if not (ch.isalpha() or ch in " '’-."):
            raise ValueError(f"chỉ gồm chữ cái (không được có '{ch}')")
    if not any(ch.isalpha() for ch in value):
        raise ValueError("phải có chữ cái")
    return value


YOUNGEST = 16
"""The youngest a person in the pool can be: no rule id of its own, a bound of plausibility
below R-AGE's 18 (the admission age), where Đoàn membership and the lowest youth age a
province may set for R-INTRO-DOAN begin; a birth date that makes someone younger is a
typing slip (2016 for 2006)."""


def _born(value: date, info: ValidationInfo) -> date:
    if value.year < 1900:
        raise ValueError(f"năm {value.year} không phải năm sinh của một người còn sống")
    today = (info.context or {}).get("today")
    if today is not None and full_months(value, today) < YOUNGEST * 12:
        raise ValueError(
            f"người sinh ngày {fmt_date(value)} tới hôm nay ({fmt_date(today)}) chưa đủ "
            f"{YOUNGEST} tuổi"
        )
    return value


PastDate = Annotated[date, BeforeValidator(_to_date), AfterValidator(_not_future)]

BirthDate = Annotated[PastDate, AfterValidator(_born)]

Text = Annotated[str, BeforeValidator(_clean_text)]

Name = Annotated[str, BeforeValidator(_clean_text), Field(min_length=2, max_length=120)]

PersonName = Annotated[Name, AfterValidator(_person_name)]


def free_text(value: str | None, label: str, limit: int = 1000) -> str:
    """A reason or note typed by a clerk, as the audit log will keep it: printable, at most
    ``limit`` characters, and without a CCCD-like number (the log is read by inspectors and
    is never masked)."""
    text = value or ""
    where = unprintable(text.replace("\n", " ").replace("\t", " "))
    if where is not None:
        raise BadInput.one(label, f"có ký tự không in được ở vị trí {where}")
    text = text.strip()
    if len(text) > limit:
        raise BadInput.one(label, f"dài quá {limit} ký tự (nhận được {len(text)})")
    if _LONG_NUMBER.search(text):
        raise BadInput.one(label, "không ghi số CCCD hay dãy từ 9 chữ số trở lên vào đây")
    return text


_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{9,}(?![0-9])")


_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")


class InputModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _vietnamese_numbers(cls, data: Any) -> Any:
        """'1.000' typed in a whole-number box is one thousand (the dot groups thousands in
        Vietnamese), never 1; pydantic alone would read it as the decimal 1.000."""
        if not isinstance(data, dict):
            return data
        fixed = dict(data)
        for name, info in cls.model_fields.items():
            value = fixed.get(name)
            if isinstance(value, str) and _whole_number(info.annotation):
                if _GROUPED.fullmatch(value.strip()):
                    fixed[name] = value.strip().replace(".", "")
        return fixed

    @model_validator(mode="before")
    @classmethod
    def _labels_as_codes(cls, data: Any) -> Any:
        """A coded field takes its Vietnamese label as well as its code (``--sex nữ``,
        ``--education "Đại học"``), as the sheet importer does."""
        if not isinstance(data, dict):
            return data
        fixed = dict(data)
        for name, info in cls.model_fields.items():
            value = fixed.get(name)
            enum = _labelled(info.annotation)
            if isinstance(value, str) and enum is not None:
                fixed[name] = enum.typed(value)
        return fixed


def _labelled(annotation: Any) -> type[Labelled] | None:
    """The Labelled enum a field holds (also when optional), if it holds one."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Labelled):
            return candidate
    return None


def _whole_number(annotation: Any) -> bool:
    if annotation is int:
        return True
    return get_origin(annotation) in (Union, types.UnionType) and int in get_args(annotation)


M = TypeVar("M", bound=InputModel)


def _message(err: Any) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    simple = {
        "missing": "bắt buộc phải nhập",
        "int_parsing": "phải là số nguyên",
        "int_type": "phải là số nguyên",
        "bool_parsing": "phải là có/không",
        "date_type": "phải là ngày dạng dd/mm/yyyy",
        "date_from_datetime_parsing": "phải là ngày dạng dd/mm/yyyy",
        "extra_forbidden": "không được dùng",
    }
    if kind in simple:
        return simple[kind]
    if kind == "greater_than_equal":
        return f"phải lớn hơn hoặc bằng {ctx['ge']}"
    if kind == "less_than_equal":
        return f"phải nhỏ hơn hoặc bằng {ctx['le']}"
    if kind == "string_too_short":
        return (
            "không được để trống"
            if ctx.get("min_length") == 1
            else (f"phải có ít nhất {ctx['min_length']} ký tự")
        )
    if kind == "string_too_long":
        return f"dài quá {ctx['max_length']} ký tự"
    if kind == "too_short":
        return (
            "không được để trống"
            if ctx.get("min_length") in (None, 1)
            else f"phải có ít nhất {ctx['min_length']} ký tự"
        )
    if kind == "too_long":
        return f"dài quá {ctx.get('max_length')} ký tự"
    if kind in ("string_type", "date_parsing", "literal_error"):
        return "giá trị không hợp lệ"
    if kind == "enum":
        return f"không hợp lệ; chọn một trong: {str(ctx.get('expected', '')).replace(' or ', ', ')}"
    return "giá trị không hợp lệ"  # pydantic's own words are English


def validate(model: type[M], data: dict[str, Any], today: date) -> M:
    """Validate clerk input; raise BadInput naming every bad field, in Vietnamese."""
    try:
        return model.model_validate(data, context={"today": today})
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False, include_input=False, include_context=True):
            name = str(err["loc"][0]) if err["loc"] else ""
            field = model.model_fields.get(name)
            message = _message(err)
            enum = _labelled(field.annotation) if field is not None else None
            if err["type"] == "enum" and enum is not None:
                message = "không hợp lệ; chọn một trong: " + "; ".join(
                    f"{m.value} ({m.label})" for m in enum
                )
            if field is not None and field.title:
                label = field.title
            elif err["type"] == "extra_forbidden":  # a field the form does not have
                label = f"Trường '{name[:40]}'"
            else:  # a check across fields names its field at the start of its message
                label, _, message = message.partition(": ")
            problems.append((label, message))
        raise BadInput(problems) from None
