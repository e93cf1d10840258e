"""docs/rules.md is the program's own rule catalogue, both ways: every rule id the program
can print is documented, every documented id is one it prints, and no document of the
repository sends its reader outside it."""

from __future__ import annotations

import ast
import re

from tests.architecture.layers import ROOT, layer_of, module_files
from workflow.domain.catalogue import RULES, rules_markdown

RULE_ID = re.compile(r"^[RDPL]-[A-Z0-9]+(-[A-Z0-9]+)*$")


def _emitted() -> set[str]:
    """Every rule id or deadline kind spelled in workflow/ (the catalogue aside)."""
    found: set[str] = set()
    for module, path in module_files().items():
        if not module.startswith("workflow.") or module == "workflow.domain.catalogue":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if RULE_ID.match(node.value):
                    found.add(node.value)
    return found


def test_docs_rules_is_generated_from_the_catalogue() -> None:
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert doc == rules_markdown(), "run: ketnap rules doc > docs/rules.md"


def test_every_id_the_program_prints_is_documented_and_no_other() -> None:
    documented = {r.id for r in RULES} | {k for r in RULES for k in r.kinds}
    emitted = _emitted()
    assert emitted - documented == set(), "printed but not in docs/rules.md"
    assert documented - emitted == set(), "in docs/rules.md but never printed"


def test_no_document_links_outside_the_repository() -> None:
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for doc in docs:
        text = doc.read_text(encoding="utf-8")
        assert "../shared" not in text, doc.name
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (doc.parent / target).resolve().is_relative_to(ROOT), (doc.name, target)
            assert (doc.parent / target).exists(), (doc.name, target)
        for path in re.findall(r"`((?:docs|bench)/[\w./-]+\.md)`", text):
            assert (ROOT / path).exists(), (doc.name, path)
    assert "docs/rules.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_layer_of_names_every_module() -> None:
    assert all(layer_of(m) for m in module_files() if m != "workflow")
