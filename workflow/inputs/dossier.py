"""Input models of a candidate and of every fact a dossier records (certificate, papers,
introducers, relatives, verification, votes, decisions, ceremony, consents)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from workflow.domain.identity import contradiction, unknown_province
from workflow.domain.vocabulary import (
    AgeGround,
    AnnulOutcome,
    ConsentKind,
    DecisionKind,
    DocumentKind,
    Education,
    EduException,
    ExitCause,
    Occupation,
    Relation,
    ResolutionKind,
    Sex,
    XoaTenGround,
)
from workflow.inputs.base import BirthDate, InputModel, PastDate, PersonName, Text, cccd_digits
from workflow.text.ethnicity import official
from workflow.text.vntext import fold


class CandidateIn(InputModel):
    full_name: Annotated[PersonName, Field(title="Họ và tên")]
    birth_date: Annotated[BirthDate, Field(title="Ngày sinh")]
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
        digits = cccd_digits(v)
        unknown = unknown_province(digits)
        if unknown is not None:
            raise ValueError(unknown)
        return digits

    @model_validator(mode="after")
    def _cccd_is_theirs(self) -> CandidateIn:
        """The number's digits 4–6 (sex, century and year of birth) agree with the person:
        one message naming the fields it contradicts (workflow/domain/identity.py)."""
        fields = type(self).model_fields
        wrong = contradiction(
            self.cccd,
            self.birth_date,
            self.sex,
            born_field=str(fields["birth_date"].title),
            sex_field=str(fields["sex"].title),
        )
        if wrong is not None:
            raise ValueError(f"{fields['cccd'].title}: {wrong}")
        return self


class CertificateIn(InputModel):
    number: Annotated[Text, Field(title="Số giấy chứng nhận", min_length=1, max_length=40)]
    issued_on: Annotated[PastDate, Field(title="Ngày cấp")]
    issuer: Annotated[Text, Field(title="Nơi cấp", min_length=2, max_length=200)]


class IntroducerIn(InputModel):
    full_name: Annotated[PersonName, Field(title="Họ tên người giới thiệu")]
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
    full_name: Annotated[PersonName, Field(title="Họ tên người thân")]
    party_member: Annotated[bool, Field(title="Là đảng viên")] = False
    history_declared: Annotated[bool, Field(title="Đã khai đầy đủ lý lịch")] = False
    abroad: Annotated[bool, Field(title="Ở nước ngoài")] = False
    verified_on: Annotated[PastDate | None, Field(title="Ngày thẩm tra")] = None
    confirmed_abroad_on: Annotated[
        PastDate | None, Field(title="Ngày Đảng ủy Ngoài nước xác nhận")
    ] = None

    @model_validator(mode="after")
    def _consistent(self) -> RelativeIn:
        if self.history_declared and not self.party_member:
            raise ValueError(
                "Đã khai đầy đủ lý lịch: chỉ ghi với người thân là đảng viên (R-VERIFY)"
            )
        if self.abroad and self.verified_on is not None:
            raise ValueError(
                "Ngày thẩm tra: người thân ở nước ngoài được xác nhận qua Đảng ủy Ngoài nước; "
                "ghi ngày xác nhận đó"
            )
        if not self.abroad and self.confirmed_abroad_on is not None:
            raise ValueError(
                "Ngày Đảng ủy Ngoài nước xác nhận: chỉ ghi với người thân ở nước ngoài"
            )
        return self


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


# L-KHAI-TRU: what a clerk may type for xóa tên's ground that is an expulsion instead
_EXPULSION = ("khai tru", "khai_tru", "ky luat")
KHAI_TRU_RULE = "L-KHAI-TRU"
KHAI_TRU = (
    "khai trừ là hình thức kỷ luật, không phải xóa tên; đảng viên dự bị chỉ bị khiển trách "
    f"hoặc cảnh cáo, không bị khai trừ; xóa tên không phải hình thức kỷ luật ({KHAI_TRU_RULE})"
)
GROUND_TITLE = "Căn cứ xóa tên"


class DecisionIn(InputModel):
    kind: Annotated[DecisionKind, Field(title="Loại quyết định")]
    number: Annotated[Text, Field(title="Số quyết định", min_length=1, max_length=40)]
    signed_on: Annotated[PastDate, Field(title="Ngày quyết định")]
    received_on: Annotated[PastDate | None, Field(title="Ngày chi bộ nhận quyết định")] = None
    approve: Annotated[bool, Field(title="Chấp thuận")] = True
    ground: Annotated[XoaTenGround | None, Field(title=GROUND_TITLE)] = None

    @field_validator("ground", mode="before")
    @classmethod
    def _not_expulsion(cls, v: Any) -> Any:
        """L-KHAI-TRU: an expulsion typed as xóa tên's ground is refused for what it is."""
        if isinstance(v, str) and any(word in fold(v) for word in _EXPULSION):
            raise ValueError(KHAI_TRU)
        return v

    @model_validator(mode="after")
    def _received(self) -> DecisionIn:
        if self.received_on is not None and self.received_on < self.signed_on:
            raise ValueError("Ngày chi bộ nhận quyết định: trước ngày ký quyết định")
        if self.kind is DecisionKind.xoa_ten and self.ground is None:
            raise ValueError(
                f"{GROUND_TITLE}: bắt buộc với quyết định xóa tên (L-XOA-TEN); chọn một trong: "
                + "; ".join(f"{g.value} ({g.label})" for g in XoaTenGround)
            )
        if self.kind is not DecisionKind.xoa_ten and self.ground is not None:
            raise ValueError(f"{GROUND_TITLE}: chỉ ghi với quyết định xóa tên (--kind xoa_ten)")
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
    ground: Annotated[AgeGround | None, Field(title="Căn cứ (người trên 60 tuổi)")] = None

    @model_validator(mode="after")
    def _ground(self) -> ConsentIn:
        if self.kind is ConsentKind.tuoi_60 and self.ground is None:
            raise ValueError(
                "Căn cứ (người trên 60 tuổi): bắt buộc; chọn một trong: "
                + ", ".join(g.value for g in AgeGround)
            )
        if self.kind is not ConsentKind.tuoi_60 and self.ground is not None:
            raise ValueError("Căn cứ (người trên 60 tuổi): chỉ ghi với văn bản tuoi_60")
        return self


