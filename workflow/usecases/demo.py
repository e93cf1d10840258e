"""A demo committee with candidates at every stage, built only through the services.

The situations come from the seeds (shared/seeds): a provincial committee's bloc of
agencies (seed 001, Quảng Bình's Đảng ủy Khối; here placed in Lâm Đồng with seed 002's
Bảo Lâm), a school cell that must admit pupils every year (seed 001), an enterprise cell
(seed 004), youth members introduced by their Đoàn (seed 000). Dates are set relative to
the clock's today, so every dossier's facts are in the past and its deadlines meaningful.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from models.tables import Organization
from workflow.domain.calendar import add_months, months_between
from workflow.domain.identity import make_cccd
from workflow.domain.process import Event, Stage
from workflow.domain.rules import rule_set_for
from workflow.domain.verdicts import in_youth_age
from workflow.domain.vocabulary import Sex
from workflow.inputs import dossier as inputs
from workflow.usecases import agenda, targets
from workflow.usecases.advancing import advance
from workflow.usecases.backfill import record_past_admission
from workflow.usecases.context import Context
from workflow.usecases.dossiers import add_candidate
from workflow.usecases.organizations import add_org
from workflow.usecases.recording import record_fact

ROOT = "TU-LD"

ORGS: list[dict[str, Any]] = [
    {"code": ROOT, "name": "Tỉnh ủy Lâm Đồng", "kind": "cap_tinh", "sector": "khac"},
    {
        "code": "DUK-CQ",
        "name": "Đảng ủy Khối các cơ quan tỉnh",
        "kind": "cap_uy_co_tham_quyen",
        "sector": "co_quan",
        "parent_code": ROOT,
    },
    {
        "code": "DB-SGD",
        "name": "Đảng bộ Sở Giáo dục và Đào tạo",
        "kind": "dang_bo_co_so",
        "sector": "co_quan",
        "parent_code": "DUK-CQ",
    },
    {
        "code": "CB-VP",
        "name": "Chi bộ Văn phòng Sở",
        "kind": "chi_bo",
        "sector": "co_quan",
        "parent_code": "DB-SGD",
        "has_cong_doan": True,
    },
    {
        "code": "CB-GDTH",
        "name": "Chi bộ Phòng Giáo dục trung học",
        "kind": "chi_bo",
        "sector": "co_quan",
        "parent_code": "DB-SGD",
        "has_cong_doan": True,
    },
    {
        "code": "DU-BL",
        "name": "Đảng ủy xã Bảo Lâm",
        "kind": "cap_uy_co_tham_quyen",
        "sector": "xa_phuong",
        "parent_code": ROOT,
    },
    {
        "code": "CBCS-THPT",
        "name": "Chi bộ Trường THPT Bảo Lâm",
        "kind": "chi_bo_co_so",
        "sector": "truong_hoc",
        "parent_code": "DU-BL",
    },
    {
        "code": "CBCS-CHE",
        "name": "Chi bộ Công ty TNHH Chè Bảo Lâm",
        "kind": "chi_bo_co_so",
        "sector": "doanh_nghiep",
        "parent_code": "DU-BL",
        "has_doan": False,
        "has_cong_doan": True,
    },
]

# name, sex, birth year, org, target stage, occupation, notes
PEOPLE: list[tuple[str, str, int, str, str, str]] = [
    ("Nguyễn Văn Thắng", "nam", 1996, "CB-VP", "nguon", "can_bo_cong_chuc"),
    ("Trần Thị Hồng Nhung", "nu", 2001, "CBCS-THPT", "hoc_lop", "vien_chuc"),
    ("Lê Hoàng Anh", "nam", 2000, "CB-GDTH", "chi_bo_xet_ready", "can_bo_cong_chuc"),
    ("K' Linh", "nam", 1990, "CBCS-CHE", "chi_bo_xet_missing", "cong_nhan"),
    ("Dương Thị Thu Hà", "nu", 1994, "CB-VP", "gui_ho_so", "can_bo_cong_chuc"),
    ("Đặng Minh Đức", "nam", 1988, "CB-GDTH", "tham_dinh", "vien_chuc"),
    ("Ka Huệ", "nu", 1998, "CBCS-CHE", "btv_quyet_dinh", "lao_dong_doanh_nghiep"),
    ("Phạm Quốc Bảo", "nam", 1992, "CB-VP", "ket_nap", "can_bo_cong_chuc"),
    ("Hoàng Thị Mai", "nu", 1997, "CBCS-THPT", "du_bi", "vien_chuc"),
    ("Vũ Đình Khoa", "nam", 1991, "CB-GDTH", "du_bi_ready", "can_bo_cong_chuc"),
    ("Bùi Thị Ngọc Ánh", "nu", 1995, "CBCS-CHE", "chinh_thuc", "lao_dong_doanh_nghiep"),
    ("Ngô Văn Tâm", "nam", 1985, "CB-VP", "khong_dat", "can_bo_cong_chuc"),
    ("Lê Ngọc Chiến", "nam", 1993, "CB-GDTH", "rut", "vien_chuc"),
    ("Nguyễn Văn Sáu", "nam", 1989, "CBCS-CHE", "xoa_ten", "cong_nhan"),
    ("Trịnh Thị Ân", "nu", 2002, "CB-VP", "tra_lai", "can_bo_cong_chuc"),
    ("Phan Thị Hậu", "nu", 1994, "CBCS-THPT", "huy_ket_nap", "vien_chuc"),
]


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


class _Builder:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.today = ctx.today()
        self.serial = 0
        self.born: dict[int, date] = {}

    def fact(self, did: int, model: type[inputs.FactIn], **data: Any) -> None:
        record_fact(self.ctx, did, model, data)

    def go(self, did: int, event: Event, **kw: Any) -> None:
        advance(self.ctx, did, event, **kw)

    def person(self, name: str, sex: str, year: int, org: str, occupation: str) -> int:
        self.serial += 1
        born = date(year, 3 + self.serial % 9, 12)
        cccd = make_cccd(born, Sex(sex), self.serial * 7919)
        made = add_candidate(
            self.ctx,
            {
                "full_name": name,
                "birth_date": _d(born),
                "sex": sex,
                "cccd": cccd,
                "education": "dai_hoc" if year < 2000 else "thpt",
                "occupation": occupation,
                "org_code": org,
                "doan_member": 2026 - year <= 30,
                "cong_doan_member": org != "CBCS-THPT",
                "ethnicity": "Cơ Ho" if name.startswith("K") else "Kinh",
                "residence": "xã Bảo Lâm, tỉnh Lâm Đồng",
            },
        )
        self.born[int(made["dossier_id"])] = born
        return int(made["dossier_id"])

    def papers(self, did: int, res: date, org: str) -> None:
        """Everything the chi bộ needs before it votes on ``res``: the introducers the rules
        ask of this person on that day (youth age counted by month, as the guards count)."""
        youth = in_youth_age(months_between(self.born[did], res), rule_set_for(res))
        self.fact(did, inputs.DocumentIn, kind="don_xin_vao_dang", dated=_d(res - timedelta(90)))
        self.fact(did, inputs.DocumentIn, kind="ly_lich", dated=_d(res - timedelta(80)))
        self.fact(did, inputs.DocumentIn, kind="tong_hop_y_kien", dated=_d(res - timedelta(20)))
        self.fact(
            did,
            inputs.IntroducerIn,
            full_name="Phan Văn Hùng",
            official=True,
            months_together=36,
            introduced_on=_d(res - timedelta(30)),
        )
        if youth and org != "CBCS-CHE":  # R-INTRO-DOAN: the Đoàn's resolution replaces one
            self.fact(did, inputs.DocumentIn, kind="nghi_quyet_doan", dated=_d(res - timedelta(25)))
        elif youth:  # R-INTRO-CD: a youth in an enterprise without Đoàn, with a union
            self.fact(
                did, inputs.DocumentIn, kind="nghi_quyet_cong_doan", dated=_d(res - timedelta(25))
            )
        else:
            self.fact(
                did,
                inputs.IntroducerIn,
                full_name="Đỗ Thị Lan",
                official=True,
                months_together=24,
                introduced_on=_d(res - timedelta(28)),
            )
        self.fact(did, inputs.RelativeIn, relation="cha", full_name="Người cha", party_member=True)
        self.fact(
            did,
            inputs.RelativeIn,
            relation="me",
            full_name="Người mẹ",
            verified_on=_d(res - timedelta(15)),
        )
        self.fact(
            did,
            inputs.VerificationIn,
            certified_on=_d(res - timedelta(10)),
            certified_by="Đảng ủy cơ sở",
        )

    def to_chi_bo(self, did: int, res: date) -> None:
        self.fact(
            did,
            inputs.CertificateIn,
            number=f"GCN-{did:04d}",
            issued_on=_d(res - timedelta(200)),
            issuer="Trung tâm Chính trị",
        )
        self.go(did, Event.cu_di_hoc)
        self.go(did, Event.hoan_thanh_lop)

    def vote(self, did: int, kind: str, day: date, agree: int = 8, **kw: Any) -> None:
        self.fact(
            did,
            inputs.ResolutionIn,
            kind=kind,
            dated=_d(day),
            official_members=9,
            probationary_members=2,
            exempted=kw.pop("exempted", 0),
            agree=agree,
            against=9 - agree - kw.pop("absent", 1),
            **kw,
        )

    def run(self, did: int, org: str, target: str) -> None:
        t = self.today
        under_du = org in {"CB-VP", "CB-GDTH"}
        # How far back the chi bộ voted, so every later fact is in the past.
        months_back = {
            "du_bi": 5,
            "du_bi_ready": 16,
            "chinh_thuc": 16,
            "xoa_ten": 6,
            "huy_ket_nap": 6,
            "ket_nap": 3,
        }.get(target, 1)
        res = add_months(t, -months_back) if target != "chi_bo_xet_ready" else t - timedelta(10)
        if target == "nguon":
            return
        if target == "hoc_lop":
            self.go(did, Event.cu_di_hoc)
            return
        self.to_chi_bo(did, res)
        if target == "rut":
            self.go(did, Event.rut_ho_so, reason="Quần chúng xin rút hồ sơ vì chuyển công tác.")
            return
        if target == "chi_bo_xet_missing":
            # Papers recorded but no introducers' resolution from the union and one missing
            # introducer: `ketnap next` lists what is missing.
            self.fact(did, inputs.DocumentIn, kind="don_xin_vao_dang", dated=_d(res))
            return
        self.papers(did, res, org)
        if target == "khong_dat":
            self.vote(did, "chi_bo", res, agree=5, absent=0)
            self.go(
                did,
                Event.khong_dat,
                reason="Chi bộ biểu quyết 5/9 tán thành, không đủ 2/3 (R-VOTE-CB).",
            )
            return
        self.vote(did, "chi_bo", res)
        if under_du:
            self.vote(did, "dang_uy", res + timedelta(5), agree=7, absent=0)
        if target == "chi_bo_xet_ready":
            return
        self.go(did, Event.chi_bo_thong_qua)
        if target == "gui_ho_so":
            return
        self.go(did, Event.gui_cap_uy)
        if target == "tham_dinh":
            return
        if target == "tra_lai":
            self.go(
                did,
                Event.tra_lai,
                back_to=Stage.chi_bo_xet,
                reason="Bản tổng hợp ý kiến nơi cư trú thiếu xác nhận của chi bộ thôn.",
            )
            return
        self.go(did, Event.trinh_btv)
        if target == "btv_quyet_dinh":
            return
        signed = res + timedelta(35)
        self.fact(
            did,
            inputs.DecisionIn,
            kind="ket_nap",
            number=f"{100 + did}-QĐ/ĐU",
            signed_on=_d(signed),
            received_on=_d(signed + timedelta(3)),
        )
        self.go(did, Event.quyet_dinh_ket_nap)
        if target == "ket_nap":
            return
        self.fact(did, inputs.CeremonyIn, held_on=_d(signed + timedelta(17)))
        self.go(did, Event.to_chuc_le)
        if target == "du_bi":
            return
        if target == "huy_ket_nap":  # L-ANNUL: the committee annuls its decision
            from workflow.usecases.annulment import annul

            annul(
                self.ctx,
                did,
                {
                    "number": f"{700 + did}-QĐ/ĐU",
                    "signed_on": _d(signed + timedelta(60)),
                    "outcome": "xoa_ten",
                    "reason": "Người được kết nạp không đủ tiêu chuẩn về lịch sử chính trị.",
                },
            )
            return
        if target == "xoa_ten":  # L-XOA-TEN: the chi bộ proposes, the committee decides
            proposed = signed + timedelta(60)
            self.vote(did, "chi_bo_xoa_ten", proposed)
            self.fact(
                did,
                inputs.DecisionIn,
                kind="xoa_ten",
                number=f"{500 + did}-QĐ/ĐU",
                signed_on=_d(proposed + timedelta(10)),
                ground="bo_sinh_hoat",
            )
            self.go(
                did,
                Event.xoa_ten,
                reason="Không tham gia sinh hoạt chi bộ 3 tháng liền không có lý do.",
            )
            return
        end = add_months(signed + timedelta(17), 12)
        self.vote(did, "chi_bo_chinh_thuc", end + timedelta(4))
        if under_du:
            self.vote(did, "dang_uy_chinh_thuc", end + timedelta(8), agree=7, absent=0)
        self.fact(
            did,
            inputs.DecisionIn,
            kind="chinh_thuc",
            number=f"{300 + did}-QĐ/ĐU",
            signed_on=_d(end + timedelta(15)),
        )
        if target == "chinh_thuc":
            self.go(did, Event.cong_nhan_chinh_thuc)


def build_demo(ctx: Context) -> dict[str, int] | None:
    """Create the demo data; None when it is already there (the demo is idempotent)."""
    with ctx.read() as s:
        if s.exec(select(Organization.id).where(Organization.code == ROOT)).first():
            return None
    for org in ORGS:
        add_org(ctx, org)
    builder = _Builder(ctx)
    for name, sex, year, cell, target, occupation in PEOPLE:
        did = builder.person(name, sex, year, cell, occupation)
        builder.run(did, cell, target)
    _planning(ctx, builder.today)
    past = district_history(ctx)
    return {"orgs": len(ORGS) + 1 + len(COMMUNES), "dossiers": len(PEOPLE) + past}


# This year's targets (seed 001: an upper-secondary school admits at least 5 a year).
TARGETS = {"DUK-CQ": 12, "DB-SGD": 6, "DU-BL": 10, "CBCS-THPT": 5, "CBCS-CHE": 3}


def _planning(ctx: Context, today: date) -> None:
    """Targets, one plan sent on time (the school), and the committees' clerks' addresses;
    the other base organizations have sent no plan, so the scan reminds them."""
    year = today.year
    for org, value in TARGETS.items():
        targets.set_target(ctx, {"org_code": org, "year": year, "value": value})
    agenda.record_submission(
        ctx,
        {
            "org_code": "CBCS-THPT",
            "kind": "ke_hoach",
            "year": year,
            "submitted_on": _d(min(date(year, 1, 20), today)),
            "number": f"01-KH/CB ({year})",
        },
    )
    for org, name in (("DUK-CQ", "Nguyễn Thị Lan"), ("DU-BL", "Trần Văn Hùng")):
        agenda.contact_add(
            ctx,
            {
                "org_code": org,
                "role": "chuyen_vien",
                "name": name,
                "email": f"btc.{org.lower()}@example.vn",
            },
        )


# --- a district's 2020–2021 figures (seed 003, Thông báo 138-TB/HU, 18/6/2021) -------------
# "toàn Đảng bộ đã kết nạp 45/210 đảng viên, đạt 21,43% kế hoạch, giảm 11,9% so cùng kỳ năm
# 2020": 45 admitted by 18/06/2021 against 210; the same period of 2020 had 70 against the
# same 210 (33,33%), 11,90 percentage points more. One commune admitted no one yet.
DISTRICT = "HU-MAU"
COMMUNES = {
    "XA-AN": "An",
    "XA-BINH": "Bình",
    "XA-HOA": "Hòa",
    "XA-LAC": "Lạc",
    "XA-PHU": "Phú",
    "XA-TAN": "Tân",
    "XA-THANH": "Thành",
}
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "K'", "Ka", "Đặng", "Bùi")
_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu")
_GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hạnh", "Khoa", "Lan", "Nam", "Phúc", "Sang", "Tú")


def district_history(ctx: Context) -> int:
    add_org(
        ctx,
        {
            "code": DISTRICT,
            "name": "Huyện ủy mẫu (số liệu Thông báo 138-TB/HU năm 2021)",
            "kind": "cap_uy_co_tham_quyen",
            "sector": "khac",
            "parent_code": ROOT,
        },
    )
    for i, (code, name) in enumerate(COMMUNES.items()):
        add_org(
            ctx,
            {
                "code": code,
                "name": f"Chi bộ cơ sở xã {name}",
                "kind": "chi_bo_co_so",
                "sector": "xa_phuong",
                "parent_code": DISTRICT,
            },
        )
        if i < 6:  # the seventh has no target of its own: the sum of parts is 180, not 210
            for year in (2020, 2021):
                targets.set_target(ctx, {"org_code": code, "year": year, "value": 30})
    for year in (2020, 2021):
        targets.set_target(ctx, {"org_code": DISTRICT, "year": year, "value": 210})
    made = 0
    # 2020: 70 by 18/06 and 25 after; 2021: 45 by 18/06 (none in the last commune)
    plan = [
        (date(2020, 1, 6), 70, 2, 7),
        (date(2020, 7, 1), 25, 5, 7),
        (date(2021, 1, 11), 45, 3, 6),
    ]
    for first, count, step, communes in plan:
        for k in range(count):
            signed = first + timedelta(days=step * k // 2)
            n = made + k
            name = f"{_FAMILY[n % 10]} {_MIDDLE[n % 6]} {_GIVEN[n % 12]}"
            born, sex = (
                date(1988 + n % 16, 1 + n % 12, 1 + n % 27),
                Sex.nu if n % 3 == 0 else Sex.nam,
            )
            record_past_admission(
                ctx,
                {
                    "full_name": name,
                    "birth_date": _d(born),
                    "sex": sex.value,
                    "ethnicity": "K'Ho" if n % 10 == 6 else "Kinh",
                    "religion": "Công giáo" if n % 9 == 0 else "Không",
                    "cccd": make_cccd(born, sex, 500_000 + n),
                    "education": ("thpt", "cao_dang", "dai_hoc")[n % 3],
                    "occupation": ("nong_dan", "can_bo_cong_chuc", "vien_chuc", "cong_nhan")[n % 4],
                    "doan_member": n % 2 == 0,
                    "org_code": list(COMMUNES)[n % communes],
                    "number": f"{n + 1}-QĐ/HU",
                    "signed_on": _d(signed),
                    "voted_on": _d(signed - timedelta(days=40 + n % 20)),
                    "official_members": 12,
                    "agree": 11,
                    "ceremony_on": _d(signed + timedelta(days=21)),
                },
            )
        made += count
    return made
