"""Input models: every value a clerk types is checked here, with a Vietnamese message that
names the field. Dates are dd/mm/yyyy; nothing may be dated after today (the clock's day,
passed in the validation context). Messages never repeat a CCCD back.
"""

from __future__ import annotations

import re
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
    field_validator,
    model_validator,
)

from workflow.domain.errors import BadInput
from workflow.domain.facts import (
    ConsentKind,
    DecisionKind,
    DocumentKind,
    Education,
    EduException,
    ExitCause,
    Occupation,
    OrgKind,
    Relation,
    ResolutionKind,
    Role,
    Sector,
    Sex,
    SubmissionKind,
    TargetKind,
)
from workflow.domain.process import Stage
from workflow.domain.reminders import KINDS, parse_leads, parse_roles
from workflow.text.ethnicity import official
from workflow.text.vntext import fmt_date, nfc, parse_date


def _to_date(value: Any) -> Any:
    return parse_date(value) if isinstance(value, str) else value


def _not_future(value: date, info: ValidationInfo) -> date:
    today = (info.context or {}).get("today")
    if today is not None and value > today:
        raise ValueError(f"ngày {fmt_date(value)} ở tương lai (hôm nay là {fmt_date(today)})")
    return value


def _cccd_digits(value: Any) -> str:
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


class OrgIn(InputModel):
    code: Annotated[str, Field(title="Mã tổ chức", min_length=1, max_length=40)]
    name: Annotated[Text, Field(title="Tên tổ chức", min_length=2, max_length=200)]
    kind: Annotated[OrgKind, Field(title="Loại tổ chức")]
    sector: Annotated[Sector, Field(title="Loại hình")] = Sector.khac
    parent_code: Annotated[str | None, Field(title="Tổ chức cấp trên")] = None
    has_doan: Annotated[bool, Field(title="Có tổ chức Đoàn")] = True
    has_cong_doan: Annotated[bool, Field(title="Có tổ chức Công đoàn")] = False

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", v):
            raise ValueError("chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới")
        return v.upper()


class CandidateIn(InputModel):
    full_name: Annotated[Name, Field(title="Họ và tên")]
    birth_date: Annotated[PastDate, Field(title="Ngày sinh")]
    sex: Annotated[Sex, Field(title="Giới tính")]
    ethnicity: Annotated[Text, Field(title="Dân tộc", min_length=1, max_length=40)] = "Kinh"
    religion: Annotated[Text, Field(title="Tôn giáo", min_length=1, max_length=40)] = "Không"
    cccd: Annotated[str, Field(title="Số CCCD")]
    education: Annotated[Education, Field(title="Trình độ học vấn")]
    edu_exception: Annotated[EduException, Field(title="Trường hợp đặc biệt về học vấn")] = (
        EduException.khong
    )
    occupation: Annotated[Occupation, Field(title="Nghề nghiệp")] = Occupation.khac
    doan_member: Annotated[bool, Field(title="Đoàn viên")] = False
    cong_doan_member: Annotated[bool, Field(title="Công đoàn viên")] = False
    residence: Annotated[Text, Field(title="Nơi cư trú", max_length=200)] = ""
    org_code: Annotated[str, Field(title="Chi bộ", min_length=1)]

    @field_validator("ethnicity")
    @classmethod
    def _ethnicity(cls, v: str) -> str:
        name = official(v)
        if name is None:
            raise ValueError(f"'{v}' không có trong danh mục 54 dân tộc Việt Nam")
        return name

    @field_validator("cccd", mode="before")
    @classmethod
    def _cccd(cls, v: Any) -> str:
        return _cccd_digits(v)


class CertificateIn(InputModel):
    number: Annotated[Text, Field(title="Số giấy chứng nhận", min_length=1, max_length=40)]
    issued_on: Annotated[PastDate, Field(title="Ngày cấp")]
    issuer: Annotated[Text, Field(title="Nơi cấp", min_length=2, max_length=200)]


class IntroducerIn(InputModel):
    full_name: Annotated[Name, Field(title="Họ tên người giới thiệu")]
    official: Annotated[bool, Field(title="Là đảng viên chính thức")]
    months_together: Annotated[int, Field(title="Số tháng công tác cùng", ge=0, le=1200)]
    introduced_on: Annotated[PastDate, Field(title="Ngày giới thiệu")]


class DocumentIn(InputModel):
    kind: Annotated[DocumentKind, Field(title="Loại giấy tờ")]
    dated: Annotated[PastDate, Field(title="Ngày giấy tờ")]
    number: Annotated[Text, Field(title="Số văn bản", max_length=40)] = ""


