"""ketnap — the command line's root: the typer app, its global options, and ``main``.

Every command group lives in ``commands/`` (one module per group, each with its
``register``); the commands call the use cases in ``workflow/usecases`` and nothing else.
Exit codes: 0 done, 1 refused by a rule, 2 bad input, 3 conflict (someone else changed the
dossier first), 4 not permitted (role or scope), 5 a fault (an error id to quote).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from commands import (
    audit,
    calendar,
    candidates,
    completion,
    corrections,
    cycle,
    importing,
    life,
    mail,
    organizations,
    process,
    record,
    reminders,
    report,
    rules,
    setup,
    signin,
    targets,
    transfers,
    users,
)
from commands.parsing import install as negative_numbers_are_values
from commands.shell import STATE, last_resort
from commands.vietnamese import install as vietnamese
from web import serve

vietnamese()  # what typer itself prints (usage, titles, errors), before the app is built
negative_numbers_are_values()
app = typer.Typer(
    add_completion=False,  # typer's own options speak English: `ketnap completion` instead
    help="Quản lý quy trình kết nạp đảng viên: tổ chức, quần chúng, hồ sơ, điều kiện, nhật ký.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold a CCCD or a personal history
    rich_markup_mode=None,
)


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("ketnap")
        except PackageNotFoundError:  # run from a checkout that was never installed
            number = "(chưa cài đặt)"
        print(f"ketnap {number}")
        raise typer.Exit(0)


@app.callback()
def _main(
    invocation: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="KETNAP_DB", help="Tệp SQLite hoặc URL cơ sở dữ liệu."),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--as", envvar="KETNAP_USER", help="Người thực hiện (ghi vào nhật ký)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="In phiên bản của ketnap rồi thoát.",
            is_eager=True,
            callback=_print_version,
        ),
    ] = False,
) -> None:
    STATE.db = db
    STATE.actor = actor
    STATE.on_close = invocation.call_on_close  # the command's connections close with it


_VALUED = {"--db", "--as"}  # top-level options that take a value


# The order of `ketnap --help`: the day's work first, then settings, inspection, sheets.
for group in (
    setup,
    signin,
    organizations,
    candidates,
    record,
    corrections,
    process,
    life,
    transfers,
    audit,
    rules,
    calendar,
    reminders,
    mail,
    cycle,
    targets,
    report,
    users,
    importing,
    serve,
    completion,
):
    group.register(app)


def _invoked_group(argv: list[str]) -> str | None:
    """The first word of the command line that is not a top-level option (or its value)."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in _VALUED:
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def _only_the_invoked_group(argv: list[str]) -> None:
    """Typer builds every command of every group before it runs one (≈ 0.1 s for fifty).
    A real command line needs the group it names: the others keep their name and help
    (for `ketnap --help`) and lose their commands for this process only."""
    wanted = _invoked_group(argv)
    for info in app.registered_groups:
        if info.name != wanted and info.typer_instance is not None:
            help_text = info.typer_instance.info.help
            info.typer_instance = typer.Typer(help=help_text, no_args_is_help=True)


def _reader_left() -> bool:
    """The framework met a closed pipe (it then wraps the streams and exits 1, which the
    README keeps for a rule's refusal)."""
    from typer._click.utils import PacifyFlushWrapper

    return isinstance(sys.stdout, PacifyFlushWrapper)


def main() -> None:
    try:
        if completion.requested():  # the shell asks for the words after Tab
            completion.answer(app)
            return
        _only_the_invoked_group(sys.argv[1:])
        app()
    except SystemExit as stop:
        if stop.code == 1 and _reader_left():  # `| head` had enough: done, not refused
            raise SystemExit(0) from None
        raise
    except Exception as exc:  # the last resort: no traceback reaches a person
        last_resort(exc)


if __name__ == "__main__":
    main()
