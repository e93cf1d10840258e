"""The command line's environment for a test: its database, a pinned clock (the tests
are rehearsals) and, in single-user mode, who acts."""

from __future__ import annotations

import pytest

from tests.databases import TestDB


@pytest.fixture
def env(db: TestDB) -> dict[str, str]:
    return {
        **db.env(),
        "KETNAP_NOW": "25/11/2026",
        "KETNAP_USER": "chuyen_vien",
    }
