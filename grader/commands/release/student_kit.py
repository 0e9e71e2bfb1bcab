"""DIR/student/: everything a student receives, and nothing else.

    two_layer_net.py                 the stub, generated from solutions/ as `assign` does
    lab.zh.ipynb, lab.en.ipynb       the lab as a notebook, as `assign` writes it into student/
    conftest.py, pyproject.toml      a bare `pytest` runs the public checks, one item per check
    requirements.txt                 numpy, scikit-learn, matplotlib, tqdm, rich, pytest
    grader/                          the modules the students' commands import (see modules.py),
                                     the public fixtures only, and locale/: the translations of
                                     the shipped modules' texts and the kit's default language
                                     (catalogue.py)
    docs/                            the handout and the student guide (zh + en)
    README.md, README.zh.md          what to do, in English and Chinese
    .github/workflows/autograde.yml  CI: the public checks and a points table on every push
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from string import Template

from grader import __version__, lab_notebook
from grader.checks import catalogue
from grader.commands.release.catalogue import write_kit_locale
from grader.commands.release.modules import closure
from grader.contract import MOONS_STATES, REPO_ROOT, SUBMISSION_FILE
from grader.markers import HEADER, student_source

# What students install; each is also a dependency of the kit itself (a test compares them).
STUDENT_REQUIREMENTS = ("numpy>=1.23", "scikit-learn>=1.1", "matplotlib>=3.6", "tqdm>=4.60", "rich>=13.0",
                        "pytest>=7.4", "nbformat>=5.7")  # nbformat: `check lab.zh.ipynb` reads a notebook
DISTRIBUTION_OF = {"sklearn": "scikit-learn"}  # import name -> distribution name, where they differ
HANDOUT_STATE = MOONS_STATES[0]  # the handout's split (42)
SHIPPED_FIXTURES = ("manifest.json", "public_expected.bin", f"data/moons_{HANDOUT_STATE}.npz")
STUDENT_DOCS = ("handout*.md", "student-guide*.md")
TEMPLATES = Path(__file__).parent / "templates"
CONFTEST = (
    '"""Lets a bare `pytest` in this folder run the public checks on two_layer_net.py: one test per check."""\n'
    "from grader.formats.pytest_plugin import pytest_collect_file  # noqa: F401\n"
)


class KitError(RuntimeError):
    """The kit cannot be built as it should be (a missing dependency, a missing file)."""


def _distribution(requirement: str) -> str:
    """"scikit-learn>=1.1" -> "scikit-learn"."""
    return re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)


def copy_grader(kit: Path, root: Path, language: str = "en") -> list[str]:
    """Copy the shipped modules, the public fixtures and their translations (``language`` the kit's
    default); returns the modules' names.

    Raises KitError when a shipped module imports a package students do not install.
    """
    shipped = closure(root)
    installed = {_distribution(r) for r in STUDENT_REQUIREMENTS}
    missing = {DISTRIBUTION_OF.get(name, name) for name in shipped.third_party} - installed
    if missing:
        raise KitError(f"the student kit imports {', '.join(sorted(missing))}, "
                       "which is not in its requirements (STUDENT_REQUIREMENTS)")
    for path in shipped.modules.values():
        _copy(path, kit / path.relative_to(root))
    for name in SHIPPED_FIXTURES:
        source = root / "grader" / "fixtures" / name
        if not source.is_file():
            raise KitError(f"{source} is missing: run `backprop-lab fixtures`")
        _copy(source, kit / "grader" / "fixtures" / name)
    write_kit_locale(kit, shipped.modules.values(), language, root / "grader" / "locale")
    return sorted(shipped.modules)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def copy_docs(kit: Path, root: Path) -> list[Path]:
    docs = sorted({p for pattern in STUDENT_DOCS for p in (root / "docs").glob(pattern)})
    if not docs:
        raise KitError(f"no handout or student guide in {root / 'docs'}")
    for doc in docs:
        _copy(doc, kit / "docs" / doc.name)
    return docs


def _points_summary() -> dict[str, str]:
    checks = catalogue(include_hidden=True)
    public = [c for c in checks if not c.hidden]
    hidden = [c for c in checks if c.hidden]
    return {"public_checks": str(len(public)), "public_points": f"{sum(c.points for c in public):g}",
            "hidden_checks": str(len(hidden)), "hidden_points": f"{sum(c.points for c in hidden):g}"}


def _render(template: str, **values: str) -> str:
    return Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)


def write_texts(kit: Path, root: Path) -> None:
    """The stub, the notebooks, pytest and pip configuration, the READMEs and the CI workflow."""
    solution = (root / "solutions" / SUBMISSION_FILE).read_text(encoding="utf-8")
    # The student edits this copy, so it drops the "generated, do not edit" header.
    (kit / SUBMISSION_FILE).write_text(student_source(solution).removeprefix(HEADER),
                                       encoding="utf-8")
    for language, name in lab_notebook.NOTEBOOK_FILES.items():
        handout = (root / "docs" / f"handout.{language}.md").read_text(encoding="utf-8")
        (kit / name).write_text(lab_notebook.notebook_text(lab_notebook.build(solution, handout, language)),
                                encoding="utf-8")
    (kit / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (kit / "requirements.txt").write_text("\n".join(STUDENT_REQUIREMENTS) + "\n", encoding="utf-8")
    dependencies = "\n".join(f"    {json.dumps(r)}," for r in STUDENT_REQUIREMENTS)
    (kit / "pyproject.toml").write_text(_render("pyproject.toml.in", version=__version__,
                                                dependencies=dependencies), encoding="utf-8")
    points = _points_summary()
    for readme in ("README.md", "README.zh.md"):
        (kit / readme).write_text(_render(readme, **points), encoding="utf-8")
    (kit / ".gitignore").write_text((TEMPLATES / "gitignore").read_text(encoding="utf-8"), encoding="utf-8")
    workflow = kit / ".github" / "workflows" / "autograde.yml"
    workflow.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMPLATES / "autograde.yml", workflow)


def build(kit: Path, root: Path = REPO_ROOT, language: str = "en") -> Path:
    """Write the student kit into the folder ``kit`` (which must not exist yet), speaking ``language``
    ("en" or "zh") where the student does not choose."""
    kit.mkdir(parents=True)
    copy_grader(kit, root, language)
    copy_docs(kit, root)
    write_texts(kit, root)
    return kit
