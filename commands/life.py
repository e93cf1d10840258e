"""A dossier's life beyond the straight path, on the command line: `ketnap annul` (the
deciding committee annuls its admission decision, L-ANNUL) and `ketnap reapply` (a person
whose dossier closed applies again; R-REJOIN reads the xóa tên the record holds, L-XOA-TEN).

xóa tên itself is a step: `ketnap record vote --kind chi_bo_xoa_ten`, `ketnap record
decision --kind xoa_ten --ground …`, then `ketnap advance MÃ_HỒ_SƠ xoa_ten --reason …`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from commands.shell import IdArg, JsonOpt, choices, context, dossier_id_of, out_json, run, say
from workflow.domain.vocabulary import AnnulOutcome


def annul(
    dossier_id: IdArg,
    number: Annotated[
        str | None, typer.Option("--number", help="Số quyết định hủy của cấp ủy đã quyết định.")
    ] = None,
    signed_on: Annotated[
        str | None, typer.Option("--signed-on", help="Ngày quyết định hủy dd/mm/yyyy.")
    ] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            help=f"{choices(AnnulOutcome)}: xóa tên (không đủ điều kiện) hoặc làm lại thủ tục "
            "(sai thẩm quyền, quy trình).",
        ),
    ] = None,
    back_to: Annotated[
        str | None,
        typer.Option("--back-to", help="Khi làm lại: btv_quyet_dinh | chi_bo_xet."),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Lý do hủy.")] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Phiên bản hồ sơ bạn đã xem (chống ghi đè).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Hủy quyết định kết nạp (L-ANNUL), khi hồ sơ ở bước Kết nạp, Đảng viên dự bị hoặc
    Đảng viên chính thức: xóa tên, hoặc làm lại thủ tục từ bước đã nêu (ghi một phát hiện
    để cấp ủy xem xét trách nhiệm)."""
    from workflow.domain.errors import BadInput
    from workflow.usecases.annulment import annul as do_annul

    ctx = context()

    def go() -> dict[str, Any]:
        if version is not None and not version.isdigit():
            raise BadInput.one("Phiên bản", f"'{version}' không phải số")
        data = {
            "number": number,
            "signed_on": signed_on,
            "outcome": outcome,
            "back_to": back_to,
            "reason": reason,
        }
        return do_annul(
            ctx,
            dossier_id_of(dossier_id),
            {k: v for k, v in data.items() if v is not None},
            expected_version=int(version) if version else None,
        )

    done = run(go)
    if as_json:
        out_json(done)
        return
    from workflow.domain.process import Stage

    say(
        f"Hồ sơ #{done['dossier_id']}: đã hủy quyết định kết nạp, "
        f"{Stage(done['from_stage']).label} → {Stage(done['to_stage']).label} "
        f"(phiên bản {done['version']})."
    )
    if done["finding_id"] is not None:
        say(f"  Đã ghi phát hiện #{done['finding_id']}: cấp ủy xem xét trách nhiệm (L-ANNUL).")


def reapply(
    dossier_id: IdArg,
    org: Annotated[
        str | None, typer.Option("--org", help="Mã chi bộ nhận hồ sơ mới (mặc định: chi bộ cũ).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Nộp lại hồ sơ: một hồ sơ mới ở bước Nguồn cho người có hồ sơ đã kết thúc (xóa tên,
    hủy kết nạp, không đạt, rút); điều kiện kết nạp lại (R-REJOIN) đọc căn cứ xóa tên đã ghi."""
    from workflow.usecases.annulment import reapply as do_reapply

    ctx = context()
    done = run(lambda: do_reapply(ctx, dossier_id_of(dossier_id), org))
    if as_json:
        out_json(done)
        return
    say(
        f"Đã mở hồ sơ #{done['dossier_id']} (chi bộ {done['org']}) cho người của hồ sơ "
        f"#{done['previous']}."
    )


def register(app: typer.Typer) -> None:
    app.command("annul")(annul)
    app.command("reapply")(reapply)
