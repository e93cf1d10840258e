"""The command line framework's own words in Vietnamese: what typer and the click it carries
print by themselves (the usage line, section titles, the help option, the errors of a
mistyped command line). typer 0.29 writes most of them as plain English strings, so they
are replaced here, once, when the CLI starts; a message not listed passes unchanged."""

from __future__ import annotations

import re
from typing import IO, Any

import typer.core
from typer._click import core as click_core
from typer._click import exceptions, formatting
from typer._click.utils import echo

WORDS = {
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Arguments": "Tham số",
    "env var: {var}": "biến môi trường: {var}",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "(dynamic)": "(tùy lúc)",
    "Aborted!": "Đã dừng.",
    "Missing command.": "Thiếu lệnh.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "(deprecated) ": "(không dùng nữa) ",
}
HELP = "Hiện hướng dẫn này rồi thoát."
USAGE = "Cách dùng: "

# Messages click builds, as patterns: the Vietnamese keeps what was typed.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(a), b)
    for a, b in (
        (r"^No such option: (.+?)(?: \(Possible options: (.+)\))?$", "Không có tùy chọn {0}{1}"),
        (r"^Missing (option|argument|parameter) ?(.*?)\.(?: (.*))?$", "Thiếu {0} {1}"),
        (r"^Invalid value for (.+?): (.+)$", "Giá trị không hợp lệ cho {0}: {1}"),
        (r"^Invalid value: (.+)$", "Giá trị không hợp lệ: {0}"),
        (r"^(.+?) is not a valid integer\.?$", "{0} không phải số nguyên."),
        (r"^(.+?) is not a valid float\.?$", "{0} không phải số."),
        (r"^(.+?) is not a valid boolean\.?$", "{0} không phải có/không."),
        (r"^(.+?) is not in the range (.+?)\.?$", "{0} nằm ngoài khoảng {1}."),
        (r"^(.+?) is not one of (.+?)\.?$", "{0} không phải một trong {1}."),
        (r"^Option (.+?) requires an argument\.?$", "Tùy chọn {0} cần một giá trị."),
        (r"^Option (.+?) does not take a value\.?$", "Tùy chọn {0} không nhận giá trị."),
        (r"^Option (.+?) requires (\d+) arguments\.?$", "Tùy chọn {0} cần {1} giá trị."),
        (r"^Got unexpected extra argument(?:s|\(s\))? \((.+)\)$", "Thừa tham số: {0}"),
        (r"^Input should be a valid integer.*$", "phải là số nguyên"),
        (r"^Input should be a valid number.*$", "phải là số"),
        (r"^Input should be a valid boolean.*$", "phải là có/không"),
        (r"^Input should be greater than or equal to (.+)$", "phải lớn hơn hoặc bằng {0}"),
        (r"^Input should be less than or equal to (.+)$", "phải nhỏ hơn hoặc bằng {0}"),
        (r"^No such command (.+?)\.$", "Không có lệnh {0}."),
        (r"^Missing command\.$", "Thiếu lệnh."),
    )
)
_KINDS = {"option": "tùy chọn", "argument": "tham số", "parameter": "tham số"}


def words(text: str) -> str:
    """One of the framework's messages, in Vietnamese."""
    text = text.removeprefix("Value error, ")  # pydantic's prefix, kept by typer
    asked, _, guess = text.partition(". Did you mean ")  # typer's suggestion for a typo
    if guess:
        return f"{words(asked + '.')} Có phải là {guess.rstrip('?').replace(', ', ', hoặc ')}?"
    for pattern, said in PATTERNS:
        found = pattern.match(text)
        if found is None:
            continue
        parts = [g or "" for g in found.groups()]
        if said.startswith("Không có tùy chọn") and parts[1]:
            parts[1] = f" (có thể là: {parts[1]})"
        if said.startswith("Thiếu"):
            return f"Thiếu {_KINDS.get(parts[0], parts[0])} {parts[1]}".rstrip() + "."
        if said.startswith("Giá trị không hợp lệ cho"):
            parts[1] = words(parts[1])
        return said.format(*parts)
    return text


def _show(self: exceptions.ClickException, file: IO[Any] | None = None) -> None:
    echo(f"Lỗi: {words(self.format_message())}", file=file, err=file is None)


def _show_usage(self: exceptions.UsageError, file: IO[Any] | None = None) -> None:
    if self.ctx is not None:
        hint = ""
        if self.ctx.command.get_help_option(self.ctx) is not None:
            asked = f"{self.ctx.command_path} {self.ctx.help_option_names[0]}"
            hint = f"Xem '{asked}' để biết cách dùng.\n"
        echo(f"{self.ctx.get_usage()}\n{hint}", file=file, err=file is None)
    echo(f"Lỗi: {words(self.format_message())}", file=file, err=file is None)


def _said(message: str) -> str:
    return WORDS.get(message, message)


# The usage line's placeholders.
PLACEHOLDERS = {"[OPTIONS]": "[TÙY_CHỌN]", "COMMAND": "LỆNH", "[ARGS]...": "[THAM_SỐ]..."}


# The kinds of value the help shows beside a parameter (typer writes Python's type names).
TYPES = {
    "str": "VĂN_BẢN",
    "int": "số",
    "float": "số",
    "bool": "có/không",
    "path": "tệp",
    "file": "tệp",
    "directory": "thư mục",
    "list[str]": "…",
    "list[int]": "…",
    "int range": "số",
    "float range": "số",
}


