"""What every input model shares: dd/mm/yyyy dates that may not lie in the future (the
clock's day, passed in the validation context), clean Vietnamese text, and ``validate``,
which turns pydantic's errors into Vietnamese messages naming each field. Messages never
repeat a CCCD back.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
)

from workflow.domain.errors import BadInput
from workflow.text.vntext import fmt_date, nfc, parse_date


def _to_date(value: Any) -> Any:
    return parse_date(value) if isinstance(value, str) else value


def _not_future(value: date, info: ValidationInfo) -> date:
    today = (info.context or {}).get("today")
    if today is not None and value > today:
        raise ValueError(f"ngày {fmt_date(value)} ở tương lai (hôm nay là {fmt_date(today)})")
    return value


def cccd_digits(value: Any) -> str:
    """Căn cước công dân: 12 digits (a 9-digit old CMND is not one)."""
    digits = str(value).strip().replace(" ", "")
    if not digits.isdigit():
        raise ValueError("chỉ gồm chữ số")
    if len(digits) != 12:
        raise ValueError(f"phải gồm đúng 12 chữ số (nhận được {len(digits)} chữ số)")
    return digits


def _clean_text(value: Any) -> Any:
    return nfc(value) if isinstance(value, str) else value


PastDate = Annotated[date, BeforeValidator(_to_date), AfterValidator(_not_future)]


Text = Annotated[str, BeforeValidator(_clean_text)]


Name = Annotated[str, BeforeValidator(_clean_text), Field(min_length=2, max_length=120)]


class InputModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    if kind == "enum":
        return f"không hợp lệ; chọn một trong: {str(ctx.get('expected', '')).replace(' or ', ', ')}"
    return str(err["msg"])


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
            if field is not None and field.title:
                label = field.title
            else:  # a check across fields names its field at the start of its message
                label, _, message = message.partition(": ")
            problems.append((label, message))
        raise BadInput(problems) from None
