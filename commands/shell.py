"""What every command shares: options, the service call wrapper (errors → Vietnamese
message and exit code), the context, and rendering as a table or JSON."""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from workflow.text.vntext import visible

if TYPE_CHECKING:
    from workflow.usecases.context import Context

JsonOpt = Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")]
IdArg = Annotated[
    str, typer.Argument(metavar="MÃ_HỒ_SƠ", help="Mã hồ sơ (số).", show_default=False)
]
OrgOpt = Annotated[str | None, typer.Option("--org", help="Mã tổ chức (gồm cả cấp dưới).")]
LimitOpt = Annotated[int, typer.Option("--limit", help="Số dòng nhiều nhất.", min=1, max=1_000_000)]
MAX_ID_DIGITS = 15  # ids of dossiers and reminders; far below SQL's 64-bit integers
ReasonOpt = Annotated[str, typer.Option("--reason", help="Căn cứ, lý do thay đổi.")]


class _State:
    db: str | None = None
    actor: str | None = None
    on_close: Callable[[Callable[[], Any]], Any] | None = None


STATE = _State()


def console(stderr: bool = False) -> Any:
    """The terminal, as every command writes to it: text is never read as rich markup (a
    name holding ``[/]`` is a name) and control characters are shown escaped
    (``visible``), whatever stored value is printed."""
    from rich.console import Console

    class _Shown(Console):
        def print(self, *objects: Any, **options: Any) -> None:
            options["markup"] = False
            super().print(*(visible(o) if isinstance(o, str) else o for o in objects), **options)

    return _Shown(stderr=stderr, highlight=False, soft_wrap=True, markup=False)


def headed(label: str, message: str = "") -> Any:
    """'Label: message' with the label in bold red, the message as plain text."""
    from rich.text import Text

    return Text.assemble((label, "bold red"), " " + visible(message) if message else "")


def say(*parts: Any) -> None:
    """One line for the person at the terminal (print, with stored values made visible)."""
    print(visible(" ".join(str(p) for p in parts)))


def fail(message: str, code: int) -> NoReturn:
    console(stderr=True).print(headed("Lỗi:", message))
    raise typer.Exit(code)


FAULT_EXIT = 5  # a fault of the program or its environment, with an error id to quote


def last_resort(exc: Exception) -> NoReturn:
    """A fault nobody foresaw: one Vietnamese line with an error id (the unit of work it
    happened in was rolled back), and the id with where it happened in the fault log."""
    from workflow.usecases.faults import fault_id, fault_words, where

    error_id = fault_id()
    _log_fault(f"lỗi {error_id}: {' '.join(sys.argv[1:2])}: {where(exc)}")
    what = fault_words(exc)
    console(stderr=True).print(
        headed(
            "Lỗi:",
            f"{what}; việc đang làm dở đã được hủy, không ghi gì. "
            f"Nếu lỗi lặp lại, báo cho quản trị viên mã lỗi {error_id}.",
        )
    )
    raise SystemExit(FAULT_EXIT)


def fault_log() -> Path:
    base = os.environ.get("KETNAP_LOG_DIR") or str(Path.home() / ".local" / "state" / "ketnap")
    return Path(base) / "loi.log"


def _log_fault(line: str) -> None:
    from datetime import datetime

    try:
        path = fault_log()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with path.open("a", encoding="utf-8") as out:
            out.write(f"{datetime.now().astimezone().isoformat(timespec='seconds')} {line}\n")
    except OSError:
        pass  # a log that cannot be written must not hide the message itself


