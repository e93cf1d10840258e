"""Who was admitted, as the reports count them: one integer of flags per admission (pure).

The progress report's breakdown columns (docs/reports.md) describe the person as
they were at the admission decision: a Đoàn member then, aged 18–30 then. The flags are
computed once, in the transaction that records the decision, and stored on the dossier;
a report then sums bits per organization instead of joining every person and computing
ages a million times.
"""

from __future__ import annotations

from datetime import date

from workflow.domain.calendar import full_months
from workflow.domain.vocabulary import Education, Occupation

BITS: dict[str, int] = {
    "doan": 1 << 0,
    "nu": 1 << 1,
    "dan_toc": 1 << 2,
    "ton_giao": 1 << 3,
    "cbcc": 1 << 4,
    "vien_chuc": 1 << 5,
    "doanh_nghiep": 1 << 6,
    "cong_nhan": 1 << 7,
    "nong_dan": 1 << 8,
    "llvt": 1 << 9,
    "hssv": 1 << 10,
    "tuoi_18_30": 1 << 11,
    "cao_dang_tro_len": 1 << 12,
}
OCCUPATION_KEYS: dict[Occupation, str] = {
    Occupation.can_bo_cong_chuc: "cbcc",
    Occupation.vien_chuc: "vien_chuc",
    Occupation.lao_dong_doanh_nghiep: "doanh_nghiep",
    Occupation.cong_nhan: "cong_nhan",
    Occupation.nong_dan: "nong_dan",
    Occupation.luc_luong_vu_trang: "llvt",
    Occupation.hoc_sinh_sinh_vien: "hssv",
}
NO_RELIGION = frozenset({"", "không", "không có", "khong"})
HIGHER = frozenset({Education.cao_dang, Education.dai_hoc, Education.sau_dai_hoc})


def admission_profile(
    *,
    doan_member: bool,
    sex: str,
    ethnicity: str,
    religion: str,
    occupation: str,
    education: str,
    birth_date: date,
    admitted_on: date,
) -> int:
    flags = 0
    if doan_member:
        flags |= BITS["doan"]
    if sex == "nu":
        flags |= BITS["nu"]
    if ethnicity.strip().lower() != "kinh":
        flags |= BITS["dan_toc"]
    if religion.strip().lower() not in NO_RELIGION:
        flags |= BITS["ton_giao"]
    key = OCCUPATION_KEYS.get(Occupation(occupation))
    if key is not None:
        flags |= BITS[key]
    if 18 <= full_months(birth_date, admitted_on) // 12 <= 30:
        flags |= BITS["tuoi_18_30"]
    if Education(education) in HIGHER:
        flags |= BITS["cao_dang_tro_len"]
    return flags
