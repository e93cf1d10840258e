"""Shell completion: ``ketnap completion bash|zsh|fish`` prints the script to source, and
the shell then offers the words a clerk types most: sub-commands, options, event names,
stages and the codes of the organisations the signed-in user may see."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated, Any

import typer

from commands.shell import fail, say

COMPLETE_VAR = "_KETNAP_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


def _events(incomplete: str) -> list[tuple[str, str]]:
    from workflow.domain.process import Event

    return [(e.value, e.label) for e in Event if e.value.startswith(incomplete)]


def _stages(incomplete: str) -> list[tuple[str, str]]:
    from workflow.domain.process import Stage

    return [(s.value, s.label) for s in Stage if s.value.startswith(incomplete)]


def _org_codes(incomplete: str) -> list[tuple[str, str]]:
    """The codes this user may see (their session, as any command); none when the database
    cannot be read or nobody is signed in: completion never prints an error."""
    from commands.shell import context
    from workflow.usecases.organizations import orgs_in_scope

    try:
        rows = orgs_in_scope(context())
    except (Exception, SystemExit):
        return []
    return [(r["code"], r["name"]) for r in rows if r["code"].startswith(incomplete.upper())]


# Which words complete which parameter, by the parameter's name.
BY_PARAMETER: dict[str, Callable[[str], list[tuple[str, str]]]] = {
    "event": _events,
    "stage": _stages,
    "back_to": _stages,
    "org": _org_codes,
    "org_code": _org_codes,
    "parent": _org_codes,
}


def _attach(command: Any) -> None:
    """Give every parameter named in BY_PARAMETER its completion, through the whole tree."""
    from typer._click.shell_completion import CompletionItem

    for parameter in getattr(command, "params", ()):
        words = BY_PARAMETER.get(parameter.name or "")
        if words is not None:

            def complete(_ctx: Any, _param: Any, incomplete: str, words: Any = words) -> Any:
                return [CompletionItem(v, help=h) for v, h in words(incomplete)]

            parameter._custom_shell_complete = complete
    for sub in getattr(command, "commands", {}).values():
        _attach(sub)


def answer(app: typer.Typer) -> None:
    """Answer the shell's completion request (the script sets COMPLETE_VAR) and exit."""
    from typer._completion_classes import completion_init
    from typer.main import get_command

    completion_init()  # typer's bash, zsh and fish answerers
    command = get_command(app)
    _attach(command)
    command.main(prog_name="ketnap", complete_var=COMPLETE_VAR)


def requested() -> bool:
    return bool(os.environ.get(COMPLETE_VAR))


def completion(
    shell: Annotated[str, typer.Argument(metavar="VỎ_LỆNH", help="bash, zsh hoặc fish.")],
) -> None:
    """In đoạn lệnh gợi ý (Tab) cho vỏ lệnh; thêm vào ~/.bashrc: eval "$(ketnap completion
    bash)"."""
    from typer._completion_shared import get_completion_script

    if shell not in SHELLS:
        fail(f"Vỏ lệnh: '{shell[:20]}' không hỗ trợ; chọn {', '.join(SHELLS)}.", 2)
    say(get_completion_script(prog_name="ketnap", complete_var=COMPLETE_VAR, shell=shell))


def register(app: typer.Typer) -> None:
    app.command("completion")(completion)
