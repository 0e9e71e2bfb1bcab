"""`otter run` with the release's otter/autograder.zip, next to `backprop-lab grade`.

Otter asks other questions than grade (the practice ones, and its own hidden draw: its zip is
readable by students), so a buggy file may lose points on other checks there; the reference
and the stub get the same points, and a bug loses points in its own function in both.
"""
from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

import pytest

from grader.checks import catalogue
from grader.contract import SCORED
from tests.release.release_support import EXAMPLES, OTTER_INSTALLED, run

pytestmark = [pytest.mark.slow,  # builds a release and runs otter
              pytest.mark.skipif(not OTTER_INSTALLED,
                                 reason='otter-grader is not installed (pip install -e ".[dev,otter]")')]
EXAMPLE_NAMES = ("reference", "stub", "bug_backward_tanh_of_z1")


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict[str, float]]:
    """submission -> function -> points, from `backprop-lab grade`'s grades.csv."""
    folder = tmp_path_factory.mktemp("submissions")
    for name in EXAMPLE_NAMES:
        shutil.copyfile(EXAMPLES / f"{name}.py", folder / f"{name}.py")
    out = folder.parent / "grades"
    done = run([sys.executable, "-m", "grader", "grade", str(folder), "--out", str(out), "--jobs", "2"])
    assert done.returncode == 0, done.stderr[-3000:]
    with (out / "grades.csv").open(newline="") as table:
        return {row["submission"]: {f: float(row[f]) for f in SCORED} for row in csv.DictReader(table)}


def otter_points(autograder: Path, submission: Path, out: Path) -> dict[str, float]:
    """function -> points from `otter run`'s results.json (one entry per test file, named for its function)."""
    out.mkdir()
    done = run([sys.executable, "-m", "otter", "run", "-a", str(autograder), "-o", str(out), str(submission)])
    assert done.returncode == 0, done.stderr[-3000:]
    tests = json.loads((out / "results.json").read_text())["tests"]
    return {t["name"]: float(t["score"]) for t in tests if "score" in t}


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_otter_run_and_grade_agree_where_the_questions_cannot_matter(name, release_dir, graded, tmp_path):
    submission = tmp_path / f"{name}.py"
    shutil.copyfile(EXAMPLES / f"{name}.py", submission)
    found = otter_points(release_dir / "otter" / "autograder.zip", submission, tmp_path / "out")
    full = {f: float(sum(c.points for c in catalogue(include_hidden=True) if c.function == f)) for f in SCORED}
    if name == "reference":
        assert found == graded[name] == full
    elif name == "stub":
        assert set(found.values()) == set(graded[name].values()) == {0.0}
    else:
        assert found["backward_propagation"] < full["backward_propagation"]
        assert graded[name]["backward_propagation"] < full["backward_propagation"]


TAMPERING = '''import sys
sys.path.insert(0, "backprop_lab_support")
import grader.formats.otter as kit
kit.assert_passed = lambda env, name: None
'''


def test_otter_verdicts_can_be_tampered_with_but_grade_s_cannot(release_dir, tmp_path):
    """Why the instructor guide calls otter the soft path: its tests run in the submission's process."""
    submission = tmp_path / "two_layer_net.py"
    submission.write_text(TAMPERING)
    found = otter_points(release_dir / "otter" / "autograder.zip", submission, tmp_path / "otter")
    assert sum(found.values()) == sum(c.points for c in catalogue(include_hidden=True))
    done = run([sys.executable, "-m", "grader", "grade", str(submission), "--out", str(tmp_path / "g"), "--jobs", "1"])
    assert done.returncode == 0, done.stderr[-3000:]
    with (tmp_path / "g" / "grades.csv").open(newline="") as table:
        assert float(next(csv.DictReader(table))["score"]) == 0


def test_otter_grades_a_notebook_by_function_whatever_its_cells_leave_in_the_kernel(release_dir, tmp_path):
    """Otter runs every cell of a notebook (checks, training, input(), a cell that breaks a function in
    the kernel); the tests check the notebook's graded code (grader.formats.otter.graded_namespace)."""
    from tests.notebooks.build import TOP_LEVEL_CALLS, from_python, notebook, write

    breaking = 'answer = input("name? ")\n', 'globals()["forward_propagation"] = None\n'
    cells = from_python((EXAMPLES / "reference.py").read_text(encoding="utf-8"), calls=TOP_LEVEL_CALLS + breaking)
    submission = write(tmp_path / "lab.ipynb", notebook(cells, front_end="colab"))
    found = otter_points(release_dir / "otter" / "autograder.zip", submission, tmp_path / "out")
    assert found == {f: float(sum(c.points for c in catalogue(include_hidden=True) if c.function == f)) for f in SCORED}