class VerificationIn(InputModel):
    certified_on: Annotated[PastDate, Field(title="Ngày chứng nhận thẩm tra")]
    certified_by: Annotated[Text, Field(title="Cấp ủy chứng nhận", min_length=2, max_length=200)]


class RelativeIn(InputModel):
    relation: Annotated[Relation, Field(title="Quan hệ")]
    full_name: Annotated[Name, Field(title="Họ tên người thân")]
    party_member: Annotated[bool, Field(title="Là đảng viên")] = False
    verified_on: Annotated[PastDate | None, Field(title="Ngày thẩm tra")] = None


class ResolutionIn(InputModel):
    kind: Annotated[ResolutionKind, Field(title="Loại nghị quyết")]
    dated: Annotated[PastDate, Field(title="Ngày nghị quyết")]
    number: Annotated[Text, Field(title="Số nghị quyết", max_length=40)] = ""
    round: Annotated[int, Field(title="Lần biểu quyết", ge=1, le=9)] = 1
    official_members: Annotated[int, Field(title="Số đảng viên chính thức", ge=1, le=100_000)]
    probationary_members: Annotated[int, Field(title="Số đảng viên dự bị", ge=0)] = 0
    exempted: Annotated[
        int, Field(title="Số đảng viên được miễn/sinh hoạt tạm thời nơi khác", ge=0)
    ] = 0
    agree: Annotated[int, Field(title="Số phiếu tán thành", ge=0)]
    against: Annotated[int, Field(title="Số phiếu không tán thành", ge=0)] = 0

    @model_validator(mode="after")
    def _votes(self) -> ResolutionIn:
        if self.exempted > self.official_members:
            raise ValueError(
                f"Số đảng viên được miễn: {self.exempted} vượt quá số đảng viên chính thức "
                f"({self.official_members})"
            )
        eligible = self.official_members - self.exempted
        if self.agree + self.against > eligible:
            raise ValueError(
                f"Số phiếu tán thành: {self.agree} phiếu tán thành và {self.against} không tán "
                f"thành vượt quá số đảng viên chính thức có quyền biểu quyết ({eligible}); "
                "đảng viên dự bị không biểu quyết"
            )
        return self


class DecisionIn(InputModel):
    kind: Annotated[DecisionKind, Field(title="Loại quyết định")]
    number: Annotated[Text, Field(title="Số quyết định", min_length=1, max_length=40)]
    signed_on: Annotated[PastDate, Field(title="Ngày quyết định")]
    received_on: Annotated[PastDate | None, Field(title="Ngày chi bộ nhận quyết định")] = None
    approve: Annotated[bool, Field(title="Chấp thuận")] = True

    @model_validator(mode="after")
    def _received(self) -> DecisionIn:
        if self.received_on is not None and self.received_on < self.signed_on:
            raise ValueError("Ngày chi bộ nhận quyết định: trước ngày ký quyết định")
        return self

    @property
    def received(self) -> date:
        return self.received_on or self.signed_on


class CeremonyIn(InputModel):
    held_on: Annotated[PastDate, Field(title="Ngày lễ kết nạp")]


class ConsentIn(InputModel):
    kind: Annotated[ConsentKind, Field(title="Loại văn bản đồng ý")]
    number: Annotated[Text, Field(title="Số văn bản", min_length=1, max_length=40)]
    dated: Annotated[PastDate, Field(title="Ngày văn bản")]
    issuer: Annotated[Text, Field(title="Cơ quan ban hành", max_length=200)] = ""


class PriorMembershipIn(InputModel):
    left_on: Annotated[PastDate, Field(title="Ngày ra khỏi Đảng")]
    cause: Annotated[ExitCause, Field(title="Lý do ra khỏi Đảng")]
    readmitted_before: Annotated[bool, Field(title="Đã từng được kết nạp lại")] = False


