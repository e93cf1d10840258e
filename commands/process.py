"""Moving dossiers through the process: `ketnap advance`, `advance-many`, `next`, `history`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from commands.shell import (
    IdArg,
    JsonOpt,
    console,
    context,
    dossier_id_of,
    out_json,
    run,
    say,
    table,
    vn,
)


def advance(
    dossier_id: IdArg,
    event: Annotated[str, typer.Argument(metavar="SỰ_KIỆN", help="Sự kiện; xem 'ketnap next ID'.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Lý do (bắt buộc khi trả lại, dừng, rút).")
    ] = None,
    back_to: Annotated[
        str | None, typer.Option("--back-to", help="Khi trả lại: bước phải làm lại.")
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Phiên bản hồ sơ bạn đã xem (chống ghi đè).")
    ] = None,
) -> None:
    """Chuyển hồ sơ sang bước tiếp theo nếu đủ điều kiện; nếu không, liệt kê mọi điều kiện thiếu."""
    from workflow.domain.errors import BadInput
    from workflow.usecases.advancing import advance as do_advance

    ctx = context()

    def go() -> Any:
        step, back = _event_args(event, back_to)
        if version is not None and not version.isdigit():
            raise BadInput.one("Phiên bản", f"'{version}' không phải số")
        return do_advance(
            ctx,
            dossier_id_of(dossier_id),
            step,
            reason=reason,
            back_to=back,
            expected_version=int(version) if version else None,
        )

    done = run(go)
    say(
        f"Hồ sơ #{done.dossier_id}: {done.from_stage.label} → {done.to_stage.label} "
        f"(phiên bản {done.version}, bộ quy định {done.rule_set_id})."
    )
    for note in done.notes:
        say(f"  Lưu ý [{note.rule_id}] {note.message}")


def _event_args(event: str, back_to: str | None) -> tuple[Any, Any]:
    """The event and the stage to go back to, as typed, checked (inside ``run``)."""
    from workflow.domain.errors import BadInput
    from workflow.domain.process import Event, Stage

    if event not in Event.__members__:
        raise BadInput.one("Sự kiện", f"'{event}' không có; chọn: {', '.join(Event.__members__)}")
    if back_to is not None and back_to not in Stage.__members__:
        raise BadInput.one("Trả về bước", f"'{back_to}' không có")
    return Event(event), Stage(back_to) if back_to else None


def advance_many(
    event: Annotated[
        str, typer.Argument(metavar="SỰ_KIỆN", help="Sự kiện, như với 'ketnap advance'.")
    ],
    ids: Annotated[
        list[str] | None, typer.Argument(metavar="MÃ_HỒ_SƠ", help="Mã các hồ sơ.")
    ] = None,
    org: Annotated[
        str | None, typer.Option("--org", help="Mọi hồ sơ của tổ chức này (và cấp dưới)…")
    ] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="…đang ở bước này.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Lý do (khi cần).")] = None,
    back_to: Annotated[
        str | None, typer.Option("--back-to", help="Khi trả lại: bước phải làm lại.")
    ] = None,
) -> None:
    """Một bước cho cả danh sách (cả lớp học, cả chi bộ) trong một lần ghi: mọi hồ sơ được
    xét theo cùng điều kiện; nếu có hồ sơ chưa đủ, không ghi gì và liệt kê từng hồ sơ."""
    from workflow.domain.errors import BadInput
    from workflow.domain.process import Stage
    from workflow.usecases.advancing import advance_many as do_many
    from workflow.usecases.views import list_dossiers

    ctx = context()

    def go() -> Any:
        step, back = _event_args(event, back_to)
        chosen = [dossier_id_of(i) for i in ids or []]
        if org is not None or stage is not None:
            if stage is not None and stage not in Stage.__members__:
                raise BadInput.one("Bước", f"'{stage}' không có")
            listed = list_dossiers(ctx, org_code=org, stage=Stage(stage) if stage else None)
            chosen += [d["dossier_id"] for d in listed]
        if not chosen:
            raise BadInput.one("Mã hồ sơ", "chưa chọn hồ sơ nào (mã, hoặc --org/--stage)")
        return do_many(ctx, chosen, step, reason=reason, back_to=back)

    done = run(go)
    say(f"Đã chuyển {len(done)} hồ sơ trong một lần ghi:")
    for d in done:
        say(f"  #{d.dossier_id}: {d.from_stage.label} → {d.to_stage.label}")


def next_(dossier_id: IdArg, as_json: JsonOpt = False) -> None:
    """Những việc có thể làm tiếp với hồ sơ, và điều kiện còn thiếu cho từng việc."""
    from workflow.usecases.views import next_steps

    ctx = context()
    data = run(lambda: next_steps(ctx, dossier_id_of(dossier_id)))
    if as_json:
        out_json(data)
        return
    out = console()
    out.print(f"Hồ sơ #{data['dossier_id']} đang ở bước: {data['stage_label']}", markup=False)
    if not data["steps"]:
        out.print("Hồ sơ đã kết thúc; không còn bước nào.", markup=False)
    for step in data["steps"]:
        mark = "✓" if step["allowed"] else "✗"
        extra = " (cần --reason)" if step["needs_reason"] else ""
        out.print(f"{mark} {step['event']}: {step['label']}{extra}", markup=False)
        out.print(
            f"    xét theo ngày {vn(step['judged_on'])} ({step['judged_basis']}), "
            f"bộ quy định {step['rule_set_id']}",
            markup=False,
        )
        for u in step["unmet"]:
            out.print(f"    • [{u['rule_id']}] {u['message']}", markup=False)
        for u in step["notes"]:
            out.print(f"    Lưu ý [{u['rule_id']}] {u['message']}", markup=False)


def history(dossier_id: IdArg, as_json: JsonOpt = False) -> None:
    """Nhật ký của một hồ sơ: ai, lúc nào, làm gì, theo bộ quy định nào."""
    from workflow.usecases.clock import local
    from workflow.usecases.views import history as get_history

    ctx = context()
    rows = run(lambda: get_history(ctx, dossier_id_of(dossier_id)))
    if as_json:
        out_json(rows)
        return
    from datetime import datetime

    table(
        f"Nhật ký hồ sơ #{dossier_id}",
        ["#", "Thời điểm", "Người", "Loại", "Sự kiện", "Từ → đến", "Lý do"],
        [
            [
                r["id"],
                local(datetime.fromisoformat(r["at"])).strftime("%d/%m/%Y %H:%M"),
                r["actor_name"] or r["actor"],
                r["kind_label"],
                r["event_label"],
                f"{r['from_label']} → {r['to_label']}" if r["to_stage"] else "",
                r["reason"],
            ]
            for r in rows
        ],
    )


def register(app: typer.Typer) -> None:
    app.command("advance")(advance)
    app.command("advance-many")(advance_many)
    app.command("next")(next_)
    app.command("history")(history)
