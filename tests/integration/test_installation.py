"""Setting an installation up: `initialise` fills what a migration leaves to the domain."""

from __future__ import annotations

from tests.conftest import admit, new_candidate
from tests.databases import TestDB
from workflow.usecases.context import Context
from workflow.usecases.installation import initialise


def test_initialise_fills_the_profile_of_admissions_recorded_before_it_existed(
    ctx: Context, db: TestDB
) -> None:
    did = new_candidate(ctx)
    admit(ctx, did)
    ((recorded,),) = db.sql("SELECT admitted_profile FROM dossier WHERE id = :i", {"i": did})
    assert recorded is not None
    # a row from before revision 0003, which added the column without computing it
    db.sql("UPDATE dossier SET admitted_profile = NULL WHERE id = :i", {"i": did})
    assert initialise(ctx, key=db.key) is False  # not a new installation
    assert db.sql("SELECT admitted_profile FROM dossier WHERE id = :i", {"i": did}) == [(recorded,)]
