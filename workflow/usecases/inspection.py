"""Inspection bundles: a signed, self-contained copy of the audit chain for the Inspection
Committee (Ủy ban Kiểm tra), verifiable offline with nothing but the public key.

A bundle is one zip file:
- ``events.jsonl`` — the chain's events in id order, one JSON object per line. Events of
  organizations outside the bundle's scope are kept as stubs (id, prev_hash, hash) so the
  chain still links, while their content stays out of the copy.
- ``manifest.json`` — the scope, the chain's first and last ids, the segment's head, the
  whole chain's length and head at export time, the rule sets and calendar overrides in
  force, what personal data the copy holds, and the SHA-256 of ``events.jsonl``.
- ``manifest.sig`` — the Ed25519 signature of the manifest's exact bytes, made with the
  installation key that ``ketnap init`` creates (``cryptography``, a well-kept library).

``verify_bundle`` needs no database: it checks the signature, the file digest, then walks
the chain and names the first event that does not fit, and how.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from models.audit import GENESIS, _hashed_fields, event_hash
from models.canonical import canonical_json
from workflow.usecases.clock import VN_TZ

FORMAT = "ketnap-bundle/1"
EVENTS, MANIFEST, SIGNATURE = "events.jsonl", "manifest.json", "manifest.sig"
_COLUMNS = (
    "id",
    "at",
    "actor",
    "dossier_id",
    "kind",
    "event",
    "from_stage",
    "to_stage",
    "reason",
    "rule_set_id",
    "data",
    "prev_hash",
    "hash",
    "channel",
    "client",
)


# --- the installation key ----------------------------------------------------------------------


def key_path(db: str | None) -> Path:
    """KETNAP_KEY, or next to the SQLite file (``ketnap.db`` → ``ketnap.db.ed25519``); ``db``
    as ``open_context`` takes it."""
    from models.db import database_url

    explicit = os.environ.get("KETNAP_KEY")
    if explicit:
        return Path(explicit)
    db_url = database_url(db)
    if db_url.startswith("sqlite:///"):
        return Path(db_url.removeprefix("sqlite:///") + ".ed25519")
    raise ValueError("đặt biến KETNAP_KEY: đường dẫn tệp khóa ký của hệ thống")


def ensure_key(path: Path) -> str:
    """Create the installation's signing key once (readable by its owner only); return the
    public key in hex, to hand to the inspectors."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
    return public_key_hex(path)


