"""Transfers (L-TRANSFER) and designation (L-NO-MEMBER) through the command line, each
command its own process: a transfer under one committee moves the dossier at once; across
committees it waits for the receiving side; the audit log replays to the rows and the
as-of view agrees; an ended or non-chi-bộ destination is bad input (exit 2, Vietnamese,
the field named) and every table is left as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import cccd_of
from tests.databases import TestDB
from tests.e2e.test_cli import ROOT

SETUP = [
    ["init", "--rehearsal"],
    ["org", "add", "--code", "TU", "--name", "Tỉnh ủy Lâm Đồng", "--kind", "cap_tinh"],
    [
        "org",
        "add",
        "--code",
        "DUK",
        "--name",
        "Đảng ủy Khối các cơ quan tỉnh",
        "--kind",
        "cap_uy_co_tham_quyen",
        "--parent",
        "TU",
    ],
    [
        "org",
        "add",
        "--code",
        "DB",
        "--name",
        "Đảng bộ Sở Giáo dục",
        "--kind",
        "dang_bo_co_so",
        "--parent",
        "DUK",
    ],
    [
        "org",
        "add",
        "--code",
        "CB",
        "--name",
        "Chi bộ Văn phòng",
        "--kind",
        "chi_bo",
        "--parent",
        "DB",
    ],
    [
        "org",
        "add",
        "--code",
        "CB2",
        "--name",
        "Chi bộ Tổ chức",
        "--kind",
        "chi_bo",
        "--parent",
        "DB",
    ],
    ["org", "add", "--code", "CBOLD", "--name", "Chi bộ cũ", "--kind", "chi_bo", "--parent", "DB"],
    [
        "org",
        "add",
        "--code",
        "DUK2",
        "--name",
        "Đảng ủy xã Lộc An",
        "--kind",
        "cap_uy_co_tham_quyen",
        "--parent",
        "TU",
    ],
    [
        "org",
        "add",
        "--code",
        "CBX",
        "--name",
        "Chi bộ thôn 3",
        "--kind",
        "chi_bo_co_so",
        "--parent",
        "DUK2",
    ],
    [
        "candidate",
        "add",
        "--name",
        "Lê Văn Hai",
        "--birth",
        "10/05/1995",
        "--sex",
        "nam",
        "--cccd",
        cccd_of("10/05/1995", "nam", 7),
        "--education",
        "dai_hoc",
        "--org",
        "CB",
        "--doan",
    ],
    ["advance", "1", "cu_di_hoc"],
]
LETTER = [
    "--letter-number",
    "12-GGT/ĐUK",
    "--letter-on",
    "10/11/2026",
    "--reason",
    "Chuyển công tác",
]


def ketnap(env: dict[str, str], *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", *args],
        cwd=ROOT,
        env={**os.environ, **env, "COLUMNS": "250"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def ok(env: dict[str, str], *args: str) -> str:
    code, out = ketnap(env, *args)
    assert code == 0, f"{args}\n{out}"
    return out


@pytest.fixture
def ready(env: dict[str, str], db: TestDB) -> dict[str, str]:
    for line in SETUP:
        ok(env, *line)
    db.sql("UPDATE organization SET valid_to = '2026-10-31' WHERE code = 'CBOLD'")
    return env


def agrees(env: dict[str, str], dossier: str = "1") -> None:
    verified = json.loads(ok(env, "audit", "verify", "--state", "--json"))
    assert verified["ok"] is True, verified
    live = json.loads(ok(env, "candidate", "show", dossier, "--json"))
    past = json.loads(ok(env, "candidate", "show", dossier, "--as-of", "25/11/2026", "--json"))
    assert (past["stage"], past["version"]) == (live["stage"], live["version"])


def test_a_transfer_under_one_committee_moves_the_dossier(ready: dict[str, str]) -> None:
    out = ok(ready, "transfer", "send", "1", "--to", "CB2", *LETTER)
    assert "Chi bộ Văn phòng (CB) sang Chi bộ Tổ chức (CB2) — Đã nhận" in out
    assert "L-TRANSFER" in out
    shown = ok(ready, "candidate", "show", "1")
    assert "Chi bộ Tổ chức" in shown and "CB → CB2, Đã nhận ngày 10/11/2026" in shown
    listed = json.loads(ok(ready, "transfer", "list", "--json"))
    assert [(t["from"]["code"], t["to"]["code"], t["status"]) for t in listed] == [
        ("CB", "CB2", "da_nhan")
    ]
    history = ok(ready, "history", "1")
    assert "Chuyển sinh hoạt đảng sang chi bộ khác" in history
    agrees(ready)


def test_across_committees_the_receiving_side_records_the_receipt(ready: dict[str, str]) -> None:
    out = ok(ready, "transfer", "send", "1", "--to", "CBX", *LETTER)
    assert "Đang chuyển" in out and "ketnap transfer receive 1 --on" in out
    assert json.loads(ok(ready, "candidate", "show", "1", "--json"))["org"]["code"] == "CB"
    out = ok(ready, "transfer", "receive", "1", "--on", "20/11/2026")
    assert "Đã nhận ngày 20/11/2026" in out and "Chi bộ nhận phải làm lại" not in out
    assert json.loads(ok(ready, "candidate", "show", "1", "--json"))["org"]["code"] == "CBX"
    code, again = ketnap(ready, "transfer", "receive", "1", "--on", "21/11/2026")
    assert code == 2 and "đã được bên nhận ghi nhận" in again and "Mã chuyển sinh hoạt" in again
    agrees(ready)


def test_a_cancelled_transfer_moves_nothing(ready: dict[str, str]) -> None:
    ok(ready, "transfer", "send", "1", "--to", "CBX", *LETTER)
    out = ok(ready, "transfer", "cancel", "1", "--reason", "Không chuyển công tác nữa")
    assert "Đã hủy" in out
    assert json.loads(ok(ready, "candidate", "show", "1", "--json"))["org"]["code"] == "CB"
    agrees(ready)


@pytest.mark.parametrize(
    ("to", "words"),
    [
        ("CBOLD", "đã kết thúc hoạt động từ ngày 31/10/2026"),
        ("DB", "không phải chi bộ"),
        ("DUK2", "không phải chi bộ"),
        ("CB", "hồ sơ đang ở chính"),
        ("KHONGCO", "không có tổ chức mã"),
    ],
)
def test_a_destination_that_is_no_live_chi_bo_is_bad_input_and_nothing_is_written(
    ready: dict[str, str], db: TestDB, to: str, words: str
) -> None:
    before = db.snapshot()
    code, out = ketnap(ready, "transfer", "send", "1", "--to", to, *LETTER)
    assert code == 2, out
    assert "Chi bộ nhận (--to)" in out and words in out, out
    assert "Traceback" not in out
    assert db.snapshot() == before


def test_a_transfer_without_its_letter_names_the_fields(ready: dict[str, str], db: TestDB) -> None:
    before = db.snapshot()
    code, out = ketnap(ready, "transfer", "send", "1", "--to", "CB2", "--letter-on", "32/11/2026")
    assert code == 2, out
    assert "Số giấy giới thiệu (--letter-number)" in out and "Lý do chuyển (--reason)" in out
    assert "Ngày giấy giới thiệu (--letter-on)" in out
    assert db.snapshot() == before


def test_designate_a_chi_bo_and_show_it(ready: dict[str, str], db: TestDB) -> None:
    args = [
        "--number",
        "15-QĐ/ĐUK",
        "--signed-on",
        "01/11/2026",
        "--place",
        "Công ty TNHH Hòa Bình",
    ]
    before = db.snapshot()
    code, out = ketnap(ready, "designate", "1", "--chi-bo", "CBOLD", *args)
    assert code == 2 and "Chi bộ được chỉ định (--chi-bo)" in out, out
    assert db.snapshot() == before
    out = ok(ready, "designate", "1", "--chi-bo", "CB2", *args)
    assert "chỉ định Chi bộ Tổ chức (CB2)" in out and "L-NO-MEMBER" in out
    shown = ok(ready, "candidate", "show", "1")
    assert "Chi bộ được chỉ định giúp đỡ: Chi bộ Tổ chức (CB2)" in shown
    agrees(ready)
