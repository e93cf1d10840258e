"""What can go wrong for a clerk, each with its exit code (0 done, 1 refused, 2 bad input,
3 conflict). Messages are Vietnamese and never carry personal data such as a CCCD."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflow.domain.verdicts import Unmet, Verdict


_LONG_NUMBER = re.compile(r"[0-9]{9,}")


def _masked(found: re.Match[str]) -> str:
    digits = found.group()
    return "*" * (len(digits) - 4) + digits[-4:]


class KetnapError(Exception):
    exit_code = 2

    @property
    def message(self) -> str:
        return str(self)


class BadInput(KetnapError):
    """A malformed or unknown value; ``problems`` are (field label, message) pairs."""

    exit_code = 2

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        # a value typed in the wrong box is echoed back masked if it may be a CCCD
        self.problems = [(field, _LONG_NUMBER.sub(_masked, msg)) for field, msg in problems]
        problems = self.problems
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in problems))

    @classmethod
    def one(cls, field: str, message: str) -> BadInput:
        return cls([(field, message)])


class Refused(KetnapError):
    """The Party's rules do not allow the step (yet); every unmet rule is listed."""

    exit_code = 1

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        super().__init__(
            f"Không thể '{verdict.event.label}': " + "; ".join(str(u) for u in verdict.unmet)
        )


class BatchRefused(KetnapError):
    """A step for a list refused because some of its dossiers do not meet the rules: nothing
    was written; every refused dossier is listed with every unmet rule."""

    exit_code = 1

    def __init__(self, refused: list[tuple[int, Verdict]]) -> None:
        self.refused = refused
        super().__init__(
            f"Không thể '{refused[0][1].event.label}' cho {len(refused)} hồ sơ: "
            + "; ".join(f"#{did}: " + ", ".join(v.rule_ids) for did, v in refused)
        )


class RecordRefused(KetnapError):
    """A fact the rules do not allow recording yet (a ceremony before the decision …);
    nothing was written but the refusal's audit event."""

    exit_code = 1

    def __init__(self, what: str, unmet: tuple[Unmet, ...]) -> None:
        self.what = what
        self.unmet = unmet
        super().__init__(f"Không ghi nhận được {what}: " + "; ".join(str(u) for u in unmet))


class LogTampered(KetnapError):
    """The audit log is not what its newest signed head says (AUD-HEAD): nothing more is
    written over it until an inspector has looked (``ketnap audit verify``)."""

    exit_code = 1


class Conflict(KetnapError):
    """Somebody else changed the dossier first; nothing was written."""

    exit_code = 3


class NotInitialised(KetnapError):
    exit_code = 2


class NotSignedIn(KetnapError):
    """No proven identity where one is needed (no session, an expired one, a wrong password,
    a locked sign-in); exit 4 like any refusal of permission."""

    exit_code = 4


class Forbidden(KetnapError):
    """The actor's role or scope does not allow the action; the refusal is audited."""

    exit_code = 4

    def __init__(self, message: str, action: str, org_id: int | None = None) -> None:
        super().__init__(message)
        self.action = action
        self.org_id = org_id
