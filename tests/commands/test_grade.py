"""`backprop-lab grade`: the class table, results and feedback it writes, what it skips on a
re-run, and how it survives submissions that cannot be loaded, dead workers and interruptions."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from grader.bridge import StudentCodeError
from grader.commands import grade
from grader.commands.grade.collect import Submission
from grader.commands.grade.pool import WorkerPool
from grader.commands.grade.summary import summarise
from grader.commands.grade.worker import KindRecorder, Outcome, Settings
from tests.commands.support import make_class, run_cli
from tests.gradescope_schema import GRADESCOPE_SCHEMA
from tests.timing import scaled

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples" / "submissions"
REFERENCE_CODE = (EXAMPLES / "reference.py").read_text()
STUB_CODE = (EXAMPLES / "stub.py").read_text()
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.py"))
BUG_NAMES = [name for name in EXAMPLE_NAMES if name.startswith("bug_")]

# The table the instructor guide documents, written out rather than imported.
CSV_COLUMNS = ["submission", "score", "max_score", "status", "initialize_parameters", "forward_propagation",
               "compute_cost", "backward_propagation", "update_parameters", "batch_generator", "training"]



def read_csv(path: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = {row["submission"]: row for row in reader}
        return list(reader.fieldnames or []), rows


def read_results(out: Path, name: str) -> dict:
    return json.loads((out / "results" / f"{name}.json").read_text())


def copy_of(graded_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(graded_dir, tmp_path / "out"))


@pytest.fixture(scope="module")
def examples_run(tmp_path_factory: pytest.TempPathFactory) -> grade.GradeRun:
    """examples/submissions graded once, public + hidden checks, two workers."""
    return grade.run([EXAMPLES], tmp_path_factory.mktemp("examples") / "g", jobs=2)


@pytest.fixture(scope="module")
def examples_out(examples_run: grade.GradeRun) -> Path:
    return examples_run.out


# ----------------------------------------------------------------------------- the class table

def test_the_examples_reference_scores_full_marks_stub_zero_bugs_in_between(examples_out: Path) -> None:
    _, rows = read_csv(examples_out / "grades.csv")
    score = {name: float(row["score"]) for name, row in rows.items()}
    max_score = float(rows["reference"]["max_score"])
    assert max_score > 0 and score["reference"] == max_score
    assert score["stub"] == 0
    assert BUG_NAMES and all(0 < score[name] < max_score for name in BUG_NAMES)
    assert {row["status"] for row in rows.values()} == {"ok"}


def test_the_csv_has_one_row_per_submission_and_the_documented_columns(examples_out: Path) -> None:
    columns, rows = read_csv(examples_out / "grades.csv")
    assert columns == CSV_COLUMNS
    assert sorted(rows) == EXAMPLE_NAMES


def test_the_function_columns_add_up_to_the_score_in_the_results_file(examples_out: Path) -> None:
    _, rows = read_csv(examples_out / "grades.csv")
    for name, row in rows.items():
        results = read_results(examples_out, name)
        by_column = sum(float(row[column]) for column in CSV_COLUMNS[4:])
        assert by_column == pytest.approx(float(row["score"])) == pytest.approx(results["score"])
        assert float(row["max_score"]) == pytest.approx(sum(t["max_score"] for t in results["tests"]))


def test_a_bug_loses_points_in_its_own_function_column(examples_out: Path) -> None:
    _, rows = read_csv(examples_out / "grades.csv")
    reference = rows["reference"]
    assert float(rows["bug_update_plus"]["update_parameters"]) < float(reference["update_parameters"])
    assert float(rows["bug_cost_sum_not_mean"]["compute_cost"]) < float(reference["compute_cost"])
    assert float(rows["bug_batches_partial_last"]["batch_generator"]) < float(reference["batch_generator"])


# ----------------------------------------------------------------------------- results and feedback

def test_every_results_file_follows_gradescopes_schema(examples_out: Path) -> None:
    for name in EXAMPLE_NAMES:
        results = read_results(examples_out, name)
        jsonschema.validate(results, GRADESCOPE_SCHEMA)
        assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))


def test_feedback_shows_each_failing_public_check_with_its_message(examples_out: Path) -> None:
    results = read_results(examples_out, "bug_update_plus")
    feedback = (examples_out / "feedback" / "bug_update_plus.md").read_text()
    failing_public = [t for t in results["tests"] if t["visibility"] == "visible" and t["score"] < t["max_score"]]
    assert any(t["name"].startswith("update_parameters") for t in failing_public)
    for test in failing_public:
        assert test["name"] in feedback
        assert test["output"].splitlines()[0] in feedback


def test_feedback_names_hidden_checks_without_their_messages(examples_out: Path) -> None:
    results = read_results(examples_out, "bug_update_plus")
    feedback = (examples_out / "feedback" / "bug_update_plus.md").read_text()
    failing_hidden = [t for t in results["tests"] if t["visibility"] != "visible" and t["score"] < t["max_score"]]
    assert failing_hidden
    for test in failing_hidden:
        assert test["name"] in feedback
        assert test["output"].splitlines()[0] not in feedback


def test_feedback_of_the_reference_has_nothing_to_fix(examples_out: Path) -> None:
    feedback = (examples_out / "feedback" / "reference.md").read_text()
    assert "to fix" not in feedback and "failed**" not in feedback
    assert feedback.startswith("# Feedback for reference")


def test_the_summary_counts_what_the_results_files_say(examples_run: grade.GradeRun) -> None:
    summary = summarise(examples_run.reports.values())
    scores = [read_results(examples_run.out, name)["score"] for name in EXAMPLE_NAMES]
    assert summary.submissions == len(EXAMPLE_NAMES) == sum(count for _, count in summary.bands)
    assert (summary.scores["min"], summary.scores["max"]) == (min(scores), max(scores))
    assert summary.bands[-1] == ("100%", 1) and summary.bands[0][1] == 1  # reference; stub
    assert summary.failed_most
    for name, count in summary.failed_most:
        failing = sum(any(t["name"] == name and t["score"] < t["max_score"] for t in read_results(
            examples_run.out, n)["tests"]) for n in EXAMPLE_NAMES)
        assert count == failing


# ----------------------------------------------------------------------------- re-runs

def test_a_rerun_skips_what_is_already_graded_and_keeps_every_row(examples_out: Path, tmp_path: Path) -> None:
    out = copy_of(examples_out, tmp_path)
    (out / "grades.csv").unlink()
    again = grade.run([EXAMPLES], out, jobs=2)
    assert again.graded == [] and sorted(again.skipped) == EXAMPLE_NAMES
    _, rows = read_csv(out / "grades.csv")
    assert sorted(rows) == EXAMPLE_NAMES


@pytest.mark.slow
def test_a_rerun_grades_only_the_submission_whose_results_are_missing(examples_out: Path, tmp_path: Path) -> None:
    out = copy_of(examples_out, tmp_path)
    (out / "results" / "bug_update_plus.json").unlink()
    (out / "results" / "stub.json").write_text('{"score": 0, "tests": [')  # cut short: not valid
    again = grade.run([EXAMPLES], out, jobs=2)
    assert sorted(again.graded) == ["bug_update_plus", "stub"]
    assert sorted(again.skipped) == sorted(set(EXAMPLE_NAMES) - {"bug_update_plus", "stub"})
    assert read_results(out, "bug_update_plus") == read_results(examples_out, "bug_update_plus") | {
        "extra_data": read_results(out, "bug_update_plus")["extra_data"]}


@pytest.mark.slow
def test_force_grades_everything_again(examples_out: Path, tmp_path: Path) -> None:
    out = copy_of(examples_out, tmp_path)
    again = grade.run([EXAMPLES], out, jobs=2, force=True)
    assert sorted(again.graded) == EXAMPLE_NAMES and again.skipped == []


@pytest.mark.slow
def test_a_changed_file_is_graded_again(tmp_path: Path) -> None:
    folder = make_class(tmp_path / "class", ann=STUB_CODE, ben=REFERENCE_CODE)
    out = tmp_path / "out"
    assert sorted(grade.run([folder], out, jobs=1).graded) == ["ann", "ben"]
    (folder / "ann.py").write_text(REFERENCE_CODE)
    again = grade.run([folder], out, jobs=1)
    assert again.graded == ["ann"] and again.skipped == ["ben"]
    assert again.reports["ann"].score == again.reports["ann"].max_score > 0


def test_public_only_runs_fewer_checks_all_of_them_visible(examples_out: Path, tmp_path: Path) -> None:
    out = copy_of(examples_out, tmp_path)  # graded with hidden checks: a public-only run must not reuse it
    public = grade.run([EXAMPLES / "reference.py", EXAMPLES / "stub.py"], out, Settings(public_only=True), jobs=1)
    assert sorted(public.graded) == ["reference", "stub"]
    full_tests = read_results(examples_out, "reference")["tests"]
    public_tests = read_results(out, "reference")["tests"]
    assert 0 < len(public_tests) < len(full_tests)
    assert {t["visibility"] for t in public_tests} == {"visible"}
    assert [t["name"] for t in public_tests] == [t["name"] for t in full_tests if t["visibility"] == "visible"]
    _, rows = read_csv(out / "grades.csv")
    assert sorted(rows) == ["reference", "stub"]
    assert float(rows["reference"]["score"]) == sum(t["max_score"] for t in public_tests)


# ----------------------------------------------------------------------------- errors

def test_a_missing_path_exits_2_with_one_line(tmp_path: Path) -> None:
    code, out, err = run_cli(str(tmp_path / "nowhere"), "--out", str(tmp_path / "g"))
    assert code == 2
    assert err.strip().count("\n") == 0 and "nowhere" in err
    assert not (tmp_path / "g").exists()


def test_an_empty_folder_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli(str(tmp_path / "empty"), "--out", str(tmp_path / "g"))
    assert code == 2 and "no submissions" in err


def test_clashing_names_exit_2_before_anything_runs(tmp_path: Path) -> None:
    make_class(tmp_path / "a", ann=STUB_CODE)
    make_class(tmp_path / "b", ann=STUB_CODE)
    code, _, err = run_cli(str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "g"))
    assert code == 2
    assert str(tmp_path / "a" / "ann.py") in err and str(tmp_path / "b" / "ann.py") in err
    assert not (tmp_path / "g").exists()


@pytest.mark.slow
def test_a_file_that_cannot_be_loaded_gets_an_error_row_with_the_reason(tmp_path: Path) -> None:
    folder = make_class(tmp_path / "class", broken="def initialize_parameters(:\n", fine=REFERENCE_CODE)
    code, stdout, _ = run_cli(str(folder), "--out", str(tmp_path / "g"), "--jobs", "2")
    assert code == 0
    _, rows = read_csv(tmp_path / "g" / "grades.csv")
    assert rows["broken"]["status"] == "error" and float(rows["broken"]["score"]) == 0
    assert float(rows["broken"]["max_score"]) == float(rows["fine"]["max_score"]) > 0
    assert rows["fine"]["status"] == "ok" and rows["fine"]["score"] == rows["fine"]["max_score"]
    feedback = (tmp_path / "g" / "feedback" / "broken.md").read_text()
    assert "does not parse" in feedback and "line 1" in feedback
    assert "grades.csv" in stdout


# ----------------------------------------------------------------------------- failures of the run

SLEEPER_CODE = f"import time\n\ndef initialize_parameters(*args):\n    time.sleep({scaled(600):g})\n"


@pytest.mark.slow
def test_a_dead_worker_costs_only_its_submission(tmp_path: Path) -> None:
    folder = make_class(tmp_path / "class", fast=REFERENCE_CODE, sleeper=SLEEPER_CODE, later=REFERENCE_CODE)
    submissions = [Submission(name, folder / f"{name}.py", name) for name in ("fast", "sleeper", "later")]
    finished: dict[str, Outcome] = {}
    settings = Settings(call_timeout=scaled(300))
    with WorkerPool(2, settings, deadline=scaled(600)) as pool:
        def on_done(submission: Submission, outcome: Outcome) -> None:
            finished[submission.name] = outcome
            if submission.name == "fast":  # the sleeper's worker is busy now: kill it
                busy = [w for w in pool.workers if w.task is not None and w.task.name == "sleeper"]
                assert len(busy) == 1
                os.kill(busy[0].process.pid, signal.SIGKILL)

        pool.grade(submissions, on_done)
    assert sorted(finished) == ["fast", "later", "sleeper"]
    assert finished["sleeper"].report.status == "grader-error"
    assert "stopped unexpectedly" in finished["sleeper"].report.error
    assert finished["sleeper"].report.score == 0
    assert finished["later"].report.status == "ok"
    assert finished["later"].report.score == finished["later"].report.max_score > 0


@pytest.mark.slow
def test_a_submission_over_its_deadline_is_stopped_and_the_others_graded(tmp_path: Path) -> None:
    # The deadline counts from the hand-out to a ready worker; the stub takes a fraction of it.
    folder = make_class(tmp_path / "class", sleeper=SLEEPER_CODE, after=STUB_CODE)
    submissions = [Submission(name, folder / f"{name}.py", name) for name in ("sleeper", "after")]
    finished: dict[str, Outcome] = {}
    with WorkerPool(1, Settings(call_timeout=scaled(300)), deadline=scaled(2)) as pool:
        pool.grade(submissions, lambda s, o: finished.__setitem__(s.name, o))
    assert finished["sleeper"].report.status == "deadline" and finished["sleeper"].report.score == 0
    assert f"longer than {scaled(2):g} s" in finished["sleeper"].report.error
    assert finished["after"].report.status == "ok" and len(finished["after"].report.results) > 0


@pytest.mark.slow
def test_sigterm_keeps_what_was_graded_and_a_rerun_grades_the_rest(tmp_path: Path) -> None:
    folder = make_class(tmp_path / "class", a_done=REFERENCE_CODE, b_sleeper=SLEEPER_CODE)
    out = tmp_path / "g"
    command = [sys.executable, "-m", "grader", "grade", str(folder), "--out", str(out), "--jobs", "1",
               "--timeout", f"{scaled(300):g}", "--public-only"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(out / "results" / "a_done.json", process)
        process.send_signal(signal.SIGTERM)
        stdout, _ = process.communicate(timeout=scaled(60))
    finally:
        process.kill()
    assert process.returncode == 130
    assert "interrupted" in stdout
    _, rows = read_csv(out / "grades.csv")
    assert list(rows) == ["a_done"]
    assert not (out / "results" / "b_sleeper.json").exists()

    (folder / "b_sleeper.py").write_text(STUB_CODE)  # the student fixed the endless wait
    again = grade.run([folder], out, Settings(public_only=True, call_timeout=scaled(300)), jobs=1)  # the same options
    assert again.graded == ["b_sleeper"] and again.skipped == ["a_done"]
    _, rows = read_csv(out / "grades.csv")
    assert sorted(rows) == ["a_done", "b_sleeper"]


def _wait_for(path: Path, process: subprocess.Popen, limit: float = 120) -> None:
    """Poll until ``path`` exists (the run is slow to start on a busy machine, never slower than ``limit``)."""
    give_up = time.monotonic() + scaled(limit)
    while not path.exists():
        if process.poll() is not None or time.monotonic() > give_up:
            raise AssertionError(f"{path} never appeared; the run said {process.communicate()}")
        time.sleep(0.05)


EXITER_CODE = "import os\n\ndef initialize_parameters(*args):\n    print('about to leave')\n    os._exit(3)\n"


@pytest.mark.slow
def test_a_submission_that_exits_mid_call_is_marked_crashed_and_its_feedback_says_so(tmp_path: Path) -> None:
    folder = make_class(tmp_path / "class", exiter=EXITER_CODE, fine=REFERENCE_CODE)
    result = grade.run([folder], tmp_path / "g", jobs=2)
    assert result.reports["exiter"].status == "crashed" and result.reports["exiter"].score == 0
    assert result.reports["fine"].status == "ok"
    feedback = (tmp_path / "g" / "feedback" / "exiter.md").read_text()
    assert "What happened when your code ran" in feedback and "died" in feedback
    assert "about to leave" in feedback  # what it printed before it went


class _FailingBridge:
    """Raises the StudentCodeError kinds it is given, one per call."""

    def __init__(self, kinds: list[str]):
        self.kinds = list(kinds)

    def call(self, function: str, *args: object, **options: object) -> object:
        raise StudentCodeError(self.kinds.pop(0), function)

    def run(self, routine: str, **kwargs: object) -> object:
        raise StudentCodeError(self.kinds.pop(0), routine)

    def close(self) -> None:
        pass


@pytest.mark.parametrize("kinds, status", [
    (["not_implemented", "exception", "missing"], "ok"),
    (["not_implemented", "timeout", "crashed"], "timeout"),
    (["crashed", "timeout"], "crashed"),
    (["exception", "output"], "bad-reply"),
])
def test_the_status_is_the_first_thing_that_happened_to_the_process(kinds: list[str], status: str) -> None:
    recorder = KindRecorder(_FailingBridge(kinds))
    for _ in kinds:
        with pytest.raises(StudentCodeError):
            recorder.call("forward_propagation")
    assert recorder.status() == status


@pytest.mark.slow
def test_modules_lying_in_the_working_directory_are_not_imported_by_workers(tmp_path: Path) -> None:
    """Run from a folder of submissions, a `grader/` or `numpy.py` there must not replace the real ones."""
    script = shutil.which("backprop-lab")
    if script is None:
        pytest.skip("the backprop-lab console script is not installed")
    make_class(tmp_path, reference=REFERENCE_CODE)
    (tmp_path / "grader").mkdir()
    for planted in (tmp_path / "grader" / "__init__.py", tmp_path / "numpy.py"):
        planted.write_text(f"open({str(planted) + '.ran'!r}, 'w').close()\nraise SystemExit('planted')\n")
    done = subprocess.run([script, "grade", "reference.py", "--out", "g", "--jobs", "1", "--public-only"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=scaled(300))
    assert done.returncode == 0, done.stderr[-2000:]
    _, rows = read_csv(tmp_path / "g" / "grades.csv")
    assert rows["reference"]["score"] == rows["reference"]["max_score"]
    assert list(tmp_path.rglob("*.ran")) == []


# Runs a command as a child subreaper: whatever the command leaves behind, alive or dead,
# is re-parented here instead of to init, and is listed after the command has exited.
SUBREAPER = """
import ctypes, subprocess, sys
PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
left = subprocess.run(["ps", "-o", "pid=,stat=,args=", "--ppid", str(__import__("os").getpid())],
                      capture_output=True, text=True).stdout.splitlines()
