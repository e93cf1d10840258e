"""The chain's signed heads: what each commit that appended events left the chain at.

The hash chain alone is a recipe anyone can rerun: whoever can write the table can append
a forged event, cut the tail or re-hash from any event on, and the chain still links. So
each unit of work that appends events also stores, in the same transaction, its new head
(length, head hash, time) signed with the installation key, which lives outside the
database (workflow/usecases/signing.py). One signature per commit, not per event.

``check`` compares the newest signed head with the chain (AUD-HEAD, docs/inspection.md):
a head longer than the chain means the tail was cut; a chain longer than the newest head
means events were appended without the key; a head whose hash differs means the chain was
re-written, and a binary search over the older heads says after which event. What signed
heads cannot show is a cut of both tables back to an earlier signed head: the checkpoints
held outside the database catch that (workflow/usecases/checkpoints.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, text
from sqlmodel import Session

from models.audit import BASE_HEAD, GENESIS, NEW_HEAD, shown
from models.tables import SignedHead

FORMAT = "ketnap-dau-chuoi/1"
_INSERT = insert(SignedHead)
_SELECT = "SELECT length, head_hash, at, key_id, signature FROM audit_head"


def note(key_id_hex: str, length: int, head_hash: str, at: str) -> bytes:
    """The bytes a head or a checkpoint signs: format, key, length, hash, time, one a line
    (a text a person can read, as RFC 9162's tree heads and the C2SP checkpoints)."""
    return f"{FORMAT}\n{key_id_hex}\n{length}\n{head_hash}\n{at}\n".encode("ascii")


def parse_note(body: bytes) -> tuple[str, int, str, str]:
    """(key id, length, head hash, time) of a note; raises ValueError."""
    lines = body.decode("ascii").split("\n")
    if len(lines) != 6 or lines[0] != FORMAT or lines[5] != "":
        raise ValueError("note")
    length, head_hash = int(lines[2]), lines[3]
    if length < 0 or len(head_hash) != 64 or len(lines[1]) != 16:
        raise ValueError("note")
    int(head_hash, 16)
    return lines[1], length, head_hash, lines[4]


class UnsignedBase(Exception):
    """The chain this unit of work would extend is not the one the newest signed head
    covers: events were appended without the key, the tail was cut, or the chain was
    rewritten. Nothing is signed over that (AUD-HEAD): the write is refused."""


ADOPT = "ketnap_adopt_unsigned"  # session.info: sign a chain older than signed heads (init)


def seal(
    session: Session, key_id_hex: str, sign: Callable[[bytes], bytes], now: datetime
) -> tuple[int, str] | None:
    """Before the commit: sign the head this unit of work appended up to (nothing when it
    appended no event), once the chain it started from is the newest signed head."""
    new = session.info.pop(NEW_HEAD, None)
    base = session.info.pop(BASE_HEAD, None)
    if new is None:
        return None
    conn = session.connection()
    check_base(conn, base, adopt=bool(session.info.pop(ADOPT, False)))
    length, head_hash = new
    at = now.astimezone(UTC).isoformat(timespec="microseconds")
    signature = sign(note(key_id_hex, length, head_hash, at)).hex()
    conn.execute(
        _INSERT,
        [
            {
                "length": length,
                "head_hash": head_hash,
                "at": at,
                "key_id": key_id_hex,
                "signature": signature,
            }
        ],
    )
    return length, head_hash


def check_base(conn: Connection, base: tuple[int, str] | None, *, adopt: bool = False) -> None:
    """Refuse to sign over a chain that the newest signed head does not end at."""
    if base is None:
        return
    length, head_hash = base
    newest = conn.execute(text(_SELECT + " ORDER BY length DESC LIMIT 1")).first()
    if newest is None:
        if length == 0 or adopt:
            return
        raise UnsignedBase(
            f"Nhật ký có {length} sự kiện nhưng không có đầu chuỗi nào được ký: bảng đầu chuỗi "
            "đã bị xóa, hoặc cơ sở dữ liệu chưa được cập nhật ('ketnap init')."
        )
    if (newest[0], newest[1]) == (length, head_hash):
        return
    if newest[0] > length:
        why = f"đầu chuỗi đã ký ghi {newest[0]} sự kiện, nay chỉ còn {length} (bị cắt đuôi)"
    elif newest[0] < length:
        why = f"{_events(newest[0] + 1, length)} sau đầu chuỗi đã ký cuối không được ký"
    else:
        why = f"sự kiện #{length} không còn mã băm đã ký (bị viết lại)"
    raise UnsignedBase(
        f"Nhật ký không còn như lần ghi được ký cuối cùng: {why}. Không ghi thêm gì; hãy chạy "
        "'ketnap audit verify' và báo Ủy ban Kiểm tra."
    )


def _events(first: int, last: int) -> str:
    return f"sự kiện #{first}" if first == last else f"các sự kiện #{first}–#{last}"


Verifier = Callable[[str, bytes, bytes], bool]  # (key id, message, signature) → genuine?


def check(conn: Connection, length: int, verifier: Verifier) -> str | None:
    """What the newest signed head says of a chain that verified with ``length`` events;
    None when it covers the chain exactly."""
    c = conn
    rows = c.execute(text(_SELECT + " ORDER BY length DESC LIMIT 1")).all()
    if not rows:
        if length == 0:
            return None
        return (
            f"Không có đầu chuỗi nào được ký cho {length} sự kiện: bảng đầu chuỗi đã bị xóa, "
            "hoặc các sự kiện được ghi không qua ketnap."
        )
    newest = rows[0]
    if not _genuine(newest, verifier):
        return (
            f"Đầu chuỗi đã ký mới nhất (độ dài {newest[0]}, khóa {newest[3]}) có chữ ký sai, "
            "hoặc ký bằng khóa không được tin: bảng đầu chuỗi đã bị sửa."
        )
    newest_hash = hash_at(c, newest[0])
    if newest[0] > length:
        below = c.execute(
            text("SELECT max(length) FROM audit_head WHERE length <= :n"), {"n": length}
        ).scalar()
        good = _last_good(c, length, verifier)
        if good == (below or 0):  # what is left is what was signed: only the tail is gone
            return (
                f"Nhật ký bị cắt đuôi: đầu chuỗi đã ký lúc {shown(newest[2])} ghi {newest[0]} sự "
                f"kiện, nay chỉ còn {length}; {_events(length + 1, newest[0])} đã bị xóa."
            )
        return _rewritten(good, newest[0], length)
    if newest_hash != newest[1]:
        return _rewritten(_last_good(c, newest[0], verifier), newest[0], length)
    if newest[0] < length:
        return (
            f"{_events(newest[0] + 1, length).capitalize()} không có đầu chuỗi nào được ký: "
            "được thêm vào mà không có khóa ký của hệ thống (giả mạo), hoặc đầu chuỗi đã ký "
            "của lần ghi đó đã bị xóa."
        )
    return None


def _rewritten(good: int, signed: int, length: int) -> str:
    return (
        f"Chuỗi bị viết lại sau sự kiện #{good}: các sự kiện từ #{good + 1} không còn như lúc "
        f"được ký (đầu chuỗi đã ký ghi {signed} sự kiện, nay có {length}); sự kiện bị xóa, "
        "chèn hoặc sửa rồi băm lại."
    )


def _genuine(row: Any, verifier: Verifier) -> bool:
    length, head_hash, at, key, signature = row
    try:
        raw = bytes.fromhex(signature)
        body = note(key, int(length), head_hash, at)
    except (ValueError, UnicodeEncodeError):
        return False
    return verifier(key, body, raw)


def hash_at(conn: Connection, length: int) -> str | None:
    """The hash of event ``length`` (the genesis for 0); None when there is no such event."""
    if length == 0:
        return GENESIS
    row = conn.execute(text("SELECT hash FROM audit_event WHERE id = :i"), {"i": length}).first()
    return row[0] if row else None


def _last_good(conn: Connection, upto: int, verifier: Verifier) -> int:
    """The longest genuine signed head of at most ``upto`` events that the chain still
    matches (binary search over the heads: a matching head's predecessors match too, since
    every hash covers the one before)."""
    lengths = [
        r[0]
        for r in conn.execute(
            text("SELECT length FROM audit_head WHERE length <= :u ORDER BY length"), {"u": upto}
        )
    ]
    lo, hi, good = 0, len(lengths) - 1, 0
    while lo <= hi:
        mid = (lo + hi) // 2
        row = conn.execute(text(_SELECT + " WHERE length = :l"), {"l": lengths[mid]}).one()
        if _genuine(row, verifier) and hash_at(conn, row[0]) == row[1]:
            good, lo = row[0], mid + 1
        else:
            hi = mid - 1
    return good
