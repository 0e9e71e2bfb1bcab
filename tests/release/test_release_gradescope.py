"""The Gradescope autograder: its zip, how it finds the submission, and real runs of run_autograder."""
from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from grader.checks import catalogue
from grader.commands.release.autograder import NoSubmission, find_submission
from grader.contract import SCORED, SUBMISSION_FILE
from grader.reference import course_secret
from tests.gradescope_schema import GRADESCOPE_SCHEMA
from tests.release.release_support import EXAMPLES, run
from tests.timing import scaled

ALL_CHECKS = catalogue(include_hidden=True)
HOSTILE_TAIL = '''
import os, signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
try:  # a fake full score where the autograder writes its results
    with open("RESULTS_PATH", "w") as fake:
        fake.write('{"score": 999, "tests": []}')
except OSError:
    pass


def update_parameters(parameters, grads, learning_rate=0.01):
    os._exit(3)


_batch_generator = batch_generator


def batch_generator(X, Y, batch_size=32):
    while batch_size == 7:  # one public case hangs, ignoring SIGTERM
        pass
    yield from _batch_generator(X, Y, batch_size)
'''


def test_zip_holds_executable_scripts_and_the_instructors_kit(release_dir):
    with zipfile.ZipFile(release_dir / "gradescope" / "autograder.zip") as archive:
        names = set(archive.namelist())
        modes = {name: archive.getinfo(name).external_attr >> 16 for name in ("setup.sh", "run_autograder")}
    assert {"setup.sh", "run_autograder", "kit/pyproject.toml", f"kit/solutions/{SUBMISSION_FILE}",
            "kit/grader/checks/hidden.py", "kit/grader/commands/grade/__init__.py",
            "kit/grader/commands/release/autograder.py"} <= names
    assert all(mode & stat.S_IXUSR for mode in modes.values())
    assert not [n for n in names if "__pycache__" in n]


def test_zip_carries_the_course_s_grading_secret_so_every_container_asks_the_same_questions(release_dir):
    with zipfile.ZipFile(release_dir / "gradescope" / "autograder.zip") as archive:
        assert archive.read("kit/solutions/grading-secret").strip() == course_secret()


# -- finding the student's file -----------------------------------------------------------------

def make_files(folder: Path, *names: str) -> Path:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("# a file\n")
    return folder


def test_the_top_level_file_wins_over_anything_else(tmp_path):
    make_files(tmp_path, SUBMISSION_FILE, "helper.py", f"old/{SUBMISSION_FILE}")
    assert find_submission(tmp_path) == (tmp_path / SUBMISSION_FILE, "")


def test_a_file_one_folder_down_is_found_and_named_in_the_note(tmp_path):
    make_files(tmp_path, f"lab/{SUBMISSION_FILE}", "lab/conftest.py", "lab/grader/cli.py", "__MACOSX/x.py")
    path, note = find_submission(tmp_path)
    assert path == tmp_path / "lab" / SUBMISSION_FILE and f"lab/{SUBMISSION_FILE}" in note


def test_a_single_differently_named_file_is_graded_with_a_note(tmp_path):
    make_files(tmp_path, "hw3_zhang.py", ".hidden.py")
    path, note = find_submission(tmp_path)
    assert path == tmp_path / "hw3_zhang.py" and "only Python file" in note


@pytest.mark.parametrize("names", [(), ("a.py", "b.py"), (f"x/{SUBMISSION_FILE}", f"y/{SUBMISSION_FILE}")])
def test_no_single_candidate_is_an_error_that_lists_what_was_found(tmp_path, names):
    make_files(tmp_path, *names)
    with pytest.raises(NoSubmission, match=SUBMISSION_FILE) as error:
        find_submission(tmp_path)
    assert all(name in str(error.value) for name in names)


def test_a_submission_that_is_a_link_is_refused_by_name(tmp_path):
    make_files(tmp_path / "elsewhere", "two_layer_net.py")
    (tmp_path / "upload").mkdir()
    (tmp_path / "upload" / SUBMISSION_FILE).symlink_to(tmp_path / "elsewhere" / SUBMISSION_FILE)
    with pytest.raises(NoSubmission, match=f"{SUBMISSION_FILE} is a symbolic link; submit the file itself"):
        find_submission(tmp_path / "upload")


