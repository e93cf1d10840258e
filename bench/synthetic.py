"""Synthetic dossiers in bulk, for the scan benchmark and the crash and concurrency tests.

Going through the services costs a few milliseconds per fact, too slow for a million
dossiers; this generator writes the same rows in bulk, like an import would: candidates,
dossiers at "kết nạp" (decision received, ceremony not yet held), the chi bộ resolution and
the admission decision, and the deadline rows computed by the same pure functions the
service uses (``dossier_dues``, the reminder policy). A test checks that the service, asked
to recompute them, arrives at the same rows. No audit events are written: these are not
clerks' actions.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select

from models.bulk import allocate_ids, insert_rows
from models.tables import Candidate, Deadline, Decision, Dossier, Organization, Resolution, Target
from workflow.domain.calendar import WorkingCalendar
from workflow.domain.deadlines import Due, dossier_dues
from workflow.domain.facts import DecisionFact, DossierFacts, ResolutionFact
from workflow.domain.identity import make_cccd
from workflow.domain.process import Stage
from workflow.domain.profile import admission_profile
from workflow.domain.reminders import Policy, latest_step, next_step
from workflow.domain.rules import rule_set_for
from workflow.domain.vocabulary import (
    DecisionKind,
    Education,
    EduException,
    Occupation,
    ResolutionKind,
    Sex,
)
from workflow.text.provinces import PROVINCES
from workflow.text.vntext import fold, order_text, sort_text
from workflow.usecases import tracking
from workflow.usecases.clock import Clock
from workflow.usecases.context import Context, open_context
from workflow.usecases.installation import initialise
from workflow.usecases.organizations import add_org

COMMITTEE = "GEN-CU"
FIRST = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Minh", "Hoàng", "Ngọc", "Đức", "Thu", "Quốc"]
ETHNICITIES = ["Kinh"] * 8 + ["Tày", "K'Ho"]
RELIGIONS = ["Không"] * 8 + ["Phật giáo", "Công giáo"]
OCCUPATIONS = [o.value for o in Occupation]
GIVEN = ["An", "Bình", "Chiến", "Dũng", "Đạt", "Hà", "Hùng", "Lan", "Mai", "Nam", "Thắng"]


def ensure_orgs(ctx: Context, cells: int, *, target_year: int | None = None) -> list[int]:
    """A deciding committee (through the service, audited) with ``cells`` chi bộ cơ sở under
    it, written in bulk (ten thousand organizations one by one would take minutes), each
    with an admission target for ``target_year`` when given."""
    generated = col(Organization.code).startswith("GEN-")
    with ctx.read() as s:
        have = set(s.exec(select(col(Organization.code)).where(generated)).all())
    if COMMITTEE not in have:
        add_org(ctx, {"code": COMMITTEE, "name": "Cấp ủy tổng hợp", "kind": "cap_uy_co_tham_quyen"})
    with ctx.write() as s:
        committee = s.exec(select(Organization).where(Organization.code == COMMITTEE)).one()
        now = ctx.clock.now()
        rows = [
            {
                "code": f"GEN-CB{i:05d}",
                "name": f"Chi bộ tổng hợp {i}",
                "name_key": f"chi bo tong hop {i}",
                "sort_key": order_text(f"Chi bộ tổng hợp {i}"),
                "kind": "chi_bo_co_so",
                "sector": "khac",
                "parent_id": committee.id,
                "has_doan": True,
                "has_cong_doan": False,
                "created_at": now,
            }
            for i in range(cells)
            if f"GEN-CB{i:05d}" not in have
        ]
        if rows:
            s.connection().execute(insert(Organization), rows)
        cells_only = col(Organization.code).startswith("GEN-CB")
        ids = sorted(i for i in s.exec(select(col(Organization.id)).where(cells_only)).all() if i)
        if target_year is not None and rows:
            rng = random.Random(cells)
            s.connection().execute(
                insert(Target),
                [
                    {
                        "org_id": oid,
                        "period": str(target_year),
                        "kind": "ket_nap",
                        "value": rng.randrange(50, 150),
                        "set_by": "bench",
                        "set_at": now,
                    }
                    for oid in ids
                ],
            )
    return ids


def _facts(vote: date, signed: date) -> DossierFacts:
    return DossierFacts(
        stage=Stage.ket_nap,
        birth_date=date(2000, 1, 1),
        education=Education.dai_hoc,
        edu_exception=EduException.khong,
        doan_member=True,
        cong_doan_member=False,
        under_dang_uy=False,
        unit_has_doan=True,
        resolutions=(ResolutionFact(ResolutionKind.chi_bo, vote, 9, 0, 8, 1),),
        decisions=(
            DecisionFact(DecisionKind.ket_nap, "1-QĐ", signed, signed + timedelta(2), True),
        ),
    )


def _progress(
    due: Due, policy: Policy, cal: WorkingCalendar, last_scan: date | None
) -> tuple[int | None, date | None]:
    """(last_step, next_fire_on) as a daily scan up to ``last_scan`` would have left them."""
    if due.done_on is not None:
        return None, None
    last: int | None = None
    if last_scan is not None:
        reached = latest_step(due.due, due.milestone, policy, cal, last_scan)
        last = reached[0] if reached else None
    following = next_step(last, due.due, due.milestone, policy, cal)
    return last, following[1] if following else None


def generate(
    ctx: Context,
    n: int,
    *,
    as_of: date,
    cells: int = 100,
    seed: int = 7,
    last_scan: date | None = None,
    chunk: int = 20_000,
    on_chunk: Callable[[int], None] | None = None,
    target_year: int | None = None,
) -> int:
    """Add ``n`` open dossiers whose decisions were signed in the 80 days before ``as_of``.

    With ``last_scan`` the deadlines look as a daily scan up to that day left them (the
    steady state of a running installation); without, as freshly imported.
    """
    rng = random.Random(seed)
    org_ids = ensure_orgs(ctx, cells, target_year=target_year)
    with ctx.read() as s:
        cal = tracking.calendar(s)
        table = tracking.policies(s)

    @cache
    def dues(vote: date, signed: date) -> tuple[tuple[Due, int | None, date | None], ...]:
        """The dossier's deadlines with their reminder progress (a few thousand distinct
        date pairs: computed once each)."""
        out = []
        for due in dossier_dues(_facts(vote, signed), rule_set_for(vote), cal):
            policy = tracking.policy_for(table, due.kind)
            out.append((due, *_progress(due, policy, cal, last_scan)))
        return tuple(out)

    now = ctx.clock.now()
    made = 0
    while made < n:
        size = min(chunk, n - made)
        people: list[dict[str, Any]] = []
        dossiers: list[dict[str, Any]] = []
        resolutions: list[dict[str, Any]] = []
        decisions: list[dict[str, Any]] = []
        deadlines: list[dict[str, Any]] = []
        with ctx.write() as s:  # ids from the sequences on PostgreSQL (models/bulk.py)
            cids = allocate_ids(s.connection(), Candidate, size)
            dids = allocate_ids(s.connection(), Dossier, size)
        for k in range(size):
            cid, did = cids[k], dids[k]
            org = org_ids[rng.randrange(len(org_ids))]
            signed = as_of - timedelta(days=rng.randrange(1, 80))
            vote = signed - timedelta(days=rng.randrange(20, 50))
            name = f"{rng.choice(FIRST)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            person = {
                "birth_date": date(1990 + rng.randrange(15), 1 + rng.randrange(12), 1),
                "sex": rng.choice(["nam", "nu"]),
                "ethnicity": rng.choice(ETHNICITIES),
                "religion": rng.choice(RELIGIONS),
                "education": rng.choice(["thpt", "cao_dang", "dai_hoc"]),
                "occupation": rng.choice(OCCUPATIONS),
                "doan_member": rng.random() < 0.6,
            }
            people.append(
                {
                    **person,
                    "id": cid,
                    "full_name": name,
                    "name_key": fold(name),
                    "sort_key": sort_text(name),
                    "cccd": unique_cccd(cid, person["birth_date"], person["sex"]),
                    "edu_exception": "khong",
                    "cong_doan_member": False,
                    "residence": "",
                    "org_id": org,
                    "created_at": now,
                }
            )
            dossiers.append(
                {
                    "id": did,
                    "candidate_id": cid,
                    "org_id": org,
                    "stage": Stage.ket_nap.value,
                    "version": 8,
                    "rule_set_id": rule_set_for(vote).id,
                    "party_joined_on": signed,
                    "admitted_profile": admission_profile(**person, admitted_on=signed),
                    "opened_on": vote - timedelta(days=200),
                    "updated_at": now,
                }
            )
            resolutions.append(
                {
                    "dossier_id": did,
                    "kind": "chi_bo",
                    "round": 1,
                    "dated": vote,
                    "number": "",
                    "official_members": 9,
                    "probationary_members": 0,
                    "exempted": 0,
                    "agree": 8,
                    "against": 1,
                }
            )
            decisions.append(
                {
                    "dossier_id": did,
                    "kind": "ket_nap",
                    "number": f"{did}-QĐ",
                    "signed_on": signed,
                    "received_on": signed + timedelta(2),
                    "approve": True,
                }
            )
            for due, last, next_on in dues(vote, signed):
                deadlines.append(
                    {
                        "subject": tracking.dossier_subject(did),
                        "kind": due.kind,
                        "org_id": org,
                        "dossier_id": did,
                        **tracking.due_fields(due),
                        "last_step": last,
                        "next_fire_on": next_on,
                        "created_on": last_scan or as_of,
                        "updated_at": now,
                    }
                )
        with ctx.write() as s:
            conn = s.connection()
            insert_rows(conn, Candidate, people)
            insert_rows(conn, Dossier, dossiers)
            insert_rows(conn, Resolution, resolutions)
            insert_rows(conn, Decision, decisions)
            insert_rows(conn, Deadline, deadlines)
        made += size
        if on_chunk is not None:
            on_chunk(made)
    return made


def candidate_sheet(path: Path, rows: Iterable[dict[str, str]]) -> Path:
    """A CSV in the candidates' template layout (workflow/sheets/candidates.py), one row per mapping
    of field → cell; the benches and tests build their dossiers under way with it."""
    from workflow.sheets.candidate_columns import FIELDS, TITLES

    lines = [",".join(TITLES[f] for f in FIELDS)]
    lines += [",".join(row.get(f, "") for f in FIELDS) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_CODES = tuple(PROVINCES)


def unique_cccd(i: int, born: date, sex: str) -> str:
    """A number of its own for the ``i``-th person (unique up to 63 million), agreeing with
    the birth year and the sex as the input models check (workflow/domain/identity.py)."""
    return make_cccd(born, Sex(sex), i % 1_000_000, _CODES[i // 1_000_000 % len(_CODES)])


def _person(i: int, org_code: str) -> dict[str, str]:
    return {
        "full_name": f"Người Thử {spelled(i)}",
        "birth_date": "15/08/2000",
        "sex": "Nam" if i % 2 else "Nữ",
        "cccd": unique_cccd(i, date(2000, 8, 15), "nam" if i % 2 else "nu"),
        "education": "Đại học",
        "org_code": org_code,
    }


_DIGITS = ("Không", "Một", "Hai", "Ba", "Bốn", "Năm", "Sáu", "Bảy", "Tám", "Chín")


def spelled(number: int) -> str:
    """12 → 'Một Hai': a person's name has no digits (the input models refuse them)."""
    return " ".join(_DIGITS[int(d)] for d in str(number))


