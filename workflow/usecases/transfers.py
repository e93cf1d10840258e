"""A dossier moving to another chi bộ (L-TRANSFER, chuyển sinh hoạt đảng).

Who moves: a candidate at any open stage before the admission decision (nguồn … Ban Thường
vụ quyết định) or a probationary member (kết nạp, dự bị). Where to: a chi bộ or chi bộ cơ
sở that exists on the day (``organizations.live_org``, ``CELLS``); anything else is bad
input naming the field and nothing is written.

One committee or two. When the same competent committee covers the sending and the
receiving chi bộ, one unit of work records both sides: the transfer is received
(``da_nhan``), the dossier's organization changes. Across committees each side records its
part: the sending committee's clerk records the letter (``dang_chuyen``); the dossier stays
the sender's, in the sender's scope, until the receiving committee's clerk records that the
letter was presented (``receive``): only then does the dossier's organization change and
its scope follow it (the sender no longer sees it, the receiver does). Until then the
member still belongs to the chi bộ that sent them, so the sender may go on recording (a
probation review, a paper) — the decision taken here; a second transfer of the same
dossier waits for the first to be received or cancelled.

Each change of organization is one audit event of kind "move" (data: the organization's
codes from and to, the transfer, what the new chi bộ must redo), so ``audit verify
--state`` and ``candidate show --as-of`` follow it; the version goes up by one.

What travels and what is redone. Every fact is a row on the dossier and travels with it.
Those the rules tie to the old place are listed for the new chi bộ (``Transfer.redo``):
the chi bộ's vote (R-VOTE-CB: the chi bộ that proposes the admission is the one the person
belongs to), the đảng ủy cơ sở's vote when the new chi bộ sits under another one
(R-VOTE-DU), the introducers (R-INTRO: official members who worked with the person, members
of the old chi bộ), the Đoàn's or Công đoàn's introduction of the old place (R-INTRO-DOAN,
R-INTRO-CD) and the summary of comments of the old place (form 5-KNĐ). The certificate, the
application, the personal history and its verification are the person's and stay valid.
The list is said and stored; the guards still judge the facts as recorded (a gap the
report names). A probationary member's probation clock and D-OFFICIAL move with them: the
deadlines keep their dates, recomputed under the new chi bộ so reminders go to its
contacts; the receiving chi bộ does the recognition.

L-TRANSFER's 30 days for presenting the letter is a deadline of the pending transfer (its
own subject, reminded to the receiving organization's contacts, done when received).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from models import audit
from models.tables import Candidate, Document, Dossier, Introducer, Organization, Resolution
from models.tables import Transfer as TransferRow
from workflow.domain.deadlines import Due
from workflow.domain.errors import BadInput
from workflow.domain.process import Stage
from workflow.domain.vocabulary import DocumentKind, OrgKind, ResolutionKind
from workflow.inputs.base import validate
from workflow.inputs.transfer import TransferCancelIn, TransferIn, TransferReceiveIn
from workflow.text.vntext import fmt_date
from workflow.usecases import tracking
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.context import Context
from workflow.usecases.dossiers import check_version, get_dossier, load_facts, sync_dossier
from workflow.usecases.organizations import CELLS, competent_committee, live_org, org_by_code

RULE = "L-TRANSFER"
MOVE_EVENT = "chuyen_sinh_hoat"  # the "move" event: the dossier's organization changes
SENT_EVENT = "gui_chuyen_sinh_hoat"  # across committees: the sending side's record
CANCEL_EVENT = "huy_chuyen_sinh_hoat"
KIND = "transfer"  # the audit kind of a sending or a cancellation (no change of row)
LETTER_DAYS = 30  # L-TRANSFER: the letter presented within 30 days
DEADLINE_KIND = "chuyen_sinh_hoat"

# A candidate before the admission decision, or a probationary member (L-TRANSFER).
CANDIDATE_STAGES = (
    Stage.nguon,
    Stage.hoc_lop,
    Stage.chi_bo_xet,
    Stage.gui_ho_so,
    Stage.tham_dinh,
    Stage.btv_quyet_dinh,
)
MEMBER_STAGES = (Stage.ket_nap, Stage.du_bi)
STATUS = {"dang_chuyen": "Đang chuyển", "da_nhan": "Đã nhận", "huy": "Đã hủy"}
_DONE = {"da_nhan": "đã được bên nhận ghi nhận", "huy": "đã bị hủy"}

TO_FIELD = "Chi bộ nhận (--to)"
ID_FIELD = "Mã chuyển sinh hoạt"


def send(
    ctx: Context, dossier_id: int, data: dict[str, Any], *, expected_version: int | None = None
) -> dict[str, Any]:
    """The sending side's record (and, under one committee, the receiving side's too)."""
    with ctx.write() as s:
        d = get_dossier(s, dossier_id)
        ctx.allow(s, Action.decide, d.org_id)  # who may, before what they typed is judged
        t_in = validate(TransferIn, data, ctx.today())
        check_version(d, expected_version)
        stage = Stage(d.stage)
        if stage not in CANDIDATE_STAGES + MEMBER_STAGES:
            raise BadInput.one(
                "Mã hồ sơ",
                f"hồ sơ #{dossier_id} ở bước {stage.label}: chỉ chuyển sinh hoạt người đang "
                f"xét kết nạp (trước quyết định kết nạp) hoặc đảng viên dự bị ({RULE})",
            )
        if pending(s, dossier_id) is not None:
            raise BadInput.one(
                "Mã hồ sơ",
                f"hồ sơ #{dossier_id} đang chuyển sinh hoạt; hãy ghi nhận hoặc hủy lần chuyển "
                "đó trước ('ketnap transfer list')",
            )
        source = s.get(Organization, d.org_id)
        assert source is not None and source.id is not None
        dest = _destination(s, ctx, t_in.to_code, source)
        assert dest.id is not None
        redo = redo_list(s, d, source, dest)
        mine = competent_committee(s, source.id)
        theirs = competent_committee(s, dest.id)
        one_committee = mine is not None and theirs is not None and mine.id == theirs.id
        if one_committee:
            ctx.allow(s, Action.decide, dest.id)  # both sides are this committee's
        row = TransferRow(
            dossier_id=dossier_id,
            from_org_id=source.id,
            to_org_id=dest.id,
            letter_number=t_in.letter_number,
            letter_on=t_in.letter_on,
            status="da_nhan" if one_committee else "dang_chuyen",
            redo=json.dumps(redo, ensure_ascii=False),
            reason=t_in.reason,
            sent_by=ctx.actor,
            sent_at=ctx.clock.now(),
            received_on=t_in.letter_on if one_committee else None,
            received_by=ctx.actor if one_committee else None,
        )
        s.add(row)
        s.flush()
        if one_committee:
            _move(s, ctx, d, row, source, dest)
        else:
            audit.append(
                s,
                at=ctx.clock.now(),
                actor=ctx.actor,
                kind=KIND,
                event=SENT_EVENT,
                dossier_id=dossier_id,
                reason=t_in.reason,
                rule_set_id=d.rule_set_id,
                data={**_said(row, source, dest), "redo": redo, "rule": RULE},
            )
            _letter_deadline(s, ctx, row, d)
        return view(s, row)


def receive(ctx: Context, transfer_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The receiving committee's record: the letter presented, the dossier is theirs now."""
    with ctx.write() as s:
        row = _transfer(s, transfer_id)
        ctx.allow(s, Action.decide, row.to_org_id)
        r_in = validate(TransferReceiveIn, data, ctx.today())
        if row.status != "dang_chuyen":
            raise BadInput.one(ID_FIELD, f"lần chuyển #{transfer_id} {_DONE[row.status]}")
        if r_in.received_on < row.letter_on:
            raise BadInput.one(
                "Ngày nhận (--on)",
                f"ngày {fmt_date(r_in.received_on)} trước ngày giấy giới thiệu "
                f"({fmt_date(row.letter_on)})",
            )
        d = get_dossier(s, row.dossier_id)
        source = s.get(Organization, row.from_org_id)
        dest = s.get(Organization, row.to_org_id)
        assert source is not None and dest is not None
        live_org(dest, ctx.today(), TO_FIELD)
        row.status, row.received_on, row.received_by = "da_nhan", r_in.received_on, ctx.actor
        s.add(row)
        s.flush()
        _letter_deadline(s, ctx, row, d)  # done on the day it was received
        _move(s, ctx, d, row, source, dest)
        return view(s, row)


