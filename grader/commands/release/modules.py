"""Which modules of ``grader`` the student kit needs: the import closure of the students' commands.

Starting from the entry points students use (``python -m grader``, the pytest plugin, the
check, train and summary code), every ``grader.*`` import is followed, wherever it is written,
except into the modules that never ship (hidden checks, instructors' commands, the isolated
grader, otter). Those may be imported only lazily (inside a function), never when a shipped
module is imported: otherwise the kit would not even start, and ``ShippedModuleError`` says so.
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ENTRY_MODULES = (
    "grader.__main__",
    "grader.cli",
    "grader.commands.check",
    "grader.commands.train",
    "grader.formats.pytest_plugin",
    "grader.formats.github",
    "grader.kernel",  # the notebook's check and training cells
)
NEVER_SHIPPED = (
    "grader.checks.hidden",
    "grader.commands.assign",
    "grader.commands.fixtures",
    "grader.commands.grade",
    "grader.commands.release",
    "grader.bridge.isolated",
    "grader.formats.otter",
)


class ShippedModuleError(RuntimeError):
    """A shipped module imports one that never ships, at import time."""


@dataclass
class Closure:
    modules: dict[str, Path] = field(default_factory=dict)  # module name -> its file
    third_party: set[str] = field(default_factory=set)  # top-level names of non-grader, non-stdlib imports


def never_shipped(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in NEVER_SHIPPED)


def module_file(module: str, package_root: Path) -> Path | None:
    """grader.a.b -> <root>/grader/a/b.py or .../b/__init__.py; None if neither exists."""
    base = package_root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(tree: ast.Module, module: str, is_package: bool) -> list[tuple[str, bool]]:
    """(imported module name, whether it runs when the module is imported) for every import."""
    top_level = {id(node) for node in tree.body}
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        found += [(name, id(node) in top_level) for name in names]
    return found


def closure(package_root: Path, entries: tuple[str, ...] = ENTRY_MODULES) -> Closure:
    """The shipped modules reachable from ``entries`` in the package under ``package_root``."""
    result = Closure()
    pending = list(entries)
    while pending:
        module = pending.pop()
        if module in result.modules or never_shipped(module):
            continue
        path = module_file(module, package_root)
        if path is None:
            continue  # ``from grader.x import name`` also tries grader.x.name, which may be a function
        result.modules[module] = path
        parts = module.split(".")
        pending += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for name, at_import in _imports(tree, module, path.name == "__init__.py"):
            top = name.split(".")[0]
            if top == "grader":
                if at_import and never_shipped(name):
                    raise ShippedModuleError(f"{module} imports {name} when it is imported, "
                                             "but that module never ships to students")
                pending.append(name)
            elif top and top != "__future__" and top not in sys.stdlib_module_names:
                result.third_party.add(top)
    return result
