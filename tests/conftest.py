"""Shared fixtures: a real database per test (a SQLite file, or a PostgreSQL database when
KETNAP_TEST_PG names a server: tests/databases.py), migrated by Alembic, and a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.databases import TestDB, new_db
from workflow.domain.identity import make_cccd
from workflow.domain.vocabulary import Sex
from workflow.inputs import dossier as inputs
from workflow.text.vntext import parse_date
from workflow.usecases.clock import VN_TZ, FixedClock
from workflow.usecases.context import Context, open_context
from workflow.usecases.dossiers import add_candidate
from workflow.usecases.installation import initialise
from workflow.usecases.organizations import add_org

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ)

# The tree used throughout: province → deciding committee → base committee → chi bộ,
# and a chi bộ cơ sở directly under the deciding committee.
TREE: list[dict[str, Any]] = [
    {"code": "TU", "name": "Tỉnh ủy Lâm Đồng", "kind": "cap_tinh"},
    {
        "code": "DUK",
        "name": "Đảng ủy Khối các cơ quan tỉnh",
        "kind": "cap_uy_co_tham_quyen",
        "parent_code": "TU",
    },
    {"code": "DB", "name": "Đảng bộ Sở Giáo dục", "kind": "dang_bo_co_so", "parent_code": "DUK"},
    {"code": "CB", "name": "Chi bộ Văn phòng", "kind": "chi_bo", "parent_code": "DB"},
    {
        "code": "CBCS",
        "name": "Chi bộ Trường THPT Bảo Lâm",
        "kind": "chi_bo_co_so",
        "parent_code": "DUK",
        "sector": "truong_hoc",
    },
]


_opened: list[Context] = []


def make_context(db: TestDB, clock: FixedClock | None = None, *, rehearse: bool = False) -> Context:
    """A context on ``db``, initialised with the test's own signing key (``db.key``)."""
    ctx = open_context(db.url, "chuyen_vien_test", clock or FixedClock(NOW), require_init=False)
    initialise(ctx, rehearsal=rehearse, key=db.key)
    _opened.append(ctx)
    return ctx


@pytest.fixture(autouse=True)
def _own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys and witness folders a test makes by default land in its own folder, never in
    the home folder of whoever runs the suite."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("KETNAP_KEY", raising=False)
    monkeypatch.delenv("KETNAP_WITNESS_DIR", raising=False)


@pytest.fixture(autouse=True)
def _close_connections() -> Iterator[None]:
    """Every context a test opened closes its connections when the test ends (a server
    counts them, and psycopg warns of one left open)."""
    yield
    while _opened:
        _opened.pop().engine.dispose()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[TestDB]:
    """This test's database (SQLite file, or PostgreSQL when KETNAP_TEST_PG is set)."""
    made = new_db(tmp_path)
    yield made
    made.drop()


@pytest.fixture
def ctx(db: TestDB) -> Iterator[Context]:
    context = make_context(db)
    for org in TREE:
        add_org(context, org)
    yield context
    context.engine.dispose()


_serial = iter(range(10**6))


def new_candidate(ctx: Context, **overrides: Any) -> int:
    data: dict[str, Any] = {
        "full_name": "Nguyễn Văn Thắng",
        "birth_date": "15/08/2000",
        "sex": "nam",
        "education": "dai_hoc",
        "org_code": "CB",
        "doan_member": True,
    }
    data.update(overrides)
    data.setdefault("cccd", cccd_of(data["birth_date"], data["sex"], next(_serial)))
    return int(add_candidate(ctx, data)["dossier_id"])


def cccd_of(birth: str | date, sex: str, serial: int, province: str = "001") -> str:
    """A number that agrees with the person's birth year and sex (workflow/domain/identity.py);
    a birth date a test means to be wrong gets one of 2000's."""
    try:
        born = birth if isinstance(birth, date) else parse_date(birth)
        return make_cccd(born, Sex(sex), serial, province)
    except ValueError:
        return make_cccd(date(2000, 1, 1), Sex.nam, serial, province)