def run(action: Callable[[], Any]) -> Any:
    """Run a service call; turn our errors into a Vietnamese message and an exit code."""
    from workflow.domain.errors import (
        BadInput,
        BatchRefused,
        Forbidden,
        KetnapError,
        RecordRefused,
        Refused,
    )

    try:
        return action()
    except BatchRefused as exc:
        err = console(stderr=True)
        event = exc.refused[0][1].event.label
        err.print(
            headed(
                "Không được phép:",
                f"{event} — {len(exc.refused)} hồ sơ chưa đủ điều kiện; "
                "không hồ sơ nào được chuyển.",
            )
        )
        for did, verdict in exc.refused:
            err.print(f"  Hồ sơ #{did}:", markup=False)
            for unmet in verdict.unmet:
                err.print(f"    • [{unmet.rule_id}] {unmet.message}", markup=False)
        raise typer.Exit(exc.exit_code) from None
    except Refused as exc:
        err = console(stderr=True)
        err.print(headed("Không được phép:", exc.verdict.event.label))
        for unmet in exc.verdict.unmet:
            err.print(f"  • [{unmet.rule_id}] {unmet.message}", markup=False)
        err.print(f"  (bộ quy định: {exc.verdict.rule_set_id})", markup=False)
        raise typer.Exit(exc.exit_code) from None
    except RecordRefused as exc:
        err = console(stderr=True)
        err.print(headed("Không ghi nhận được:", exc.what))
        for unmet in exc.unmet:
            err.print(f"  • [{unmet.rule_id}] {unmet.message}", markup=False)
        raise typer.Exit(exc.exit_code) from None
    except BadInput as exc:
        err = console(stderr=True)
        err.print(headed("Dữ liệu không hợp lệ:"))
        for field, message in exc.problems:
            err.print(f"  • {field}: {message}", markup=False)
        raise typer.Exit(exc.exit_code) from None
    except Forbidden as exc:
        console(stderr=True).print(headed("Không có quyền:", str(exc)))
        raise typer.Exit(exc.exit_code) from None
    except KetnapError as exc:
        fail(str(exc), exc.exit_code)
    except OSError as exc:
        if exc.errno in _A_NAME_TYPED:  # a path typed wrong: the person can fix it
            fail(f"Tệp: {_A_NAME_TYPED[exc.errno]}.", 2)
        last_resort(exc)  # the machine's: disk full, read-only, no permission


_A_NAME_TYPED = {
    errno.ENAMETOOLONG: "tên tệp hoặc đường dẫn dài quá (mỗi phần tối đa 255 byte)",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ELOOP: "đường dẫn vòng lặp (liên kết trỏ lại chính nó)",
    errno.EISDIR: "đây là một thư mục, hãy ghi tên tệp",
}


def context(require_init: bool = True, *, channel: str = "cli", signed_in: bool = True) -> Context:
    """The context of this command: its database, the server's clock (or ``KETNAP_NOW`` in
    a rehearsal), and who acts. Once the installation has users that is the user of this OS
    user's session (``ketnap login``), proven by the use case; before, ``--as``. With
    ``signed_in=False`` (``login``, a first ``init``) nobody is proven yet."""
    from workflow.usecases.clock import clock_from_env
    from workflow.usecases.context import open_context
    from workflow.usecases.sessions import prove

    fallback = run(lambda: _named(STATE.actor)) or os.environ.get("USER") or "chuyen_vien"
    made: Context = run(
        lambda: open_context(STATE.db, fallback, clock_from_env(), require_init=require_init)
    )
    if STATE.on_close is not None:  # a server counts connections: they close with the command
        STATE.on_close(made.engine.dispose)
    made.channel = channel
    if signed_in:
        pinned = bool(os.environ.get("KETNAP_NOW"))
        made.actor = run(lambda: prove(made, read_token(), STATE.actor, pinned_clock=pinned))
    return made


_ACTOR = re.compile(r"[\w.@-]+( [\w.@-]+)*")


def _named(actor: str | None) -> str | None:
    """--as (KETNAP_USER), as the audit log will keep it: a name of letters, digits and
    . @ - _ (single spaces between words), at most 64 characters."""
    from workflow.domain.errors import BadInput

    if actor is None:
        return None
    name = actor.strip()
    if not name or len(name) > 64 or not _ACTOR.fullmatch(name):
        raise BadInput.one(
            "Người thực hiện (--as, KETNAP_USER)",
            "chỉ gồm chữ, số và . @ - _ (tối đa 64 ký tự)",
        )
    return name


def _token_file() -> Path:
    from workflow.usecases.sessions import installation_key

    base = os.environ.get("KETNAP_SESSION_DIR") or str(Path.home() / ".config" / "ketnap")
    return Path(base) / f"phien-{installation_key(STATE.db)}"


def read_token() -> str | None:
    """This OS user's session token for this database, if it has one."""
    path = _token_file()
    try:
        return path.read_text(encoding="ascii").strip() or None
    except (OSError, ValueError):  # none yet, unreadable, or not a token (then: sign in again)
        return None


SESSION_FIELD = "Thư mục phiên (KETNAP_SESSION_DIR)"


