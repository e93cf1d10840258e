"""Setting an installation up: the schema through Alembic, and the values derived from the
rules that older rows lack (a migration changes the schema only; it never imports the
domain, so a later change of a rule cannot break an old migration)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from models import audit, heads
from models.db import HEAD_REVISION, migrate, refresh_statistics
from models.tables import Candidate, Dossier, Installation, Organization, SignedHead
from workflow.domain.errors import BadInput
from workflow.text.vntext import order_text, sort_text
from workflow.usecases import signing
from workflow.usecases.context import Context
from workflow.usecases.dossiers import profile_of

REHEARSAL = "rehearsal"
PUBLIC_KEY = "public_key"  # the installation key's public half (minisign), set at creation


@dataclass(frozen=True)
class KeyInUse:
    path: Path
    public: str  # minisign's base64 line
    created: bool
    beside_database: bool  # the old default: a copy of the database folder carries the key


def installation_key(ctx: Context, key: Path | None = None) -> KeyInUse:
    """The key this installation signs with, made on a new installation. Never replaced:
    a database that already names its key refuses a missing or different key file (the
    administrator points KETNAP_KEY at the right one, or rotates it, which is audited)."""
    url = ctx.engine.url.render_as_string(hide_password=False)
    path = key or signing.key_path(url)
    with ctx.read() as s:
        row = s.get(Installation, PUBLIC_KEY)
        recorded = row.value if row is not None else None
        known = recorded is not None and known_keys(s, recorded)
    created = False
    if not path.exists():
        if recorded is not None:
            raise BadInput.one(
                signing.KEY_FIELD,
                f"cơ sở dữ liệu này ký bằng khóa {_short(recorded)} nhưng không có tệp khóa "
                f"'{path}'. Hãy đặt KETNAP_KEY tới tệp khóa đó; ketnap không tạo khóa mới "
                "thay thế",
            )
        signing.create_key(path)
        created = True
    signer = signing.load_signer(path)
    mine = signer.public_minisign()
    if known and mine not in known:
        raise BadInput.one(
            signing.KEY_FIELD,
            f"tệp khóa '{path}' (khóa {signer.key_id_hex}) không phải khóa của cơ sở dữ liệu "
            f"này ({_short(recorded or '')}); không dùng, không thay thế",
        )
    ctx.signer = signer
    return KeyInUse(path, mine, created, signing.beside_database(path, url))


def _short(public_b64: str) -> str:
    try:
        return signing.key_id_text(signing.parse_public(public_b64))
    except ValueError:
        return "?"


def known_keys(s: Session, recorded: str) -> set[str]:
    """The installation's keys: the first one, and each a rotation moved to."""
    from workflow.usecases.keyring import rotations

    return {recorded, *(r["new_key"] for r in rotations(s))}


def is_rehearsal(s: Session) -> bool:
    """The database was created as a rehearsal (demo, tests, training): pages and reports
    say so, and a pinned clock is allowed."""
    row = s.get(Installation, REHEARSAL)
    return row is not None and row.value == "1"


def installation_facts(ctx: Context) -> dict[str, bool]:
    """What every page header and report needs to know of the installation."""
    with ctx.read() as s:
        return {"rehearsal": is_rehearsal(s)}


def initialise(ctx: Context, *, rehearsal: bool = False, key: Path | None = None) -> bool:
    """Create or upgrade the schema through Alembic; True when the installation is new (its
    audit log was empty: the schema may have been made by a DBA running the migrations).
    A new installation may be marked a rehearsal (demo, tests, training): only there may
    the clock be pinned once users exist; the mark is set once, in the first audit event.
    The planner's statistics are refreshed too (after a large import, run it again).
    The signing key is made (or checked) first, so the very first event's head is signed:
    ``key`` is where it lives (default: signing.key_path)."""
    migrate(ctx.engine)
    used = installation_key(ctx, key)
    with ctx.write() as s:
        length = audit.head(s)[0]
        fresh = length == 0
        if not fresh and s.exec(select(SignedHead).limit(1)).first() is None:
            # a log from before signed heads (revision 0010): signed once, here, in the open
            s.info[heads.ADOPT] = True
            audit.append(
                s,
                at=ctx.clock.now(),
                actor=ctx.actor,
                kind="admin",
                event="ky_chuoi_cu",
                data={"length": length, "key": used.public},
            )
        if s.get(Installation, PUBLIC_KEY) is None:
            s.add(Installation(key=PUBLIC_KEY, value=used.public))
        if fresh:
            if rehearsal:
                s.add(Installation(key=REHEARSAL, value="1"))
            audit.append(
                s,
                at=ctx.clock.now(),
                actor=ctx.actor,
                kind="admin",
                event="khoi_tao",
                data={"schema": HEAD_REVISION, "rehearsal": rehearsal, "key": used.public},
            )
        # persons and organizations recorded before their sort keys (revisions 0008, 0009)
        for c in s.exec(select(Candidate).where(col(Candidate.sort_key).is_(None))).all():
            c.sort_key = sort_text(c.full_name)
            s.add(c)
        for o in s.exec(select(Organization).where(col(Organization.sort_key).is_(None))).all():
            o.sort_key = order_text(o.name)
            s.add(o)
        # admissions recorded before the profile column existed (revision 0003)
        unprofiled = s.exec(
            select(Dossier, Candidate)
            .join(Candidate, col(Candidate.id) == col(Dossier.candidate_id))
            .where(
                col(Dossier.party_joined_on).is_not(None), col(Dossier.admitted_profile).is_(None)
            )
        ).all()
        for d, c in unprofiled:
            assert d.party_joined_on is not None
            d.admitted_profile = profile_of(c, d.party_joined_on)
            s.add(d)
    refresh_statistics(ctx.engine)
    return fresh
