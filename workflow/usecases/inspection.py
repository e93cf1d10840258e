"""Inspection bundles: a signed, self-contained copy of the audit chain for the Inspection
Committee (Ủy ban Kiểm tra), verifiable offline with nothing but the public key.

A bundle is one zip file:
- ``events.jsonl`` — the chain's events in id order, one JSON object per line. Events of
  organizations outside the bundle's scope are kept as stubs (id, prev_hash, hash) so the
  chain still links, while their content stays out of the copy.
- ``manifest.json`` — the scope, the chain's first and last ids, the segment's head, the
  whole chain's length and head at export time, the rule sets and calendar overrides in
  force, what personal data the copy holds, and the SHA-256 of ``events.jsonl``.
- ``manifest.json.minisig`` — the minisign signature of the manifest's exact bytes, made
  with the installation key (workflow/usecases/signing.py): ``minisign -Vm manifest.json``
  checks it as well as ketnap does.
- ``diem-kiem-<n>.txt`` and its ``.minisig`` — the checkpoint issued with the export (the
  inspector keeps it: a later bundle or database must extend it).
- the manifest also lists the key rotations (each signed by both keys), so a bundle made
  after a rotation verifies with the key the inspector was first given.

``verify_bundle`` needs no database: it checks the signature, the file digest, then walks
the chain and names the first event that does not fit, and how.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from models.audit import GENESIS, _hashed_fields, event_hash, shown
from models.canonical import canonical_json
from workflow.domain.errors import BadInput
from workflow.text.vntext import fmt_date
from workflow.usecases import signing
from workflow.usecases.checkpoints import CheckpointForged, read_checkpoint
from workflow.usecases.clock import VN_TZ
from workflow.usecases.keyring import ring
from workflow.usecases.signing import Signer

FORMAT = "ketnap-bundle/1"
EVENTS, MANIFEST, SIGNATURE = "events.jsonl", "manifest.json", "manifest.json.minisig"
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


# --- export ------------------------------------------------------------------------------------


def _utc(day: date, end: bool) -> str:
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=VN_TZ)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def write_bundle(
    out: Path,
    rows: list[dict[str, Any]],
    in_scope: set[int],
    manifest: dict[str, Any],
    signer: Signer,
    extra: dict[str, bytes] | None = None,
) -> dict[str, Any]:
    """Write the zip: events (full when in scope, else stubs), the manifest, its signature
    (and ``extra`` files: the checkpoint issued with it)."""
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
        "public_key": signer.public_minisign(),
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    comment = f"ketnap goi kiem tra: {manifest['counts']['events']} su kien"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(EVENTS, events)
        z.writestr(MANIFEST, body)
        z.writestr(SIGNATURE, signer.minisig(body, comment))
        for name, data in (extra or {}).items():
            z.writestr(name, data)
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
    notes: list[str] = field(default_factory=list)
    extended: list[str] = field(default_factory=list)  # what it was found to extend
    hashes: dict[int, str] = field(default_factory=dict)  # id → hash, for the checkpoints

    def fail(self, message: str) -> None:
        self.ok = False
        self.problems.append(message)


def verify_bundle(
    path: Path,
    public_key: str,
    checkpoints: Sequence[Path] = (),
    earlier: Sequence[Path] = (),
) -> BundleReport:
    """Check a bundle with nothing but its file and the public key (64 hex digits or
    minisign's form): the signature, the file digest, the chain; then that it extends each
    checkpoint and each earlier bundle the inspector holds (AUD-CHECKPOINT)."""
    report = BundleReport()
    if not path.exists():
        raise BadInput.one("Tệp gói kiểm tra", f"không có tệp '{path}'")
    if not path.is_file():
        raise BadInput.one("Tệp gói kiểm tra", f"'{path}' không phải một tệp")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            missing = {EVENTS, MANIFEST, SIGNATURE} - names
            if missing:
                report.fail(f"Tệp thiếu phần: {', '.join(sorted(missing))}.")
                return report
            events, body = z.read(EVENTS), z.read(MANIFEST)
            signature = z.read(SIGNATURE).decode("utf-8", errors="replace")
    except (OSError, zipfile.BadZipFile):
        report.fail(f"'{path.name}' không phải một gói kiểm tra đọc được (zip hỏng hoặc sai tệp).")
        return report
    trusted = signing.public_from(public_key)
    try:
        manifest = json.loads(body)
    except ValueError:
        manifest = None
    rotations = manifest.get("key_rotations", []) if isinstance(manifest, dict) else []
    keys = ring([trusted], rotations if isinstance(rotations, list) else [])
    if signing.verify_minisig(list(keys.values()), body, signature) is None:
        report.fail(
            "Chữ ký của bản kê khai không khớp với khóa công khai đã cho: gói được ký bằng khóa "
            "khác, hoặc bản kê khai đã bị sửa."
        )
    if not isinstance(manifest, dict):
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
    for cp in checkpoints:
        try:
            held = read_checkpoint(cp, keys)
        except CheckpointForged as exc:
            report.fail(str(exc))
            continue
        _extends(report, held.source, held.length, held.head_hash, held.at)
    for other in earlier:
        if not other.is_file():
            raise BadInput.one("Gói đã nhận trước (--earlier)", f"không có tệp '{other}'")
        before = verify_bundle(other, public_key)
        if not before.ok:
            report.fail(f"Gói trước '{other.name}' không hợp lệ: {before.problems[0]}")
            continue
        chain = before.manifest.get("chain", {})
        _extends(
            report,
            other.name,
            int(chain.get("db_length") or 0),
            str(chain.get("db_head_hash")),
            str(before.manifest.get("created_at")),
        )
    return report


def _extends(report: BundleReport, source: str, length: int, head_hash: str, at: str) -> None:
    """The bundle's chain must extend (length, head_hash) certified at ``at``."""
    chain = report.manifest.get("chain", {})
    db_length = int(chain.get("db_length") or 0)
    first = chain.get("first_id") or 1
    if db_length < length:
        report.fail(
            f"Chuỗi của gói bị cắt dưới {source}: {source} (lúc {shown(at)}) ghi {length} sự kiện, "
            f"gói chỉ còn {db_length}."
        )
        return
    if length in report.hashes:
        seen = report.hashes[length]
    elif length == first - 1:
        seen = chain.get("segment_prev_hash")
    elif length == db_length:
        seen = chain.get("db_head_hash")
    elif length == 0:
        seen = GENESIS
    else:
        report.notes.append(
            f"Không đối chiếu được với {source}: gói không chứa sự kiện #{length} (hãy xuất "
            "gói cả chuỗi để đối chiếu)."
        )
        return
    if seen == head_hash:
        report.extended.append(f"{source} ({length} sự kiện, {shown(at)})")
    else:
        report.fail(
            f"Chuỗi của gói đã rẽ nhánh hoặc bị viết lại trước {source}: sự kiện #{length} "
            f"không còn mã băm đã chứng nhận lúc {shown(at)}."
        )


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
        report.hashes[rid] = row["hash"]
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
    *,
    org_code: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    """Export the chain's segment for [start, end] (whole chain by default), the events of
    ``org_code``'s subtree in full and the others as stubs. A scoped user (an inspector of
    one committee) exports their own scope, with or without ``org_code``. The export is
    itself audited, and a checkpoint is issued with it (in the zip, and to the witnesses)."""
    from sqlmodel import col, select

    from models import audit
    from models.tables import AppUser, CalendarOverride, Dossier, Organization
    from workflow.usecases import tracking
    from workflow.usecases.access import Action
    from workflow.usecases.checkpoints import issue_in, usable_witness, witness_dir, write_witness
    from workflow.usecases.keyring import rotations
    from workflow.usecases.organizations import org_by_code
    from workflow.usecases.outfiles import check_target, staged
    from workflow.usecases.settings import rule_sets

    signer = ctx.signer
    if signer is None:
        raise BadInput.one(signing.KEY_FIELD, "chưa có khóa ký; hãy chạy 'ketnap init'")
    if start is not None and end is not None and start > end:
        raise BadInput.one(
            "Đến ngày (--to)",
            f"ngày {fmt_date(end)} trước Từ ngày (--from) {fmt_date(start)}: khoảng ngày "
            "không có ngày nào",
        )
    sets = rule_sets(ctx)
    check_target(out, fresh=True)  # before anything is read or audited: never over evidence
    url = ctx.engine.url.render_as_string(hide_password=False)
    folder = usable_witness(witness_dir(url))
    with staged(out) as temp:  # the bundle appears once its audit event is committed
        with ctx.write() as s:
            scope_org = org_by_code(s, org_code).id if org_code is not None else None
            ctx.allow(s, Action.export, scope_org)
            user = s.get(AppUser, ctx.actor.strip().lower())
            if org_code is None and user is not None and user.org_id is not None:
                scoped = s.get(Organization, user.org_id)  # their scope, not everything
                assert scoped is not None
                org_code = scoped.code
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
            issued = issue_in(s, ctx, "xuat_goi_kiem_tra")
            conn = s.connection()
            rows = rows_in_range(conn, start, end)
            db_length, db_head = issued.length, issued.head_hash  # the chain as exported
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
            manifest["checkpoint"] = {
                "length": issued.length,
                "head_hash": issued.head_hash,
                "at": issued.at,
            }
            manifest["key_rotations"] = rotations(s)
            name = f"diem-kiem-{issued.length}.txt"
            extra = {name: issued.note, f"{name}.minisig": issued.minisig.encode("utf-8")}
            made = write_bundle(temp, rows, in_scope, manifest, signer, extra)
    write_witness(folder, issued)
    return made
