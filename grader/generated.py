"""What ``backprop-lab assign`` generates from solutions/: the student stub, its pytest hook, the
lab notebooks (one per language, with the handout's sections: ``lab_notebook.py``) and the example
submissions (the reference, the stub and a few known mistakes put in; the notebook in Chinese,
stubbed and with the reference's code in its cells).

``generated_files`` is the one definition of those files; ``assign`` writes them and the
release refuses to build while any of them is stale.
"""
from __future__ import annotations

from pathlib import Path

from grader import lab_notebook
from grader.contract import REPO_ROOT, SUBMISSION_FILE
from grader.markers import HEADER, reference_source, student_source
from grader.reference import apply_mistake, load_mistakes

# The buggy examples shipped for demos (the kit's tests use every known mistake).
EXAMPLE_MISTAKES = ("backward_tanh_of_z1", "cost_sum_not_mean", "batches_partial_last", "update_plus")

CONFTEST = (
    HEADER
    + '"""Lets `python -m pytest student/` run the public checks: one test per check."""\n'
    + "from grader.formats.pytest_plugin import pytest_collect_file  # noqa: F401\n"
)


def generated_files(root: Path = REPO_ROOT) -> dict[Path, str]:
    """Every file assign writes, with its content."""
    solution = (root / "solutions" / SUBMISSION_FILE).read_text(encoding="utf-8")
    reference = reference_source(solution)
    examples = root / "examples" / "submissions"
    files = {
        root / "student" / SUBMISSION_FILE: student_source(solution),
        root / "student" / "conftest.py": CONFTEST,
        examples / "reference.py": HEADER + reference,
        examples / "stub.py": student_source(solution),
    }
    files.update(notebooks(root, solution))
    mistakes = {m.name: m for m in load_mistakes(root / "solutions" / SUBMISSION_FILE)}
    for name in EXAMPLE_MISTAKES:
        mistake = mistakes[name]
        files[examples / f"bug_{name}.py"] = (
            HEADER + f"# Known mistake put in on purpose: {mistake.hint}\n" + apply_mistake(reference, mistake)
        )
    return files


def notebooks(root: Path, solution: str) -> dict[Path, str]:
    """student/lab.<language>.ipynb for each language; examples/notebooks/ the Chinese one stubbed and
    filled with the reference's code (the kit's tests and demos run both)."""
    handouts = {language: (root / "docs" / f"handout.{language}.md").read_text(encoding="utf-8")
                for language in lab_notebook.NOTEBOOK_FILES}
    files = {root / "student" / name: lab_notebook.notebook_text(lab_notebook.build(solution, handouts[language],
                                                                                       language))
             for language, name in lab_notebook.NOTEBOOK_FILES.items()}
    examples = root / "examples" / "notebooks"
    for name, filled in (("stub.ipynb", False), ("reference.ipynb", True)):
        files[examples / name] = lab_notebook.notebook_text(lab_notebook.build(solution, handouts["zh"], "zh", filled))
    return files


def stale_files(root: Path = REPO_ROOT) -> list[Path]:
    return [path for path, text in generated_files(root).items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]