print(code)
print("\\n".join(line for line in left if " ps -o " not in f" {line.split(None, 2)[-1]} "))
"""


def test_a_grading_run_leaves_no_process_behind(tmp_path):
    """Not the submission's detached sleepers, nor a worker, zygote or forkserver, not even as a zombie."""
    from tests.hostile.build import assemble

    assemble("detached_processes", tmp_path / "class")
    command = [sys.executable, "-m", "grader", "grade", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
               "--public-only", "--timeout", f"{scaled(5):g}"]
    printed = subprocess.run([sys.executable, "-c", SUBREAPER, *command], capture_output=True, text=True,
                             cwd=REPO_ROOT, check=True).stdout.splitlines()
    assert printed[0] == "0"
    assert [line for line in printed[1:] if line] == []


# ----------------------------------------------------------------------------- a class with attackers in it
# One run over a class in which a motivated student tried everything: links to the reference,
# names made to break files and spreadsheets, forged replies, enormous messages. The attackers
# get what their code earns; the neighbours graded in the same run are unchanged.

REFERENCE_FILE = REPO_ROOT / "solutions" / "two_layer_net.py"
FULL_MARKS = 127
LONG_NAME = "l" * 250  # with ".json.partial" added, too long for most file systems
NOT_UTF8 = os.fsdecode(b"j\xe9r\xf4me")  # Latin-1 bytes
FORMULA_NAMES = ['=HYPERLINK("http:evil","click")', "@SUM(1)", "-2+3", "+cmd"]
HUGE_MESSAGE_CODE = "".join(
    f"def {function}(*args, **kwargs):\n    raise ValueError('x' * 3_000_000)\n\n\n"
    for function in ("initialize_parameters", "forward_propagation", "compute_cost", "backward_propagation",
                     "update_parameters", "batch_generator"))


