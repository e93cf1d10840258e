"""The candidates' template, and the candidates in scope written back in its layout (so a
clerk can round-trip a sheet)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from models.tables import (
    Candidate,
    Ceremony,
    Certificate,
    Decision,
    Dossier,
    Organization,
    Resolution,
)
from workflow.domain.process import Stage
from workflow.domain.vocabulary import Education, Occupation, Sex
from workflow.sheets.candidate_columns import FIELDS, SHEET_TITLE, TITLES
from workflow.sheets.fields import write_book, write_personal_export
from workflow.sheets.midway import IMPORTABLE, NEEDS
from workflow.usecases.access import Action, scope_ids
from workflow.usecases.context import Context
from workflow.usecases.outfiles import check_target


def write_template(path: Path) -> None:
    """The candidates' template: the columns, one example row, and a sheet of the values
    each column accepts."""
    example = [
        "Nguyễn Văn Thắng",
        "15/08/2000",
        "Nam",
        "Kinh",
        "Không",
        "001200012345",
        "Đại học",
        "Cán bộ, công chức",
        "x",
        "",
        "Thôn 2, xã Lộc An",
        "CB-VP",
        Stage.chi_bo_xet.label,
        "125-GCN/TTCT",
        "12/03/2026",
        "Trung tâm Chính trị huyện",
    ]
    help_rows = [
        [TITLES["birth_date"], "dd/mm/yyyy, hoặc ô ngày của Excel"],
        [TITLES["sex"], ", ".join(m.label for m in Sex)],
        [TITLES["education"], ", ".join(m.label for m in Education)],
        [TITLES["occupation"], ", ".join(m.label for m in Occupation)],
        [TITLES["cccd"], "12 chữ số (gõ như chữ để giữ số 0 đầu)"],
        [TITLES["doan_member"], "x hoặc có; để trống nếu không"],
        [TITLES["org_code"], "mã hoặc tên chi bộ (ketnap org list)"],
        [
            TITLES["stage"],
            "để trống là Nguồn; hoặc một trong: " + ", ".join(s.label for s in IMPORTABLE),
        ],
        *(
            [
                TITLES[need.field],
                f"dd/mm/yyyy; bắt buộc từ giai đoạn '{need.required_from.label}', "
                f"chỉ có từ giai đoạn '{need.allowed_from.label}'",
            ]
            for need in NEEDS
        ),
        [
            "Các cột đi cùng nhau",
            "số, ngày và nơi cấp giấy chứng nhận; ngày chi bộ xét, số đảng viên chính thức và "
            "số phiếu tán thành; số và ngày quyết định kết nạp",
        ],
    ]
    write_book(
        path,
        SHEET_TITLE,
        [TITLES[f] for f in FIELDS],
        [example],
        help_rows=help_rows,
        text_columns=[FIELDS.index("cccd")],
    )


def _dated_facts(s: Session, dossiers: list[Dossier]) -> dict[int, tuple[Any, ...]]:
    """Per dossier: its latest certificate, chi bộ vote, admission decision and ceremony (the
    template's stage columns), read in four queries."""
    by_person = {d.candidate_id: d.id for d in dossiers if d.id is not None}
    ids = list(by_person.values())
    certs: dict[int, Certificate] = {}
    for cert in s.exec(select(Certificate).order_by(col(Certificate.issued_on))).all():
        if cert.candidate_id in by_person:
            certs[by_person[cert.candidate_id]] = cert
    votes = {
        r.dossier_id: r
        for r in s.exec(
            select(Resolution)
            .where(col(Resolution.dossier_id).in_(ids), Resolution.kind == "chi_bo")
            .order_by(col(Resolution.dated), col(Resolution.round))
        ).all()
    }
    decisions = {
        r.dossier_id: r
        for r in s.exec(
            select(Decision)
            .where(col(Decision.dossier_id).in_(ids), Decision.kind == "ket_nap")
            .order_by(col(Decision.signed_on))
        ).all()
    }
    held = {
        r.dossier_id: r.held_on
        for r in s.exec(select(Ceremony).where(col(Ceremony.dossier_id).in_(ids))).all()
    }
    return {
        i: (certs.get(i), votes.get(i), decisions.get(i), held.get(i))
        for i in ids
        if i in certs or i in votes or i in decisions or i in held
    }


def export_candidates(ctx: Context, path: Path, org_code: str | None = None) -> int:
    """The candidates in scope, in the template's layout (so a clerk can round-trip). The
    file holds CCCDs: only the dossier's handlers may export, and it is audited."""
    from workflow.text.vntext import fmt_date, name_sort_key
    from workflow.usecases.organizations import org_by_code, subtree_ids

    check_target(path)  # before anything is read or audited
    with ctx.read() as s:
        ctx.allow(s, Action.record, org_by_code(s, org_code).id if org_code else None)
        query = (
            select(Candidate, Organization, Dossier)
            .join(Organization, col(Organization.id) == col(Candidate.org_id))
            .join(Dossier, col(Dossier.candidate_id) == col(Candidate.id))
        )
        if org_code:
            query = query.where(col(Candidate.org_id).in_(subtree_ids(s, org_by_code(s, org_code))))
        scope = scope_ids(s, ctx.actor)
        if scope is not None:
            query = query.where(col(Candidate.org_id).in_(scope))
        rows = sorted(s.exec(query).all(), key=lambda r: name_sort_key(r[0].full_name))
        facts = _dated_facts(s, [d for _, _, d in rows])
    lines = []
    for c, o, d in rows:
        cert, res, dec, held = facts.get(d.id or 0, (None, None, None, None))
        lines.append(
            [
                c.full_name,
                fmt_date(c.birth_date),
                Sex(c.sex).label,
                c.ethnicity,
                c.religion,
                c.cccd,
                Education(c.education).label,
                Occupation(c.occupation).label,
                "x" if c.doan_member else "",
                "x" if c.cong_doan_member else "",
                c.residence,
                o.code,
                Stage(d.stage).label,
                cert.number if cert else None,
                fmt_date(cert.issued_on) if cert else None,
                cert.issuer if cert else None,
                fmt_date(res.dated) if res else None,
                res.official_members if res else None,
                res.agree if res else None,
                dec.number if dec else None,
                fmt_date(dec.signed_on) if dec else None,
                fmt_date(held) if held else None,
            ]
        )
    book = {
        "title": SHEET_TITLE,
        "headers": [TITLES[f] for f in FIELDS],
        "rows": lines,
        "text_columns": [FIELDS.index("cccd")],
    }
    write_personal_export(ctx, path, "xuat_danh_sach", {"org": org_code, "rows": len(rows)}, book)
    return len(rows)
