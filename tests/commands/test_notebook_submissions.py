"""Notebook submissions, as students mangle them: graded by function in `check`, `grade`, Gradescope's
autograder and otter, with feedback that points at the cell. The notebooks are built here from
examples/submissions (tests/notebooks/build.py)."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import random
import re
import time
from pathlib import Path

import pytest

from grader import cli, i18n
from grader.commands import grade
from grader.commands.grade.worker import Settings
from grader.commands.release.autograder import find_submission
from grader.contract import SUBMISSION_FILE
from grader.formats.otter import graded_namespace
from grader.runner import check_file
from tests.notebooks.build import TOP_LEVEL_CALLS, from_python, large_plot, notebook, write, write_from_python

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples" / "submissions"
REFERENCE = (EXAMPLES / "reference.py").read_text(encoding="utf-8")
BUGGY_UPDATE = (EXAMPLES / "bug_update_plus.py").read_text(encoding="utf-8")
LOCATION = re.compile(r"cell \d+ \(`[^`]*`\), line \d+|第 \d+ 个单元格（`[^`]*`）第 \d+ 行|line \d+|第 \d+ 行")


def cells_of(source: str) -> list[tuple[str, str]]:
    return from_python(source)


def function_cell(cells: list[tuple[str, str]], name: str) -> int:
    """The index of the code cell defining ``name``."""
    return next(i for i, (kind, text) in enumerate(cells) if kind == "code" and text.startswith(f"def {name}("))


def points(report) -> dict[str, tuple[float, float]]:
    return dict(report.points_by_function())


def outputs(report) -> dict[str, str]:
    """check name -> its output, with every "line N" / "cell N (...), line N" made the same."""
    return {r.name: LOCATION.sub("<where>", r.output) for r in report.results}


def checked(tmp_path: Path, cells, name: str = "lab.ipynb", **options):
    return check_file(write(tmp_path / name, notebook(cells, **options)))


@pytest.fixture(scope="module")
def reference_points() -> dict[str, tuple[float, float]]:
    return points(check_file(EXAMPLES / "reference.py"))


# -- check: the same points and feedback as the .py ----------------------------------------------

@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_a_notebook_gets_the_points_and_feedback_of_its_py(tmp_path, example):
    notebook_file = write_from_python(EXAMPLES / example, tmp_path / "lab.ipynb")
    as_py, as_notebook = check_file(EXAMPLES / example, hidden=True), check_file(notebook_file, hidden=True)
    assert points(as_notebook) == points(as_py)
    assert outputs(as_notebook) == outputs(as_py)


def test_reordered_cells_and_deleted_check_cells_change_nothing(tmp_path, reference_points):
    cells = [cell for cell in cells_of(REFERENCE) if not cell[1].startswith("check(")]
    random.Random(3).shuffle(cells)
    assert points(checked(tmp_path, cells)) == reference_points


@pytest.mark.parametrize("wrong_above", [True, False])
def test_a_duplicated_function_is_graded_from_its_last_cell_and_the_feedback_says_so(tmp_path, wrong_above):
    cells = cells_of(REFERENCE)
    at = function_cell(cells, "update_parameters")
    wrong = ("code", cells_of(BUGGY_UPDATE)[at][1])
    cells[at:at] = [wrong] if wrong_above else []
    cells[at + 2:at + 2] = [] if wrong_above else [wrong]
    with i18n.speaking("en"):
        report = checked(tmp_path, cells)
    results = [r for r in report.results if r.function == "update_parameters"]
    assert all(r.passed for r in results) == wrong_above  # the fixed version is graded only when it is below
    graded_cell = at + 2 if wrong_above else at + 3  # numbered from 1
    note = f"update_parameters is defined in cells {at + 1}, {graded_cell}; cell {graded_cell} was graded"
    said = [r for r in results if note in r.output]
    assert len(said) == 1, "said once"
    assert said[0] is next((r for r in results if not r.passed), results[0]), "under the first failed check"


def test_a_function_cell_turned_into_markdown_is_graded_as_not_implemented_saying_where(tmp_path):
    cells = cells_of(REFERENCE)
    at = function_cell(cells, "forward_propagation")
    cells[at] = ("markdown", cells[at][1])
    with i18n.speaking("zh"):
        report = checked(tmp_path, cells)
    forward = [r for r in report.results if r.function == "forward_propagation"]
    assert forward and not any(r.passed for r in forward)
    assert "forward_propagation 尚未实现" in forward[0].output or "NotImplementedError" in forward[0].output
    assert f"第 {at + 1} 个单元格（`def forward_propagation(" in forward[0].output
    assert "Markdown 单元格" in forward[0].output


def test_top_level_calls_checks_input_and_patches_never_run(tmp_path, reference_points):
    marker = tmp_path / "ran"
    tampering = (
        f"open({str(marker)!r}, 'w').write('top-level code ran')\n",
        "answer = input('your name? ')\n",
        "import grader\nimport grader.runner\ngrader.runner.run_checks = lambda *a, **k: None\n",
        "import numpy as np\nnp.random.seed = lambda *a: None\n",
    )
    cells = from_python(REFERENCE, calls=TOP_LEVEL_CALLS + tampering)
    assert points(checked(tmp_path, cells)) == reference_points
    assert not marker.exists()


def test_a_notebook_s_exception_points_at_its_cell_and_line(tmp_path):
    source = REFERENCE.replace("Z1 = X @ W1 + b1", "Z1 = X @ W2 + b1")
    assert source != REFERENCE
    cells = cells_of(source)
    at = function_cell(cells, "forward_propagation")
    line = cells[at][1].splitlines().index(next(t for t in cells[at][1].splitlines() if "X @ W2" in t)) + 1
    with i18n.speaking("en"):
        report = checked(tmp_path, cells)
    shown = [r.output for r in report.results if r.function == "forward_propagation" and not r.passed]
    first_line = "def forward_propagation(X: np.ndarray, parameters: dict[str,..."  # its first 60 characters
    assert f"cell {at + 1} (`{first_line}`), line {line}, in forward_propagation: `Z1 = X @ W2 + b1" in shown[0]


def test_an_exported_py_is_graded_like_its_notebook(tmp_path, reference_points):
    parts = ["#!/usr/bin/env python\n# coding: utf-8\n"]
    for number, (kind, text) in enumerate(cells_of(REFERENCE), start=1):
        body = text if kind == "code" else "\n".join("# " + line for line in text.splitlines())
        parts.append(f"# In[{number}]:\n\n\n{body}\n" if kind == "code" else body + "\n")
    parts.append("get_ipython().run_line_magic('matplotlib', 'inline')\n")
    exported = tmp_path / "lab.py"
    exported.write_text("\n\n".join(parts), encoding="utf-8")
    assert points(check_file(exported)) == reference_points


def test_megabytes_of_outputs_are_checked_fast(tmp_path, reference_points):
    path = write(tmp_path / "big.ipynb", notebook(cells_of(REFERENCE), outputs=[large_plot(3)]))
    assert path.stat().st_size > 50_000_000
    started = time.perf_counter()
    report = check_file(path)
    assert points(report) == reference_points
    plain = time.perf_counter()
    check_file(EXAMPLES / "reference.py")
    assert (plain - started) < 3 * (time.perf_counter() - plain) + 2.0


def run_check(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--lang", "en", "check", *args])
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("content", ["this is not JSON", '{"hello": "world"}'])
def test_check_says_a_file_is_no_notebook_in_one_line_and_exits_2(tmp_path, content):
    path = tmp_path / "lab.ipynb"
    path.write_text(content, encoding="utf-8")
    code, out, err = run_check(str(path))
    assert code == 2
    assert err.count("\n") == 1 and "lab.ipynb is not a Jupyter notebook" in err, err


def test_check_of_a_folder_checks_the_file_in_which_the_functions_are_written(tmp_path):
    (tmp_path / SUBMISSION_FILE).write_text((EXAMPLES / "stub.py").read_text(encoding="utf-8"), encoding="utf-8")
    write_from_python(EXAMPLES / "reference.py", tmp_path / "lab.zh.ipynb")
    code, out, err = run_check(str(tmp_path))
    assert code == 0, out + err
    assert out.startswith("graded lab.zh.ipynb, in which 6 of the 6 functions to write are written; "
                          "not two_layer_net.py (0 written)")


# -- grade: isolated, the batch goes on ------------------------------------------------------------

def test_grade_goes_on_past_files_that_are_no_notebooks_and_grades_the_others_by_function(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write_from_python(EXAMPLES / "reference.py", folder / "lab_colab.ipynb", front_end="colab")
    cells = cells_of(REFERENCE.replace("Z1 = X @ W1 + b1", "Z1 = X @ W2 + b1"))
    write(folder / "crashes.ipynb", notebook(cells, front_end="vscode"))
    (folder / "not_json.ipynb").write_text("def f(): pass", encoding="utf-8")
    (folder / "old.ipynb").write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                                                  "worksheets": [{"cells": []}]}), encoding="utf-8")
    (folder / "bob.py").write_text(REFERENCE, encoding="utf-8")
    write(folder / "bob.ipynb", notebook(cells_of((EXAMPLES / "stub.py").read_text(encoding="utf-8"))))
    with i18n.speaking("en"):
        run = grade.run([folder], tmp_path / "out", Settings(public_only=True), jobs=2)
    with (run.out / "grades.csv").open(newline="") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    assert {name: row["status"] for name, row in rows.items()} == {
        "lab_colab": "ok", "crashes": "ok", "not_json": "error", "old": "error", "bob": "ok"}
    assert rows["lab_colab"]["score"] == rows["lab_colab"]["max_score"] == rows["bob"]["score"]
    assert any("bob: graded bob.py" in note for note in run.notes)
    not_json = (run.out / "feedback" / "not_json.md").read_text(encoding="utf-8")
    assert "not_json.ipynb is not a Jupyter notebook: it is not valid JSON" in not_json
    assert "is a notebook of format 3" in (run.out / "feedback" / "old.md").read_text(encoding="utf-8")
    crashes = (run.out / "feedback" / "crashes.md").read_text(encoding="utf-8")  # the sandboxed worker's words
    at = function_cell(cells, "forward_propagation") + 1
    assert f"cell {at} (`def forward_propagation(" in crashes and "in forward_propagation: `Z1 = X @ W2" in crashes


@pytest.mark.slow
def test_grade_gives_each_notebook_the_points_and_feedback_of_its_py(tmp_path):
    py_folder, notebook_folder = tmp_path / "py", tmp_path / "ipynb"
    notebook_folder.mkdir()
    py_folder.mkdir()
    for example in EXAMPLES.glob("*.py"):
        (py_folder / example.name).write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
        write_from_python(example, notebook_folder / f"{example.stem}.ipynb")
    with i18n.speaking("en"):
        as_py = grade.run([py_folder], tmp_path / "out-py", jobs=2)
        as_notebooks = grade.run([notebook_folder], tmp_path / "out-ipynb", jobs=2)
    assert (as_py.out / "grades.csv").read_text() == (as_notebooks.out / "grades.csv").read_text()
    for example in EXAMPLES.glob("*.py"):
        feedback = [LOCATION.sub("<where>", (run.out / "feedback" / f"{example.stem}.md").read_text(encoding="utf-8"))
                    for run in (as_py, as_notebooks)]
        assert feedback[0] == feedback[1], example.name


# -- Gradescope and otter ---------------------------------------------------------------------------

def test_gradescope_grades_the_notebook_when_the_py_beside_it_is_the_stub(tmp_path):
    (tmp_path / SUBMISSION_FILE).write_text((EXAMPLES / "stub.py").read_text(encoding="utf-8"), encoding="utf-8")
    write_from_python(EXAMPLES / "reference.py", tmp_path / "lab.en.ipynb")
    with i18n.speaking("en"):
        path, note = find_submission(tmp_path)
    assert path == tmp_path / "lab.en.ipynb"
    assert note.startswith("graded lab.en.ipynb, in which 6 of the 6")


def test_gradescope_grades_a_notebook_submitted_alone(tmp_path):
    write_from_python(EXAMPLES / "reference.py", tmp_path / "mine.ipynb")
    assert find_submission(tmp_path)[0] == tmp_path / "mine.ipynb"


def test_otter_checks_the_notebook_s_graded_code_not_what_its_cells_left_in_the_kernel(tmp_path):
    write_from_python(EXAMPLES / "reference.py", tmp_path / "lab.ipynb")
    kernel = {"forward_propagation": lambda X, parameters: "tampered", "check": print}
    namespace, notes = graded_namespace(kernel, str(tmp_path))
    assert namespace["forward_propagation"] is not kernel["forward_propagation"]
    assert "check" not in namespace and notes == {}
    assert graded_namespace(kernel, str(tmp_path / "elsewhere"))[0] is kernel  # a .py submission: its kernel


def test_an_import_that_fails_is_named_by_its_cell(tmp_path):
    cells = [("markdown", "# lab"), ("code", "import numpy as np\nimport not_a_module_of_this_lab as helper")]
    write(tmp_path / "lab.ipynb", notebook(cells))
    code, out, err = run_check(str(tmp_path / "lab.ipynb"))
    assert code == 2
    assert "fails when imported (cell 2 (`import numpy as np`), line 2): `ModuleNotFoundError" in err, err


def test_a_student_folder_with_a_py_and_a_notebook_is_one_submission_and_the_choice_is_said(tmp_path):
    from grader.commands.grade.collect import collect

    alice = tmp_path / "class" / "alice"
    (alice / ".ipynb_checkpoints").mkdir(parents=True)
    (alice / SUBMISSION_FILE).write_text((EXAMPLES / "stub.py").read_text(encoding="utf-8"), encoding="utf-8")
    write_from_python(EXAMPLES / "reference.py", alice / "lab.zh.ipynb")
    write_from_python(EXAMPLES / "stub.py", alice / ".ipynb_checkpoints" / "lab.zh-checkpoint.ipynb")
    (tmp_path / "class" / "bob.py").write_text(REFERENCE, encoding="utf-8")
    with i18n.speaking("en"):
        found = collect([tmp_path / "class"], tmp_path / "scratch")
    assert [(s.name, s.path.name) for s in found.submissions] == [("alice", "lab.zh.ipynb"), ("bob", "bob.py")]
    assert any(note.startswith("alice: graded lab.zh.ipynb, in which 6 of the 6") for note in found.notes)
