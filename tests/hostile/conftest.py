"""What every hostile-input test shares: the demo built once per module with a signed-in
command line for each kind of user, a fingerprint of the whole database to show that a
refused command changed nothing, and the words that must never reach a person."""

from __future__ import annotations

import hashlib
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli import app
from tests.databases import TestDB, new_db
from tests.e2e.test_cli import demo, signed_in

RUNNER = CliRunner()
NOW = "25/11/2026"
PASSWORD = "mat-khau-du-dai-2026"

# What the framework, pydantic or Python print by themselves; none may reach a person.
ENGLISH = re.compile(
    r"\b(Usage|Options?|Commands?|Arguments?|Error|Invalid|Missing|required|default|should|"
    r"Input|Value|valid|Traceback|such|Aborted|Show this|at least|characters|integer|"
    r"string|Field|expected|Exception|File \"|sqlalche|errno|Errno|Permission denied|"
    r"No such|not found|directory|unexpected)\b"
)

# Users of the demo (docs: README) and what they may do.
USERS = ("cv_tinh", "quantri", "bt_vp", "ubkt", "cu_duk")

# Changes a refused command may leave: its own audited refusal, and the signed head over it.
AUDITED = ("audit_event", "audit_head")


@dataclass
class Said:
    code: int
    out: str
    crashed: BaseException | None = None


@dataclass
class Office:
    """The demo database and a command line for each of its users."""

    db: TestDB
    envs: dict[str, dict[str, str]] = field(default_factory=dict)
    engine: Engine | None = None

    def run(self, who: str, line: str, extra: dict[str, str] | None = None) -> Said:
        env = {**self.envs[who], **(extra or {})}
        # a password for the commands that read one (--password-stdin), nothing for others
        result = RUNNER.invoke(app, shlex.split(line), env=env, input=PASSWORD + "\n")
        crashed = result.exception
        if isinstance(crashed, SystemExit):
            crashed = None
        return Said(result.exit_code, result.output, crashed)

    def fingerprint(self) -> dict[str, str]:
        """A digest of every table's rows (in a stable order)."""
        if self.engine is None:
            self.engine = create_engine(self.db.url)
        digests = {}
        with self.engine.connect() as conn:
            for name in sorted(inspect(conn).get_table_names()):
                rows = sorted(repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{name}"')))
                digests[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return digests

    def new_events(self, after: int) -> list[str]:
        with self.engine.connect() as conn:  # type: ignore[union-attr]
            rows = conn.execute(
                text("SELECT kind FROM audit_event WHERE id > :a ORDER BY id"), {"a": after}
            )
            return [r[0] for r in rows]

    def last_event(self) -> int:
        with self.engine.connect() as conn:  # type: ignore[union-attr]
            return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_event")).one()[0])


def demo_office(root: Path) -> Office:
    made = new_db(root, "demo")
    base = {**made.env(), "KETNAP_NOW": NOW, "KETNAP_LOG_DIR": str(root / "loi")}
    passwords = demo(base)
    office = Office(made)
    for user in USERS:
        mine = {**base, "KETNAP_SESSION_DIR": str(root / f"phien-{user}")}
        office.envs[user] = signed_in(mine, user, passwords[user])
    said = office.run("quantri", "scan")  # reminders to mark done, and mail in the outbox
    assert said.code == 0, said.out
    office.fingerprint()
    return office


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    made = demo_office(tmp_path_factory.mktemp("hostile"))
    yield made
    if made.engine is not None:
        made.engine.dispose()
    made.db.drop()


def judged(said: Said, line: str, code: int, words: tuple[str, ...]) -> None:
    """The checks every bad input must pass: the documented exit code, the field named in
    Vietnamese, no traceback and no English from the framework."""
    assert said.crashed is None, f"{line}\n{said.crashed!r}"
    assert said.code == code, f"{line}\nthoát {said.code}, chờ {code}\n{said.out}"
    for word in words:
        assert word in said.out, f"{line}\nthiếu '{word}'\n{said.out}"
    english = ENGLISH.search(said.out)
    assert english is None, f"{line}\ntiếng Anh: {english.group()!r}\n{said.out}"
