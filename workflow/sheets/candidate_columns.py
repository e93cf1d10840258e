"""The candidates' sheet, column by column: the input models' own titles as headers, the
other spellings clerks use, and how a cell becomes the value the input model takes."""

from __future__ import annotations

from datetime import date
from typing import Any

from workflow.domain.process import Stage
from workflow.domain.vocabulary import Education, Occupation, Sex
from workflow.inputs.dossier import CandidateIn
from workflow.inputs.imported import MidwayIn
from workflow.sheets.fields import (
    cccd_cell,
    date_cell,
    header_key,
    int_cell,
    labels,
    text_cell,
    yes_no_cell,
)

# The template's columns, in order: the input models' own titles. A person, then where the
# dossier stands (empty: nguồn) and the dated facts that put it there (workflow/sheets/midway.py).
PERSON_FIELDS: tuple[str, ...] = (
    "full_name",
    "birth_date",
    "sex",
    "ethnicity",
    "religion",
    "cccd",
    "education",
    "occupation",
    "doan_member",
    "cong_doan_member",
    "residence",
    "org_code",
)


STAGE_FIELDS: tuple[str, ...] = tuple(MidwayIn.model_fields)


FIELDS = PERSON_FIELDS + STAGE_FIELDS


TITLES: dict[str, str] = {f: str(CandidateIn.model_fields[f].title) for f in PERSON_FIELDS} | {
    f: str(MidwayIn.model_fields[f].title) for f in STAGE_FIELDS
}


SHEET_TITLE = "Quần chúng"


AT_SOURCE = MidwayIn()  # a row without stage columns: a new person in the pool


DATE_FIELDS = frozenset({"birth_date", "certificate_on", "voted_on", "signed_on", "ceremony_on"})


ALIASES: dict[str, str] = {
    "ho_ten": "full_name",
    "ten": "full_name",
    "cccd": "cccd",
    "so_can_cuoc": "cccd",
    "can_cuoc_cong_dan": "cccd",
    "hoc_van": "education",
    "ma_chi_bo": "org_code",
    "to_chuc": "org_code",
    "giai_doan_hien_tai": "stage",
    "so_gcn": "certificate_number",
    "ngay_cap_gcn": "certificate_on",
    "so_quyet_dinh": "decision_number",
    "ngay_ket_nap": "signed_on",
}


_CHOICES = {
    "sex": labels(Sex),
    "education": labels(Education),
    "occupation": labels(Occupation),
    "stage": labels(Stage),
}


# Columns whose text goes to the input model as typed (no words to map to identifiers).
_AS_TYPED = (
    frozenset(FIELDS)
    - {"sex", "education", "occupation", "stage"}
    - {"doan_member", "cong_doan_member"}
    - {"cccd"}  # text as typed too, unless Excel turned it into 1,23457E+11 (cccd_cell)
)


def sheet_cell(name: str, value: Any, notes: dict[str, Any], today: date | None = None) -> Any:
    """A sheet's cell as the input model takes it: dates from Excel, words to identifiers;
    CellError for a cell that cannot be what its column holds (a serial that is no day, a
    count with a fraction, a number that is no CCCD)."""
    if value.__class__ is str and name in _AS_TYPED:
        return value
    if value is None:
        return None
    if name in DATE_FIELDS:
        return date_cell(value, notes, today)
    if name in {"official_members", "agree"}:
        return int_cell(value)
    if name == "cccd":
        return cccd_cell(value, notes)
    if name in {"doan_member", "cong_doan_member"}:
        return yes_no_cell(value)
    if name in _CHOICES:
        return _CHOICES[name].get(header_key(str(value)), str(value))
    return text_cell(value)