def test_a_folder_link_in_the_upload_is_not_looked_into(tmp_path):
    make_files(tmp_path / "solutions", SUBMISSION_FILE)
    (tmp_path / "upload").mkdir()
    (tmp_path / "upload" / "lab").symlink_to(tmp_path / "solutions", target_is_directory=True)
    with pytest.raises(NoSubmission, match="symbolic links are not looked into: lab"):
        find_submission(tmp_path / "upload")


def test_the_staging_copy_refuses_a_file_swapped_for_a_link(tmp_path):
    from grader.commands.release.autograder import _copy_regular_file

    make_files(tmp_path, "real.py")
    (tmp_path / "link.py").symlink_to(tmp_path / "real.py")
    with pytest.raises(NoSubmission, match="symbolic link"):
        _copy_regular_file(tmp_path / "link.py", tmp_path / "copy.py")
    assert not (tmp_path / "copy.py").exists()


# -- run_autograder, pointed at temporary folders -----------------------------------------------

def run_autograder(root: Path, submission_files: dict[str, str], timeout: float = 5,
                   links: dict[str, Path] | None = None) -> dict:
    """Put the files (and ``links``: name -> target) into a fresh submission folder, run
    run_autograder, return the valid results.json."""
    submission = root / "submission"
    results = root / "results" / "results.json"
    for folder in (submission, results.parent):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for name, text in submission_files.items():
        (submission / name).write_text(text, encoding="utf-8")
    for name, target in (links or {}).items():
        (submission / name).symlink_to(target, target_is_directory=target.is_dir())
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {
        "AUTOGRADER_ROOT": str(root), "AUTOGRADER_TIMEOUT": f"{scaled(timeout):g}"}
    done = run([str(root / "source" / "run_autograder")], env=env, timeout=scaled(300))
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(results.read_text())
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    return data


def points(results: dict) -> dict[str, float]:
    """function -> points earned, from the check names ("forward_propagation: ...")."""
    earned = {function: 0.0 for function in SCORED}
    for test in results["tests"]:
        earned[test["name"].split(":")[0]] += test["score"]
    return earned


def full_points(function: str) -> float:
    return sum(c.points for c in ALL_CHECKS if c.function == function)


def test_reference_gets_full_marks_with_hidden_checks_shown_after_publishing(gradescope_root):
    results = run_autograder(gradescope_root, {SUBMISSION_FILE: (EXAMPLES / "reference.py").read_text()})
    assert results["score"] == sum(c.points for c in ALL_CHECKS)
    assert len(results["tests"]) == len(ALL_CHECKS)
    hidden = {c.name for c in ALL_CHECKS if c.hidden}
    assert {t["name"] for t in results["tests"] if t["visibility"] == "after_published"} == hidden


def test_stub_under_another_name_scores_zero_and_says_which_file_was_graded(gradescope_root):
    results = run_autograder(gradescope_root, {"my_lab.py": (EXAMPLES / "stub.py").read_text()})
    assert results["score"] == 0 and len(results["tests"]) == len(ALL_CHECKS)
    assert "my_lab.py" in results["output"]
    assert all("not implemented" in t["output"] for t in results["tests"] if t["name"].startswith("initialize"))


def test_a_submission_without_python_gets_zero_and_a_clear_message(gradescope_root):
    results = run_autograder(gradescope_root, {"answers.txt": "I did it in my head"})
    assert results["score"] == 0 and results["tests"] == []
    assert f"no {SUBMISSION_FILE} was found" in results["output"]


def test_hostile_submission_cannot_fake_its_score_and_loses_only_what_it_broke(gradescope_root):
    results_path = gradescope_root / "results" / "results.json"
    source = (EXAMPLES / "reference.py").read_text() + HOSTILE_TAIL.replace("RESULTS_PATH", str(results_path))
    results = run_autograder(gradescope_root, {SUBMISSION_FILE: source}, timeout=1)
    earned = points(results)
    assert earned["update_parameters"] == earned["training"] == 0
    assert 0 < earned["batch_generator"] < full_points("batch_generator")
    for function in ("initialize_parameters", "forward_propagation", "compute_cost", "backward_propagation"):
        assert earned[function] == full_points(function)
    assert results["score"] == sum(earned.values())
    outputs = " ".join(t["output"] for t in results["tests"])
    assert "os._exit" in outputs and "1 s" in outputs


