"""Inspection bundles: signed, verifiable offline; every kind of tampering is named."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import admit, new_candidate
from workflow.domain.errors import BadInput
from workflow.usecases.context import Context
from workflow.usecases.inspection import EVENTS, export_bundle, verify_bundle
from workflow.usecases.signing import create_key, load_signer


def other_key(path: Path) -> str:
    create_key(path)
    return load_signer(path).public.hex()


@pytest.fixture
def bundle(ctx: Context, tmp_path: Path) -> tuple[Path, str, Path]:
    admit(ctx, new_candidate(ctx))
    new_candidate(ctx, org_code="CBCS", full_name="Trần Thị Hoa")
    assert ctx.signer is not None
    out = tmp_path / "b.zip"
    export_bundle(ctx, out)
    return out, ctx.signer.public.hex(), tmp_path


def rewrite(src: Path, dst: Path, change: object) -> Path:
    """A copy of the bundle whose events.jsonl lines went through ``change``."""
    with zipfile.ZipFile(src) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    lines = parts[EVENTS].decode().splitlines()
    parts[EVENTS] = ("\n".join(change(lines)) + "\n").encode()  # type: ignore[operator]
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return dst


def test_a_bundle_verifies_with_the_public_key_alone(bundle: tuple[Path, str, Path]) -> None:
    out, public, _ = bundle
    report = verify_bundle(out, public)
    assert report.ok, report.problems
    assert report.first_id == 1 and report.events == report.full > 10
    manifest = report.manifest
    assert manifest["chain"]["db_length"] == report.last_id
    assert manifest["chain"]["db_head_hash"] == report.head_hash
    assert manifest["rule_sets"] and "personal_data" in manifest
    assert manifest["personal_data"]["contains"] == ["birth_month"]


def test_flipping_one_byte_of_one_event_is_named(
    bundle: tuple[Path, str, Path], tmp_path: Path
) -> None:
    out, public, _ = bundle

    def flip(lines: list[str]) -> list[str]:
        row = lines[4]
        at = row.index('"actor":"') + len('"actor":"')
        lines[4] = row[:at] + ("X" if row[at] != "X" else "Y") + row[at + 1 :]
        return lines

    report = verify_bundle(rewrite(out, tmp_path / "t.zip", flip), public)
    assert not report.ok
    assert report.problems == [
        "Tệp events.jsonl khác với bản đã ký trong bản kê khai (mã băm không khớp); chỗ khác "
        "được chỉ ra dưới đây.",
        "Sự kiện #5 đã bị sửa: nội dung không khớp với mã băm đã ghi.",
    ]


def test_deleting_an_event_is_named(bundle: tuple[Path, str, Path], tmp_path: Path) -> None:
    out, public, _ = bundle
    report = verify_bundle(
        rewrite(out, tmp_path / "t.zip", lambda lines: lines[:6] + lines[7:]), public
    )
    assert not report.ok and report.problems[-1] == "Thiếu sự kiện #7: sau #6 là #8."


def test_deleting_the_last_event_is_named(bundle: tuple[Path, str, Path], tmp_path: Path) -> None:
    out, public, _ = bundle
    report = verify_bundle(rewrite(out, tmp_path / "t.zip", lambda lines: lines[:-1]), public)
    assert not report.ok and "sự kiện cuối bị xóa" in report.problems[-1]


def test_reordering_two_events_is_named(bundle: tuple[Path, str, Path], tmp_path: Path) -> None:
    out, public, _ = bundle

    def swap(lines: list[str]) -> list[str]:
        lines[2], lines[3] = lines[3], lines[2]
        return lines

    report = verify_bundle(rewrite(out, tmp_path / "t.zip", swap), public)
    assert not report.ok and report.problems[-1] == "Thiếu sự kiện #3: sau #2 là #4."


def test_another_key_fails_on_the_signature(bundle: tuple[Path, str, Path], tmp_path: Path) -> None:
    out, _, _ = bundle
    other = other_key(tmp_path / "other.ed25519")
    report = verify_bundle(out, other)
    assert not report.ok
    assert report.problems == [
        "Chữ ký của bản kê khai không khớp với khóa công khai đã cho: gói được ký bằng khóa "
        "khác, hoặc bản kê khai đã bị sửa."
    ]
    with pytest.raises(BadInput, match="--pubkey"):
        verify_bundle(out, "khong-phai-hex")
    with pytest.raises(BadInput, match="không có tệp"):
        verify_bundle(tmp_path / "khong-co.zip", other)
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    assert "không phải một gói" in verify_bundle(tmp_path / "junk.zip", other).problems[0]


def test_an_edited_manifest_fails_on_the_signature(
    bundle: tuple[Path, str, Path], tmp_path: Path
) -> None:
    out, public, _ = bundle
    with zipfile.ZipFile(out) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    manifest = json.loads(parts["manifest.json"])
    manifest["chain"]["db_length"] += 1
    parts["manifest.json"] = json.dumps(manifest).encode()
    edited = tmp_path / "m.zip"
    with zipfile.ZipFile(edited, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert "Chữ ký của bản kê khai không khớp" in verify_bundle(edited, public).problems[0]


def test_an_organization_bundle_keeps_other_events_as_linked_stubs(
    ctx: Context, tmp_path: Path
) -> None:
    admit(ctx, new_candidate(ctx))
    new_candidate(ctx, org_code="CBCS", full_name="Trần Thị Hoa")
    assert ctx.signer is not None
    public = ctx.signer.public.hex()
    out = tmp_path / "cbcs.zip"
    made = export_bundle(ctx, out, org_code="CBCS")
    report = verify_bundle(out, public)
    assert report.ok, report.problems
    assert 0 < report.full < report.events and report.stubs == made["counts"]["stubs"]
    with zipfile.ZipFile(out) as z:
        rows = [json.loads(line) for line in z.read(EVENTS).decode().splitlines()]
    full = [r for r in rows if not r.get("stub")]
    assert all(json.loads(r["data"]).get("org") == "CBCS" or r["dossier_id"] for r in full)