class PriorMembershipIn(InputModel):
    left_on: Annotated[PastDate, Field(title="Ngày ra khỏi Đảng")]
    cause: Annotated[ExitCause, Field(title="Lý do ra khỏi Đảng")]
    readmitted_before: Annotated[bool, Field(title="Đã từng được kết nạp lại")] = False
    record_cleared_on: Annotated[PastDate | None, Field(title="Ngày được xóa án tích")] = None

    @model_validator(mode="after")
    def _cleared(self) -> PriorMembershipIn:
        if self.record_cleared_on is not None and self.cause is not ExitCause.an_it_nghiem_trong:
            raise ValueError(
                "Ngày được xóa án tích: chỉ ghi khi lý do là an_it_nghiem_trong (R-REJOIN)"
            )
        return self


class AnnulmentIn(InputModel):
    """L-ANNUL: the deciding committee's decision annulling its admission decision."""

    number: Annotated[Text, Field(title="Số quyết định hủy", min_length=1, max_length=40)]
    signed_on: Annotated[PastDate, Field(title="Ngày quyết định hủy")]
    outcome: Annotated[AnnulOutcome, Field(title="Hướng xử lý")]
    back_to: Annotated[str | None, Field(title="Làm lại từ bước")] = None
    reason: Annotated[Text, Field(title="Lý do", min_length=5, max_length=1000)]

    @model_validator(mode="after")
    def _back_to(self) -> AnnulmentIn:
        redo = ("btv_quyet_dinh", "chi_bo_xet")
        if self.outcome is AnnulOutcome.lam_lai and self.back_to not in redo:
            raise ValueError(
                "Làm lại từ bước: bắt buộc khi làm lại thủ tục; chọn một trong: "
                "btv_quyet_dinh (cấp ủy quyết định lại), chi_bo_xet (chi bộ xét lại)"
            )
        if self.outcome is AnnulOutcome.xoa_ten and self.back_to is not None:
            raise ValueError("Làm lại từ bước: chỉ ghi khi làm lại thủ tục (lam_lai)")
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
