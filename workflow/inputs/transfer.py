"""Input models of a dossier's move to another chi bộ (L-TRANSFER: the letter that sends it,
its receipt, its cancellation) and of the chi bộ a superior committee designates to help a
candidate whose place has no Party member (L-NO-MEMBER)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from workflow.inputs.base import InputModel, PastDate, Text


class TransferIn(InputModel):
    """The sending side's record: where to, by which letter (giấy giới thiệu sinh hoạt
    đảng), why."""

    to_code: Annotated[str, Field(title="Chi bộ nhận (--to)", min_length=1, max_length=40)]
    letter_number: Annotated[
        Text, Field(title="Số giấy giới thiệu (--letter-number)", min_length=1, max_length=40)
    ]
    letter_on: Annotated[PastDate, Field(title="Ngày giấy giới thiệu (--letter-on)")]
    reason: Annotated[Text, Field(title="Lý do chuyển (--reason)", min_length=3, max_length=1000)]


class TransferReceiveIn(InputModel):
    """The receiving side's record: the day the letter was presented and accepted."""

    received_on: Annotated[PastDate, Field(title="Ngày nhận (--on)")]


class TransferCancelIn(InputModel):
    reason: Annotated[Text, Field(title="Lý do hủy (--reason)", min_length=3, max_length=1000)]


class DesignationIn(InputModel):
    """L-NO-MEMBER: the superior committee's decision naming the chi bộ that helps."""

    chi_bo_code: Annotated[
        str, Field(title="Chi bộ được chỉ định (--chi-bo)", min_length=1, max_length=40)
    ]
    number: Annotated[Text, Field(title="Số quyết định (--number)", min_length=1, max_length=40)]
    signed_on: Annotated[PastDate, Field(title="Ngày ký (--signed-on)")]
    place: Annotated[
        Text, Field(title="Nơi chưa có đảng viên (--place)", min_length=2, max_length=200)
    ]