@pytest.fixture(scope="module")
def attacked_class(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int, str, str]:
    """(class folder, output folder, exit code, stdout, stderr) of one CLI run over the class."""
    from tests.hostile.build import assemble

    root = tmp_path_factory.mktemp("attacked")
    folder = make_class(root / "class", alice=REFERENCE_CODE, stub=STUB_CODE, huge=HUGE_MESSAGE_CODE)
    (folder / "mallory.py").symlink_to(REFERENCE_FILE)  # a file link to the reference
    (folder / "trent").mkdir()  # a student folder whose file is a link
    (folder / "trent" / "two_layer_net.py").symlink_to(REFERENCE_FILE)
    (folder / "oscar").symlink_to(REFERENCE_FILE.parent, target_is_directory=True)  # a folder link
    (folder / LONG_NAME).mkdir()
    (folder / LONG_NAME / "two_layer_net.py").write_text(REFERENCE_CODE)
    (folder / f"{NOT_UTF8}.py").write_text(STUB_CODE)
    for name in FORMULA_NAMES:
        (folder / f"{name}.py").write_text(STUB_CODE)
    forged = assemble("forged_replies", root / "hostile").read_text()
    (folder / "forger.py").write_text(forged)
    out = root / "g"
    code, stdout, stderr = run_cli(str(folder), "--out", str(out), "--jobs", "2")
    return folder, out, code, stdout, stderr


