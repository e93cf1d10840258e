"""The layers as the code has them: which layer imports which, read from every import
statement (those inside functions too) of every module of ours."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Innermost last; a module belongs to the longest prefix that names it.
LAYERS: tuple[str, ...] = (
    "cli",
    "commands",
    "web",
    "scheduler",
    "reports",
    "workflow.sheets",
    "workflow.usecases",
    "workflow.inputs",
    "workflow.domain",
    "workflow.text",
    "models",
)


def layer_of(module: str) -> str | None:
    found = [layer for layer in LAYERS if module == layer or module.startswith(layer + ".")]
    return max(found, key=len) if found else None


def module_files() -> dict[str, Path]:
    """Every module of ours by dotted name (migrations included: they are models' code)."""
    out = {"cli": ROOT / "cli.py"}
    for top in ("commands", "web", "scheduler", "reports", "workflow", "models"):
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(p for p in parts if p != "__init__")] = path
    return out


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def layer_edges() -> set[tuple[str, str]]:
    """(importer's layer, imported layer) for every import that crosses layers."""
    edges = set()
    for module, path in module_files().items():
        source = layer_of(module)
        for name in imports_of(path):
            target = layer_of(name)
            if source and target and source != target:
                edges.add((source, target))
    return edges
