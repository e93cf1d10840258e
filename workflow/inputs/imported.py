"""Input models of what sheets and the paper archive bring in: admissions decided before
ketnap, a dossier's stage part-way through, awareness classes and their learners."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, field_validator, model_validator

from workflow.domain.process import Stage
from workflow.inputs.base import InputModel, PastDate, PersonName, Text, cccd_digits
from workflow.inputs.dossier import CandidateIn
from workflow.text.vntext import fmt_date, nfc


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
        for name in ("voted_on", "signed_on", "ceremony_on"):
            day = getattr(self, name)
            if day is not None and day < self.birth_date:
                raise ValueError(
                    f"{PastAdmissionIn.model_fields[name].title}: ngày {fmt_date(day)} trước "
                    f"ngày sinh ({fmt_date(self.birth_date)})"
                )
        if self.voted_on and self.voted_on > self.signed_on:
            raise ValueError("Ngày chi bộ xét: phải trước ngày quyết định kết nạp")
        if self.ceremony_on and self.ceremony_on < self.signed_on:
            raise ValueError("Ngày lễ kết nạp: phải sau ngày quyết định kết nạp")
        if self.agree > self.official_members:
            raise ValueError("Số phiếu tán thành: nhiều hơn số đảng viên chính thức")
        return self


class MidwayIn(InputModel):
    """A dossier's stage and dated facts as a sheet gives them (workflow/sheets/midway.py judges
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

    cccd: Annotated[str, BeforeValidator(cccd_digits), Field(title="Số CCCD")]
    full_name: Annotated[PersonName, Field(title="Họ và tên")]
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
