"""The otter-grader adapter: generated test files, the grading side, and a real ``otter run``.

The first tests need no otter: they read the generated files with ``ast`` and run the
grading side in this process. The last ones build the autograder with otter's own
``otter generate`` and grade with ``otter run``; they are skipped when otter-grader is
not installed (``pip install -e ".[dev,otter]"``).
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader import values
from grader.bridge.inprocess import InProcessBridge, load_submission
from grader.checks import Draw, catalogue
from grader.commands.release import otter as otter_release
from grader.contract import SCORED
from grader.formats import otter
from grader.reference import LiveReference, course_secret
from grader.runner import run_checks

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"


def parse_test_file(source: str) -> dict:
    """What otter reads from a test file: module-level OK_FORMAT and name, and each test case."""
    tree = ast.parse(source)
    found: dict = {"cases": []}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = ast.literal_eval(node.value)
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            decorator = node.decorator_list[0]
            assert isinstance(decorator, ast.Call) and decorator.func.id == "test_case"
            options = {k.arg: ast.literal_eval(k.value) for k in decorator.keywords}
            called_with = ast.literal_eval(node.body[-1].value.args[1])  # _kit().assert_passed(env, NAME)
            found["cases"].append(options | {"asserts": called_with, "params": [a.arg for a in node.args.args]})
    return found


@pytest.fixture(scope="module")
def generated() -> dict[str, dict]:
    return {name: parse_test_file(source) for name, source in otter.test_files().items()}


def test_one_test_file_per_scored_function(generated):
    assert list(generated) == [f"{function}.py" for function in SCORED]


def test_each_file_is_exception_based_and_named_for_its_function(generated):
    for file_name, found in generated.items():
        assert found["OK_FORMAT"] is False, file_name
        assert found["name"] == file_name.removesuffix(".py")


def test_each_check_is_one_test_case_with_its_points_and_visibility(generated):
    checks = catalogue(include_hidden=True)
    for file_name, found in generated.items():
        function = file_name.removesuffix(".py")
        expected = [(c.name, c.points, c.hidden) for c in checks if c.function == function]
        assert [(c["name"], c["points"], c["hidden"]) for c in found["cases"]] == expected
        assert all(c["asserts"] == c["name"] and c["params"] == ["env"] for c in found["cases"])


def test_points_sum_to_the_catalogue(generated):
    total = sum(case["points"] for found in generated.values() for case in found["cases"])
    assert total == sum(c.points for c in catalogue(include_hidden=True))


def otter_key() -> bytes:
    """The key of this course's otter draw (the tests' course secret, see tests/conftest.py)."""
    return Draw.secret("otter", course_secret()).key


@pytest.fixture(scope="module")
def all_expected(tmp_path_factory) -> Path:
    """The fixtures the autograder ships: otter's draw and the reference's observations of every
    check as otter asks it."""
    from grader.recording import record_expected

    directory = tmp_path_factory.mktemp("fixtures")
    (directory / otter.OTTER_DRAW).write_text(json.dumps({"key": otter_key().hex()}))
    record_expected(directory / otter.ALL_EXPECTED, otter.otter_catalogue(otter_key()))
    return directory


def submission_globals(path: Path) -> dict:
    """What otter hands a test case as ``env``: the globals of the script run as __main__."""
    env = {"__name__": "__main__"}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), env)
    return env


def test_grading_side_passes_the_reference_and_fails_a_bug_with_its_message(all_expected, monkeypatch):
    monkeypatch.setattr(otter, "FIXTURES_DIR", all_expected)
    reference = submission_globals(EXAMPLES / "reference.py")
    for check in catalogue(include_hidden=True):
        otter.assert_passed(reference, check.name)

    buggy = submission_globals(EXAMPLES / "bug_update_plus.py")
    failing = [c for c in catalogue(include_hidden=True) if not otter.verdicts(buggy)[c.name].passed]
    assert {c.function for c in failing} >= {"update_parameters"}
    with pytest.raises(AssertionError, match=r"\S"):
        otter.assert_passed(buggy, failing[0].name)


def test_the_catalogue_runs_once_per_submission(all_expected, monkeypatch):
    monkeypatch.setattr(otter, "FIXTURES_DIR", all_expected)
    env = submission_globals(EXAMPLES / "reference.py")
    calls = []
    real = env["forward_propagation"]
    env["forward_propagation"] = lambda *args: calls.append(1) or real(*args)
    otter.verdicts(env)
    first = len(calls)
    for check in catalogue(include_hidden=True):
        otter.assert_passed(env, check.name)
    assert first > 0 and len(calls) == first


# -- with otter-grader installed: otter generate + otter run -------------------------------------

@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> Path:
    pytest.importorskip("otter", reason='otter-grader is not installed (pip install -e ".[dev,otter]")')
    return otter_release.build_autograder(tmp_path_factory.mktemp("otter"))


def otter_points(autograder: Path, submission: Path, out: Path) -> dict[str, float]:
    """function -> points from ``otter run``'s results.json (one test entry per test file)."""
    out.mkdir()
    subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(autograder), "-o", str(out), str(submission)],
                   check=True, capture_output=True)
    tests = json.loads((out / "results.json").read_text())["tests"]
    return {t["name"]: t["score"] for t in tests if "score" in t}


