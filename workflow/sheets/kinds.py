"""The kinds of sheet ketnap reads, and how to tell them apart by their headers.

`ketnap import F` takes any of them: a clerk should not have to say what a class list is.
Each kind is recognised by columns only it has; an explicit ``--kind`` wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.domain.errors import BadInput
from workflow.sheets.fields import header_key
from workflow.sheets.reading import read_headers
from workflow.usecases.access import Action, first_permitted
from workflow.usecases.context import Context


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    marks: frozenset[str]  # header keys only this kind has


Progress = Callable[[int, int], None] | None


def _import_candidates(
    ctx: Context, path: Path, dry_run: bool, progress: Progress
) -> dict[str, Any]:
    from workflow.sheets.candidates import import_candidates

    return import_candidates(ctx, path, dry_run=dry_run, progress=progress)


def _import_organizations(
    ctx: Context, path: Path, dry_run: bool, progress: Progress
) -> dict[str, Any]:
    from workflow.sheets.organizations import import_organizations

    return import_organizations(ctx, path, dry_run=dry_run)


def _import_classes(ctx: Context, path: Path, dry_run: bool, progress: Progress) -> dict[str, Any]:
    from workflow.sheets.classes import import_classes

    return import_classes(ctx, path, dry_run=dry_run)


def _import_targets(ctx: Context, path: Path, dry_run: bool, progress: Progress) -> dict[str, Any]:
    from workflow.sheets.targets import import_targets

    return import_targets(ctx, path, dry_run=dry_run)


KINDS: dict[str, tuple[Kind, Callable[[Context, Path, bool, Progress], dict[str, Any]]]] = {
    "candidates": (
        Kind("candidates", "danh sách quần chúng", frozenset({"ngay_sinh", "gioi_tinh"})),
        _import_candidates,
    ),
    "classes": (
        Kind("classes", "danh sách lớp bồi dưỡng nhận thức", frozenset({"ma_lop"})),
        _import_classes,
    ),
    "organizations": (
        Kind("organizations", "danh sách tổ chức đảng", frozenset({"loai_to_chuc"})),
        _import_organizations,
    ),
    "targets": (
        Kind("targets", "chỉ tiêu", frozenset({"chi_tieu"})),
        _import_targets,
    ),
}


def guess_kind(path: Path) -> str:
    """The kind whose marks the sheet's headers carry; refused when none or several match."""
    keys = {header_key(h) for h in read_headers(path)}
    # a value column may name its year: "Chỉ tiêu 2026"
    keys |= {"chi_tieu" for k in keys if k.startswith("chi_tieu_")}
    found = [name for name, (kind, _) in KINDS.items() if kind.marks & keys]
    if len(found) != 1:
        labels = "; ".join(
            f"{k.label} (cột {', '.join(sorted(k.marks))})" for k, _ in KINDS.values()
        )
        raise BadInput.one(
            "Tệp",
            f"không nhận ra loại danh sách từ dòng tiêu đề; dùng --kind, hoặc các cột: {labels}",
        )
    return found[0]


# What an import may do, by kind: candidates, classes' facts, targets, organizations.
IMPORTING = (Action.add_candidate, Action.record, Action.plan, Action.admin)


def import_file(
    ctx: Context,
    path: Path,
    kind: str | None = None,
    *,
    dry_run: bool = False,
    progress: Progress = None,
) -> dict[str, Any]:
    """Any kind of sheet, told by ``kind`` or by its headers; the importer's report. Who
    may import anything at all is checked before the file is opened (its kind, and its
    rows against the organizations, by the importer)."""
    with ctx.read() as s:
        ctx.allow(s, first_permitted(s, ctx.actor, IMPORTING))
    name = kind or guess_kind(path)
    if name not in KINDS:
        raise BadInput.one("Loại danh sách", f"'{name}' không có; chọn: {', '.join(KINDS)}")
    report = KINDS[name][1](ctx, path, dry_run, progress)
    return {"kind": name, **report}
