"""The tree keeps its layers: the picture in docs/architecture.md is the code's own import
graph, models/ (its migrations too) imports nothing above it, and modules stay readable."""

from __future__ import annotations

import re

from tests.architecture.layers import LAYERS, ROOT, imports_of, layer_edges, layer_of, module_files


def _mermaid() -> str:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    match = re.search(r"```mermaid\n(.*?)```", doc, re.S)
    assert match, "docs/architecture.md has no Mermaid picture"
    return match.group(1)


def _node(text: str) -> str:
    return text.replace("_", ".") if text.startswith("workflow_") else text


def test_the_picture_is_the_import_graph() -> None:
    picture = _mermaid()
    edges = {(_node(a), _node(b)) for a, b in re.findall(r"^\s*(\w+) --> (\w+)\s*$", picture, re.M)}
    nodes = {_node(n) for n in re.findall(r'^\s*(\w+)\["', picture, re.M)}
    assert nodes == set(LAYERS)
    assert edges == layer_edges(), (
        f"missing from the picture: {sorted(layer_edges() - edges)}; "
        f"in the picture but not in the code: {sorted(edges - layer_edges())}"
    )


def test_models_and_their_migrations_import_nothing_above_them() -> None:
    for module, path in module_files().items():
        if layer_of(module) == "models":
            above = {n for n in imports_of(path) if layer_of(n) not in (None, "models")}
            assert not above, f"{path.relative_to(ROOT)} imports {sorted(above)}"


def test_the_domain_reads_no_clock_and_no_environment() -> None:
    for module, path in module_files().items():
        if layer_of(module) in ("workflow.domain", "workflow.text"):
            text = path.read_text(encoding="utf-8")
            for needle in ("datetime.now", "date.today", "os.environ", "open("):
                assert needle not in text, f"{path.relative_to(ROOT)} uses {needle}"


def test_modules_stay_readable_in_one_sitting() -> None:
    for module, path in module_files().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if module.startswith("workflow"):
            assert lines <= 500, f"{path.relative_to(ROOT)}: {lines} lines"
    assert len((ROOT / "cli.py").read_text(encoding="utf-8").splitlines()) < 250
