"""The installation's public keys over time, and rotating the key.

A rotation is an audit event (``xoay_khoa``) holding the old and the new public key, each
signing the other: the old key's signature lets an inspector who trusts the first key
follow the rotation; the new key's signature means nobody without the new key can insert a
rotation to a key of their own. The keyring of a verification is the trusted keys (the key
file's, and any the inspector gives) and every key a valid rotation links to them, so heads
and checkpoints signed before a rotation still verify (AUD-KEY, docs/inspection.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from models import audit
from workflow.usecases import signing
from workflow.usecases.access import Action
from workflow.usecases.context import Context

ROTATION = "xoay_khoa"
_ENDORSE = "ketnap-xoay-khoa/1\n{old}\n{new}\n"


def rotations(s: Session) -> list[dict[str, Any]]:
    rows = s.connection().execute(
        text("SELECT data FROM audit_event WHERE kind = 'admin' AND event = :e ORDER BY id"),
        {"e": ROTATION},
    )
    found = []
    for (data,) in rows:
        value = json.loads(data) if isinstance(data, str) else data
        if isinstance(value, dict) and {"old_key", "new_key"} <= value.keys():
            found.append(value)
    return found


def _endorsement(old: str, new: str) -> bytes:
    return _ENDORSE.format(old=old, new=new).encode("ascii")


def ring(trusted: Iterable[bytes], moves: list[dict[str, Any]]) -> dict[str, bytes]:
    """Key id (hex, upper case) → public key: the trusted keys and those a rotation signed
    by both of its keys links to them, forwards and backwards."""
    keys = {signing.key_id_text(k): k for k in trusted}
    changed = True
    while changed:
        changed = False
        for move in moves:
            try:
                old = signing.parse_public(move["old_key"])
                new = signing.parse_public(move["new_key"])
                body = _endorsement(move["old_key"], move["new_key"])
                by_old = bytes.fromhex(move["signed_by_old"])
                by_new = bytes.fromhex(move["signed_by_new"])
            except (KeyError, ValueError, TypeError):
                continue
            if not (
                signing.verify_raw(old, body, by_old) and signing.verify_raw(new, body, by_new)
            ):
                continue
            ids = {signing.key_id_text(old), signing.key_id_text(new)}
            if ids & keys.keys() and not ids <= keys.keys():
                keys.update({signing.key_id_text(k): k for k in (old, new)})
                changed = True
    return keys


def installation_ring(
    s: Session, signer: signing.Signer | None, extra: Iterable[bytes] = ()
) -> dict[str, bytes]:
    """The keys a verification on this database accepts: the key file's (outside the
    database), those the inspector gives, and the rotations linked to them."""
    trusted = [*extra, *([signer.public] if signer is not None else [])]
    return ring(trusted, rotations(s))


def rotate_key(ctx: Context, path: Path) -> dict[str, str]:
    """Replace the signing key at ``path`` by a new one: the old file is kept beside it
    (``….cu-<id>``, for the administrator to archive or destroy), the rotation audited and
    signed by both keys; the heads from here on are signed with the new key."""
    old = ctx.signer
    if old is None:
        raise FileNotFoundError(path)
    fresh = path.with_name(path.name + ".moi")
    signing.create_key(fresh)
    new = signing.load_signer(fresh)
    body = _endorsement(old.public_minisign(), new.public_minisign())
    data = {
        "old_key": old.public_minisign(),
        "new_key": new.public_minisign(),
        "signed_by_old": old.sign(body).hex(),
        "signed_by_new": new.sign(body).hex(),
    }
    archived = path.with_name(f"{path.name}.cu-{old.key_id_hex}")
    try:
        with ctx.write() as s:
            ctx.allow(s, Action.admin)
            audit.append(
                s, at=ctx.clock.now(), actor=ctx.actor, kind="admin", event=ROTATION, data=data
            )
            ctx.signer = new  # this very commit's head is the new key's first
    except BaseException:
        ctx.signer = old
        fresh.unlink(missing_ok=True)
        raise
    path.rename(archived)
    fresh.rename(path)
    return {"old": old.key_id_hex, "new": new.key_id_hex, "archived": str(archived)}
