"""A new rule set as data (``ketnap rules preview ruleset FILE.json``): its id, name, sources,
effective date and the numbers that differ from the set in force before it. Every key is
known (an unknown one is refused, a typo must not silently keep the old number), every
number strictly typed and held to a sane range, and the pairs that go together checked
together (docs/rule-changes.md)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from workflow.domain.rules import LOCAL, NUMBERS, RULE_SETS, SET_IDS, RuleSet, in_force
from workflow.domain.vocabulary import ExitCause
from workflow.inputs.base import InputModel, Text
from workflow.text.vntext import fmt_date, parse_date

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ID = re.compile(r"[A-Z0-9][A-Za-z0-9.-]{2,39}")
NEWEST = max(rs.effective_from for rs in RULE_SETS)


def _day(value: Any) -> Any:
    """dd/mm/yyyy as everywhere, or ISO as ``ketnap rules list --json`` prints it."""
    if isinstance(value, str) and _ISO.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"ngày '{value.strip()}' không có thật") from None
    if isinstance(value, str):
        return parse_date(value)
    raise ValueError("phải là ngày dạng dd/mm/yyyy")


_Source = Annotated[Text, Field(min_length=2, max_length=300)]


class RuleSetIn(InputModel):
    """A rule set file. Numbers left out are those of the set in force the day before."""

    id: Annotated[str, Field(title="Mã bộ quy định", min_length=3, max_length=40)]
    name: Annotated[Text, Field(title="Tên bộ quy định", min_length=2, max_length=200)]
    sources: Annotated[list[_Source], Field(title="Văn bản căn cứ", min_length=1, max_length=12)]
    effective_from: Annotated[date, BeforeValidator(_day), Field(title="Hiệu lực từ")]
    age_min_months: Annotated[
        int | None, Field(title="Tuổi tối thiểu (tháng)", ge=192, le=240, strict=True)
    ] = None
    age_max_months: Annotated[
        int | None, Field(title="Tuổi tối đa không cần đồng ý (tháng)", ge=600, le=840, strict=True)
    ] = None
    class_valid_months: Annotated[
        int | None, Field(title="Hiệu lực giấy chứng nhận lớp (tháng)", ge=12, le=120, strict=True)
    ] = None
    docs_valid_months: Annotated[
        int | None, Field(title="Hiệu lực giấy tờ (tháng)", ge=3, le=36, strict=True)
    ] = None
    docs_rule_enabled: Annotated[
        bool | None, Field(title="Áp dụng thời hạn giấy tờ", strict=True)
    ] = None
    introducers_required: Annotated[
        int | None, Field(title="Số người giới thiệu", ge=1, le=3, strict=True)
    ] = None
    introducer_months: Annotated[
        int | None,
        Field(title="Thời gian người giới thiệu biết quần chúng (tháng)", ge=6, le=36, strict=True),
    ] = None
    youth_age_min: Annotated[
        int | None, Field(title=LOCAL["youth_age_min"].label, ge=16, le=18, strict=True)
    ] = None
    youth_age_max: Annotated[
        int | None, Field(title=LOCAL["youth_age_max"].label, ge=28, le=35, strict=True)
    ] = None
    union_may_introduce: Annotated[
        bool | None, Field(title="Công đoàn được giới thiệu", strict=True)
    ] = None
    cb_min_official: Annotated[
        int | None,
        Field(title="Số đảng viên chính thức tối thiểu của chi bộ", ge=1, le=10, strict=True),
    ] = None
    vote_num: Annotated[
        int | None, Field(title="Tỷ lệ tán thành: tử số", ge=1, le=10, strict=True)
    ] = None
    vote_den: Annotated[
        int | None, Field(title="Tỷ lệ tán thành: mẫu số", ge=1, le=10, strict=True)
    ] = None
    official_vote_rounds: Annotated[
        int | None, Field(title="Số lần xét công nhận chính thức", ge=1, le=5, strict=True)
    ] = None
    rejoin_months: Annotated[
        int | None,
        Field(
            title="Thời gian ra khỏi Đảng trước khi kết nạp lại (tháng)", ge=12, le=120, strict=True
        ),
    ] = None
    rejoin_cleared_months: Annotated[
        int | None, Field(title="Thời gian sau xóa án tích (tháng)", ge=12, le=120, strict=True)
    ] = None
    rejoin_barred: Annotated[
        list[ExitCause] | None, Field(title="Lý do không được kết nạp lại", max_length=10)
    ] = None
    decide_working_days: Annotated[
        int | None,
        Field(title="Hạn quyết định kết nạp (ngày làm việc)", ge=10, le=120, strict=True),
    ] = None
    decide_extension_working_days: Annotated[
        int | None, Field(title="Gia hạn quyết định (ngày làm việc)", ge=0, le=90, strict=True)
    ] = None
    ceremony_working_days: Annotated[
        int | None, Field(title="Hạn tổ chức lễ kết nạp (ngày làm việc)", ge=10, le=90, strict=True)
    ] = None
    history_working_days: Annotated[
        int | None,
        Field(title="Hạn ghi lý lịch đảng viên (ngày làm việc)", ge=10, le=90, strict=True),
    ] = None
    probation_months: Annotated[
        int | None, Field(title="Thời gian dự bị (tháng)", ge=6, le=24, strict=True)
    ] = None
    official_consider_working_days: Annotated[
        int | None,
        Field(title="Hạn chi bộ xét chính thức (ngày làm việc)", ge=10, le=90, strict=True),
    ] = None
    official_decide_working_days: Annotated[
        int | None,
        Field(title="Hạn quyết định chính thức (ngày làm việc)", ge=10, le=90, strict=True),
    ] = None
    official_extension_working_days: Annotated[
        int | None, Field(title="Gia hạn xét chính thức (ngày làm việc)", ge=0, le=90, strict=True)
    ] = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.fullmatch(v):
            raise ValueError(
                "bắt đầu bằng chữ in hoa hoặc số, chỉ gồm chữ không dấu, số, dấu chấm, gạch "
                "ngang (3–40 ký tự), ví dụ QD300-2027"
            )
        if v in SET_IDS:
            raise ValueError(f"đã có bộ quy định {v}; bộ mới cần mã mới")
        return v

    @field_validator("effective_from")
    @classmethod
    def _from(cls, v: date) -> date:
        if not 2000 <= v.year <= 2100:
            raise ValueError(f"năm {v.year} ngoài 2000–2100")
        if v <= NEWEST:
            raise ValueError(
                f"phải sau ngày hiệu lực của bộ quy định mới nhất ({fmt_date(NEWEST)}): một "
                "bộ mới không chen vào giữa các bộ đã dùng để xét"
            )
        return v

    @model_validator(mode="after")
    def _pairs(self) -> RuleSetIn:
        rs = self.to_rule_set()
        if rs.age_min_months >= rs.age_max_months:
            raise ValueError("Tuổi tối thiểu (tháng): phải nhỏ hơn tuổi tối đa")
        if rs.youth_age_min >= rs.youth_age_max:
            raise ValueError(f"{LOCAL['youth_age_min'].label}: phải nhỏ hơn tuổi đoàn tối đa")
        if not rs.vote_den < 2 * rs.vote_num <= 2 * rs.vote_den:
            raise ValueError(
                f"Tỷ lệ tán thành: {rs.vote_num}/{rs.vote_den} phải quá một nửa và không quá 1"
            )
        return self

    def to_rule_set(self) -> RuleSet:
        """The set: the one in force the day before, with this file's id, texts, date and
        the numbers it gives."""
        base = in_force(self.effective_from)
        given: dict[str, Any] = {
            n: getattr(self, n)
            for n in NUMBERS
            if n in self.model_fields_set and getattr(self, n) is not None
        }
        if "rejoin_barred" in given:
            given["rejoin_barred"] = tuple(c.value for c in given["rejoin_barred"])
        return replace(
            base,
            id=self.id,
            name=self.name,
            sources=tuple(self.sources),
            effective_from=self.effective_from,
            overrides=(),
            **given,
        )
