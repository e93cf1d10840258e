"""`ketnap rules`: the rule sets by effective date, and the installation's overrides."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from commands.calendar import BatchOpt, progress, recomputed
from commands.shell import JsonOpt, context, listing, out_json, run, say, table, vn

rules_app = typer.Typer(
    help="Bộ quy định theo thời gian hiệu lực và tham số ghi đè; xem trước tác động của một "
    "thay đổi (rules preview) trước khi áp dụng (rules set)."
)
preview_app = typer.Typer(
    help="Xem trước (không ghi gì): các hồ sơ đang xử lý mà kết quả xét hoặc thời hạn sẽ "
    "thay đổi nếu thay đổi quy định có hiệu lực (docs/rule-changes.md)."
)
rules_app.add_typer(preview_app, name="preview")

KeyArg = Annotated[
    str,
    typer.Argument(metavar="KHÓA", help="Tham số địa phương: youth_age_min, youth_age_max."),
]
ValueArg = Annotated[str, typer.Argument(metavar="GIÁ_TRỊ", help="Giá trị mới.")]
FromOpt = Annotated[
    str | None, typer.Option("--from", help="Hiệu lực từ ngày dd/mm/yyyy (mặc định hôm nay).")
]
SetsOpt = Annotated[
    str | None,
    typer.Option(
        "--sets",
        help="Các bộ quy định áp dụng, cách nhau bởi dấu phẩy (mặc định: bộ đang "
        "hiệu lực từ ngày đó và các bộ sau).",
    ),
]


def _sets(sets: str | None) -> list[str] | None:
    return [x.strip() for x in sets.split(",") if x.strip()] if sets else None


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
    key: KeyArg,
    value: ValueArg,
    reason: Annotated[str, typer.Option("--reason", help="Căn cứ, lý do thay đổi.")] = "",
    from_: FromOpt = None,
    sets: SetsOpt = None,
    batch: BatchOpt = 2000,
) -> None:
    """Ghi đè một tham số địa phương của bộ quy định từ một ngày (ghi nhật ký). Mỗi hồ sơ
    đang xử lý mà kết quả xét hoặc thời hạn thay đổi được ghi bộ quy định nay áp dụng cho
    nó và lý do (xem trước bằng rules preview set). Các con số của Điều lệ và quy định của
    Trung ương là khóa: không ghi đè được (xem docs/rules.md)."""
    from workflow.text.vntext import count
    from workflow.usecases.settings import set_rule_override

    ctx = context()

    def go() -> dict[str, Any]:
        return set_rule_override(
            ctx,
            key,
            value,
            reason,
            effective_from=from_,  # judged after who may is checked
            rule_sets=_sets(sets),
            batch=batch,
            on_batch=progress,
        )

    done = run(go)
    say(
        f"Đã đặt {done['key']} = {done['value']} từ {vn(done['effective_from'])} cho "
        f"{', '.join(done['rule_sets'])}; bộ quy định hiện hành: {done['rule_set_id']}."
    )
    say(
        f"Đã ghi bộ quy định áp dụng cho {count(done['governed'])} hồ sơ đang xử lý có kết "
        "quả xét hoặc thời hạn thay đổi."
    )
    say(recomputed(done["recomputed"]))


@preview_app.command("set")
def preview_set(
    key: KeyArg,
    value: ValueArg,
    from_: FromOpt = None,
    sets: SetsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Như rules set (cùng tham số, không cần lý do) nhưng không ghi gì: liệt kê các hồ sơ
    đang xử lý trong phạm vi của bạn mà kết quả xét các bước tiếp theo hoặc thời hạn sẽ thay
    đổi: quy định, trước, sau, và bộ quy định sẽ áp dụng."""
    from workflow.usecases.rule_changes import preview_override

    ctx = context()
    found = run(
        lambda: preview_override(ctx, key, value, effective_from=from_, rule_sets=_sets(sets))
    )
    p = found["proposal"]
    _show(found, f"{p['key']} = {p['value']} từ {vn(p['effective_from'])}", as_json)


@preview_app.command("ruleset")
def preview_ruleset(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="TỆP.json",
            help="Bộ quy định mới dạng JSON: id, name, sources, effective_from (dd/mm/yyyy) "
            "và các con số khác với bộ đang hiệu lực (docs/rule-changes.md).",
        ),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Xem trước một bộ quy định mới (không ghi gì): các hồ sơ đang xử lý trong phạm vi của
    bạn mà kết quả xét hoặc thời hạn sẽ thay đổi từ ngày bộ đó có hiệu lực."""
    from workflow.usecases.rule_changes import preview_rule_set

    ctx = context()
    found = run(lambda: preview_rule_set(ctx, path))
    p = found["proposal"]
    _show(found, f"bộ {p['id']} từ {vn(p['effective_from'])}", as_json)


def _show(found: dict[str, Any], what: str, as_json: bool) -> None:
    """The dossiers a change would touch: one line per change, then how many."""
    from workflow.text.vntext import count

    if as_json:
        out_json(found)
        return
    rows = [
        [
            f"#{d['dossier_id']}",
            d["full_name"],
            d["org"],
            c["label"],
            c["rule"],
            c["before"],
            c["after"],
            d["rule_set_after"],
        ]
        for d in found["dossiers"]
        for c in d["changes"]
    ]
    if rows:
        table(
            f"Xem trước: {what} (xét tại ngày {vn(found['judged_on'])})",
            [
                "Hồ sơ",
                "Họ tên",
                "Tổ chức",
                "Bước / thời hạn",
                "Quy định",
                "Trước",
                "Sau",
                "Bộ quy định sẽ áp dụng",
            ],
            rows,
        )
    say(
        f"Xem trước {what}: {count(found['count'])} trong {count(found['judged'])} hồ sơ đang "
        "xử lý (trong phạm vi của bạn) sẽ thay đổi kết quả xét hoặc thời hạn; chưa ghi gì."
    )


@rules_app.command("doc")
def rules_doc() -> None:
    """In danh mục mã quy định (Markdown, như docs/rules.md), sinh từ dữ liệu của chương trình."""
    from workflow.domain.catalogue import rules_markdown

    sys.stdout.write(rules_markdown())


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
