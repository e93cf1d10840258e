"""`ketnap target`: admission targets by year or term (set, school norms, import, list)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commands.shell import JsonOpt, context, listing, run, say

target_app = typer.Typer(
    help="Chỉ tiêu của tổ chức theo năm hoặc nhiệm kỳ: đặt, nhập từ tệp, liệt kê.",
    no_args_is_help=True,
)


OrgOpt = Annotated[str, typer.Option("--org", help="Mã tổ chức.")]


PeriodOpt = Annotated[
    str, typer.Option("--period", help="Năm (2026) hoặc nhiệm kỳ (2025-2030).", show_default=False)
]


KindOpt = Annotated[
    str, typer.Option("--kind", help="ket_nap, cam_tinh (bồi dưỡng cảm tình Đảng) hoặc hoc_lop.")
]


@target_app.command("set")
def target_set(
    org: OrgOpt,
    value: Annotated[str, typer.Option("--value", help="Số lượng.")],
    period: Annotated[str | None, typer.Option("--period", help="Năm hoặc nhiệm kỳ.")] = None,
    year: Annotated[str | None, typer.Option("--year", help="Năm (như --period).")] = None,
    kind: KindOpt = "ket_nap",
) -> None:
    """Đặt một chỉ tiêu của tổ chức (ghi vào nhật ký)."""
    from workflow.usecases.targets import set_target

    ctx = context()
    data = {"org_code": org, "period": period or year or "", "value": value, "kind": kind}
    done = run(lambda: set_target(ctx, data))
    from workflow.domain.vocabulary import TargetKind

    kind = (
        TargetKind(done["kind"]).label if done["kind"] in TargetKind.__members__ else done["kind"]
    )
    say(f"Đã đặt chỉ tiêu {kind} kỳ {done['period']} của {done['org']}: {done['value']}.")


@target_app.command("school")
def target_school(
    org: OrgOpt,
    year: Annotated[str, typer.Option("--year", help="Năm.")],
    level: Annotated[str, typer.Option("--level", help="thpt hoặc cao_dang.")],
) -> None:
    """Đặt chỉ tiêu của trường theo định mức: THPT bồi dưỡng 15–20, kết nạp ≥ 5 học sinh;
    cao đẳng, đại học bồi dưỡng 5–10, kết nạp ≥ 3 (mức tối thiểu được đặt)."""
    from workflow.usecases.targets import set_school_targets

    ctx = context()
    for done in run(lambda: set_school_targets(ctx, org, year, level)):
        what = f"{done['kind']} năm {done['period']} của {done['org']}"
        say(f"Đã đặt chỉ tiêu {what}: {done['value']}.")


@target_app.command("import")
def target_import(
    path: Annotated[Path, typer.Argument(metavar="TỆP", help="Tệp .xlsx hoặc .csv.")],
    period: Annotated[
        str | None, typer.Option("--period", help="Kỳ, khi tệp không có cột Năm.")
    ] = None,
    kind: KindOpt = "ket_nap",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi.")] = False,
) -> None:
    """Nhập chỉ tiêu từ bảng tính: cột tổ chức (mã hoặc tên) và cột chỉ tiêu; ghi tất cả
    hoặc không ghi gì."""
    from workflow.sheets.targets import import_targets

    ctx = context()
    done = run(lambda: import_targets(ctx, path, period=period, kind=kind, dry_run=dry_run))
    verb = "Kiểm tra xong (chưa ghi)" if dry_run else "Đã nhập"
    say(f"{verb}: {done['rows']} chỉ tiêu từ {done['file']}, tổng {done['total']}.")


@target_app.command("list")
def target_list(
    period: Annotated[str | None, typer.Option("--period", "--year", help="Chỉ kỳ này.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Các chỉ tiêu đã đặt."""
    from workflow.usecases.targets import list_targets

    listing(
        run(lambda: list_targets(context(), period)),
        as_json,
        "Chỉ tiêu",
        ["Tổ chức", "Tên", "Kỳ", "Loại", "Chỉ tiêu"],
        lambda r: [r["org"], r["org_name"], r["period"], r["kind_label"], r["value"]],
    )


def register(app: typer.Typer) -> None:
    app.add_typer(target_app, name="target")