def _private(path: Path) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def public_key_hex(path: Path) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = (
        _private(path)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return str(raw.hex())


# --- export ------------------------------------------------------------------------------------


def _utc(day: date, end: bool) -> str:
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=VN_TZ)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def write_bundle(
    out: Path,
    rows: list[dict[str, Any]],
    in_scope: set[int],
    manifest: dict[str, Any],
    key: Path,
) -> dict[str, Any]:
    """Write the zip: events (full when in scope, else stubs), the manifest, its signature."""
    lines = []
    for row in rows:
        if row["id"] in in_scope:
            lines.append(canonical_json(row))
        else:
            stub = {"id": row["id"], "prev_hash": row["prev_hash"], "hash": row["hash"]}
            lines.append(canonical_json({**stub, "stub": True}))
    events = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    manifest = {
        **manifest,
        "format": FORMAT,
        "counts": {"events": len(rows), "full": len(in_scope), "stubs": len(rows) - len(in_scope)},
        "files": {EVENTS: hashlib.sha256(events).hexdigest()},
        "public_key": public_key_hex(key),
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    signature = _private(key).sign(body)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(EVENTS, events)
        z.writestr(MANIFEST, body)
        z.writestr(SIGNATURE, signature.hex())
    return manifest


def rows_in_range(conn: Any, start: date | None, end: date | None) -> list[dict[str, Any]]:
    """The chain's events whose time falls in [start, end] (Vietnam days), in id order: a
    contiguous segment, since ids and times grow together."""
    from sqlalchemy import text

    from models.tables import ChainedJSON

    where, params = [], {}
    if start is not None:
        where.append("at >= :lo")
        params["lo"] = _utc(start, end=False)
    if end is not None:
        where.append("at <= :hi")
        params["hi"] = _utc(end, end=True)
    ids = conn.execute(
        text(
            "SELECT min(id), max(id) FROM audit_event"
            + (" WHERE " + " AND ".join(where) if where else "")
        ),
        params,
    ).one()
    if ids[0] is None:
        return []
    result = conn.execute(
        text(
            f"SELECT {', '.join(_COLUMNS)} FROM audit_event WHERE id BETWEEN :a AND :b ORDER BY id"
        ).columns(data=ChainedJSON),  # the canonical text on every database (JSONB on PG)
        {"a": ids[0], "b": ids[1]},
    )
    return [dict(zip(_COLUMNS, r, strict=True)) for r in result]


# --- verification (offline) ----------------------------------------------------------------------


@dataclass
class BundleReport:
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    events: int = 0
    full: int = 0
    stubs: int = 0
    first_id: int | None = None
    last_id: int | None = None
    head_hash: str | None = None
    manifest: dict[str, Any] = field(default_factory=dict)

    def fail(self, message: str) -> None:
        self.ok = False
        self.problems.append(message)


def verify_bundle(path: Path, public_key: str) -> BundleReport:
    """Check a bundle with nothing but its file and the public key (hex)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    report = BundleReport()
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            missing = {EVENTS, MANIFEST, SIGNATURE} - names
            if missing:
                report.fail(f"Tệp thiếu phần: {', '.join(sorted(missing))}.")
                return report
            events, body, signature = z.read(EVENTS), z.read(MANIFEST), z.read(SIGNATURE)
    except (OSError, zipfile.BadZipFile):
        report.fail(f"'{path.name}' không phải một gói kiểm tra đọc được (zip hỏng hoặc sai tệp).")
        return report
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key.strip()))
    except ValueError:
        report.fail("Khóa công khai không hợp lệ (cần 64 ký tự hex của khóa Ed25519).")
        return report
    try:
        key.verify(bytes.fromhex(signature.decode("ascii").strip()), body)
    except (InvalidSignature, ValueError):
        report.fail(
            "Chữ ký của bản kê khai không khớp với khóa công khai đã cho: gói được ký bằng khóa "
            "khác, hoặc bản kê khai đã bị sửa."
        )
    try:
        manifest = json.loads(body)
    except ValueError:
        report.fail("Bản kê khai (manifest.json) không đọc được.")
        return report
    report.manifest = manifest
    digest = hashlib.sha256(events).hexdigest()
    if manifest.get("files", {}).get(EVENTS) != digest:
        report.fail(
            "Tệp events.jsonl khác với bản đã ký trong bản kê khai (mã băm không khớp); "
            "chỗ khác được chỉ ra dưới đây."
        )
    _walk(events, manifest, report)
    return report


def _walk(events: bytes, manifest: dict[str, Any], report: BundleReport) -> None:
    chain = manifest.get("chain", {})
    expected_prev = chain.get("segment_prev_hash", GENESIS)
    expected_id = chain.get("first_id")
    first_problem = len(report.problems)
    for number, line in enumerate(events.decode("utf-8", errors="replace").splitlines(), 1):
        try:
            row = json.loads(line)
            rid = int(row["id"])
        except (ValueError, KeyError, TypeError):
            report.fail(f"Dòng {number} của events.jsonl không đọc được (đã bị sửa).")
            return
        if expected_id is not None and rid != expected_id:
            if rid > expected_id:
                report.fail(f"Thiếu sự kiện #{expected_id}: sau #{expected_id - 1} là #{rid}.")
            else:
                report.fail(f"Sự kiện #{rid} đứng sai thứ tự (sau #{expected_id - 1}).")
            return
        if row.get("prev_hash") != expected_prev:
            report.fail(
                f"Sự kiện #{rid} không nối với sự kiện trước nó: chuỗi bị xóa, chèn hoặc đổi "
                "thứ tự tại đây."
            )
            return
        if not row.get("stub"):
            if event_hash(_hashed_fields(row)) != row.get("hash"):
                report.fail(f"Sự kiện #{rid} đã bị sửa: nội dung không khớp với mã băm đã ghi.")
                return
            report.full += 1
        else:
            report.stubs += 1
        report.events += 1
        report.first_id = report.first_id or rid
        report.last_id = rid
        expected_id, expected_prev = rid + 1, row["hash"]
    report.head_hash = expected_prev
    counts = manifest.get("counts", {})
    if len(report.problems) == first_problem:
        if counts.get("events") != report.events:
            report.fail(
                f"Bản kê khai ghi {counts.get('events')} sự kiện, tệp có {report.events}: "
                "sự kiện cuối bị xóa hoặc thêm."
            )
        elif chain.get("segment_head_hash") != expected_prev:
            report.fail("Sự kiện cuối không phải đầu chuỗi đã ký trong bản kê khai.")


def export_bundle(
    ctx: Any,
    out: Path,
    key: Path,
    *,
    org_code: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    """Export the chain's segment for [start, end] (whole chain by default), the events of
    ``org_code``'s subtree in full and the others as stubs; the export is itself audited."""
    from sqlmodel import col, select

    from models import audit
    from models.tables import CalendarOverride, Dossier
    from workflow.usecases import tracking
    from workflow.usecases.access import Action
    from workflow.usecases.organizations import org_by_code
    from workflow.usecases.outfiles import check_target, staged
    from workflow.usecases.settings import rule_sets

    if not key.exists():
        raise FileNotFoundError(key)
    sets = rule_sets(ctx)
    check_target(out)  # before anything is read or audited
    with staged(out) as temp:  # the bundle appears once its audit event is committed
        with ctx.write() as s:
            scope_org = org_by_code(s, org_code).id if org_code is not None else None
            ctx.allow(s, Action.export, scope_org)
            audit.append(
                s,
                at=ctx.clock.now(),
                actor=ctx.actor,
                kind="inspection",
                event="xuat_goi_kiem_tra",
                data={
                    "org": org_code,
                    "from": start.isoformat() if start else None,
                    "to": end.isoformat() if end else None,
                },
            )
            conn = s.connection()
            rows = rows_in_range(conn, start, end)
            db_length, db_head = audit.head(s)
            scope_codes: set[str] | None = None
            dossiers: set[int] = set()
            if org_code is not None:
                org = org_by_code(s, org_code)
                assert org.id is not None
                tree = tracking.OrgTree(s)
                ids = tree.subtree(org.id)
                scope_codes = {tree.nodes[i].code for i in ids}
                dossiers = {
                    d
                    for d in s.exec(select(col(Dossier.id)).where(col(Dossier.org_id).in_(ids)))
                    if d is not None
                }
            overrides = [
                {"day": c.day.isoformat(), "working": c.working, "note": c.note}
                for c in s.exec(select(CalendarOverride)).all()
            ]
            in_scope = {
                r["id"]
                for r in rows
                if scope_codes is None
                or r["dossier_id"] in dossiers
                or (
                    r["dossier_id"] is None
                    and json.loads(r["data"] or "{}").get("org") in scope_codes
                )
            }
            personal = sorted(
                {
                    key_name
                    for r in rows
                    if r["id"] in in_scope
                    for key_name in ("birth_month",)
                    if key_name in (r["data"] or "")
                }
            )
            manifest = {
                "created_at": ctx.clock.now().astimezone(UTC).isoformat(timespec="seconds"),
                "created_by": ctx.actor,
                "scope": {
                    "org": org_code,
                    "from": start.isoformat() if start else None,
                    "to": end.isoformat() if end else None,
                },
                "chain": {
                    "first_id": rows[0]["id"] if rows else None,
                    "last_id": rows[-1]["id"] if rows else None,
                    "segment_prev_hash": rows[0]["prev_hash"] if rows else GENESIS,
                    "segment_head_hash": rows[-1]["hash"] if rows else GENESIS,
                    "db_length": db_length,
                    "db_head_hash": db_head,
                },
                "rule_sets": sets,
                "calendar_overrides": overrides,
                "personal_data": {
                    "contains": personal,
                    "note": (
                        "Gói có dữ liệu cá nhân (Nghị định 13/2023/NĐ-CP): tháng năm sinh."
                        if personal
                        else "Gói không có dữ liệu cá nhân."
                    )
                    + " Không có số CCCD, lý lịch hay tên người thân.",
                },
            }
            made = write_bundle(temp, rows, in_scope, manifest, key)
    return made
