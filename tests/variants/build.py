"""Hand-written variants hold only the functions they write their own way.

buggy/ files define the functions they get wrong; correct/ files define the six
functions students write, each differently from the reference. ``assemble(path,
folder)`` writes the full submission: the generated reference
(examples/submissions/reference.py) with each top-level function that the variant
file defines put in place of the reference's function of the same name; the
variant's imports go after the reference's. The given sigmoid, model and predict
thus come from the reference, never from a copy.
"""
from __future__ import annotations

import ast
from pathlib import Path

BUGGY_DIR = Path(__file__).resolve().parent / "buggy"
CORRECT_DIR = Path(__file__).resolve().parent / "correct"
PREAMBLE = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)
REFERENCE = Path(__file__).resolve().parents[2] / "examples" / "submissions" / "reference.py"


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _segment(lines: list[str], node: ast.stmt) -> list[str]:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    return lines[start:node.end_lineno]


def with_functions_replaced(base: str, variant: str) -> str:
    """``base`` with the functions ``variant`` defines swapped in (new ones appended)."""
    base_lines, variant_lines = base.splitlines(keepends=True), variant.splitlines(keepends=True)
    base_tree, variant_tree = ast.parse(base), ast.parse(variant)
    base_functions = _functions(base_tree)
    replaced = list(base_lines)
    appended: list[str] = []
    # From the bottom up, so that earlier line numbers stay valid.
    for name, node in sorted(_functions(variant_tree).items(), key=lambda item: -item[1].lineno):
        new = _segment(variant_lines, node)
        if name in base_functions:
            old = base_functions[name]
            start = min([old.lineno] + [d.lineno for d in old.decorator_list]) - 1
            replaced[start:old.end_lineno] = new
        else:
            appended = ["\n\n", *new, *appended]
    # The variant's imports and module constants, in its order, after the base's imports.
    preamble = [line for node in variant_tree.body if isinstance(node, PREAMBLE)
                for line in _segment(variant_lines, node)]
    last_import = max(node.end_lineno for node in base_tree.body if isinstance(node, (ast.Import, ast.ImportFrom)))
    return "".join(replaced[:last_import] + preamble + replaced[last_import:] + appended)


def source(variant: Path) -> str:
    """The full submission of the variant file ``variant``."""
    return with_functions_replaced(REFERENCE.read_text(encoding="utf-8"), variant.read_text(encoding="utf-8"))


def assemble(variant: Path, folder: Path) -> Path:
    """Write the full submission to ``folder/<variant's file name>`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / variant.name
    path.write_text(source(variant), encoding="utf-8")
    return path