def test_a_link_to_the_reference_scores_zero_and_says_why(gradescope_root):
    reference = gradescope_root / "source" / "kit" / "solutions" / SUBMISSION_FILE
    reference = reference if reference.is_file() else EXAMPLES / "reference.py"
    results = run_autograder(gradescope_root, {}, links={SUBMISSION_FILE: reference})
    assert results["score"] == 0 and results["tests"] == []
    assert f"{SUBMISSION_FILE} is a symbolic link; submit the file itself" in results["output"]


def test_a_linked_folder_in_the_upload_scores_zero(gradescope_root):
    reference_folder = gradescope_root / "source" / "kit" / "solutions"
    reference_folder = reference_folder if reference_folder.is_dir() else EXAMPLES
    results = run_autograder(gradescope_root, {}, links={"lab": reference_folder})
    assert results["score"] == 0 and "not looked into: lab" in results["output"]


def test_a_grader_failure_is_retried_once_and_the_retry_s_results_are_written(tmp_path, monkeypatch):
    from grader.commands.release import autograder

    make_files(tmp_path / "submission", SUBMISSION_FILE)
    attempts = [{"score": 0.0, "tests": [], "extra_data": {"backprop_lab": {"status": "grader-error"}}},
                {"score": 7.0, "tests": [], "extra_data": {"backprop_lab": {"status": "ok"}}}]
    monkeypatch.setattr(autograder, "grade", lambda path, timeout: attempts.pop(0))
    monkeypatch.setenv("AUTOGRADER_ROOT", str(tmp_path))
    monkeypatch.delenv("AUTOGRADER_RESULTS", raising=False)
    monkeypatch.delenv("AUTOGRADER_SUBMISSION", raising=False)
    assert autograder.main() == 0
    assert json.loads((tmp_path / "results" / "results.json").read_text())["score"] == 7.0
    assert attempts == []


def test_setup_compiles_every_module_of_the_kit_once_for_all_containers(gradescope_root):
    """Each submission is graded in a fresh container of the image setup.sh built: a module left
    uncompiled there is compiled again by every process that imports it, for every submission."""
    modules = sorted((gradescope_root / "source" / "kit" / "grader").rglob("*.py"))
    assert modules
    # by the venv's python3, whose version need not be this one's
    assert [m for m in modules if not any((m.parent / "__pycache__").glob(f"{m.stem}.*.pyc"))] == []


def test_grading_runs_the_grader_program_here_and_quotes_its_output_when_it_writes_no_results(tmp_path, monkeypatch,
                                                                                               capfd):
    """``grade`` runs ``python -m grader grade ...`` in this process: what it (or a process it started)
    wrote to stdout/stderr is quoted when no results came of it, and this process's own output and
    arguments are as they were afterwards."""
    from grader import cli
    from grader.commands.release import autograder

    seen = {}

    def failing() -> int:
        seen["argv"] = sys.argv[1:]
        os.write(1, b"half a summary\n")  # at the descriptors, as the workers write (pytest holds sys.stdout)
        os.write(2, b"the worker failed\n")
        return 2

    monkeypatch.setattr(cli, "main", failing)
    submission = tmp_path / "lab.py"
    submission.write_text("x = 1\n")
    argv = list(sys.argv)
    with pytest.raises(RuntimeError, match=r"exit status 2\)[\s\S]*half a summary[\s\S]*the worker failed"):
        autograder.grade(submission, "5")
    assert seen["argv"][0] == "grade" and seen["argv"][1].endswith(SUBMISSION_FILE)  # staged under its name
    assert seen["argv"][-5:] == ["--jobs", "1", "--timeout", "5", "--no-html"]
    assert sys.argv == argv
    print("ours again")
    captured = capfd.readouterr()
    assert "ours again" in captured.out and "half a summary" not in captured.out + captured.err
