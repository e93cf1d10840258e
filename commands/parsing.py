"""How the command line is split into options and values, where click's rule is not a
clerk's: a negative number (``-5``) typed where a value is expected is that value, to be
judged by the field it was typed for ("phải lớn hơn hoặc bằng 0"), not an unknown option."""

from __future__ import annotations

import re
from typing import Any

from typer._click import parser

_NEGATIVE = re.compile(r"-[0-9][0-9.,]*")


def install() -> None:
    """Teach the parser (idempotent)."""
    english = parser._OptionParser._process_opts
    if getattr(english, "negative_numbers", False):
        return

    def process_opts(self: Any, arg: str, state: Any) -> None:
        if _NEGATIVE.fullmatch(arg) and arg not in self._short_opt and arg not in self._long_opt:
            state.largs.append(arg)
            return
        english(self, arg, state)

    process_opts.negative_numbers = True  # type: ignore[attr-defined]
    parser._OptionParser._process_opts = process_opts  # type: ignore[method-assign]
