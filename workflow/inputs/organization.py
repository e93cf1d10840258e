"""Input models of an organization and its planning cycle: targets by year or term, plans
and reports sent, contacts, reminder policies."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from workflow.domain.reminders import KINDS, parse_leads, parse_roles
from workflow.domain.vocabulary import OrgKind, Role, Sector, SubmissionKind, TargetKind
from workflow.inputs.base import InputModel, PastDate, PersonName, Text
from workflow.text.vntext import parse_date


class OrgIn(InputModel):
    code: Annotated[str, Field(title="Mã tổ chức", min_length=1, max_length=40)]
    name: Annotated[Text, Field(title="Tên tổ chức", min_length=2, max_length=200)]
    kind: Annotated[OrgKind, Field(title="Loại tổ chức")]
    sector: Annotated[Sector, Field(title="Loại hình")] = Sector.khac
    parent_code: Annotated[str | None, Field(title="Tổ chức cấp trên")] = None
    has_doan: Annotated[bool, Field(title="Có tổ chức Đoàn")] = True
    has_cong_doan: Annotated[bool, Field(title="Có tổ chức Công đoàn")] = False
    decides_admission: Annotated[bool, Field(title="Được ủy quyền quyết định kết nạp")] = False

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", v):
            raise ValueError("chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới")
        return v.upper()

    @model_validator(mode="after")
    def _decides(self) -> OrgIn:
        if self.decides_admission and self.kind is not OrgKind.dang_bo_co_so:
            raise ValueError(
                "Được ủy quyền quyết định kết nạp: chỉ với đảng bộ cơ sở (R-VOTE-DU); cấp ủy có "
                "thẩm quyền thì luôn quyết định"
            )
        return self


def _day(value: Any) -> Any:
    """A dd/mm/yyyy date of an organization's life, between 2000 and 2100."""
    day = parse_date(value) if isinstance(value, str) else value
    if isinstance(day, date) and not 2000 <= day.year <= 2100:
        raise ValueError(f"năm {day.year} ngoài 2000–2100")
    return day


OrgDay = Annotated[date, BeforeValidator(_day)]


Heading = Annotated[Text, Field(min_length=2, max_length=300)]


class OrgAddIn(OrgIn):
    """``ketnap org add``: an organization with its formal heading and the day it starts
    (the sheets keep to OrgIn's columns)."""

    heading_name: Annotated[Heading | None, Field(title="Tên trên văn bản")] = None
    superior_heading: Annotated[Heading | None, Field(title="Tên cấp trên trên văn bản")] = None
    valid_from: Annotated[OrgDay | None, Field(title="Ngày bắt đầu hoạt động")] = None


class OrgHeadingIn(InputModel):
    """``ketnap org set``: the formal heading name and the superior body's heading line."""

    heading_name: Annotated[Heading | None, Field(title="Tên trên văn bản")] = None
    superior_heading: Annotated[Heading | None, Field(title="Tên cấp trên trên văn bản")] = None


class SuccessionKind(StrEnum):
    """How an organization ends (the 2025 reform did all four)."""

    sap_nhap = "sap_nhap"
    chia_tach = "chia_tach"
    doi_ten = "doi_ten"
    chuyen_truc_thuoc = "chuyen_truc_thuoc"

    @property
    def label(self) -> str:
        return SUCCESSION_LABELS[self]

    @property
    def into(self) -> str:
        """The words before the successor: 'sáp nhập vào …'."""
        return SUCCESSION_INTO[self]


SUCCESSION_LABELS = {
    SuccessionKind.sap_nhap: "sáp nhập",
    SuccessionKind.chia_tach: "chia tách",
    SuccessionKind.doi_ten: "đổi tên",
    SuccessionKind.chuyen_truc_thuoc: "chuyển trực thuộc",
}


