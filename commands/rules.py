"""`ketnap rules`: the rule sets by effective date, and the installation's overrides."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from commands.calendar import BatchOpt, progress, recomputed
from commands.shell import JsonOpt, context, listing, run, say, vn

rules_app = typer.Typer(help="Bộ quy định theo thời gian hiệu lực và tham số ghi đè.")


@rules_app.command("list")
def rules_list(as_json: JsonOpt = False) -> None:
    """Các bộ quy định, ngày hiệu lực, và tham số đang bị ghi đè."""
    from workflow.usecases.settings import rule_sets

    listing(
        run(lambda: rule_sets(context())),
        as_json,
        "Bộ quy định",
        ["Mã", "Tên", "Hiệu lực từ", "Tham số địa phương đã ghi đè"],
        lambda s: [
            s["id"],
            s["name"],
            vn(s["effective_from"]),
            ", ".join(
                f"{o['key']}={o['value']} từ {vn(o['effective_from'])}" for o in s["overrides"]
            )
            or "—",
        ],
    )


@rules_app.command("set")
def rules_set(
    key: Annotated[
        str,
        typer.Argument(metavar="KHÓA", help="Tham số địa phương: youth_age_min, youth_age_max."),
    ],
    value: Annotated[str, typer.Argument(metavar="GIÁ_TRỊ", help="Giá trị mới.")],
    reason: Annotated[str, typer.Option("--reason", help="Căn cứ, lý do thay đổi.")] = "",
    from_: Annotated[
        str | None, typer.Option("--from", help="Hiệu lực từ ngày dd/mm/yyyy (mặc định hôm nay).")
    ] = None,
    sets: Annotated[
        str | None,
        typer.Option(
            "--sets",
            help="Các bộ quy định áp dụng, cách nhau bởi dấu phẩy (mặc định: bộ đang "
            "hiệu lực từ ngày đó và các bộ sau).",
        ),
    ] = None,
    batch: BatchOpt = 2000,
) -> None:
    """Ghi đè một tham số địa phương của bộ quy định từ một ngày (ghi nhật ký). Các con số của
    Điều lệ và quy định của Trung ương là khóa: không ghi đè được (xem docs/rules.md)."""
    from workflow.usecases.settings import set_rule_override

    ctx = context()

    def go() -> dict[str, Any]:
        chosen = [x.strip() for x in sets.split(",") if x.strip()] if sets else None
        return set_rule_override(
            ctx,
            key,
            value,
            reason,
            effective_from=from_,  # judged after who may is checked
            rule_sets=chosen,
            batch=batch,
            on_batch=progress,
        )

    done = run(go)
    say(
        f"Đã đặt {done['key']} = {done['value']} từ {vn(done['effective_from'])} cho "
        f"{', '.join(done['rule_sets'])}; bộ quy định hiện hành: {done['rule_set_id']}."
    )
    say(recomputed(done["recomputed"]))


@rules_app.command("doc")
def rules_doc() -> None:
    """In danh mục mã quy định (Markdown, như docs/rules.md), sinh từ dữ liệu của chương trình."""
    from workflow.domain.catalogue import rules_markdown

    sys.stdout.write(rules_markdown())


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