def kit_points(report) -> dict[str, float]:
    return {function: earned for function, (earned, _) in report.points_by_function().items()}


@pytest.mark.slow
def test_autograder_ships_tests_and_observations_but_no_solution_code(autograder):
    names = zipfile.ZipFile(autograder).namelist()
    assert sorted(n for n in names if n.startswith("tests/")) == sorted(f"tests/{f}.py" for f in SCORED)
    assert f"files/{otter.SUPPORT_DIR}/grader/fixtures/{otter.ALL_EXPECTED}" in names
    assert not [n for n in names if n.endswith(("two_layer_net.py", "mistakes.py")) or "/commands/" in n]


@pytest.fixture(scope="module")
def otter_questions_in_process(reference_file):
    """path -> Report: otter's questions (practice public checks, otter's hidden draw) asked in
    this process and judged against the live reference, as ``backprop-lab check`` would."""
    reference = LiveReference(reference_file)

    def grade(path: Path):
        checks = otter.otter_catalogue(otter_key())
        return run_checks(InProcessBridge(load_submission(path)), checks, lambda check: reference)

    return grade


@pytest.mark.slow
def test_otter_asks_the_practice_questions_and_its_own_hidden_ones_never_the_grading_ones(autograder, tmp_path):
    with zipfile.ZipFile(autograder) as bundle:
        prefix = f"files/{otter.SUPPORT_DIR}/grader/fixtures/"
        record = values.decode(bundle.read(prefix + otter.ALL_EXPECTED))
        shipped_key = bytes.fromhex(json.loads(bundle.read(prefix + otter.OTTER_DRAW))["key"])
        shipped = [n for n in bundle.namelist() if n.startswith(prefix)]
    practice = {p.key for c in catalogue(True) for p in (c.probe, c.reference_probe, *c.probe.needs)}
    assert all(key in practice or key.endswith("@otter") for key in record)
    assert any(key.endswith("@otter") for key in record)
    grading_key = Draw.secret("grading", course_secret()).key
    assert shipped_key != grading_key and grading_key.hex() not in str(record)
    assert [n.rsplit("/", 1)[-1] for n in shipped if n.endswith(".npz")] == ["moons_42.npz"]  # the handout's data only


@pytest.mark.slow
@pytest.mark.parametrize("example", ["reference.py", "stub.py", "bug_backward_tanh_of_z1.py"])
def test_otter_run_gives_the_same_points_per_function_as_the_kit_on_otter_s_questions(
        example, autograder, otter_questions_in_process, tmp_path):
    submission = EXAMPLES / example
    kit = kit_points(otter_questions_in_process(submission))
    assert otter_points(autograder, submission, tmp_path / "out") == kit
    if example == "reference.py":
        assert kit == {f: sum(c.points for c in catalogue(True) if c.function == f) for f in SCORED}
    if example == "stub.py":
        assert set(kit.values()) == {0}