def token_place() -> None:
    """Make sure the session token can be kept, before a session is opened for it."""
    from workflow.domain.errors import BadInput

    path = _token_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        raise BadInput.one(SESSION_FIELD, f"không tạo được thư mục '{path.parent}'") from None
    if not path.parent.is_dir() or not os.access(path.parent, os.W_OK | os.X_OK):
        raise BadInput.one(SESSION_FIELD, f"không ghi được vào '{path.parent}'")
    if path.exists() and not path.is_file():
        raise BadInput.one(SESSION_FIELD, f"'{path}' không phải tệp thường")


def keep_token(token: str | None) -> None:
    """Keep (or, with None, forget) the session token, readable by this OS user only;
    raises OSError when it cannot."""
    path = _token_file()
    if token is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(token)


def read_password(prompt: str, *, from_stdin: bool, again: bool = False) -> str:
    """A password from the keyboard (not echoed; typed twice when ``again``), or one line of
    standard input with --password-stdin. Never from an argument."""
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        fail("Không có bàn phím để nhập mật khẩu: dùng --password-stdin.", 2)
    import getpass

    first = getpass.getpass(f"{prompt}: ")
    if again and getpass.getpass(f"{prompt} (nhập lại): ") != first:
        fail("Hai lần nhập mật khẩu không giống nhau.", 2)
    return first


def day_of(text: str | None, field: str) -> date | None:
    """A dd/mm/yyyy option (None when not given); called inside ``run`` so a bad date is a
    Vietnamese message naming the field."""
    from workflow.domain.errors import BadInput
    from workflow.text.vntext import parse_date

    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise BadInput.one(field, str(exc)) from None


def dossier_id_of(raw: str, label: str = "Mã hồ sơ") -> int:
    """An id (of a dossier, a reminder) from the command line; called inside ``run`` so
    BadInput is reported."""
    from workflow.domain.errors import BadInput

    text = raw.strip()
    if text.startswith("-") and text[1:].isascii() and text[1:].isdigit():
        raise BadInput.one(label, f"'{text[:20]}' không phải mã: mã là số dương")
    if not text.isascii() or not text.isdigit():
        raise BadInput.one(label, f"'{raw[:40]}' không phải số")
    if len(text) > MAX_ID_DIGITS:
        raise BadInput.one(label, f"số {text[:12]}… quá lớn, không có mã nào như vậy")
    return int(text)


def out_json(data: Any) -> None:
    """JSON for a program to read; C1 controls and direction overrides (which json leaves
    as they are) written as \\u escapes, so that the same output is safe on a terminal."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(_JSON_HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


_JSON_HIDDEN = re.compile(r"[\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def vn(iso: str | None) -> str:
    if not iso:
        return "—"
    y, m, d = iso[:10].split("-")
    return f"{d}/{m}/{y}"


def new_table(title: str) -> Any:
    """A rich table whose title and cells are text, never markup, with controls escaped."""
    from rich.table import Table
    from rich.text import Text

    class _ShownTable(Table):
        def add_row(self, *cells: Any, **options: Any) -> None:
            super().add_row(
                *(Text(visible(str(c))) if c is not None else "—" for c in cells), **options
            )

    return _ShownTable(title=Text(visible(title)), title_justify="left")


def table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    view = new_table(title)
    for column in columns:
        view.add_column(column)
    for row in rows:
        view.add_row(*row)
    console().print(view)


def listing(
    rows: list[dict[str, Any]],
    as_json: bool,
    title: str,
    columns: list[str],
    cells: Callable[[dict[str, Any]], list[Any]],
) -> None:
    """A read's result: the rows as JSON, or a table with one line per row."""
    if as_json:
        out_json(rows)
        return
    table(title, columns, [cells(r) for r in rows])


def program_name() -> str:
    """How the user can type this program again: ``ketnap`` when that is on the PATH, else
    the path they ran (``.venv/bin/ketnap`` after the README's first command)."""
    import shutil
    from pathlib import Path

    ran = Path(sys.argv[0])
    found = shutil.which(ran.name)
    if found and Path(found).resolve() == ran.resolve():
        return ran.name
    return str(ran) if ran.name == "ketnap" else "ketnap"


def choices(values: Iterable[StrEnum]) -> str:
    """'a | b | c': the identifiers an option takes, from the glossary's own enum."""
    return " | ".join(v.value for v in values)
