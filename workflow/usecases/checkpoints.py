"""Checkpoints: the chain's (length, head hash, time), signed, held outside the database.

As Certificate Transparency's signed tree heads (RFC 9162) are handed to witnesses, a
checkpoint is written to a witness folder of append-only files outside the database and
e-mailed to the inspection committee's contacts through the outbox; the inspector keeps
what they receive. Whoever later rewrites, cuts or forks the chain, even with the key, is
caught by anyone holding an older checkpoint: the chain must *extend* it (the event at its
length has its hash, and the chain verifies from there). AUD-CHECKPOINT, docs/inspection.md.

A checkpoint is two files: the note (``diem-kiem-<length>.txt``, the lines of
models/heads.py ``note``) and its minisign signature (``….txt.minisig``), so
``minisign -Vm diem-kiem-….txt -P <khóa>`` checks it as well as ketnap does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import audit, heads
from models.audit import shown
from models.tables import Checkpoint
from workflow.domain.errors import BadInput
from workflow.domain.vocabulary import Role
from workflow.text.vntext import fmt_date
from workflow.usecases import signing
from workflow.usecases.access import Action
from workflow.usecases.clock import VN_TZ
from workflow.usecases.context import Context
from workflow.usecases.notices import Notice, raise_notice

WITNESS_FIELD = "Thư mục nhân chứng (KETNAP_WITNESS_DIR)"
LOG_NAME = "nhat-ky-diem-kiem.txt"


def witness_dir(db_url: str) -> Path:
    """KETNAP_WITNESS_DIR, or beside (not inside) the SQLite file: ``ketnap.db.nhan-chung``;
    for PostgreSQL a folder per database in the OS user's state folder."""
    explicit = os.environ.get("KETNAP_WITNESS_DIR")
    if explicit:
        return Path(explicit)
    if db_url.startswith("sqlite:///"):
        return Path(db_url.removeprefix("sqlite:///") + ".nhan-chung")
    from sqlalchemy.engine import make_url

    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    url = make_url(db_url)  # one folder per database: a server holds several
    tag = f"{url.host or 'local'}-{url.port or 5432}-{url.database or 'postgres'}"
    return (
        Path(base)
        / "ketnap"
        / "nhan-chung"
        / "".join(c if c.isalnum() or c in "-_." else "_" for c in tag)
    )


@dataclass(frozen=True)
class Issued:
    length: int
    head_hash: str
    at: str
    note: bytes
    minisig: str
    files: tuple[Path, ...]
    emailed: int


def _note_text(signer: signing.Signer, length: int, head_hash: str, at: str) -> tuple[bytes, str]:
    body = heads.note(signer.key_id_hex, length, head_hash, at)
    comment = f"ketnap diem kiem: do dai {length}, dau chuoi {head_hash}, luc {at}"
    return body, signer.minisig(
        body, comment, f"điểm kiểm nhật ký ketnap, khóa {signer.key_id_hex}"
    )


def issue_in(s: Session, ctx: Context, reason: str, day: date | None = None) -> Issued:
    """In the caller's unit of work: an audit event saying a checkpoint is issued, then the
    checkpoint of the chain including it, its row, and its e-mails in the outbox (its files
    are written after the commit: ``write_witness``)."""
    signer = ctx.signer
    if signer is None:
        raise BadInput.one(
            signing.KEY_FIELD, "không có tệp khóa ký; hãy đặt KETNAP_KEY tới tệp khóa của hệ thống"
        )
    now = ctx.clock.now()
    audit.append(
        s,
        at=now,
        actor=ctx.actor,
        kind="inspection",
        event="phat_hanh_diem_kiem",
        data={"reason": reason, "key": signer.key_id_hex},
    )
    length, head_hash = audit.head(s)
    at = now.astimezone(UTC).isoformat(timespec="seconds")
    body, sig = _note_text(signer, length, head_hash, at)
    s.add(
        Checkpoint(
            length=length,
            head_hash=head_hash,
            at=at,
            note=body.decode("ascii"),
            minisig=sig,
            reason=reason,
        )
    )
    s.flush()
    emailed = _queue_mail(s, length, body, sig, now, day or ctx.today())
    return Issued(length, head_hash, at, body, sig, (), emailed)


