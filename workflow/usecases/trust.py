"""``ketnap audit verify``: can an inspector trust this database's audit log?

Four checks, each naming the first thing wrong (docs/inspection.md):
1. the hash chain (models/audit.py): every event's hash, its link, its id, its time going
   forwards (AUD-CHAIN, AUD-TIME);
2. the newest signed head covers the whole chain (models/heads.py, AUD-HEAD): who can write
   the database but not read the key can neither append nor re-hash;
3. the chain extends each checkpoint held outside the database (the newest of the witness
   folder, and every one the inspector gives, AUD-CHECKPOINT): who also had the key, and
   rewrote, cut or forked the chain after a checkpoint, is caught by it;
4. on request, every dossier replayed from its events equals its row (AUD-STATE).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models import audit, heads
from models.tables import Installation
from workflow.domain.errors import BadInput
from workflow.usecases import signing
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.checkpoints import (
    CheckpointForged,
    Held,
    extends,
    newest_in,
    read_checkpoint,
    witness_dir,
)
from workflow.usecases.context import Context
from workflow.usecases.installation import PUBLIC_KEY
from workflow.usecases.keyring import installation_ring
from workflow.usecases.replay import differences

PARALLEL_VERIFY_FROM = 200_000  # events; below that, starting processes costs more


@dataclass
class TrustReport:
    chain: audit.ChainReport
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    heads_checked: bool = False
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, Any] | None = None
    keys: list[str] = field(default_factory=list)  # ids of the keys the signatures were checked by
    state_problems: list[str] = field(default_factory=list)  # the dossier table against the log

    @property
    def ok(self) -> bool:
        return not self.problems and not self.state_problems

    @property
    def length(self) -> int:
        return self.chain.length

    @property
    def head_hash(self) -> str:
        return self.chain.head_hash

    @property
    def problem_id(self) -> int | None:
        return self.chain.problem_id

    @property
    def problem(self) -> str | None:
        found = self.problems or self.state_problems
        return found[0] if found else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "length": self.length,
            "head_hash": self.head_hash,
            "problem_id": self.problem_id,
            "problem": self.problem,
            "problems": self.problems,
            "notes": self.notes,
            "heads_checked": self.heads_checked,
            "keys": self.keys,
            "state_problems": self.state_problems,
            "checkpoints": self.checkpoints,
            "state": self.state,
        }


def _chain(ctx: Context, last_id: int) -> audit.ChainReport:
    cores = os.cpu_count() or 1
    if last_id < PARALLEL_VERIFY_FROM or cores < 2:
        with ctx.read() as s:
            return audit.verify(s)
    url = ctx.engine.url.render_as_string(hide_password=False)
    return audit.verify_parallel(url, last_id, cores)


def verify_audit(
    ctx: Context,
    *,
    checkpoints: Sequence[Path] = (),
    state: bool = False,
    pubkeys: Sequence[str] = (),
) -> TrustReport:
    """The whole log checked; a long chain is cut into segments verified on every core."""
    trusted = [signing.public_from(value) for value in pubkeys]
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        last_id, _ = audit.head(s)
        # the keys the inspector gives, when they give any, replace the key file's: the
        # check is then of their key (and the rotations it endorsed), not the server's
        keys = installation_ring(s, None if trusted else ctx.signer, trusted)
        if not keys and s.get(Installation, PUBLIC_KEY) is not None:
            raise BadInput.one(
                "Khóa công khai (--pubkey, KETNAP_KEY)",
                "cơ sở dữ liệu này ký nhật ký, nhưng không có khóa nào để kiểm chữ ký: đặt "
                f"KETNAP_KEY tới tệp khóa ({ctx.key_file}) hoặc đưa khóa được trao bằng --pubkey",
            )
    report = TrustReport(_chain(ctx, last_id), keys=sorted(keys))
    chain = report.chain
    if not chain.ok:
        report.problems.append(chain.problem or "Chuỗi băm không toàn vẹn.")
    url = ctx.engine.url.render_as_string(hide_password=False)
    given = _held(report, keys, checkpoints)
    witnessed = [
        h
        for h in _witnessed(url, keys, report)
        if (h.length, h.head_hash) not in {(g.length, g.head_hash) for g in given}
    ]
    held = [*witnessed, *given]
    with ctx.read() as s:
        conn = s.connection()
        if chain.ok and keys:
            report.heads_checked = True
            problem = heads.check(conn, chain.length, _verifier(keys))
            if problem:
                report.problems.append(problem)
        elif not keys:
            report.notes.append(
                "Chưa có khóa ký (ketnap init tạo khóa): không kiểm được đầu chuỗi đã ký."
            )
        for h in held:
            report.checkpoints.append(_against(conn, chain, h, report))
        if state:  # only the dossiers the user may see (AUD-STATE)
            found, dossiers, events = differences(conn, scope_ids(s, ctx.actor))
            report.state = {
                "dossiers": dossiers,
                "events": events,
                "differences": [d.as_dict() for d in found],
            }
            report.state_problems.extend(d.text() for d in found[:50])
            if len(found) > 50:
                report.state_problems.append(f"… và {len(found) - 50} chỗ khác nữa.")
    return report


def _verifier(keys: dict[str, bytes]) -> heads.Verifier:
    def verify(key: str, message: bytes, signature: bytes) -> bool:
        public = keys.get(key)
        return public is not None and signing.verify_raw(public, message, signature)

    return verify


def _witnessed(url: str, keys: dict[str, bytes], report: TrustReport) -> list[Held]:
    """The newest checkpoint of the witness folder (it covers the older ones: its hash
    commits to the whole chain before it). A damaged one there is a problem, not a typo."""
    folder = witness_dir(url)
    newest = newest_in(folder)
    if newest is None:
        report.notes.append(f"Chưa có điểm kiểm nào trong thư mục nhân chứng '{folder}'.")
        return []
    if not keys:
        report.notes.append(
            "Không có khóa công khai: chưa kiểm được điểm kiểm của thư mục nhân chứng."
        )
        return []
    try:
        return [read_checkpoint(newest, keys)]
    except CheckpointForged as exc:
        report.problems.append(str(exc))
    except BadInput as exc:
        report.problems.append(f"Điểm kiểm của thư mục nhân chứng: {exc.problems[0][1]}.")
    return []


def _held(report: TrustReport, keys: dict[str, bytes], paths: Sequence[Path]) -> list[Held]:
    """The checkpoints the inspector gives: a missing or unreadable file is bad input
    (exit 2), a forged one a problem of the log."""
    held = []
    for path in paths:
        try:
            held.append(read_checkpoint(path, keys))
        except CheckpointForged as exc:
            report.problems.append(str(exc))
            report.checkpoints.append({"file": str(path), "ok": False})
    return held


def _against(conn: Any, chain: audit.ChainReport, h: Held, report: TrustReport) -> dict[str, Any]:
    problem: str | None
    if not chain.ok and chain.problem_id is not None and chain.problem_id <= h.length:
        problem = (
            f"Chuỗi bị sửa trước điểm kiểm {h.source} (sự kiện #{chain.problem_id}, trong "
            f"{h.length} sự kiện đã chứng nhận lúc {audit.shown(h.at)})."
        )
    else:
        verified = chain.length if chain.ok else (chain.problem_id or 1) - 1
        problem = extends(h, verified, lambda n: heads.hash_at(conn, n))
    if problem:
        report.problems.append(problem)
    return {
        "file": h.source,
        "length": h.length,
        "at": h.at,
        "at_text": audit.shown(h.at),
        "ok": problem is None,
    }
