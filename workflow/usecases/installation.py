"""Setting an installation up: the schema through Alembic, and the values derived from the
rules that older rows lack (a migration changes the schema only; it never imports the
domain, so a later change of a rule cannot break an old migration)."""

from __future__ import annotations

from sqlmodel import col, select

from models import audit
from models.db import HEAD_REVISION, migrate
from models.tables import Candidate, Dossier
from workflow.usecases.context import Context
from workflow.usecases.dossiers import profile_of


def initialise(ctx: Context) -> bool:
    """Create or upgrade the schema through Alembic; True when the installation is new (its
    audit log was empty: the schema may have been made by a DBA running the migrations)."""
    migrate(ctx.engine)
    with ctx.write() as s:
        fresh = audit.head(s)[0] == 0
        if fresh:
            audit.append(
                s,
                at=ctx.clock.now(),
                actor=ctx.actor,
                kind="admin",
                event="khoi_tao",
                data={"schema": HEAD_REVISION},
            )
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
    return fresh
