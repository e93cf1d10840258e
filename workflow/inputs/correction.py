"""What a correction (đính chính) names: the field, by its code or its Vietnamese label, of
the person or of one recorded fact; its new value, checked by the same input model as on
entry; and its reason."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from workflow.domain.errors import BadInput
from workflow.inputs.base import InputModel, Text
from workflow.inputs.dossier import (
    CandidateIn,
    CeremonyIn,
    CertificateIn,
    ConsentIn,
    DecisionIn,
    DocumentIn,
    IntroducerIn,
    PriorMembershipIn,
    RelativeIn,
    ResolutionIn,
    VerificationIn,
)
from workflow.text.vntext import fold

FIELD = "Trường đính chính"
KIND = "Loại thông tin"
REASON_TITLE = "Lý do đính chính"


class CorrectionIn(InputModel):
    reason: Annotated[Text, Field(title=REASON_TITLE, min_length=5, max_length=1000)]


# The person's fields a clerk types (the chi bộ is not corrected: a move is a transfer,
# L-TRANSFER).
PERSON_FIELDS = tuple(name for name in CandidateIn.model_fields if name != "org_code")

# Each recorded fact's kind (as ``ketnap correct fact`` takes it), its input model, label.
FACT_KINDS: dict[str, tuple[type[InputModel], str]] = {
    "certificate": (CertificateIn, "giấy chứng nhận lớp nhận thức"),
    "introducer": (IntroducerIn, "người giới thiệu"),
    "document": (DocumentIn, "giấy tờ"),
    "verification": (VerificationIn, "thẩm tra lý lịch"),
    "relative": (RelativeIn, "người thân"),
    "resolution": (ResolutionIn, "nghị quyết, kết quả biểu quyết"),
    "decision": (DecisionIn, "quyết định"),
    "ceremony": (CeremonyIn, "lễ kết nạp"),
    "consent": (ConsentIn, "văn bản đồng ý"),
    "prior": (PriorMembershipIn, "quá trình trong Đảng trước đây"),
}

# Fields a fact's kind fixes (a document's kind decides its form; a vote's kind and round
# name the vote): changing one is recording another fact, not correcting this one.
FIXED = {"kind"}


def fields_of(model: type[InputModel]) -> tuple[str, ...]:
    if model is CandidateIn:
        return PERSON_FIELDS
    return tuple(name for name in model.model_fields if name not in FIXED)


def label_of(model: type[InputModel], name: str) -> str:
    info = model.model_fields.get(name)
    return str(info.title) if info is not None and info.title else name


def listed(model: type[InputModel]) -> str:
    return "; ".join(f"{n} ({label_of(model, n)})" for n in fields_of(model))


def field_named(model: type[InputModel], typed: str) -> str:
    """The field a person named, by its code (``birth_date``) or its label (``Ngày sinh``,
    accents and case aside); else BadInput listing the fields that may be corrected."""
    key = fold(typed or "").replace("-", "_").strip()
    for name in fields_of(model):
        if key in (name, fold(label_of(model, name))):
            return name
    shown = (typed or "").strip()[:40]
    raise BadInput.one(
        FIELD,
        f"không có trường '{shown}' để đính chính; các trường đính chính được: {listed(model)}",
    )


def fact_kind(typed: str) -> type[InputModel]:
    model = FACT_KINDS.get(fold(typed or "").strip())
    if model is None:
        raise BadInput.one(
            KIND,
            f"'{(typed or '')[:40]}' không hợp lệ; chọn một trong: "
            + "; ".join(f"{k} ({label})" for k, (_, label) in FACT_KINDS.items()),
        )
    return model[0]


_YES = {"co", "dung", "true", "1", "yes"}
_NO = {"khong", "sai", "false", "0", "no"}


def typed_value(model: type[InputModel], name: str, value: Any) -> Any:
    """A yes/no field takes "có"/"không" as typed on the command line; an empty value of an
    optional field clears it."""
    info = model.model_fields[name]
    if isinstance(value, str):
        key = fold(value).strip()
        if info.annotation is bool:
            if key in _YES:
                return True
            if key in _NO:
                return False
        if key == "" and not info.is_required() and info.default is None:
            return None
    return value