def cancel(ctx: Context, transfer_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """A pending transfer withdrawn (by either side); the dossier never moved."""
    with ctx.write() as s:
        row = _transfer(s, transfer_id)
        ctx.allow(s, Action.decide, row.from_org_id)
        c_in = validate(TransferCancelIn, data, ctx.today())
        if row.status != "dang_chuyen":
            raise BadInput.one(
                ID_FIELD,
                f"lần chuyển #{transfer_id} {_DONE[row.status]}, không hủy được",
            )
        row.status = "huy"
        s.add(row)
        s.flush()
        d = get_dossier(s, row.dossier_id)
        source, dest = s.get(Organization, row.from_org_id), s.get(Organization, row.to_org_id)
        assert source is not None and dest is not None
        _letter_deadline(s, ctx, row, d)  # removed
        audit.append(
            s,
            at=ctx.clock.now(),
            actor=ctx.actor,
            kind=KIND,
            event=CANCEL_EVENT,
            dossier_id=row.dossier_id,
            reason=c_in.reason,
            rule_set_id=d.rule_set_id,
            data={**_said(row, source, dest), "rule": RULE},
        )
        return view(s, row)


def list_transfers(ctx: Context, *, dossier_id: int | None = None) -> list[dict[str, Any]]:
    """Transfers in the user's scope (sent from or to one of its organizations), newest
    first; a receiving clerk sees the pending ones they must record."""
    with ctx.read() as s:
        ctx.allow(s, Action.read)
        scope = scope_ids(s, ctx.actor)
        query = select(TransferRow).order_by(col(TransferRow.id).desc())
        if dossier_id is not None:
            query = query.where(TransferRow.dossier_id == dossier_id)
        rows = [
            r
            for r in s.exec(query).all()
            if scope is None or r.from_org_id in scope or r.to_org_id in scope
        ]
        return [view(s, r) for r in rows]


def dossier_transfers(s: Session, dossier_id: int) -> list[dict[str, Any]]:
    """A dossier's transfers, oldest first (``candidate show``)."""
    rows = s.exec(
        select(TransferRow)
        .where(TransferRow.dossier_id == dossier_id)
        .order_by(col(TransferRow.id))
    ).all()
    return [view(s, r) for r in rows]


def pending(s: Session, dossier_id: int) -> TransferRow | None:
    return s.exec(
        select(TransferRow).where(
            TransferRow.dossier_id == dossier_id, TransferRow.status == "dang_chuyen"
        )
    ).first()


def redo_list(
    s: Session, d: Dossier, source: Organization, dest: Organization
) -> list[dict[str, str]]:
    """What the receiving chi bộ must do again, from the facts recorded so far (see the
    module's docstring for why each)."""
    if Stage(d.stage) in MEMBER_STAGES:
        return [
            {
                "what": "giup_do_du_bi",
                "rule_id": RULE,
                "label": "Chi bộ nhận phân công đảng viên chính thức giúp đỡ đảng viên dự bị "
                "và xét công nhận chính thức; thời gian dự bị và hạn chính thức (D-OFFICIAL) "
                "giữ nguyên",
            }
        ]
    did = d.id
    votes = {r.kind for r in s.exec(select(Resolution).where(Resolution.dossier_id == did))}
    papers = {p.kind for p in s.exec(select(Document).where(Document.dossier_id == did))}
    introducers = s.exec(select(Introducer.id).where(Introducer.dossier_id == did)).all()
    out: list[dict[str, str]] = []
    if ResolutionKind.chi_bo.value in votes:
        out.append(
            {
                "what": "nghi_quyet_chi_bo",
                "rule_id": "R-VOTE-CB",
                "label": "Chi bộ nhận họp xét và biểu quyết đề nghị kết nạp (nghị quyết của "
                "chi bộ cũ không thay được)",
            }
        )
    if ResolutionKind.dang_uy.value in votes and source.parent_id != dest.parent_id:
        out.append(
            {
                "what": "nghi_quyet_dang_uy",
                "rule_id": "R-VOTE-DU",
                "label": "Đảng ủy cơ sở của chi bộ nhận xét, biểu quyết (nghị quyết của đảng "
                "ủy cũ thuộc nơi khác)",
            }
        )
    if introducers:
        out.append(
            {
                "what": "nguoi_gioi_thieu",
                "rule_id": "R-INTRO",
                "label": f"Người giới thiệu: {len(introducers)} người đã ghi sinh hoạt ở chi "
                "bộ cũ; chi bộ nhận phân công đảng viên chính thức cùng công tác giới thiệu",
            }
        )
    place_papers = (
        (DocumentKind.nghi_quyet_doan, "R-INTRO-DOAN", "Nghị quyết giới thiệu của Đoàn"),
        (DocumentKind.nghi_quyet_cong_doan, "R-INTRO-CD", "Nghị quyết giới thiệu của Công đoàn"),
        (DocumentKind.tong_hop_y_kien, "P-DOSSIER", "Tổng hợp ý kiến nhận xét (mẫu 5-KNĐ)"),
    )
    for kind, rule_id, said in place_papers:
        if kind.value in papers:
            out.append({"what": kind.value, "rule_id": rule_id, "label": f"{said} của nơi mới"})
    return out


def view(s: Session, row: TransferRow) -> dict[str, Any]:
    source, dest = s.get(Organization, row.from_org_id), s.get(Organization, row.to_org_id)
    assert source is not None and dest is not None
    d = s.get(Dossier, row.dossier_id)
    return {
        "id": row.id,
        "dossier_id": row.dossier_id,
        "version": d.version if d is not None else None,
        "from": {"code": source.code, "name": source.name},
        "to": {"code": dest.code, "name": dest.name},
        "letter_number": row.letter_number,
        "letter_on": row.letter_on.isoformat(),
        "status": row.status,
        "status_label": STATUS.get(row.status, row.status),
        "redo": json.loads(row.redo or "[]"),
        "reason": row.reason,
        "sent_by": row.sent_by,
        "received_on": row.received_on.isoformat() if row.received_on else None,
        "received_by": row.received_by,
        "late": (
            row.received_on is not None
            and row.received_on > row.letter_on + timedelta(days=LETTER_DAYS)
        ),
    }


def _destination(s: Session, ctx: Context, code: str, source: Organization) -> Organization:
    """The receiving chi bộ: known, existing on the day, a chi bộ, not the sender."""
    dest = live_org(org_by_code(s, code, TO_FIELD), ctx.today(), TO_FIELD)
    if OrgKind(dest.kind) not in CELLS:
        raise BadInput.one(
            TO_FIELD,
            f"'{dest.name}' ({dest.code}) là {OrgKind(dest.kind).label}, không phải chi bộ: "
            f"chỉ chuyển sinh hoạt tới một chi bộ hoặc chi bộ cơ sở ({RULE})",
        )
    if dest.id == source.id:
        raise BadInput.one(TO_FIELD, f"hồ sơ đang ở chính '{dest.name}' ({dest.code})")
    return dest


def _transfer(s: Session, transfer_id: int) -> TransferRow:
    row = s.get(TransferRow, transfer_id) if 1 <= transfer_id <= 2**62 else None
    if row is None:
        raise BadInput.one(ID_FIELD, f"không có lần chuyển sinh hoạt #{transfer_id}")
    return row


def _said(row: TransferRow, source: Organization, dest: Organization) -> dict[str, Any]:
    return {
        "org": {"from": source.code, "to": dest.code},
        "transfer": row.id,
        "letter_number": row.letter_number,
        "letter_on": row.letter_on.isoformat(),
    }


def _move(
    s: Session,
    ctx: Context,
    d: Dossier,
    row: TransferRow,
    source: Organization,
    dest: Organization,
) -> None:
    """The dossier (and its person) now belong to ``dest``: version + 1, the day it moved,
    its deadlines recomputed there (same dates, the new chi bộ's contacts), one "move"."""
    assert dest.id is not None and row.received_on is not None
    d.org_id, d.version, d.updated_at = dest.id, d.version + 1, ctx.clock.now()
    d.transferred_on = row.received_on
    s.add(d)
    person = s.get(Candidate, d.candidate_id)
    if person is not None:
        person.org_id = dest.id
        s.add(person)
    s.flush()
    sync_dossier(s, d, load_facts(s, d), ctx)
    audit.append(
        s,
        at=ctx.clock.now(),
        actor=ctx.actor,
        kind="move",
        event=MOVE_EVENT,
        dossier_id=d.id,
        reason=row.reason,
        rule_set_id=d.rule_set_id,
        data={
            **_said(row, source, dest),
            "received_on": row.received_on.isoformat(),
            "redo": json.loads(row.redo or "[]"),
            "rule": RULE,
        },
    )


def _letter_deadline(s: Session, ctx: Context, row: TransferRow, d: Dossier) -> None:
    """L-TRANSFER: the letter presented within 30 days, a deadline of the pending transfer
    (reminded to the receiving organization), done when received, gone when cancelled."""
    assert row.id is not None
    dues = []
    if row.status != "huy":
        dues.append(
            Due(
                DEADLINE_KIND,
                RULE,
                f"Nộp giấy giới thiệu sinh hoạt đảng số {row.letter_number} cho chi bộ nhận "
                f"(trong {LETTER_DAYS} ngày)",
                row.letter_on,
                row.letter_on + timedelta(days=LETTER_DAYS),
                done_on=row.received_on,
            )
        )
    cal = tracking.calendar(s)
    tracking.sync(
        s,
        f"transfer:{row.id}",
        row.to_org_id,
        d.id,
        dues,
        ctx.today(),
        ctx.clock.now(),
        cal,
        tracking.policies(s),
    )