def fact(ctx: Context, did: int, model: type[inputs.FactIn], **data: Any) -> None:
    from workflow.usecases.recording import record_fact

    record_fact(ctx, did, model, data)


def complete_papers(
    ctx: Context, did: int, *, vote_on: str = "06/05/2025", vote: bool = True
) -> None:
    """Everything a chi bộ under a đảng ủy needs for a 24-year-old Đoàn member (without the
    chi bộ's own vote when ``vote`` is false: another chi bộ may cast it)."""
    fact(
        ctx,
        did,
        inputs.CertificateIn,
        number="GCN-1",
        issued_on="10/03/2025",
        issuer="Trung tâm Chính trị",
    )
    fact(ctx, did, inputs.DocumentIn, kind="don_xin_vao_dang", dated="01/04/2025")
    fact(ctx, did, inputs.DocumentIn, kind="ly_lich", dated="05/04/2025")
    fact(ctx, did, inputs.DocumentIn, kind="tong_hop_y_kien", dated="20/04/2025")
    fact(ctx, did, inputs.DocumentIn, kind="nghi_quyet_doan", dated="22/04/2025")
    fact(
        ctx,
        did,
        inputs.IntroducerIn,
        full_name="Phan Văn Hùng",
        official=True,
        months_together=36,
        introduced_on="21/04/2025",
    )
    fact(
        ctx,
        did,
        inputs.RelativeIn,
        relation="me",
        full_name="Lê Thị Bích",
        verified_on="25/04/2025",
    )
    fact(ctx, did, inputs.VerificationIn, certified_on="28/04/2025", certified_by="Đảng ủy Sở")
    if not vote:
        return
    fact(
        ctx,
        did,
        inputs.ResolutionIn,
        kind="chi_bo",
        dated=vote_on,
        official_members=9,
        agree=8,
        against=1,
    )


def admit(
    ctx: Context,
    did: int,
    *,
    vote_on: str = "06/05/2025",
    du_on: str = "12/05/2025",
    signed_on: str = "20/06/2025",
    received_on: str = "23/06/2025",
) -> None:
    """Walk a new dossier of chi bộ CB through every step up to the admission decision."""
    from workflow.domain.process import Event
    from workflow.usecases.advancing import advance

    advance(ctx, did, Event.cu_di_hoc)
    complete_papers(ctx, did, vote_on=vote_on)
    advance(ctx, did, Event.hoan_thanh_lop)
    advance(ctx, did, Event.chi_bo_thong_qua)
    fact(ctx, did, inputs.ResolutionIn, kind="dang_uy", dated=du_on, official_members=7, agree=7)
    advance(ctx, did, Event.gui_cap_uy)
    advance(ctx, did, Event.trinh_btv)
    fact(
        ctx,
        did,
        inputs.DecisionIn,
        kind="ket_nap",
        number=f"{did}-QĐ/ĐUK",
        signed_on=signed_on,
        received_on=received_on,
    )
    advance(ctx, did, Event.quyet_dinh_ket_nap)


def live_and_log_agree(ctx: Context, did: int) -> None:
    """AUD-STATE: the dossier table is what the log replays to; the as-of view of today is
    the live dossier (stage, version, organization)."""
    from workflow.usecases.asof import dossier_as_of
    from workflow.usecases.trust import verify_audit
    from workflow.usecases.views import show

    report = verify_audit(ctx, state=True)
    assert report.state is not None and report.state["differences"] == [], report.state_problems
    assert report.ok, report.problems
    live = show(ctx, did)
    rebuilt = dossier_as_of(ctx, did, ctx.today())
    assert (rebuilt["stage"], rebuilt["version"]) == (live["stage"], live["version"])
    assert rebuilt["org"] == live["org"]["code"]
