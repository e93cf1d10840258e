"""Forms built from the input models themselves: each field's title, its kind of widget
(a date as dd/mm/yyyy, a choice with its Vietnamese labels, a yes/no box, a number, text),
whether it is required; and the errors of a BadInput put back beside their fields."""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from workflow.inputs import dossier as inputs


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    widget: str  # "date", "choice", "check", "number", "text"
    required: bool
    choices: tuple[tuple[str, str], ...] = ()
    default: str = ""


def _plain(annotation: Any) -> Any:
    """``X | None`` → X, and ``Annotated[X, …]`` (a PastDate …) → X."""
    if get_origin(annotation) is Annotated:
        return _plain(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return _plain(args[0]) if len(args) == 1 else str
    return annotation


def _widget(kind: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    if kind is bool:
        return "check", ()
    if kind is date:
        return "date", ()
    if kind is int:
        return "number", ()
    if isinstance(kind, type) and issubclass(kind, Enum):
        labels = tuple((m.value, getattr(m, "label", m.value)) for m in kind)
        return "choice", labels
    return "text", ()


def fields_of(model: type[BaseModel], skip: frozenset[str] = frozenset()) -> list[Field]:
    out = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        widget, choices = _widget(_plain(info.annotation))
        default = info.default
        shown = "" if default in (PydanticUndefined, None) else getattr(default, "value", default)
        if isinstance(shown, bool):
            shown = "on" if shown else ""
        out.append(
            Field(name, str(info.title or name), widget, info.is_required(), choices, str(shown))
        )
    return out


def posted(fields: list[Field], given: dict[str, str]) -> dict[str, str]:
    """A form's values for the input model: a yes/no box sent is yes, one not sent is no
    (a browser sends nothing for an unticked box)."""
    out = dict(given)
    for f in fields:
        if f.widget == "check":
            out[f.name] = "true" if given.get(f.name) else "false"
    return out


def errors_by_field(fields: list[Field], problems: list[tuple[str, str]]) -> dict[str, str]:
    """BadInput's (title, message) pairs by field name; those of no field under '', with
    the title they came with (the banner shows them)."""
    by_title = {f.title: f.name for f in fields}
    out: dict[str, str] = {}
    for title, message in problems:
        name = by_title.get(title, "")
        said = message if name else f"{title}: {message}"
        out[name] = f"{out[name]}; {said}" if name in out else said
    return out


@dataclass(frozen=True)
class FactForm:
    slug: str
    title: str
    model: type[inputs.FactIn]


# Every fact the CLI records (`ketnap record …`), at an address of its own.
FACTS: dict[str, FactForm] = {
    f.slug: f
    for f in (
        FactForm("giay-chung-nhan", "Giấy chứng nhận học lớp nhận thức", inputs.CertificateIn),
        FactForm("giay-to", "Giấy tờ của hồ sơ", inputs.DocumentIn),
        FactForm("nguoi-gioi-thieu", "Người giới thiệu", inputs.IntroducerIn),
        FactForm("nguoi-than", "Người thân trong lý lịch", inputs.RelativeIn),
        FactForm("tham-tra", "Thẩm tra lý lịch", inputs.VerificationIn),
        FactForm("bieu-quyet", "Nghị quyết, kết quả biểu quyết", inputs.ResolutionIn),
        FactForm("quyet-dinh", "Quyết định của cấp ủy", inputs.DecisionIn),
        FactForm("le-ket-nap", "Lễ kết nạp", inputs.CeremonyIn),
        FactForm("van-ban-dong-y", "Văn bản đồng ý, gia hạn", inputs.ConsentIn),
        FactForm("qua-trinh-dang", "Quá trình trong Đảng trước đây", inputs.PriorMembershipIn),
    )
}

# Where each unmet rule's missing fact is recorded (with the form's preset choice).
RULE_FORMS: dict[str, tuple[str, dict[str, str]]] = {
    "R-CLASS": ("giay-chung-nhan", {}),
    "R-DOCS-12M": ("giay-to", {}),
    "R-INTRO": ("nguoi-gioi-thieu", {}),
    "R-INTRO-DOAN": ("giay-to", {"kind": "nghi_quyet_doan"}),
    "R-INTRO-CD": ("giay-to", {"kind": "nghi_quyet_cong_doan"}),
    "R-VERIFY": ("tham-tra", {}),
    "R-VOTE-CB": ("bieu-quyet", {"kind": "chi_bo"}),
    "R-CB-MIN": ("bieu-quyet", {"kind": "chi_bo"}),
    "R-VOTE-DU": ("bieu-quyet", {"kind": "dang_uy"}),
    "R-VOTE-OFFICIAL": ("bieu-quyet", {"kind": "chi_bo_chinh_thuc"}),
    "R-AGE-60": ("van-ban-dong-y", {"kind": "tuoi_60"}),
    "R-EDU": ("van-ban-dong-y", {"kind": "hoc_van"}),
    "R-REJOIN": ("qua-trinh-dang", {}),
    "D-CEREMONY": ("le-ket-nap", {}),
    "D-PROBATION": ("le-ket-nap", {}),
    "D-OFFICIAL": ("quyet-dinh", {"kind": "chinh_thuc"}),
}
EVENT_DOSSIER_FORMS = {  # P-DOSSIER names a paper or a decision, by the step it blocks
    "chi_bo_thong_qua": ("giay-to", {}),
    "quyet_dinh_ket_nap": ("quyet-dinh", {"kind": "ket_nap"}),
    "to_chuc_le": ("quyet-dinh", {"kind": "ket_nap"}),
}


def form_link(dossier_id: int, rule_id: str, event: str) -> str | None:
    """The address of the form that records what ``rule_id`` finds missing for ``event``."""
    found = EVENT_DOSSIER_FORMS.get(event) if rule_id == "P-DOSSIER" else RULE_FORMS.get(rule_id)
    if found is None:
        return None
    slug, preset = found
    if rule_id == "R-VOTE-DU" and event == "cong_nhan_chinh_thuc":
        preset = {"kind": "dang_uy_chinh_thuc"}
    query = "&".join(f"{k}={v}" for k, v in preset.items())
    return f"/ho-so/{dossier_id}/ghi/{slug}" + (f"?{query}" if query else "")