def rows_of(out: Path) -> dict[str, dict[str, str]]:
    with (out / "grades.csv").open(newline="", encoding="utf-8") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


@pytest.mark.slow
def test_the_attacked_class_completes_with_a_row_for_everyone(attacked_class) -> None:
    _, out, code, stdout, _ = attacked_class
    assert code == 0, stdout
    expected = {"alice", "stub", "huge", "mallory", "trent", "oscar", LONG_NAME, "j\\xe9r\\xf4me", "forger",
                *("'" + name for name in FORMULA_NAMES if name != "-2+3"), "'-2+3"}
    assert set(rows_of(out)) == expected
    assert list(out.rglob("*.partial")) == []


@pytest.mark.slow
def test_links_to_the_reference_are_refused_with_zero_points(attacked_class) -> None:
    _, out, _, stdout, stderr = attacked_class
    rows = rows_of(out)
    for name in ("mallory", "trent", "oscar"):
        assert rows[name]["status"] == "refused" and float(rows[name]["score"]) == 0, rows[name]
        assert float(rows[name]["max_score"]) == FULL_MARKS
        assert "symbolic link" in read_results(out, name)["extra_data"]["backprop_lab"]["error"]
    assert "mallory.py is a symbolic link; submit the file itself" in stderr
    assert "refused (0 points" in stdout
    feedback = (out / "feedback" / "mallory.md").read_text()
    assert "Status: **refused**" in feedback and "not a regular file" in feedback