def class_rows(n: int, org_code: str, *, without_certificate: int = 0) -> list[dict[str, str]]:
    """``n`` learners in class (at "Học lớp nhận thức"), all but the first
    ``without_certificate`` with their certificate: a class to send back to its chi bộ."""
    certificate = {
        "certificate_number": "GCN-{i}",
        "certificate_on": "12/11/2026",
        "certificate_issuer": "Trung tâm Chính trị",
    }
    return [
        _person(i, org_code)
        | {"stage": "Học lớp nhận thức"}
        | ({k: v.format(i=i) for k, v in certificate.items()} if i >= without_certificate else {})
        for i in range(n)
    ]


def sent_rows(n: int, org_code: str) -> list[dict[str, str]]:
    """``n`` dossiers under way at "Gửi hồ sơ" in a chi bộ cơ sở (voted 8 of 9): from there
    the table goes on (gửi cấp ủy, trình Ban Thường vụ) and back (trả lại) without end."""
    return [
        _person(i, org_code)
        | {
            "stage": "Gửi hồ sơ",
            "certificate_number": f"GCN-{i}",
            "certificate_on": "12/03/2026",
            "certificate_issuer": "Trung tâm Chính trị",
            "voted_on": "10/06/2026",
            "official_members": "9",
            "agree": "8",
        }
        for i in range(n)
    ]


def one_chi_bo(url: str, clock: Clock, rows: list[dict[str, str]], sheet: Path) -> Context:
    """A fresh installation with one committee (CU) and one chi bộ cơ sở (CB), and ``rows``
    (for org CB) imported through the importer, as a clerk would."""
    from workflow.sheets.candidates import import_candidates

    ctx = open_context(url, "bench", clock, require_init=False)
    initialise(ctx)
    add_org(ctx, {"code": "CU", "name": "Cấp ủy", "kind": "cap_uy_co_tham_quyen"})
    add_org(ctx, {"code": "CB", "name": "Chi bộ", "kind": "chi_bo_co_so", "parent_code": "CU"})
    import_candidates(ctx, candidate_sheet(sheet, rows))
    return ctx
