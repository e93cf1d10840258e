"""Setting an installation up: the schema through Alembic, and the values derived from the
rules that older rows lack (a migration changes the schema only; it never imports the
domain, so a later change of a rule cannot break an old migration)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models import audit
from models.db import HEAD_REVISION, migrate, refresh_statistics
from models.tables import Candidate, Dossier, Installation, Organization
from workflow.text.vntext import order_text, sort_text
from workflow.usecases.context import Context
from workflow.usecases.dossiers import profile_of

REHEARSAL = "rehearsal"


def is_rehearsal(s: Session) -> bool:
    """The database was created as a rehearsal (demo, tests, training): pages and reports
    say so, and a pinned clock is allowed."""
    row = s.get(Installation, REHEARSAL)
    return row is not None and row.value == "1"


def installation_facts(ctx: Context) -> dict[str, bool]:
    """What every page header and report needs to know of the installation."""
    with ctx.read() as s:
        return {"rehearsal": is_rehearsal(s)}


def initialise(ctx: Context, *, rehearsal: bool = False) -> bool:
    """Create or upgrade the schema through Alembic; True when the installation is new (its
    audit log was empty: the schema may have been made by a DBA running the migrations).
    A new installation may be marked a rehearsal (demo, tests, training): only there may
    the clock be pinned once users exist; the mark is set once, in the first audit event.
    The planner's statistics are refreshed too (after a large import, run it again)."""
    migrate(ctx.engine)
    with ctx.write() as s:
        fresh = audit.head(s)[0] == 0
        if fresh:
            if rehearsal:
                s.add(Installation(key=REHEARSAL, value="1"))
            audit.append(
                s,
                at=ctx.clock.now(),
                actor=ctx.actor,
                kind="admin",
                event="khoi_tao",
                data={"schema": HEAD_REVISION, "rehearsal": rehearsal},
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
