"""The audit log: append-only, each event carrying the SHA-256 of the one before.

An event's hash covers its id and every field as canonical JSON (sorted keys, no spaces,
UTF-8), so editing a field, deleting a row, or swapping two rows breaks the chain at the
first row touched. Appending happens inside the caller's unit of work, which holds the
write lock (BEGIN IMMEDIATE), so two writers can never both extend the same head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from models.bulk import insert_rows
from models.canonical import canonical_json
from models.tables import AuditEvent

GENESIS = "0" * 64
_VN = ZoneInfo("Asia/Ho_Chi_Minh")  # how times are shown to people
NEW_HEAD = "ketnap_new_head"  # session.info: (length, hash) this unit of work left the chain at
BASE_HEAD = "ketnap_base_head"  # session.info: (length, hash) the chain had when it began to append


_ESCAPE = json.encoder.encode_basestring  # C-accelerated, the escaping json.dumps uses


def _canonical_event(
    rid: int,
    at: str,
    actor: str,
    did: int | None,
    kind: str,
    event: str,
    frm: str | None,
    to: str | None,
    reason: str | None,
    rs: str | None,
    data: str,
    prev: str,
    channel: str | None = None,
    client: str | None = None,
) -> str:
    """canonical_json of an event's hashed fields, spelled out in sorted key order: the
    same bytes, without walking a dict (verifying a long chain spends its time here).
    ``channel`` and ``client`` are hashed when set; an event from before they existed
    hashes as it always did."""
    e = _ESCAPE
    n = "null"
    came = ""
    if channel is not None:
        came += f'"channel":{e(channel)},'
    if client is not None:
        came += f'"client":{e(client)},'
    return (
        f'{{"actor":{e(actor)},"at":{e(at)},{came}"data":{e(data)},'
        f'"dossier_id":{n if did is None else int(did)},"event":{e(event)},'
        f'"from_stage":{n if frm is None else e(frm)},"id":{int(rid)},"kind":{e(kind)},'
        f'"prev_hash":{e(prev)},"reason":{n if reason is None else e(reason)},'
        f'"rule_set_id":{n if rs is None else e(rs)},"to_stage":{n if to is None else e(to)}}}'
    )


def event_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of the fields' canonical JSON (``data`` already its canonical text)."""
    text = _canonical_event(
        fields["id"],
        fields["at"],
        fields["actor"],
        fields["dossier_id"],
        fields["kind"],
        fields["event"],
        fields["from_stage"],
        fields["to_stage"],
        fields["reason"],
        fields["rule_set_id"],
        fields["data"],
        fields["prev_hash"],
        fields.get("channel"),
        fields.get("client"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hashed_fields(row: AuditEvent | dict[str, Any]) -> dict[str, Any]:
    """The fields an event's hash covers, in ``_canonical_event``'s argument order (its
    channel and client only when set)."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k, None)
    came = {k: get(k) for k in ("channel", "client") if get(k) is not None}
    return {
        "id": get("id"),
        "at": get("at"),
        "actor": get("actor"),
        "dossier_id": get("dossier_id"),
        "kind": get("kind"),
        "event": get("event"),
        "from_stage": get("from_stage"),
        "to_stage": get("to_stage"),
        "reason": get("reason"),
        "rule_set_id": get("rule_set_id"),
        "data": get("data"),
        "prev_hash": get("prev_hash"),
        **came,
    }


_HEAD = (
    select(col(AuditEvent.id), col(AuditEvent.hash)).order_by(col(AuditEvent.id).desc()).limit(1)
)
_INSERT = insert(AuditEvent)


# PostgreSQL: one advisory lock serialises the writers of the chain's head for the rest of
# their transaction (SQLite's BEGIN IMMEDIATE already serialises every writer). A unit of work
# appends its events last, so this is the last lock it takes (no lock-order deadlock with the
# planning cycle's lock, workflow/usecases/tracking.py).
CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(7420010)")


def head(session: Session) -> tuple[int, str]:
    """(id, hash) of the last event, or (0, GENESIS) for an empty log; the caller then owns
    the head until it commits."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(CHAIN_LOCK)
    row = conn.execute(_HEAD).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(
    session: Session,
    *,
    at: datetime,
    actor: str,
    kind: str,
    event: str,
    dossier_id: int | None = None,
    from_stage: str | None = None,
    to_stage: str | None = None,
    reason: str | None = None,
    rule_set_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event after the current head, in the caller's transaction."""
    last_id, last_hash = head(session)
    session.info.setdefault(BASE_HEAD, (last_id, last_hash))
    event_ = {
        "kind": kind,
        "event": event,
        "dossier_id": dossier_id,
        "from_stage": from_stage,
        "to_stage": to_stage,
        "reason": reason,
        "rule_set_id": rule_set_id,
        "data": data,
    }
    row = _chained(last_id + 1, _stamp(at), actor, event_, last_hash, _came(session))
    session.connection().execute(_INSERT, [row])
    session.info[NEW_HEAD] = (row["id"], row["hash"])
    return AuditEvent(**row)


def _came(session: Session) -> tuple[str | None, str | None]:
    """The channel and client address the unit of work set on its session (``Context``)."""
    return session.info.get("ketnap_channel"), session.info.get("ketnap_client")


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _chained(
    rid: int,
    stamp: str,
    actor: str,
    event: dict[str, Any],
    prev: str,
    came: tuple[str | None, str | None] = (None, None),
) -> dict[str, Any]:
    """One event's row: its fields, linked to ``prev``, and its own hash."""
    fields: dict[str, Any] = {
        "id": rid,
        "at": stamp,
        "actor": actor,
        "dossier_id": event.get("dossier_id"),
        "kind": event["kind"],
        "event": event["event"],
        "from_stage": event.get("from_stage"),
        "to_stage": event.get("to_stage"),
        "reason": event.get("reason"),
        "rule_set_id": event.get("rule_set_id"),
        "data": canonical_json(event.get("data") or {}),
        "prev_hash": prev,
        "channel": came[0],
        "client": came[1],
    }
    return {**fields, "hash": event_hash(fields)}


def append_many(session: Session, at: datetime, actor: str, events: list[dict[str, Any]]) -> None:
    """Add many events after the current head in one statement (an import's rows): each
    still gets its own id and links to the one before, exactly as one ``append`` each."""
    last_id, last_hash = head(session)
    session.info.setdefault(BASE_HEAD, (last_id, last_hash))
    stamp, came = _stamp(at), _came(session)
    rows = []
    for offset, event in enumerate(events, 1):
        row = _chained(last_id + offset, stamp, actor, event, last_hash, came)
        last_hash = row["hash"]
        rows.append(row)
    insert_rows(session.connection(), AuditEvent, rows)
    if rows:
        session.info[NEW_HEAD] = (rows[-1]["id"], last_hash)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    length: int
    head_hash: str
    problem_id: int | None = None
    problem: str | None = None
    first_prev: str | None = None  # a segment's first link, for the seams of a parallel walk
    first_at: str | None = None  # a segment's first and last times, for the same seams
    last_at: str | None = None


# Several writers take the clock when their unit of work starts and their ids when they
# append, so an event may carry a time a little before its predecessor's; more than this,
# and a time was set back (AUD-TIME, docs/inspection.md).
TIME_TOLERANCE = timedelta(minutes=10)


def set_back(session: Session, at: datetime) -> str | None:
    """When this unit of work appended events stamped ``at`` more than the tolerance before
    the event it follows (a clock set back: AUD-TIME), that event's stamp; else None."""
    base = session.info.get(BASE_HEAD)
    if base is None or NEW_HEAD not in session.info or base[0] == 0:
        return None
    before = (
        session.connection()
        .execute(text("SELECT at FROM audit_event WHERE id = :i"), {"i": base[0]})
        .scalar()
    )
    return before if before is not None and went_back(before, _stamp(at)) else None


def went_back(before: str, after: str) -> bool:
    """``after`` is earlier than ``before`` by more than the tolerance (both as stamped)."""
    if after >= before:  # the stamps are one fixed-width UTC form: text order is time order
        return False
    try:
        return datetime.fromisoformat(before) - datetime.fromisoformat(after) > TIME_TOLERANCE
    except ValueError:
        return True


def shown(stamp: str) -> str:
    """An audit time as people read it: dd/mm/yyyy hh:mm:ss, Vietnam time (the stamp
    itself, when it is not a time at all: it is evidence)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_VN).strftime("%d/%m/%Y %H:%M:%S")


def time_problem(rid: int, before: str, after: str) -> str:
    return (
        f"Sự kiện #{rid} ghi thời điểm {shown(after)}, sớm hơn sự kiện #{rid - 1} "
        f"({shown(before)}) "
        f"quá {int(TIME_TOLERANCE.total_seconds() // 60)} phút: thời gian trong nhật ký chỉ "
        "được đi tới."
    )


def verify_rows(
    rows: Iterable[tuple[Any, ...]], first_id: int = 1, first_prev: str | None = GENESIS
) -> ChainReport:
    """Walk (id, at, actor, dossier_id, kind, event, from, to, reason, rule_set, data,
    prev_hash, hash, channel, client) tuples in id order; name the first event that does not
    fit. A segment that starts later (``first_prev`` None) takes its first link as given
    and reports it."""
    expected_id, count = first_id, 0
    expected_prev: str = first_prev if first_prev is not None else ""
    seen_prev: str | None = None
    first_at: str | None = None
    last_at = ""
    sha256 = hashlib.sha256
    for rid, at, actor, did, kind, event, frm, to, reason, rs, data, prev, digest, ch, cl in rows:
        if rid != expected_id:
            return ChainReport(
                False,
                count,
                expected_prev,
                expected_id,
                f"Thiếu sự kiện #{expected_id} (đã bị xóa); sự kiện tiếp theo là #{rid}.",
            )
        if seen_prev is None:
            seen_prev = prev
            if first_prev is None:
                expected_prev = prev
        if prev != expected_prev:
            return ChainReport(
                False,
                count,
                expected_prev,
                rid,
                f"Sự kiện #{rid} không nối với sự kiện #{rid - 1}: chuỗi bị xóa, chèn hoặc "
                "đổi thứ tự tại đây.",
                seen_prev,
            )
        if data.__class__ is not str:  # JSONB on PostgreSQL comes back parsed
            data = canonical_json(data)
        text = _canonical_event(
            rid, at, actor, did, kind, event, frm, to, reason, rs, data, prev, ch, cl
        )
        if sha256(text.encode("utf-8")).hexdigest() != digest:
            return ChainReport(
                False,
                count,
                expected_prev,
                rid,
                f"Sự kiện #{rid} đã bị sửa: nội dung không khớp với mã băm đã ghi.",
                seen_prev,
            )
        if at < last_at and went_back(last_at, at):  # AUD-TIME
            return ChainReport(
                False, count, expected_prev, rid, time_problem(rid, last_at, at), seen_prev
            )
        if first_at is None:
            first_at = at
        last_at = at
        expected_id, expected_prev, count = rid + 1, digest, count + 1
    return ChainReport(
        True, count, expected_prev, first_prev=seen_prev, first_at=first_at, last_at=last_at
    )


_SELECT = (
    "SELECT id, at, actor, dossier_id, kind, event, from_stage, to_stage, reason, "
    "rule_set_id, data, prev_hash, hash, channel, client FROM audit_event"
)


def verify_range(url: str, lo: int, hi: int) -> ChainReport:
    """One segment [lo, hi] of the chain, in a process of its own (its own connection)."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            with conn.execution_options(stream_results=True).exec_driver_sql(
                _SELECT + " WHERE id BETWEEN ? AND ? ORDER BY id"
                if url.startswith("sqlite")
                else _SELECT + " WHERE id BETWEEN %s AND %s ORDER BY id",
                (lo, hi),
            ) as result:
                rows = (row for chunk in result.partitions(5000) for row in chunk)
                return verify_rows(rows, lo, GENESIS if lo == 1 else None)
    finally:
        engine.dispose()


def verify_parallel(url: str, last_id: int, workers: int) -> ChainReport:
    """The chain cut into ``workers`` segments verified at once (every event stores its
    predecessor's hash, so segments are independent), then their seams compared."""
    from concurrent.futures import ProcessPoolExecutor

    size = -(-last_id // workers)
    bounds = [(lo, min(lo + size - 1, last_id)) for lo in range(1, last_id + 1, size)]
    with ProcessPoolExecutor(max_workers=len(bounds)) as pool:
        parts = list(pool.map(verify_range, [url] * len(bounds), *zip(*bounds, strict=True)))
    done, head_hash, last_at = 0, GENESIS, ""
    for (lo, _), part in zip(bounds, parts, strict=True):
        if part.ok and not part.length:  # a whole segment gone
            return ChainReport(
                False, done, head_hash, lo, f"Thiếu sự kiện #{lo} (đã bị xóa) và các sự kiện sau."
            )
        if part.first_prev is not None and part.first_prev != head_hash and lo > 1:
            return ChainReport(
                False,
                done,
                head_hash,
                lo,
                f"Sự kiện #{lo} không nối với sự kiện #{lo - 1}: chuỗi bị xóa, chèn hoặc "
                "đổi thứ tự tại đây.",
            )
        if not part.ok:
            return ChainReport(
                False, done + part.length, part.head_hash, part.problem_id, part.problem
            )
        if last_at and part.first_at and went_back(last_at, part.first_at):  # AUD-TIME
            return ChainReport(False, done, head_hash, lo, time_problem(lo, last_at, part.first_at))
        done, head_hash = done + part.length, part.head_hash
        last_at = part.last_at or last_at
    return ChainReport(
        True,
        done,
        head_hash,
        first_prev=parts[0].first_prev if parts else None,
        first_at=parts[0].first_at if parts else None,
        last_at=last_at or None,
    )


def verify(session: Session) -> ChainReport:
    """Verify the whole chain, streaming rows (memory stays flat on long logs)."""
    with (
        session.connection()
        .execution_options(stream_results=True)
        .exec_driver_sql(_SELECT + " ORDER BY id") as result
    ):  # closed even when the walk stops at a bad event (a server-side cursor on PostgreSQL)
        return verify_rows(row for chunk in result.partitions(5000) for row in chunk)
