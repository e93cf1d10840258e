"""`ketnap record`: the dated facts of a dossier, each through its input model."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from commands.shell import IdArg, choices, context, dossier_id_of, run, say
from workflow.domain.vocabulary import (
    AgeGround,
    ConsentKind,
    DocumentKind,
    ExitCause,
    Relation,
    XoaTenGround,
)

record_app = typer.Typer(
    help="Ghi nhận sự kiện, giấy tờ của hồ sơ (mỗi lần ghi đều vào nhật ký).",
    no_args_is_help=True,
)


DateOpt = Annotated[str | None, typer.Option("--date", help="Ngày dd/mm/yyyy.")]


def _record(dossier_id: str, model_name: str, data: dict[str, Any]) -> None:
    import workflow.inputs.dossier as inputs
    from workflow.usecases.recording import record_fact

    ctx = context()
    model = getattr(inputs, model_name)
    clean = {k: v for k, v in data.items() if v is not None}
    made = run(lambda: record_fact(ctx, dossier_id_of(dossier_id), model, clean))
    from workflow.usecases.event_names import event_label

    say(f"Đã ghi nhận vào hồ sơ #{made['dossier_id']}: {event_label('fact', made['fact'])}.")


@record_app.command("certificate")
def record_certificate(
    dossier_id: IdArg,
    number: Annotated[str | None, typer.Option("--number", help="Số giấy chứng nhận.")] = None,
    issued: Annotated[str | None, typer.Option("--issued", help="Ngày cấp dd/mm/yyyy.")] = None,
    issuer: Annotated[str | None, typer.Option("--issuer", help="Nơi cấp.")] = None,
) -> None:
    """Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng (R-CLASS, 60 tháng)."""
    _record(dossier_id, "CertificateIn", {"number": number, "issued_on": issued, "issuer": issuer})


@record_app.command("introducer")
def record_introducer(
    dossier_id: IdArg,
    name: Annotated[str | None, typer.Option("--name", help="Họ tên người giới thiệu.")] = None,
    official: Annotated[
        bool,
        typer.Option(
            "--official/--probationary",
            help="Đảng viên chính thức hay dự bị (mặc định: chính thức).",
            show_default=False,
        ),
    ] = True,
    months: Annotated[
        str | None, typer.Option("--months", help="Số tháng công tác, sinh hoạt cùng.")
    ] = None,
    date: DateOpt = None,
) -> None:
    """Người giới thiệu (mẫu 3-KNĐ; R-INTRO)."""
    _record(
        dossier_id,
        "IntroducerIn",
        {"full_name": name, "official": official, "months_together": months, "introduced_on": date},
    )


@record_app.command("document")
def record_document(
    dossier_id: IdArg,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help=choices(DocumentKind),
        ),
    ] = None,
    date: DateOpt = None,
    number: Annotated[str, typer.Option("--number", help="Số văn bản.")] = "",
) -> None:
    """Giấy tờ của hồ sơ trước khi chi bộ xét (R-DOCS-12M)."""
    _record(dossier_id, "DocumentIn", {"kind": kind, "dated": date, "number": number})


@record_app.command("verification")
def record_verification(
    dossier_id: IdArg,
    date: DateOpt = None,
    by: Annotated[str | None, typer.Option("--by", help="Cấp ủy chứng nhận.")] = None,
) -> None:
    """Thẩm tra lý lịch, cấp ủy cơ sở chứng nhận (R-VERIFY)."""
    _record(dossier_id, "VerificationIn", {"certified_on": date, "certified_by": by})


@record_app.command("relative")
def record_relative(
    dossier_id: IdArg,
    relation: Annotated[
        str | None,
        typer.Option(
            "--relation",
            help=choices(Relation),
        ),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Họ tên người thân.")] = None,
    party_member: Annotated[bool, typer.Option("--party-member", help="Là đảng viên.")] = False,
    declared: Annotated[
        bool,
        typer.Option(
            "--declared",
            help="Đảng viên đã khai đầy đủ lý lịch: miễn thẩm tra bên gia đình đó (R-VERIFY).",
        ),
    ] = False,
    abroad: Annotated[bool, typer.Option("--abroad", help="Ở nước ngoài.")] = False,
    verified: Annotated[
        str | None, typer.Option("--verified", help="Ngày thẩm tra dd/mm/yyyy.")
    ] = None,
    confirmed_abroad: Annotated[
        str | None,
        typer.Option("--confirmed-abroad", help="Ngày Đảng ủy Ngoài nước xác nhận dd/mm/yyyy."),
    ] = None,
) -> None:
    """Người thân trong lý lịch, có thẩm tra hay được miễn (R-VERIFY)."""
    _record(
        dossier_id,
        "RelativeIn",
        {
            "relation": relation,
            "full_name": name,
            "party_member": party_member,
            "history_declared": declared,
            "abroad": abroad,
            "verified_on": verified,
            "confirmed_abroad_on": confirmed_abroad,
        },
    )


@record_app.command("vote")
def record_vote(
    dossier_id: IdArg,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="chi_bo | dang_uy | chi_bo_chinh_thuc | dang_uy_chinh_thuc | chi_bo_xoa_ten",
        ),
    ] = None,
    date: DateOpt = None,
    official: Annotated[
        str | None, typer.Option("--official", help="Số đảng viên chính thức (hoặc cấp ủy viên).")
    ] = None,
    agree: Annotated[str | None, typer.Option("--agree", help="Số phiếu tán thành.")] = None,
    against: Annotated[str, typer.Option("--against", help="Số phiếu không tán thành.")] = "0",
    exempted: Annotated[
        str, typer.Option("--exempted", help="Số được miễn/sinh hoạt tạm thời nơi khác.")
    ] = "0",
    probationary: Annotated[
        str, typer.Option("--probationary", help="Số đảng viên dự bị (không biểu quyết).")
    ] = "0",
    round_: Annotated[str, typer.Option("--round", help="Lần biểu quyết (công nhận).")] = "1",
    number: Annotated[str, typer.Option("--number", help="Số nghị quyết.")] = "",
) -> None:
    """Nghị quyết và kết quả biểu quyết (R-VOTE-CB, R-VOTE-DU, R-VOTE-OFFICIAL)."""
    _record(
        dossier_id,
        "ResolutionIn",
        {
            "kind": kind,
            "dated": date,
            "official_members": official,
            "agree": agree,
            "against": against,
            "exempted": exempted,
            "probationary_members": probationary,
            "round": round_,
            "number": number,
        },
    )


@record_app.command("decision")
def record_decision(
    dossier_id: IdArg,
    kind: Annotated[
        str | None, typer.Option("--kind", help="ket_nap | chinh_thuc | xoa_ten")
    ] = None,
    number: Annotated[str | None, typer.Option("--number", help="Số quyết định.")] = None,
    signed: Annotated[str | None, typer.Option("--signed", help="Ngày ký dd/mm/yyyy.")] = None,
    received: Annotated[
        str | None, typer.Option("--received", help="Ngày chi bộ nhận dd/mm/yyyy.")
    ] = None,
    reject: Annotated[bool, typer.Option("--reject", help="Quyết định không chấp thuận.")] = False,
    ground: Annotated[
        str | None,
        typer.Option(
            "--ground", help=f"Căn cứ xóa tên (bắt buộc với xoa_ten): {choices(XoaTenGround)}"
        ),
    ] = None,
) -> None:
    """Quyết định của cấp ủy có thẩm quyền (kết nạp, công nhận chính thức, hoặc xóa tên đảng
    viên dự bị với căn cứ, L-XOA-TEN)."""
    _record(
        dossier_id,
        "DecisionIn",
        {
            "kind": kind,
            "number": number,
            "signed_on": signed,
            "received_on": received,
            "approve": not reject,
            "ground": ground,
        },
    )


@record_app.command("ceremony")
def record_ceremony(dossier_id: IdArg, date: DateOpt = None) -> None:
    """Ngày tổ chức lễ kết nạp (D-CEREMONY; dự bị tính từ ngày này)."""
    _record(dossier_id, "CeremonyIn", {"held_on": date})


@record_app.command("consent")
def record_consent(
    dossier_id: IdArg,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help=choices(ConsentKind)),
    ] = None,
    number: Annotated[str | None, typer.Option("--number", help="Số văn bản.")] = None,
    date: DateOpt = None,
    issuer: Annotated[str, typer.Option("--issuer", help="Cơ quan ban hành.")] = "",
    ground: Annotated[
        str | None,
        typer.Option("--ground", help=f"Căn cứ, với tuoi_60: {choices(AgeGround)}"),
    ] = None,
) -> None:
    """Văn bản đồng ý, gia hạn của cấp có thẩm quyền (R-AGE-60, R-EDU, D-CEREMONY, D-DECIDE,
    D-OFFICIAL, R-REJOIN)."""
    _record(
        dossier_id,
        "ConsentIn",
        {"kind": kind, "number": number, "dated": date, "issuer": issuer, "ground": ground},
    )


@record_app.command("prior")
def record_prior(
    dossier_id: IdArg,
    left: Annotated[str | None, typer.Option("--left", help="Ngày ra khỏi Đảng.")] = None,
    cause: Annotated[
        str | None,
        typer.Option("--cause", help=choices(ExitCause)),
    ] = None,
    readmitted: Annotated[
        bool, typer.Option("--readmitted", help="Đã từng được kết nạp lại.")
    ] = False,
    cleared: Annotated[
        str | None,
        typer.Option("--cleared", help="Ngày được xóa án tích (với an_it_nghiem_trong)."),
    ] = None,
) -> None:
    """Quá trình trong Đảng trước đây, khi xin kết nạp lại (R-REJOIN)."""
    _record(
        dossier_id,
        "PriorMembershipIn",
        {
            "left_on": left,
            "cause": cause,
            "readmitted_before": readmitted,
            "record_cleared_on": cleared,
        },
    )


def register(app: typer.Typer) -> None:
    app.add_typer(record_app, name="record")