def _queue_mail(s: Session, length: int, body: bytes, sig: str, now: datetime, day: date) -> int:
    """The inspection committee's inbox item and e-mails (the note and its signature)."""
    message = (
        f"Điểm kiểm nhật ký số {length} ({fmt_date(day)}): hãy lưu giữ tệp điểm kiểm và chữ "
        "ký kèm theo; dùng để đối chiếu khi kiểm tra (ketnap audit verify --checkpoint)."
    )
    name = f"diem-kiem-{length}.txt"
    return raise_notice(
        s,
        Notice(
            subject=f"audit:{length}",
            kind="A-CHECKPOINT",
            rule_id="AUD-CHECKPOINT",
            message=message,
            roles=(Role.kiem_tra,),
            mail_subject=f"[ketnap] Điểm kiểm nhật ký số {length}",
            mail_body=(
                f"{message}\n\n--- {name} ---\n{body.decode('ascii')}--- {name}.minisig ---\n{sig}"
            ),
        ),
        now,
        day,
        mail_only=True,
    )


def usable_witness(folder: Path) -> Path:
    """Before anything is committed: the witness folder exists (made if need be) and can be
    written, so a checkpoint never exists in the database alone."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise BadInput.one(WITNESS_FIELD, f"không tạo được thư mục '{folder}'") from None
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise BadInput.one(WITNESS_FIELD, f"không ghi được vào thư mục '{folder}'")
    return folder


def write_witness(folder: Path, issued: Issued) -> Issued:
    """After the commit, into a folder ``usable_witness`` checked: the note and its
    signature as new files (never over another), and a line appended to the folder's log."""
    name = f"diem-kiem-{issued.length}.txt"
    written = []
    try:
        for path, content in (
            (folder / name, issued.note),
            (folder / f"{name}.minisig", issued.minisig.encode("utf-8")),
        ):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                if path.read_bytes() != content:
                    raise BadInput.one(WITNESS_FIELD, f"'{path}' đã có với nội dung khác") from None
                written.append(path)
                continue
            with os.fdopen(fd, "wb") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
            written.append(path)
        with open(folder / LOG_NAME, "a", encoding="ascii") as log:
            log.write(issued.note.decode("ascii").replace("\n", " ").strip() + "\n")
    except OSError:
        raise BadInput.one(
            WITNESS_FIELD,
            f"không ghi được vào thư mục '{folder}'; điểm kiểm đã lưu trong cơ sở dữ liệu, hãy "
            "chạy lại 'ketnap audit checkpoint' khi thư mục dùng được",
        ) from None
    return replace(issued, files=tuple(written))


def issue_checkpoint(
    ctx: Context, *, reason: str = "theo_yeu_cau", out: Path | None = None
) -> Issued:
    """``ketnap audit checkpoint``: one checkpoint now, written to the witness folder (and
    to ``out``) once committed."""
    from workflow.usecases.outfiles import check_target

    url = ctx.engine.url.render_as_string(hide_password=False)
    folder = usable_witness(witness_dir(url))
    if out is not None:
        check_target(out, fresh=True)
        check_target(Path(str(out) + ".minisig"), fresh=True)
    with ctx.write() as s:
        ctx.allow(s, Action.export)
        issued = issue_in(s, ctx, reason)
    issued = write_witness(folder, issued)
    if out is not None:
        out.write_bytes(issued.note)
        Path(str(out) + ".minisig").write_text(issued.minisig, encoding="utf-8")
        issued = replace(issued, files=(*issued.files, out, Path(str(out) + ".minisig")))
    return issued


def issued_today(s: Session, day: date) -> bool:
    start = datetime.combine(day, time.min, tzinfo=VN_TZ).astimezone(UTC)
    last = s.exec(select(func.max(col(Checkpoint.at)))).first()
    return last is not None and str(last) >= start.isoformat(timespec="seconds")


