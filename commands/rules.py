"""`ketnap rules`: the rule sets by effective date, and the installation's overrides."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from commands.shell import JsonOpt, context, listing, run, vn

rules_app = typer.Typer(help="Bộ quy định theo thời gian hiệu lực và tham số ghi đè.")


@rules_app.command("list")
def rules_list(as_json: JsonOpt = False) -> None:
    """Các bộ quy định, ngày hiệu lực, và tham số đang bị ghi đè."""
    from workflow.usecases.settings import rule_sets

    listing(
        run(lambda: rule_sets(context())),
        as_json,
        "Bộ quy định",
        ["Mã", "Tên", "Hiệu lực từ", "Ghi đè"],
        lambda s: [
            s["id"],
            s["name"],
            vn(s["effective_from"]),
            ", ".join(f"{k}={v}" for k, v in s["overrides"].items()) or "—",
        ],
    )


@rules_app.command("set")
def rules_set(
    key: Annotated[str, typer.Argument(help="Tham số, ví dụ youth_age_max.")],
    value: Annotated[str, typer.Argument(help="Giá trị mới.")],
    reason: Annotated[str, typer.Option("--reason", help="Căn cứ, lý do thay đổi.")] = "",
) -> None:
    """Ghi đè một con số của bộ quy định cho cả hệ thống (được ghi vào nhật ký)."""
    from workflow.usecases.settings import set_rule_override

    ctx = context()
    done = run(lambda: set_rule_override(ctx, key, value, reason))
    print(f"Đã đặt {done['key']} = {done['value']}; bộ quy định hiện hành: {done['rule_set_id']}.")


@rules_app.command("doc")
def rules_doc() -> None:
    """In danh mục mã quy định (Markdown, như docs/rules.md), sinh từ dữ liệu của chương trình."""
    from workflow.domain.catalogue import rules_markdown

    sys.stdout.write(rules_markdown())


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