@pytest.mark.slow
def test_the_neighbours_of_the_attackers_are_graded_as_usual(attacked_class) -> None:
    _, out, _, _, _ = attacked_class
    rows = rows_of(out)
    for name in ("alice", LONG_NAME):
        assert rows[name]["status"] == "ok" and float(rows[name]["score"]) == FULL_MARKS
    assert rows["stub"]["status"] == "ok" and float(rows["stub"]["score"]) == 0


@pytest.mark.slow
def test_odd_names_get_safe_file_names_and_keep_their_own_in_the_table(attacked_class) -> None:
    _, out, _, _, _ = attacked_class
    stems = sorted(p.stem for p in (out / "results").glob("*.json"))
    assert all(len(stem.encode()) <= 60 and stem.isascii() for stem in stems), stems
    long_results = [p for p in (out / "results").glob("l*~*.json")]
    assert len(long_results) == 1
    data = json.loads(long_results[0].read_text())
    assert data["extra_data"]["backprop_lab"]["submission"] == LONG_NAME and data["score"] == FULL_MARKS
    names = {json.loads(p.read_text())["extra_data"]["backprop_lab"]["submission"]
             for p in (out / "results").glob("*.json")}
    assert NOT_UTF8 in names and set(FORMULA_NAMES) <= names  # exact, through JSON's escapes


@pytest.mark.slow
def test_formula_names_land_in_the_csv_as_text(attacked_class) -> None:
    _, out, _, _, _ = attacked_class
    text = (out / "grades.csv").read_text(encoding="utf-8")
    cells = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells), cells
    assert "'=HYPERLINK(\"http:evil\",\"click\")" in cells and "'@SUM(1)" in cells
    for row in rows_of(out).values():  # the numbers are still numbers
        assert all(float(row[column]) >= 0 for column in CSV_COLUMNS[1:3] + CSV_COLUMNS[4:])


@pytest.mark.slow
def test_a_forged_reply_is_the_submissions_bad_reply_never_a_grader_error(attacked_class) -> None:
    _, out, _, _, _ = attacked_class
    results = read_results(out, "forger")
    assert results["extra_data"]["backprop_lab"]["status"] == "bad-reply"
    failed = [t for t in results["tests"] if t["score"] < t["max_score"]]
    assert 4 <= len(failed) <= 6, [t["name"] for t in failed]  # the forged calls, and what shares their probe
    assert all("could not use what" in t["output"] for t in failed)
    assert results["score"] == FULL_MARKS - sum(t["max_score"] for t in failed)


@pytest.mark.slow
def test_enormous_messages_are_cut_and_the_files_stay_small(attacked_class) -> None:
    _, out, _, _, _ = attacked_class
    results_file = out / "results" / "huge.json"
    assert results_file.stat().st_size < 1_000_000
    assert (out / "feedback" / "huge.md").stat().st_size < 1_000_000
    outputs = [t["output"] for t in read_results(out, "huge")["tests"]]
    assert all(len(o) < 2_200 for o in outputs)
    assert any("characters cut" in o for o in outputs)


# ----------------------------------------------------------------------------- recording failures

@pytest.mark.slow
def test_a_submission_whose_files_cannot_be_written_is_not_recorded_and_the_run_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.commands.grade import store

    folder = make_class(tmp_path / "class", ann=REFERENCE_CODE, bob=STUB_CODE, cy=STUB_CODE)
    real_write = store.write_atomic

    def disk_full_for_bob(path: Path, text: str) -> None:
        if path.stem == "bob":
            raise OSError(28, "No space left on device")
        real_write(path, text)

    monkeypatch.setattr(store, "write_atomic", disk_full_for_bob)
    out = tmp_path / "g"
    code, stdout, stderr = run_cli(str(folder), "--out", str(out), "--jobs", "1", "--public-only")
    assert code == 1
    rows = rows_of(out)
    assert sorted(rows) == ["ann", "bob", "cy"]
    assert rows["bob"]["status"] == "not-recorded" and float(rows["bob"]["score"]) == 0
    assert rows["ann"]["score"] == rows["ann"]["max_score"] and rows["cy"]["status"] == "ok"
    assert "not recorded: bob: its results could not be written (No space left on device)" in stderr
    assert "graded but not recorded (run again): bob" in stdout
    assert not (out / "results" / "bob.json").exists() and list(out.rglob("*.partial")) == []

    monkeypatch.setattr(store, "write_atomic", real_write)  # space again: the re-run grades bob only
    again = grade.run([folder], out, Settings(public_only=True), jobs=1)
    assert again.graded == ["bob"] and sorted(again.skipped) == ["ann", "cy"]
    assert rows_of(out)["bob"]["status"] == "ok"