SUCCESSION_INTO = {
    SuccessionKind.sap_nhap: "sáp nhập vào",
    SuccessionKind.chia_tach: "chia tách, chủ yếu vào",
    SuccessionKind.doi_ten: "đổi tên thành",
    SuccessionKind.chuyen_truc_thuoc: "chuyển thành",
}


def _kind(value: Any) -> Any:
    """The kind by its code or its words ('sáp nhập')."""
    if isinstance(value, str):
        key = value.strip().lower().replace(" ", "_")
        for kind, words in SUCCESSION_LABELS.items():
            if key in (kind.value, words.replace(" ", "_")):
                return kind.value
    return value


Code = Annotated[str, Field(min_length=1, max_length=40)]
Decision = Annotated[Text, Field(min_length=1, max_length=60)]
Reason = Annotated[Text, Field(min_length=3, max_length=1000)]


class OrgEndIn(InputModel):
    """``ketnap org end``: the organization, the day the change takes effect (its last
    day is the day before), its successors and where each thing it holds goes."""

    code: Annotated[Code, Field(title="Tổ chức")]
    on: Annotated[PastDate, Field(title="Ngày hiệu lực (--on)")]
    kind: Annotated[SuccessionKind, BeforeValidator(_kind), Field(title="Hình thức (--kind)")]
    successors: Annotated[
        tuple[Code, ...], Field(title="Tổ chức kế thừa (--successor)", min_length=1, max_length=20)
    ]
    decision: Annotated[Decision, Field(title="Số quyết định (--decision)")]
    reason: Annotated[Reason, Field(title="Lý do (--reason)")]
    dossiers_to: Annotated[Code | None, Field(title="Chuyển hồ sơ đến (--dossiers-to)")] = None
    moves: Annotated[dict[int, Code], Field(title="Chuyển riêng hồ sơ (--move)")] = {}
    users_to: Annotated[Code | None, Field(title="Chuyển người dùng đến (--users-to)")] = None
    targets_to: Annotated[Code | None, Field(title="Chuyển chỉ tiêu đến (--targets-to)")] = None

    @field_validator("successors", mode="before")
    @classmethod
    def _codes(cls, v: Any) -> Any:
        return tuple(v) if isinstance(v, list) else v

    @model_validator(mode="after")
    def _how_many(self) -> OrgEndIn:
        many = len(set(self.successors))
        if self.kind is SuccessionKind.chia_tach and many < 2:
            raise ValueError("Tổ chức kế thừa (--successor): chia tách cần ít nhất hai tổ chức")
        if self.kind is not SuccessionKind.chia_tach and many != 1:
            raise ValueError(
                f"Tổ chức kế thừa (--successor): {self.kind.label} có đúng một tổ chức kế thừa"
            )
        return self


class OrgMoveIn(InputModel):
    """``ketnap org move``: chuyển trực thuộc in place (the code and the dossiers stay)."""

    code: Annotated[Code, Field(title="Tổ chức")]
    parent_code: Annotated[Code, Field(title="Tổ chức cấp trên mới (--parent)")]
    on: Annotated[PastDate, Field(title="Ngày hiệu lực (--on)")]
    decision: Annotated[Decision, Field(title="Số quyết định (--decision)")] = "—"
    reason: Annotated[Text, Field(title="Lý do (--reason)", max_length=1000)] = ""


class OrgRenameIn(InputModel):
    """``ketnap org rename``: đổi tên in place (the code stays; the old name is audited)."""

    code: Annotated[Code, Field(title="Tổ chức")]
    name: Annotated[Text, Field(title="Tên mới (--name)", min_length=2, max_length=200)]
    on: Annotated[PastDate, Field(title="Ngày hiệu lực (--on)")]
    heading_name: Annotated[Heading | None, Field(title="Tên trên văn bản (--heading)")] = None
    decision: Annotated[Decision, Field(title="Số quyết định (--decision)")] = "—"
    reason: Annotated[Text, Field(title="Lý do (--reason)", max_length=1000)] = ""


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
    name: Annotated[PersonName, Field(title="Họ tên")]
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