class PastAdmissionIn(CandidateIn):
    """A member admitted before ketnap was used, entered so that reports can compare with
    earlier years ("cùng kỳ năm trước") and forecasts can learn from history."""

    number: Annotated[Text, Field(title="Số quyết định kết nạp", min_length=1, max_length=40)]
    signed_on: Annotated[PastDate, Field(title="Ngày quyết định kết nạp")]
    voted_on: Annotated[PastDate | None, Field(title="Ngày chi bộ xét")] = None
    official_members: Annotated[int, Field(title="Số đảng viên chính thức", ge=0, le=10_000)] = 0
    agree: Annotated[int, Field(title="Số phiếu tán thành", ge=0, le=10_000)] = 0
    ceremony_on: Annotated[PastDate | None, Field(title="Ngày lễ kết nạp")] = None

    @model_validator(mode="after")
    def _order(self) -> PastAdmissionIn:
        if self.voted_on and self.voted_on > self.signed_on:
            raise ValueError("Ngày chi bộ xét: phải trước ngày quyết định kết nạp")
        if self.ceremony_on and self.ceremony_on < self.signed_on:
            raise ValueError("Ngày lễ kết nạp: phải sau ngày quyết định kết nạp")
        if self.agree > self.official_members:
            raise ValueError("Số phiếu tán thành: nhiều hơn số đảng viên chính thức")
        return self


class MidwayIn(InputModel):
    """A dossier's stage and dated facts as a sheet gives them (workflow/midway.py judges
    whether they agree). A fact is its date with what goes with it: all or none."""

    stage: Annotated[Stage, Field(title="Giai đoạn")] = Stage.nguon
    certificate_number: Annotated[Text | None, Field(title="Số giấy chứng nhận", max_length=40)] = (
        None
    )
    certificate_on: Annotated[PastDate | None, Field(title="Ngày cấp giấy chứng nhận")] = None
    certificate_issuer: Annotated[
        Text | None, Field(title="Nơi cấp giấy chứng nhận", max_length=200)
    ] = None
    voted_on: Annotated[PastDate | None, Field(title="Ngày chi bộ xét")] = None
    official_members: Annotated[
        int | None, Field(title="Số đảng viên chính thức", ge=1, le=100_000)
    ] = None
    agree: Annotated[int | None, Field(title="Số phiếu tán thành", ge=0)] = None
    decision_number: Annotated[Text | None, Field(title="Số quyết định kết nạp", max_length=40)] = (
        None
    )
    signed_on: Annotated[PastDate | None, Field(title="Ngày quyết định kết nạp")] = None
    ceremony_on: Annotated[PastDate | None, Field(title="Ngày lễ kết nạp")] = None

    @model_validator(mode="after")
    def _together(self) -> MidwayIn:
        groups = (
            ("certificate_on", ("certificate_number", "certificate_issuer")),
            ("voted_on", ("official_members", "agree")),
            ("signed_on", ("decision_number",)),
        )
        for day, parts in groups:
            given = [p for p in (day, *parts) if getattr(self, p) is not None]
            if given and len(given) != 1 + len(parts):
                missing = [p for p in (day, *parts) if getattr(self, p) is None]
                names = ", ".join(str(MidwayIn.model_fields[p].title) for p in missing)
                first = str(MidwayIn.model_fields[missing[0]].title)
                raise ValueError(f"{first}: còn thiếu {names} (các cột đi cùng nhau)")
        if self.agree is not None and self.official_members is not None:
            if self.agree > self.official_members:
                raise ValueError(
                    f"Số phiếu tán thành: {self.agree} vượt quá số đảng viên chính thức "
                    f"({self.official_members})"
                )
        return self

    @property
    def has_facts(self) -> bool:
        return any(
            d is not None
            for d in (self.certificate_on, self.voted_on, self.signed_on, self.ceremony_on)
        )


class ClassIn(InputModel):
    """Lớp bồi dưỡng nhận thức về Đảng, as a class list's columns give it."""

    class_code: Annotated[str, Field(title="Mã lớp", min_length=1, max_length=40)]
    class_name: Annotated[Text, Field(title="Tên lớp", min_length=2, max_length=200)]
    organizer: Annotated[Text, Field(title="Nơi mở lớp", min_length=2, max_length=200)]
    opened_on: Annotated[PastDate, Field(title="Ngày khai giảng")]
    closed_on: Annotated[PastDate | None, Field(title="Ngày bế giảng")] = None

    @field_validator("class_code")
    @classmethod
    def _code(cls, v: str) -> str:
        return nfc(v).strip().upper()

    @model_validator(mode="after")
    def _order(self) -> ClassIn:
        if self.closed_on is not None and self.closed_on < self.opened_on:
            raise ValueError(
                f"Ngày bế giảng: {fmt_date(self.closed_on)} trước ngày khai giảng "
                f"{fmt_date(self.opened_on)}"
            )
        return self