def test_a_table_that_cannot_be_written_is_retried_and_reported(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.commands.grade import store

    folder = make_class(tmp_path / "class", ann=STUB_CODE)
    real_write = store.write_atomic

    def no_table(path: Path, text: str) -> None:
        if path.name == "grades.csv":
            raise OSError(27, "File too large")
        real_write(path, text)

    monkeypatch.setattr(store, "write_atomic", no_table)
    code, stdout, _ = run_cli(str(folder), "--out", str(tmp_path / "g"), "--jobs", "1", "--public-only")
    assert code == 1 and "grades.csv could not be written (File too large)" in stdout
    assert (tmp_path / "g" / "results" / "ann.json").exists()


# ----------------------------------------------------------------------------- links seen by the worker

def test_a_file_swapped_for_a_link_after_collecting_is_refused_by_the_worker(tmp_path: Path) -> None:
    from grader.commands.grade.worker import grade_one
    from grader.reference import LiveReference

    link = tmp_path / "late.py"
    link.symlink_to(REFERENCE_FILE)
    checks = Settings(public_only=True).checks()
    outcome = grade_one("late", link, checks, LiveReference(), call_timeout=scaled(5))
    assert outcome.report.status == "refused" and outcome.report.score == 0
    assert outcome.report.error == "late.py is a symbolic link; submit the file itself"


def test_read_submission_never_follows_a_link_nor_opens_a_fifo(tmp_path: Path) -> None:
    from grader.bridge import SubmissionRefused
    from grader.bridge.calls import read_submission

    (tmp_path / "link.py").symlink_to(REFERENCE_FILE)
    os.mkfifo(tmp_path / "fifo.py")
    (tmp_path / "real.py").write_bytes(b"x = 1\r\ny = 2\r\n")
    with pytest.raises(SubmissionRefused, match="is a symbolic link"):
        read_submission(tmp_path / "link.py")
    with pytest.raises(SubmissionRefused, match="not a regular file"):
        read_submission(tmp_path / "fifo.py")  # would block for ever without O_NONBLOCK
    assert read_submission(tmp_path / "real.py") == "x = 1\ny = 2\n"


# ----------------------------------------------------------------------------- forged replies, fuzzed

def _frame(tree: object, arrays: tuple = ()) -> bytes:
    """A plain-data payload as grader/values.py lays it out, for any arrays (numeric or not)."""
    specs = [[array.dtype.str, list(array.shape)] for array in arrays]
    header = json.dumps({"tree": tree, "arrays": specs}).encode()
    return b"".join([len(header).to_bytes(4, "little"), header, *(array.tobytes() for array in arrays)])


def _deep(levels: int) -> dict:
    tree: object = None
    for _ in range(levels):
        tree = {"l": [tree]}
    return tree


FORGED = {
    "a bare float": ({"d": [["ok", {"f": "1.5"}]]}, ()),
    "a huge int": ({"d": [["ok", {"i": "9" * 4000}]]}, ()),
    "None": ({"d": [["ok", None]]}, ()),
    "an opaque value": ({"d": [["ok", {"o": ["x", "y"]}]]}, ()),
    "a pair of strings": ({"d": [["ok", {"t": ["a", "b"]}]]}, ()),
    "an array of strings": ({"d": [["ok", {"t": [{"a": 0}, {"t": [{"a": 0}, {"a": 0}]}]}]]},
                            (np.array(["a", "b"]),)),
    "an array of records": ({"d": [["ok", {"a": 0}]]}, (np.zeros(3, dtype=[("a", "f8")]),)),
    "an array of dates": ({"d": [["ok", {"a": 0}]]}, (np.array(["2020-01-01"], dtype="M8[D]"),)),
    "a scalar that is an array": ({"d": [["ok", {"s": 0}]]}, (np.zeros((5, 1)),)),
    "an array index out of range": ({"d": [["ok", {"a": -1}]]}, (np.zeros(2),)),
    "a dict with a number for key": ({"d": [["ok", {"d": [[{"i": "1"}, None]]}]]}, ()),
    "a yielded with an odd cut flag": ({"d": [["ok", {"y": [None], "cut": "yes"}]]}, ()),
    "nested 60 deep": ({"d": [["ok", _deep(60)]]}, ()),
    "an error of numbers": ({"d": [["error", {"l": [{"i": "1"}, {"i": "2"}, {"i": "3"}, {"i": "4"}]}]]}, ()),
    "an error of three strings": ({"d": [["error", {"l": ["timeout", "f", "d"]}]]}, ()),
    "both ok and error": ({"d": [["ok", None], ["error", {"l": ["exception", "f", "d", ""]}]]}, ()),
    "a list": ({"l": [None]}, ()),
}


class _ForgingChild:
    """Stands in for a worker that answers every request with one forged frame."""

    def __init__(self, frame: bytes):
        self.frame = frame
        self.stopped = 0

    def exchange(self, payload: bytes, timeout: float, sink: object) -> object:
        from grader import values
        from grader.bridge import isolated

        try:
            return values.decode(self.frame)
        except Exception as error:  # as _Child.receive does
            raise isolated._NoAnswer("output", f"its reply is not plain data ({type(error).__name__})") from None

    def stop(self, sink: object) -> int:
        self.stopped += 1
        return 0


@pytest.mark.parametrize("case", sorted(FORGED))
def test_every_forged_reply_ends_as_bad_reply_never_in_the_graders_code(case: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.bridge.isolated import HeadTail, IsolatedBridge
    from grader.runner import run_checks

    tree, arrays = FORGED[case]
    frame = _frame(tree, arrays)
    bridge = IsolatedBridge.__new__(IsolatedBridge)  # no child process: every call gets the forged frame
    bridge.call_timeout, bridge.events, bridge._closed = scaled(5.0), [], False
    bridge._captured, bridge._child = HeadTail(1000), _ForgingChild(frame)
    monkeypatch.setattr(bridge, "_restart", lambda name: _ForgingChild(frame), raising=False)
    recorder = KindRecorder(bridge)
    report = run_checks(recorder, Settings().checks(), lambda check: _live_reference())
    assert recorder.status() == "bad-reply", [r.output for r in report.results][:3]
    assert report.score == 0  # some replies are plain answers to some calls (None): judged, and wrong
    assert any("could not use what" in r.output for r in report.results)


_REFERENCE_CACHE: list = []


def _live_reference():
    from grader.reference import LiveReference

    if not _REFERENCE_CACHE:
        _REFERENCE_CACHE.append(LiveReference())
    return _REFERENCE_CACHE[0]


# ----------------------------------------------------------------------------- python -m grader in a class folder

@pytest.mark.slow
def test_python_m_grader_in_a_folder_of_submissions_imports_none_of_them(tmp_path: Path) -> None:
    """A student file named tqdm.py or numpy.py beside the submissions must not replace the real module."""
    make_class(tmp_path, reference=REFERENCE_CODE)
    for planted in (tmp_path / "tqdm.py", tmp_path / "numpy.py"):
        planted.write_text(f"open({str(planted) + '.ran'!r}, 'w').close()\nraise SystemExit('planted')\n")
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "reference.py", "--out", "g", "--jobs", "1",
                           "--public-only"], cwd=tmp_path, capture_output=True, text=True, timeout=scaled(300), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert rows_of(tmp_path / "g")["reference"]["score"] == rows_of(tmp_path / "g")["reference"]["max_score"]
    assert list(tmp_path.rglob("*.ran")) == []


@pytest.mark.parametrize("status", ["error", "refused", "grader-error", "not-recorded"])
def test_checks_that_never_ran_are_not_counted_as_failed_most(status: str) -> None:
    from grader.commands.grade.worker import not_graded

    checks = Settings(public_only=True).checks()
    summary = summarise([not_graded("x", checks, status, "why")])
    assert summary.failed_most == [] and summary.statuses == {status: 1}


# ----------------------------------------------------------------------------- the sealed worker

SEALED_ATTACKERS = ("prlimit_neighbours", "sysv_ipc", "keyrings", "process_and_disk_hog")


def _grade_class_with_attackers(tmp_path: Path, wrapper: list[str]) -> tuple[list[str], Path]:
    """The four attackers of the sealed worker and two correct neighbours, graded in one run with two
    workers; returns what the SUBREAPER wrapper printed (exit code, then processes left) and DIR."""
    from tests.hostile.build import assemble

    for name in SEALED_ATTACKERS:
        assemble(name, tmp_path / "class")
    for name in ("neighbour_a", "neighbour_b"):
        make_class(tmp_path / "class" / name, two_layer_net=REFERENCE_CODE)
    scratch = tmp_path / "tmp"
    scratch.mkdir(mode=0o777)
    out = tmp_path / "out"
    command = [*wrapper, sys.executable, "-m", "grader", "grade", str(tmp_path / "class"), "--out", str(out),
               "--jobs", "2", "--timeout", f"{scaled(30):g}"]
    environment = dict(os.environ, TMPDIR=str(scratch), PYTHONPATH=str(REPO_ROOT))
    printed = subprocess.run([sys.executable, "-c", SUBREAPER, *command], capture_output=True, text=True,
                             cwd=REPO_ROOT, check=True, env=environment).stdout.splitlines()
    assert list(scratch.iterdir()) == []  # every scratch folder was removed
    return printed, out


def _assert_everyone_keeps_full_marks(printed: list[str], out: Path, without_cgroups: bool = False) -> None:
    assert printed[0] == "0" and [line for line in printed[1:] if line] == []  # no process left
    _, rows = read_csv(out / "grades.csv")
    assert sorted(rows) == sorted([*SEALED_ATTACKERS, "neighbour_a", "neighbour_b"])
    for name, row in rows.items():
        if without_cgroups and name == "process_and_disk_hog" and row["status"] == "error":
            # no cgroup for an ordinary user here: its 400 processes of 64 MB are limited one by one
            # only (the sandbox note says so), and it overruns its own import time; nobody else pays
            assert "did not finish importing" in (out / "feedback" / f"{name}.md").read_text()
            continue
        # the attackers are the reference plus their attack: full marks is their fair score
        assert row["status"] == "ok" and float(row["score"]) == float(row["max_score"]) == 127, (name, row)


@pytest.mark.slow
def test_attacks_on_neighbours_ipc_keyrings_and_limits_change_no_score_and_leave_nothing(tmp_path: Path) -> None:
    """Graded as root, every worker runs as nobody: the neighbours share the attackers' uid."""
    from tests.bridge.bridge_support import kernel_leftovers

    before = kernel_leftovers()
    printed, out = _grade_class_with_attackers(tmp_path, [])
    _assert_everyone_keeps_full_marks(printed, out)
    assert kernel_leftovers() == before  # no IPC object, planted key or cgroup left
    note = read_results(out, "prlimit_neighbours")["extra_data"]["backprop_lab"]["sandbox_note"]
    assert "runs as an unprivileged user (uid 65534" in note or os.geteuid() != 0
    if "(seccomp)" not in note:
        pytest.skip(f"no seccomp here: {note}")
    feedback = {name: (out / "feedback" / f"{name}.md").read_text() for name in SEALED_ATTACKERS}
    assert "'prlimit': 0, 'setpriority': 0, 'affinity': 0, 'ptrace': 0, 'pidfd': 0" in feedback["prlimit_neighbours"]
    assert "created" not in feedback["sysv_ipc"] and "worked" not in feedback["keyrings"]


@pytest.mark.slow
def test_the_same_attacks_when_the_whole_run_is_one_unprivileged_user() -> None:
    """Grading processes and workers then all share one uid: only the seccomp filter keeps a
    submission from setting the file-size limit of the grading processes to 0."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to run the grading as nobody")
    wrapper = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    # nobody must be able to run this very Python: import the kit, and read its own standard library
    # (a Python under /root may still start for nobody, on another installation's library: a venv made
    # from a Python in /root finds no home there and falls back to the system's /usr, another version)
    probe = ("import os, sys, grader, numpy; "
             "sys.exit(0 if os.access(os.path.dirname(os.__file__), os.R_OK) and "
             "os.path.realpath(os.__file__).startswith(os.path.realpath(sys.base_prefix)) and "
             f"sys.version == {sys.version!r} and os.path.realpath(sys.base_prefix) == "
             f"{os.path.realpath(sys.base_prefix)!r} else 3)")
    tried = subprocess.run([*wrapper, sys.executable, "-c", probe], capture_output=True,
                           text=True, cwd="/", env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
    if tried.returncode != 0:
        pytest.skip("nobody cannot run this Python and the kit with its own standard library "
                    f"({tried.stderr.strip().splitlines()[-1:] or 'exit ' + str(tried.returncode)})")
    # pytest's own temporary folders are root's alone (mode 700): nobody needs one it can reach
    base = Path(tempfile.mkdtemp(prefix="backprop-lab-nobody-"))
    try:
        base.chmod(0o777)
        printed, out = _grade_class_with_attackers(base, wrapper)
        note = read_results(out, "neighbour_a")["extra_data"]["backprop_lab"]["sandbox_note"]
        _assert_everyone_keeps_full_marks(printed, out, without_cgroups="limited per process only" in note)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_grading_refuses_to_start_without_a_filesystem_sandbox_unless_told(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.bridge import sandbox

    monkeypatch.setattr(sandbox, "filesystem_guard_missing", lambda: "no Landlock and no namespaces (test)")
    folder = make_class(tmp_path / "class", ann=REFERENCE_CODE)
    code, _, err = run_cli(str(folder), "--out", str(tmp_path / "g"), "--public-only")
    assert code == 2 and "--unsafe-sandbox" in err and "cannot be sandboxed" in err
    assert not (tmp_path / "g").exists()
    code, out, _ = run_cli(str(folder), "--out", str(tmp_path / "g"), "--public-only", "--unsafe-sandbox")
    assert code == 0 and "sandbox: the filesystem is NOT restricted" in out
    _, rows = read_csv(tmp_path / "g" / "grades.csv")
    assert rows["ann"]["score"] == rows["ann"]["max_score"]


def test_the_sandbox_is_on_unless_the_unsafe_flag_allows_none() -> None:
    assert Settings().sandbox == "auto" and not Settings().unsafe_sandbox
    assert grade._with_sandbox(Settings()).sandbox == "auto"  # this machine has Landlock or namespaces


def test_a_rewritten_grades_csv_is_the_table_of_the_reports_as_they_are_now(tmp_path) -> None:
    """Each rewrite renders only the reports counted since the last one: a submission graded again (a new
    report under the same name) gets its new line, and the table is the one ``csv_table`` renders."""
    from grader.checks import catalogue
    from grader.commands.grade import store
    from grader.formats import csv_table
    from grader.results import Report

    checks = catalogue(include_hidden=False)
    folder = store.OutputFolder(tmp_path, checks)
    for name, passed in (("b", True), ("a", True), ("c", False)):
        folder.keep(Report(name, [c.result(passed, "") for c in checks]))
        folder.write_table()
    folder.keep(Report("a", [c.result(False, "") for c in checks], status="error", error="it stopped"))
    folder.write_table()
    table = folder.csv_path.read_text(encoding="utf-8")
    assert table == csv_table.render(folder.reports.values())
    rows = {row["submission"]: row for row in csv.DictReader(io.StringIO(table))}
    assert list(rows) == ["a", "b", "c"]
    assert (rows["a"]["status"], rows["a"]["score"]) == ("error", "0")
    assert rows["b"]["score"] == rows["b"]["max_score"] != "0"


def test_grades_csv_is_rewritten_at_most_once_a_second_and_completed_at_the_end(tmp_path, monkeypatch):
    """Rewriting the whole table after every submission costs O(class size) each time; the table lags by
    at most TABLE_EVERY while grading, and holds every report once the run finishes it."""
    from grader.checks import catalogue
    from grader.commands.grade import store
    from grader.results import Report

    checks = catalogue(include_hidden=False)
    folder = store.OutputFolder(tmp_path, checks)

    def rows() -> list[str]:
        with folder.csv_path.open(newline="") as handle:
            return [row["submission"] for row in csv.DictReader(handle)]

    now = [100.0]
    monkeypatch.setattr(store.time, "monotonic", lambda: now[0])

    def graded(name: str, at: float) -> None:
        now[0] = at
        folder.keep(Report(name, [c.result(True, "") for c in checks]))

    graded("a", 100.0)
    graded("b", 100.4)
    assert rows() == ["a"]  # b came 0.4 s after the first write
    graded("c", 101.1)
    assert rows() == ["a", "b", "c"]  # 1.1 s after it
    graded("d", 101.2)
    folder.finish_table()
    assert rows() == ["a", "b", "c", "d"]