def daily(ctx: Context, day: date) -> Issued | None:
    """The scheduler's: a checkpoint at least once a (Vietnam) day."""
    url = ctx.engine.url.render_as_string(hide_password=False)
    if ctx.signer is None:
        return None
    folder = usable_witness(witness_dir(url))
    with ctx.write() as s:
        audit.head(s)  # the chain's lock first: two scanners issue one checkpoint a day
        if issued_today(s, day):
            return None
        issued = issue_in(s, ctx, "hang_ngay", day)
    return write_witness(folder, issued)


# --- reading a checkpoint (any machine) -------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """A checkpoint an inspector holds, read and its signature checked."""

    source: str
    length: int
    head_hash: str
    at: str
    key_id: str


MAX_NOTE = 4096  # a checkpoint and its signature are a few hundred bytes


def read_checkpoint(path: Path, keys: dict[str, bytes]) -> Held:
    """The note at ``path`` and its signature at ``path.minisig``; raises BadInput naming
    the file when either is missing or unreadable, and CheckpointForged when the
    signature is not by one of ``keys``."""
    field = "Điểm kiểm (--checkpoint)"
    sig_path = Path(str(path) + ".minisig")
    for one in (path, sig_path):
        if not one.exists():
            raise BadInput.one(field, f"không có tệp '{one}'")
        if not one.is_file():
            raise BadInput.one(field, f"'{one}' không phải một tệp")
        if one.stat().st_size > MAX_NOTE:
            raise BadInput.one(field, f"'{one}' quá lớn để là điểm kiểm hay chữ ký của nó")
    try:
        body = path.read_bytes()
        sig = sig_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise BadInput.one(field, f"không đọc được '{path}' hoặc '{sig_path}'") from None
    try:
        key, length, head_hash, at = heads.parse_note(body)
    except (ValueError, UnicodeDecodeError):
        raise BadInput.one(field, f"'{path}' không phải tệp điểm kiểm của ketnap") from None
    if not keys:
        raise BadInput.one(
            field,
            "không có khóa công khai để kiểm chữ ký: đặt KETNAP_KEY tới tệp khóa của hệ thống, "
            "hoặc đưa khóa được trao bằng --pubkey",
        )
    if signing.verify_minisig(list(keys.values()), body, sig) is None:
        raise CheckpointForged(
            f"Chữ ký của điểm kiểm {path.name} không đúng, hoặc không phải của khóa đã tin "
            f"(khóa ghi trong điểm kiểm: {key}): điểm kiểm bị sửa hoặc giả."
        )
    return Held(path.name, length, head_hash, at, key)


class CheckpointForged(Exception):
    """A checkpoint whose signature does not verify: evidence of tampering, not a typo."""


def newest_in(folder: Path) -> Path | None:
    """The witness folder's checkpoint of the longest chain."""
    found = []
    for path in folder.glob("diem-kiem-*.txt") if folder.is_dir() else ():
        number = path.name.removeprefix("diem-kiem-").removesuffix(".txt")
        if number.isdigit():
            found.append((int(number), path))
    return max(found)[1] if found else None


def extends(held: Held, length: int, hash_at: Any) -> str | None:
    """What is wrong when a verified chain of ``length`` events does not extend ``held``
    (``hash_at(n)``: the chain's hash of event n); None when it does."""
    if length < held.length:
        return (
            f"Chuỗi bị cắt dưới điểm kiểm {held.source}: điểm kiểm lúc {shown(held.at)} ghi "
            f"{held.length} sự kiện, cơ sở dữ liệu chỉ còn {length}."
        )
    if hash_at(held.length) != held.head_hash:
        return (
            f"Chuỗi đã rẽ nhánh hoặc bị viết lại trước điểm kiểm {held.source}: sự kiện "
            f"#{held.length} không còn mã băm đã chứng nhận lúc {shown(held.at)} "
            f"({held.head_hash[:16]}…)."
        )
    return None
