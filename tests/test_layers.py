"""The layers of docs/architecture.md hold in every module of grader/, lazy imports included.

    core  (contract, values, results, numerics, status, markers, text, files, i18n)
      <- bridge <- checks <- reference, runner, recording, generated, lab_notebook, handout <- formats
      <- commands, kernel <- cli

A module imports only from its own layer or the layers before it; nothing outside
grader/commands/ imports grader.commands; a command imports no other command's modules.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "grader"
CORE = ("contract", "values", "results", "numerics", "status", "markers", "text", "files", "i18n", "submission")
LAYERS = {  # first part of the module path inside grader/ -> its rank
    **{name: 0 for name in CORE},
    "bridge": 1,
    "checks": 2,
    "reference": 3,
    "runner": 3,
    "recording": 3,
    "generated": 3,
    "lab_notebook": 3,
    "handout": 3,
    "formats": 4,
    "commands": 5,
    "kernel": 5,  # the notebook's check and training cells: a students' command, run inside their kernel
    "cli": 6,
    "__main__": 6,
    "__init__": 0,
}
LAYER_NAMES = {0: "core", 1: "bridge", 2: "checks", 3: "reference/runner", 4: "formats", 5: "commands", 6: "cli"}


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found.append((".".join(("grader",) + parts), path))
    return found


def grader_imports(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, imported grader module) for every import in the file, nested ones included."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names
                      if (PACKAGE.parent / (target + "." + alias.name).replace(".", "/")).with_suffix(".py").exists()
                      or (PACKAGE.parent / (target + "." + alias.name).replace(".", "/")).is_dir()]
    return [(line, name) for line, name in found if name == "grader" or name.startswith("grader.")]


def rank(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1]] if len(parts) > 1 else 0


def violations(module: str, path: Path) -> list[str]:
    own = rank(module)
    problems = []
    for line, target in grader_imports(path, module):
        if target == "grader":
            continue
        shown = path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE.parent) else path
        where = f"{shown}:{line} imports {target}"
        if rank(target) > own:
            problems.append(f"{where} ({LAYER_NAMES[own]} may not import {LAYER_NAMES[rank(target)]})")
        if module.startswith("grader.commands.") and target.startswith("grader.commands."):
            mine, theirs = module.split(".")[2], target.split(".")[2]
            if mine != theirs and theirs != "__init__":
                problems.append(f"{where} (a command imports another command's module)")
    return problems


@pytest.mark.parametrize("module, path", modules(), ids=[m for m, _ in modules()])
def test_module_imports_only_from_its_layer_or_below(module, path):
    assert violations(module, path) == []


def test_the_check_catches_a_format_that_imports_a_command(tmp_path):
    """The guard itself: a formats module with `from grader.commands import check` is a violation."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from grader.commands import check\n")
    assert violations("grader.formats.bad", bad) == [
        f"{bad}:2 imports grader.commands (formats may not import commands)",
        f"{bad}:2 imports grader.commands.check (formats may not import commands)"]
    bad.write_text("def f():\n    return 1\n")
    assert violations("grader.formats.bad", bad) == []


def test_every_module_has_a_layer():
    assert [m for m, _ in modules() if m.split(".")[1] not in LAYERS] == []