DATE = "dd/mm/yyyy"
NUMBER = "SỐ"
FILE = "TỆP"
# What to type for each option, by its name: the help line then reads `--org MÃ_TỔ_CHỨC`,
# `--birth dd/mm/yyyy`, never a Python type.
BY_OPTION = {
    **dict.fromkeys(("--org", "--parent"), "MÃ_TỔ_CHỨC"),
    **dict.fromkeys(
        (
            "--date",
            "--as-of",
            "--from",
            "--to",
            "--birth",
            "--issued",
            "--verified",
            "--confirmed-abroad",
            "--signed",
            "--received",
            "--left",
            "--cleared",
        ),
        DATE,
    ),
    **dict.fromkeys(
        (
            "--official",
            "--agree",
            "--against",
            "--exempted",
            "--probationary",
            "--round",
            "--months",
            "--value",
            "--within",
            "--limit",
            "--workers",
            "--port",
            "--interval",
            "--misfire-grace",
            "--overdue-every",
            "--batch",
        ),
        NUMBER,
    ),
    **dict.fromkeys(("--out", "--docx", "--xlsx", "--png", "--checkpoint"), FILE),
    **dict.fromkeys(("--stage", "--back-to"), "BƯỚC"),
    "--number": "SỐ_HIỆU",
    "--year": "NĂM",
    "--period": "KỲ",
    "--kind": "LOẠI",
    "--sector": "LĨNH_VỰC",
    "--role": "VAI_TRÒ",
    "--roles": "VAI_TRÒ,…",
    "--leads": "N,N,…",
    "--name": "HỌ_TÊN",
    "--reason": "LÝ_DO",
    "--note": "GHI_CHÚ",
    "--search": "CHỮ_CẦN_TÌM",
    "--sex": "nam|nu",
    "--cccd": "SỐ_CCCD",
    "--education": "TRÌNH_ĐỘ",
    "--edu-exception": "TRƯỜNG_HỢP",
    "--ethnicity": "DÂN_TỘC",
    "--religion": "TÔN_GIÁO",
    "--occupation": "NGHỀ_NGHIỆP",
    "--residence": "NƠI_CƯ_TRÚ",
    "--relation": "QUAN_HỆ",
    "--issuer": "NƠI_CẤP",
    "--by": "CẤP_ỦY",
    "--place": "ĐỊA_DANH",
    "--email": "ĐỊA_CHỈ_THƯ",
    "--host": "ĐỊA_CHỈ",
    "--ground": "CĂN_CỨ",
    "--cause": "LÝ_DO",
    "--level": "CẤP_HỌC",
    "--version": "PHIÊN_BẢN",
    "--code": "MÃ",
    "--sets": "BỘ_QUY_ĐỊNH",
    "--pubkey": "KHÓA",
    "--earlier": "TỆP_GÓI",
    "--db": "TỆP_HOẶC_URL",
    "--as": "TÊN_ĐĂNG_NHẬP",
}
# By kind of value, for an option the table above does not name.
BY_TYPE = {"int": NUMBER, "float": NUMBER, "int range": NUMBER, "float range": NUMBER}


def _kind_of(parameter: Any, label: str) -> str:
    """The placeholder shown after an option in the help."""
    for name in getattr(parameter, "opts", ()):
        if name in BY_OPTION:
            return BY_OPTION[name]
    if not any(name.startswith("-") for name in getattr(parameter, "opts", ())):
        return ""  # an argument: its own name (MÃ_HỒ_SƠ) says what to type
    inner = label[1:-1] if label.startswith("<") and label.endswith(">") else label
    if inner in BY_TYPE:
        return BY_TYPE[inner]
    return TYPES.get(inner, inner).upper().replace(" ", "_").replace("/", "_")


def install() -> None:
    """Put the Vietnamese in place (idempotent)."""
    parameter = typer.core._TyperParameter
    if not getattr(parameter.display_type, "vietnamese", False):
        english_type = parameter.display_type

        def display_type(self: Any, ctx: Any) -> str:
            return _kind_of(self, english_type(self, ctx))

        display_type.vietnamese = True  # type: ignore[attr-defined]
        parameter.display_type = display_type  # type: ignore[method-assign]
    typer.core._ = _said  # type: ignore[attr-defined]
    exceptions.ClickException.show = _show  # type: ignore[method-assign]
    exceptions.UsageError.show = _show_usage  # type: ignore[method-assign]
    if not getattr(formatting.HelpFormatter.write_usage, "vietnamese", False):
        english = formatting.HelpFormatter.write_usage

        def write_usage(
            self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
        ) -> None:
            for english_word, ours in PLACEHOLDERS.items():
                args = args.replace(english_word, ours)
            english(self, prog, args, USAGE if prefix is None else prefix)

        write_usage.vietnamese = True  # type: ignore[attr-defined]
        formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]
    if not getattr(click_core.Command.get_help_option, "vietnamese", False):
        english_help = click_core.Command.get_help_option

        def get_help_option(self: click_core.Command, ctx: click_core.Context) -> Any:
            option = english_help(self, ctx)
            if option is not None:
                option.help = HELP
            return option

        get_help_option.vietnamese = True  # type: ignore[attr-defined]
        click_core.Command.get_help_option = get_help_option  # type: ignore[method-assign]