class LearnerIn(InputModel):
    """A learner of a class (a person already in the pool, by CCCD) and the certificate, once
    the class has issued it."""

    cccd: Annotated[str, BeforeValidator(_cccd_digits), Field(title="Số CCCD")]
    full_name: Annotated[Name, Field(title="Họ và tên")]
    certificate_number: Annotated[Text | None, Field(title="Số giấy chứng nhận", max_length=40)] = (
        None
    )
    certificate_on: Annotated[PastDate | None, Field(title="Ngày cấp giấy chứng nhận")] = None

    @model_validator(mode="after")
    def _together(self) -> LearnerIn:
        if (self.certificate_number is None) != (self.certificate_on is None):
            missing = (
                "Số giấy chứng nhận"
                if self.certificate_number is None
                else ("Ngày cấp giấy chứng nhận")
            )
            raise ValueError(f"{missing}: cần cả số và ngày cấp giấy chứng nhận")
        return self


FactIn = (
    CertificateIn
    | IntroducerIn
    | DocumentIn
    | VerificationIn
    | RelativeIn
    | ResolutionIn
    | DecisionIn
    | CeremonyIn
    | ConsentIn
    | PriorMembershipIn
)

M = TypeVar("M", bound=InputModel)


# --- planning cycle, reminders (issue 3) ----------------------------------------------------


def _year(value: int) -> int:
    if not 2000 <= value <= 2100:
        raise ValueError("phải là năm từ 2000 đến 2100")
    return value


Year = Annotated[int, AfterValidator(_year)]


TERM_YEARS = 5  # a congress term: 2020–2025, 2025–2030


def _period(value: Any) -> str:
    """A year ("2026") or a term ("2025-2030", also written 2025–2030)."""
    text = str(value).strip().replace("–", "-").replace(" ", "")
    if re.fullmatch(r"\d{4}", text):
        return str(_year(int(text)))
    match = re.fullmatch(r"(\d{4})-(\d{4})", text)
    if match and int(match[2]) - int(match[1]) == TERM_YEARS:
        _year(int(match[1]))
        return text
    raise ValueError(f"'{value}' phải là một năm (2026) hoặc một nhiệm kỳ 5 năm (2025-2030)")


class TargetIn(InputModel):
    org_code: Annotated[str, Field(title="Tổ chức", min_length=1)]
    period: Annotated[str, BeforeValidator(_period), Field(title="Năm hoặc nhiệm kỳ")]
    value: Annotated[int, Field(title="Chỉ tiêu", ge=0, le=100_000)]
    kind: Annotated[TargetKind, Field(title="Loại chỉ tiêu")] = TargetKind.ket_nap

    @model_validator(mode="before")
    @classmethod
    def _year_is_a_period(cls, data: Any) -> Any:
        if isinstance(data, dict) and "year" in data and "period" not in data:
            data = {**data, "period": data["year"]}
            del data["year"]
        return data

    @property
    def year(self) -> int | None:
        return int(self.period) if self.period.isdigit() else None


class SubmissionIn(InputModel):
    org_code: Annotated[str, Field(title="Tổ chức", min_length=1)]
    kind: Annotated[SubmissionKind, Field(title="Loại văn bản")]
    year: Annotated[Year, Field(title="Năm")]
    submitted_on: Annotated[PastDate, Field(title="Ngày gửi")]
    number: Annotated[Text, Field(title="Số văn bản", max_length=40)] = ""


class ContactIn(InputModel):
    org_code: Annotated[str, Field(title="Tổ chức", min_length=1)]
    role: Annotated[Role, Field(title="Vai trò")]
    name: Annotated[Name, Field(title="Họ tên")]
    email: Annotated[str, Field(title="Thư điện tử", max_length=200)]

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, v: Any) -> str:
        text = str(v).strip()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
            raise ValueError(f"'{text}' không phải địa chỉ thư điện tử")
        return text.lower()


class PolicyIn(InputModel):
    kind: Annotated[str, Field(title="Loại hạn")]
    leads: Annotated[tuple[int, ...], Field(title="Nhắc trước (ngày làm việc)")]
    overdue_every: Annotated[int, Field(title="Nhắc khi quá hạn, mỗi (ngày làm việc)", ge=0, le=60)]
    roles: Annotated[tuple[Role, ...], Field(title="Người nhận (vai trò)")]

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in KINDS:
            raise ValueError(f"không hợp lệ; chọn một trong: {', '.join(KINDS)}")
        return v

    @field_validator("leads", mode="before")
    @classmethod
    def _leads(cls, v: Any) -> Any:
        return parse_leads(v) if isinstance(v, str) else v

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, v: Any) -> Any:
        return parse_roles(v) if isinstance(v, str) else v


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
