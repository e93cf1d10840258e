"""An audit log an inspector can trust even against whoever holds the database (issue 16).

Thirteen ways of tampering, each done to the database directly as an attacker would: by the
hash chain and the signed heads alone where the attacker had no key, and with a checkpoint
issued before the tampering where the attacker also had the key (and re-signed the heads).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from models import heads
from models.audit import _hashed_fields, event_hash
from models.canonical import canonical_json
from tests.conftest import admit, new_candidate
from tests.databases import TestDB
from workflow.domain.errors import BadInput
from workflow.domain.process import Event
from workflow.usecases.advancing import advance
from workflow.usecases.checkpoints import issue_checkpoint, witness_dir
from workflow.usecases.context import Context
from workflow.usecases.trust import verify_audit

COLUMNS = (
    "id, at, actor, dossier_id, kind, event, from_stage, to_stage, reason, rule_set_id, "
    "data, prev_hash, hash, channel, client"
)


@pytest.fixture
def log(ctx: Context) -> int:
    """A log of some thirty events, one commit each (so one signed head each)."""
    admit(ctx, new_candidate(ctx))
    other = new_candidate(ctx, full_name="Trần Thị Hoa")
    advance(ctx, other, Event.cu_di_hoc)
    report = verify_audit(ctx)
    assert report.ok and report.heads_checked, report.problems
    return report.length


def rows(db: TestDB) -> list[dict[str, Any]]:
    names = [c.strip() for c in COLUMNS.split(",")]
    found = db.sql(f"SELECT {COLUMNS} FROM audit_event ORDER BY id")
    out = []
    for r in found:
        row = dict(zip(names, r, strict=True))
        if not isinstance(row["data"], str):
            row["data"] = canonical_json(row["data"])  # JSONB on PostgreSQL
        out.append(row)
    return out


def rehash_from(db: TestDB, k: int) -> None:
    """What anyone can do with the published recipe: recompute every hash from event k on."""
    chain = rows(db)
    prev = chain[k - 2]["hash"] if k > 1 else "0" * 64
    for row in chain[k - 1 :]:
        row["prev_hash"] = prev
        digest = event_hash(_hashed_fields(row))
        db.sql(
            "UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :i",
            {"p": prev, "h": "t" + digest[1:], "i": row["id"]},
        )  # a temporary value first: the hash column is unique
        db.sql("UPDATE audit_event SET hash = :h WHERE id = :i", {"h": digest, "i": row["id"]})
        prev = digest


def resign_heads(db: TestDB, ctx: Context | None = None, signer: Any = None) -> None:
    """The attacker who also has the key: every head replaced by one of the new chain."""
    signer = signer or (ctx.signer if ctx is not None else None)
    assert signer is not None
    last = db.sql("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")[0]
    at = "2026-11-25T02:00:00.000000+00:00"
    body = heads.note(signer.key_id_hex, last[0], last[1], at)
    db.sql("DELETE FROM audit_head")
    db.sql(
        "INSERT INTO audit_head (length, head_hash, at, key_id, signature) "
        "VALUES (:l, :h, :a, :k, :s)",
        {
            "l": last[0],
            "h": last[1],
            "a": at,
            "k": signer.key_id_hex,
            "s": signer.sign(body).hex(),
        },
    )


def forged_row(db: TestDB, rid: int, prev: str) -> dict[str, Any]:
    row = {
        "id": rid,
        "at": "2026-11-25T02:00:00.000000+00:00",
        "actor": "ke_gian",
        "dossier_id": 1,
        "kind": "transition",
        "event": "cong_nhan_chinh_thuc",
        "from_stage": "du_bi",
        "to_stage": "chinh_thuc",
        "reason": None,
        "rule_set_id": "QD294-2025",
        "data": "{}",
        "prev_hash": prev,
        "channel": None,
        "client": None,
    }
    return {**row, "hash": event_hash(row)}


def insert(db: TestDB, row: dict[str, Any]) -> None:
    db.sql(
        "INSERT INTO audit_event (id, at, actor, dossier_id, kind, event, from_stage, to_stage, "
        "reason, rule_set_id, data, prev_hash, hash) VALUES (:id, :at, :actor, :dossier_id, "
        ":kind, :event, :from_stage, :to_stage, :reason, :rule_set_id, :data, :prev_hash, :hash)",
        row,
    )


def last_hash(db: TestDB) -> tuple[int, str]:
    found = db.sql("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")[0]
    return int(found[0]), str(found[1])


# --- without the key: the chain and the signed heads name it ------------------------------------


def _edit_payload(db: TestDB) -> None:
    db.sql("UPDATE audit_event SET reason = 'Bị sửa' WHERE id = 5")


def _edit_time(db: TestDB) -> None:
    db.sql("UPDATE audit_event SET at = '2020-01-01T00:00:00.000000+00:00' WHERE id = 5")


def _edit_actor(db: TestDB) -> None:
    db.sql("UPDATE audit_event SET actor = 'ke_gian' WHERE id = 5")


def _swap(db: TestDB) -> None:
    db.sql("UPDATE audit_event SET id = -1 WHERE id = 5")
    db.sql("UPDATE audit_event SET id = 5 WHERE id = 6")
    db.sql("UPDATE audit_event SET id = 6 WHERE id = -1")


def _delete_middle(db: TestDB) -> None:
    db.sql("DELETE FROM audit_event WHERE id = 5")


def _edit_hash(db: TestDB) -> None:
    db.sql("UPDATE audit_event SET hash = :h WHERE id = 5", {"h": "f" * 64})


def _insert_middle(db: TestDB) -> None:
    chain = rows(db)
    for row in reversed(chain[4:]):  # ids 5… move up by one
        db.sql("UPDATE audit_event SET id = :n WHERE id = :i", {"n": row["id"] + 1, "i": row["id"]})
    insert(db, forged_row(db, 5, chain[3]["hash"]))


NAMED_BY_THE_CHAIN: list[tuple[str, Callable[[TestDB], None], str]] = [
    ("edit a payload", _edit_payload, "Sự kiện #5 đã bị sửa"),
    ("edit a timestamp", _edit_time, "Sự kiện #5 đã bị sửa"),
    ("edit an actor", _edit_actor, "Sự kiện #5 đã bị sửa"),
    ("swap two ids", _swap, "Sự kiện #5 không nối với sự kiện #4"),
    ("delete a middle row", _delete_middle, "Thiếu sự kiện #5 (đã bị xóa)"),
    ("edit the hash column", _edit_hash, "Sự kiện #5 đã bị sửa"),
    ("insert a row", _insert_middle, "Sự kiện #6 không nối với sự kiện #5"),
]


@pytest.mark.parametrize(
    ("change", "named"),
    [(c, n) for _, c, n in NAMED_BY_THE_CHAIN],
    ids=[i for i, *_ in NAMED_BY_THE_CHAIN],
)
def test_a_clumsy_edit_is_named_by_the_chain(
    ctx: Context, db: TestDB, log: int, change: Callable[[TestDB], None], named: str
) -> None:
    change(db)
    report = verify_audit(ctx)
    assert not report.ok
    assert report.problems[0].startswith(named), report.problems


def test_deleting_the_last_event_is_named_by_the_signed_head(
    ctx: Context, db: TestDB, log: int
) -> None:
    db.sql("DELETE FROM audit_event WHERE id = :i", {"i": log})
    report = verify_audit(ctx)
    assert report.chain.ok  # the chain alone still links
    assert (
        not report.ok
        and report.problems == [report.problems[0]]
        and report.problems[0].startswith("Nhật ký bị cắt đuôi")
    )
    assert f"nay chỉ còn {log - 1}" in report.problems[0]


def test_deleting_the_last_ten_is_named_by_the_signed_head(
    ctx: Context, db: TestDB, log: int
) -> None:
    db.sql("DELETE FROM audit_event WHERE id > :i", {"i": log - 10})
    report = verify_audit(ctx)
    assert report.chain.ok and not report.ok
    assert f"các sự kiện #{log - 9}–#{log} đã bị xóa" in report.problems[0]


def test_a_forged_event_with_a_correct_hash_is_named_by_the_signed_head(
    ctx: Context, db: TestDB, log: int
) -> None:
    rid, prev = last_hash(db)
    insert(db, forged_row(db, rid + 1, prev))
    report = verify_audit(ctx)
    assert report.chain.ok and not report.ok
    assert report.problems[0] == (
        f"Sự kiện #{rid + 1} không có đầu chuỗi nào được ký: được thêm vào mà không có khóa ký "
        "của hệ thống (giả mạo), hoặc đầu chuỗi đã ký của lần ghi đó đã bị xóa."
    )


def test_no_write_signs_over_a_forged_event_or_a_cut_tail(
    ctx: Context, db: TestDB, log: int
) -> None:
    """The next honest write must not cover the forgery with a fresh signature."""
    from workflow.domain.errors import LogTampered

    rid, prev = last_hash(db)
    insert(db, forged_row(db, rid + 1, prev))
    before = db.sql("SELECT count(*) FROM audit_event")
    with pytest.raises(LogTampered, match=f"sự kiện #{rid + 1} sau đầu chuỗi đã ký cuối"):
        new_candidate(ctx, full_name="Lê Văn Cường")
    assert db.sql("SELECT count(*) FROM audit_event") == before  # nothing written
    assert not verify_audit(ctx).ok  # and the forgery is still named
    db.sql("DELETE FROM audit_event WHERE id > :i", {"i": rid - 3})
    with pytest.raises(LogTampered, match="bị cắt đuôi"):
        new_candidate(ctx, full_name="Lê Văn Cường")


def test_a_signing_database_refuses_a_write_without_its_key(ctx: Context, db: TestDB) -> None:
    signer = ctx.signer
    ctx.signer = None  # KETNAP_KEY pointing nowhere, as a misconfigured cron job would
    before = db.sql("SELECT count(*) FROM audit_event")
    with pytest.raises(BadInput, match="không có tệp khóa ký"):
        new_candidate(ctx)
    assert db.sql("SELECT count(*) FROM audit_event") == before
    ctx.signer = signer
    assert verify_audit(ctx).ok


def test_the_inspectors_key_alone_is_trusted_when_given(
    ctx: Context, log: int, tmp_path: Path
) -> None:
    from workflow.usecases.signing import create_key, load_signer

    assert ctx.signer is not None
    assert verify_audit(ctx, pubkeys=[ctx.signer.public.hex()]).ok
    create_key(tmp_path / "khac.ed25519")
    other = load_signer(tmp_path / "khac.ed25519").public.hex()
    report = verify_audit(ctx, pubkeys=[other])
    assert not report.ok and "có chữ ký sai" in report.problems[0]


def test_rewriting_from_event_k_is_named_by_the_signed_heads(
    ctx: Context, db: TestDB, log: int
) -> None:
    db.sql("UPDATE audit_event SET actor = 'ke_gian' WHERE id = 12")
    rehash_from(db, 12)
    report = verify_audit(ctx)
    assert report.chain.ok and not report.ok
    assert report.problems[0].startswith("Chuỗi bị viết lại sau sự kiện #11"), report.problems


def test_deleting_then_re_hashing_is_named_by_the_signed_heads(
    ctx: Context, db: TestDB, log: int
) -> None:
    db.sql("DELETE FROM audit_event WHERE id = 8")
    for rid in range(9, log + 1):
        db.sql("UPDATE audit_event SET id = :n WHERE id = :i", {"n": rid - 1, "i": rid})
    rehash_from(db, 8)
    report = verify_audit(ctx)
    assert report.chain.ok and not report.ok
    assert report.problems[0].startswith("Chuỗi bị viết lại sau sự kiện #7"), report.problems


def test_a_forged_signed_head_is_named(ctx: Context, db: TestDB, log: int) -> None:
    db.sql("UPDATE audit_head SET head_hash = :h WHERE length = :l", {"h": "a" * 64, "l": log})
    report = verify_audit(ctx)
    assert "có chữ ký sai" in report.problems[0]


def test_editing_the_dossier_stage_is_named_by_the_state_check(
    ctx: Context, db: TestDB, log: int
) -> None:
    db.sql("UPDATE dossier SET stage = 'chinh_thuc' WHERE id = 2")
    assert verify_audit(ctx).ok  # the log itself is intact
    report = verify_audit(ctx, state=True)
    assert not report.ok and not report.problems  # the log is intact; the table is not
    assert report.state_problems == [
        "Hồ sơ #2: bước trong bảng là “Đảng viên chính thức” (chinh_thuc), theo nhật ký là "
        "“Học lớp nhận thức” (hoc_lop)."
    ]
    assert report.state is not None and report.state["differences"] == [
        {"dossier_id": 2, "field": "stage", "table": "chinh_thuc", "replayed": "hoc_lop"}
    ]
    db.sql("UPDATE dossier SET stage = 'hoc_lop', version = 7 WHERE id = 2")
    assert verify_audit(ctx, state=True).state_problems == [
        "Hồ sơ #2: phiên bản trong bảng là 7, theo nhật ký là 2."
    ]
    db.sql("UPDATE dossier SET version = 2 WHERE id = 2")
    db.sql("UPDATE dossier SET party_joined_on = '2024-01-01' WHERE id = 1")
    assert verify_audit(ctx, state=True).state_problems == [
        "Hồ sơ #1: ngày vào Đảng trong bảng là 01/01/2024, theo nhật ký là 20/06/2025."
    ]


def test_the_replayed_state_of_an_honest_log_equals_the_tables(ctx: Context, log: int) -> None:
    report = verify_audit(ctx, state=True)
    assert report.ok, report.problems
    assert report.state is not None and report.state["dossiers"] == 2


# --- with the key too: the checkpoints issued before name it -----------------------------------


def checkpoint_then(ctx: Context, db: TestDB, tmp_path: Path) -> Path:
    made = issue_checkpoint(ctx, out=tmp_path / "giu.txt")
    assert (tmp_path / "giu.txt.minisig").exists() and made.length > 20
    return tmp_path / "giu.txt"


def test_with_the_key_a_cut_tail_is_named_by_an_earlier_checkpoint(
    ctx: Context, db: TestDB, log: int, tmp_path: Path
) -> None:
    held = checkpoint_then(ctx, db, tmp_path)
    length = last_hash(db)[0]
    db.sql("DELETE FROM audit_event WHERE id > :i", {"i": length - 10})
    resign_heads(db, ctx)
    report = verify_audit(ctx, checkpoints=[held])
    assert report.chain.ok and not report.ok
    (named,) = [p for p in report.problems if p.startswith("Chuỗi bị cắt dưới điểm kiểm giu.txt")]
    assert f"cơ sở dữ liệu chỉ còn {length - 10}" in named


def test_with_the_key_a_rewrite_is_named_by_an_earlier_checkpoint(
    ctx: Context, db: TestDB, log: int, tmp_path: Path
) -> None:
    held = checkpoint_then(ctx, db, tmp_path)
    db.sql("UPDATE audit_event SET reason = 'Viết lại' WHERE id = 12")
    rehash_from(db, 12)
    resign_heads(db, ctx)
    report = verify_audit(ctx, checkpoints=[held])
    assert report.chain.ok and not report.ok
    assert any("rẽ nhánh hoặc bị viết lại trước điểm kiểm giu.txt" in p for p in report.problems)


def test_with_the_key_a_fork_is_named_even_by_the_witness_folder_alone(
    ctx: Context, db: TestDB, log: int
) -> None:
    issue_checkpoint(ctx)  # to the witness folder beside the database
    db.sql("DELETE FROM audit_event WHERE id = 8")
    for rid in range(9, last_hash(db)[0] + 2):
        db.sql("UPDATE audit_event SET id = :n WHERE id = :i", {"n": rid - 1, "i": rid})
    rehash_from(db, 8)
    resign_heads(db, ctx)
    report = verify_audit(ctx)
    assert not report.ok and "điểm kiểm diem-kiem-" in report.problems[0], report.problems


def test_with_the_key_time_set_back_is_named(ctx: Context, db: TestDB, log: int) -> None:
    db.sql("UPDATE audit_event SET at = '2020-01-01T00:00:00.000000+00:00' WHERE id = 12")
    rehash_from(db, 12)
    resign_heads(db, ctx)
    report = verify_audit(ctx)
    assert not report.ok
    assert report.problems[0].startswith("Sự kiện #12 ghi thời điểm 01/01/2020 07:00:00"), (
        report.problems
    )


def test_a_checkpoint_signed_with_another_key_is_refused(
    ctx: Context, db: TestDB, log: int, tmp_path: Path
) -> None:
    held = checkpoint_then(ctx, db, tmp_path)
    body = held.read_text().replace("\n2", "\n3", 1)  # a changed length
    forged = tmp_path / "gia.txt"
    forged.write_text(body)
    (tmp_path / "gia.txt.minisig").write_text((tmp_path / "giu.txt.minisig").read_text())
    report = verify_audit(ctx, checkpoints=[forged])
    assert not report.ok and "Chữ ký của điểm kiểm gia.txt không đúng" in report.problems[0]


def test_checkpoints_go_to_the_witness_folder_and_never_replace_a_file(
    ctx: Context, db: TestDB, log: int
) -> None:
    made = issue_checkpoint(ctx)
    folder = witness_dir(db.url)
    assert folder.is_dir() and not str(folder).startswith(str(db.path or "/nothing") + "/")
    names = sorted(p.name for p in folder.iterdir())
    assert f"diem-kiem-{made.length}.txt" in names
    assert f"diem-kiem-{made.length}.txt.minisig" in names
    assert (folder / "nhat-ky-diem-kiem.txt").read_text().count("\n") == 1
    issue_checkpoint(ctx)
    assert (folder / "nhat-ky-diem-kiem.txt").read_text().count("\n") == 2
    report = verify_audit(ctx)
    assert report.ok and report.checkpoints[0]["file"].startswith("diem-kiem-")


def test_a_key_file_others_may_read_is_refused(db: TestDB, ctx: Context) -> None:
    from tests.conftest import NOW
    from workflow.usecases.clock import FixedClock
    from workflow.usecases.context import open_context

    db.key.chmod(0o644)
    import os

    os.environ["KETNAP_KEY"] = str(db.key)
    try:
        with pytest.raises(BadInput, match="chmod 600"):
            open_context(db.url, "x", FixedClock(NOW))
    finally:
        del os.environ["KETNAP_KEY"]
        db.key.chmod(0o600)


def test_verify_without_any_key_on_a_signing_database_is_bad_input(ctx: Context, log: int) -> None:
    """Without a key nothing signed can be checked: not "intact", and not "tampered"."""
    signer, ctx.signer = ctx.signer, None
    try:
        with pytest.raises(BadInput, match="không có khóa nào để kiểm chữ ký"):
            verify_audit(ctx)
    finally:
        ctx.signer = signer
