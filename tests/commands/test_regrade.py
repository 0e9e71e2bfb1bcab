"""Re-grades that know the grader: a re-run with the same --out grades again exactly the submissions
whose file or grader changed, says why, and writes regrade-diff.csv of the points that moved.

The issue's experiment runs a copy of the kit in a child process: one tolerance of the judge is
raised in the copy, so the new scores come from the changed judge itself, not from a test hook.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import i18n
from grader.checks import Draw
from grader.commands import grade
from grader.commands.grade import fingerprint, regrade
from grader.commands.grade.collect import Submission, collect
from grader.commands.grade.store import OutputFolder
from grader.commands.grade.worker import Settings
from grader.reference import grading_draw
from grader.results import CheckResult, Report

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples" / "submissions"
REFERENCE_CODE = (EXAMPLES / "reference.py").read_text()
EXACT_COST = "return float(-np.sum(log_probs) / m)"
# The reference with its cost 1e-5 too large (relative): wrong under the judge's tolerance of 1e-7,
# right under 1e-3.
CLOSE_COST_CODE = REFERENCE_CODE.replace(EXACT_COST, "return float(-np.sum(log_probs) / m * (1 + 1e-5))")
CLASS = {"close_cost": CLOSE_COST_CODE, "reference": REFERENCE_CODE,
         "bug_cost_sum_not_mean": (EXAMPLES / "bug_cost_sum_not_mean.py").read_text()}
JUDGE_TOLERANCE = "VALUE_TOL = 1e-7"
RAISED_TOLERANCE = "VALUE_TOL = 1e-3"


def make_class(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, code in files.items():
        (folder / f"{name}.py").write_text(code)
    return folder


def copy_of_kit(target: Path) -> Path:
    """The parts of the kit the grader reads: its package and solutions/ (no bytecode, no secret)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "grading-secret")
    shutil.copytree(REPO_ROOT / "grader", target / "grader", ignore=ignore)
    shutil.copytree(REPO_ROOT / "solutions", target / "solutions", ignore=ignore)
    return target


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def grades(out: Path) -> dict[str, dict[str, str]]:
    return {row["submission"]: row for row in read_csv(out / "grades.csv")}


def recorded_fingerprint(out: Path, name: str) -> dict:
    extra = json.loads((out / "results" / f"{name}.json").read_text())["extra_data"]
    return extra["backprop_lab"]["grader_fingerprint"]


def copied_out(graded: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(graded, tmp_path / "out"))


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_of_kit(tmp_path_factory.mktemp("kit"))


@pytest.fixture
def kit_seen(kit: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh copy of the kit's files, which the grader's fingerprint reads instead of the real ones."""
    own = Path(shutil.copytree(kit, tmp_path / "kit"))
    monkeypatch.setattr(fingerprint, "roots", lambda: {"grader": own / "grader", "solutions": own / "solutions"})
    return own


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory, kit: Path) -> tuple[Path, Path]:
    """The small class graded once (its fingerprint read from ``kit``, the same bytes as the real
    kit): (the class folder, the output folder)."""
    folder = make_class(tmp_path_factory.mktemp("class") / "class", CLASS)
    out = tmp_path_factory.mktemp("graded") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fingerprint, "roots", lambda: {"grader": kit / "grader", "solutions": kit / "solutions"})
        first = grade.run([folder], out, jobs=2)
    assert sorted(first.graded) == sorted(CLASS)
    return folder, out


# ----------------------------------------------------------------- the experiment


def run_kit(kit_root: Path, *args: str) -> subprocess.CompletedProcess:
    """``backprop-lab grade ...`` run by the copy of the kit at ``kit_root`` (its grader, its judge)."""
    env = {**os.environ, "PYTHONPATH": str(kit_root), "BACKPROP_LAB_LANG": "en"}
    code = "import sys; from grader import cli; sys.exit(cli.main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, "grade", *args], cwd=kit_root, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_raising_one_tolerance_in_the_judge_regrades_and_the_diff_shows_the_new_points(tmp_path: Path) -> None:
    kit_root = copy_of_kit(tmp_path / "kit")
    imported = subprocess.run([sys.executable, "-c", "import grader.checks.judge as j; print(j.__file__)"],
                              cwd=kit_root, env={**os.environ, "PYTHONPATH": str(kit_root)},
                              capture_output=True, text=True, check=True).stdout.strip()
    assert Path(imported).resolve() == (kit_root / "grader" / "checks" / "judge.py").resolve()
    folder, out = make_class(tmp_path / "class", CLASS), tmp_path / "out"
    first = run_kit(kit_root, str(folder), "--out", str(out), "--jobs", "2")
    assert first.returncode == 0, first.stderr
    before = grades(out)
    full_cost = before["reference"]["compute_cost"]
    assert float(before["close_cost"]["compute_cost"]) < float(full_cost)

    judge = kit_root / "grader" / "checks" / "judge.py"
    assert judge.read_text().count(JUDGE_TOLERANCE) == 1
    judge.write_text(judge.read_text().replace(JUDGE_TOLERANCE, RAISED_TOLERANCE))
    again = run_kit(kit_root, str(folder), "--out", str(out), "--jobs", "2")

    assert again.returncode == 0, again.stderr
    assert "3 re-graded: the grader changed (checks)" in again.stdout
    after = grades(out)
    assert after["close_cost"]["compute_cost"] == full_cost  # the changed judge lets it through
    assert float(after["close_cost"]["score"]) > float(before["close_cost"]["score"])
    assert after["reference"] == before["reference"]
    rows = read_csv(out / regrade.DIFF_FILE)
    cost_rows = [r for r in rows if r["submission"] == "close_cost" and r["function"] == "compute_cost"]
    assert len(cost_rows) == 1, rows
    row = cost_rows[0]
    assert (row["old_points"], row["new_points"]) == (before["close_cost"]["compute_cost"], full_cost)
    assert row["checks_now_passing"].startswith("compute_cost: ") and row["checks_now_failing"] == ""
    assert row["why"] == regrade.GRADER
    assert not [r for r in rows if r["submission"] == "reference"]  # full marks before and after
    assert "submission changed: +" in again.stdout or "submissions changed: +" in again.stdout


# ----------------------------------------------------------------- what triggers a re-grade


def test_nothing_changed_nothing_is_graded_again(graded: tuple[Path, Path], kit_seen: Path, tmp_path: Path) -> None:
    folder, graded_out = graded
    out = copied_out(graded_out, tmp_path)
    again = grade.run([folder], out, jobs=2)
    assert again.graded == [] and sorted(again.skipped) == sorted(CLASS)
    assert not (out / regrade.DIFF_FILE).exists()
    assert regrade.describe(again.plan, again.graded) == "3 unchanged"
    assert grades(out) == grades(graded_out)


@pytest.mark.slow
def test_another_language_grades_everything_again_in_that_language(graded: tuple[Path, Path], kit_seen: Path,
                                                                    tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder, graded_out = graded
    out = copied_out(graded_out, tmp_path)
    monkeypatch.setenv(i18n.ENVIRONMENT, "zh")
    again = grade.run([folder], out, jobs=2)
    assert sorted(again.graded) == sorted(CLASS)
    assert set(again.plan.why.values()) == {regrade.GRADER}
    assert all(parts == ["language"] for parts in again.plan.parts.values()), again.plan.parts
    assert re.search("[\u4e00-\u9fff]", (out / "feedback" / "bug_cost_sum_not_mean.md").read_text())
    assert read_csv(out / regrade.DIFF_FILE) == []  # the same points in another language


@pytest.mark.slow
def test_a_changed_submission_file_is_the_only_one_graded_again(graded: tuple[Path, Path], kit_seen: Path,
                                                                 tmp_path: Path) -> None:
    folder, graded_out = graded
    changed = Path(shutil.copytree(folder, tmp_path / "class"))
    (changed / "close_cost.py").write_text(REFERENCE_CODE)  # the student fixed the cost
    out = copied_out(graded_out, tmp_path)
    again = grade.run([changed], out, jobs=2)
    assert again.graded == ["close_cost"] and again.plan.why == {"close_cost": regrade.FILE}
    assert grades(out)["close_cost"]["score"] == grades(out)["reference"]["score"]
    rows = read_csv(out / regrade.DIFF_FILE)
    assert {(r["submission"], r["function"]) for r in rows} == {("close_cost", "compute_cost")}


@pytest.mark.slow
@pytest.mark.parametrize(("changed", "part"), [
    ("grader/fixtures/data/moons_42.npz", "fixtures"),
    ("grader/locale/zh/LC_MESSAGES/backprop_lab.mo", "messages"),
    ("solutions/mistakes.py", "reference"),
])
def test_a_changed_fixture_catalogue_or_mistake_grades_everything_again(graded: tuple[Path, Path], kit_seen: Path,
                                                                          tmp_path: Path, changed: str,
                                                                          part: str) -> None:
    folder, graded_out = graded
    out = copied_out(graded_out, tmp_path)
    path = kit_seen / changed
    path.write_bytes(path.read_bytes() + b"\n")
    again = grade.run([folder], out, jobs=2)
    assert sorted(again.graded) == sorted(CLASS)
    assert all(parts == [part] for parts in again.plan.parts.values())
    assert regrade.describe(again.plan, again.graded) == f"3 re-graded: the grader changed ({part})"
    assert recorded_fingerprint(out, "reference") != recorded_fingerprint(graded_out, "reference")


@pytest.mark.slow
def test_regrade_grades_everything_again_and_writes_a_diff_with_no_changes(graded: tuple[Path, Path],
                                                                           kit_seen: Path, tmp_path: Path) -> None:
    folder, graded_out = graded
    out = copied_out(graded_out, tmp_path)
    again = grade.run([folder], out, jobs=2, force=True)
    assert sorted(again.graded) == sorted(CLASS)
    assert set(again.plan.why.values()) == {regrade.FORCED}
    assert (out / regrade.DIFF_FILE).read_text().splitlines() == [",".join(regrade.DIFF_COLUMNS)]
    assert grades(out) == grades(graded_out)


# ----------------------------------------------------------------- deciding without grading


def plan_for(folder: Path, out: Path, grader: fingerprint.Fingerprint, force: bool = False) -> regrade.Plan:
    submissions = collect([folder], out.parent / "scratch").submissions
    settings = Settings(draw=course_draw())
    return regrade.plan(submissions, {s.name: s.sha256() for s in submissions}, grader,
                        OutputFolder(out, settings.checks()), force)


def course_draw() -> Draw:
    return grading_draw(create=False)


def run_fingerprint(**changes) -> fingerprint.Fingerprint:
    """The fingerprint ``grade.run`` computes for the ``graded`` fixture's run, with ``changes``."""
    settings = {"draw": course_draw(), "public_only": False, "call_timeout": grade.DEFAULT_CALL_TIMEOUT,
                "sandbox": "auto"} | changes
    return fingerprint.of_run(**settings)


@pytest.mark.parametrize(("changes", "part"), [
    ({"call_timeout": 30.0}, "options"),
    ({"draw": Draw.secret("grading", b"another course")}, "questions"),
    ({"language": "other"}, "language"),
])
def test_a_changed_option_secret_or_language_is_named_as_the_reason(graded: tuple[Path, Path], kit_seen: Path,
                                                                     changes: dict, part: str) -> None:
    folder, out = graded
    assert plan_for(folder, out, run_fingerprint()).todo == []  # the fixture's run, as it was
    if changes.get("language") == "other":
        changes = {"language": "zh" if i18n.current() == "en" else "en"}
    decided = plan_for(folder, out, run_fingerprint(**changes))
    assert sorted(decided.why) == sorted(CLASS) and set(decided.why.values()) == {regrade.GRADER}
    assert all(parts == [part] for parts in decided.parts.values())
    assert sorted(decided.earlier) == sorted(CLASS)  # read before anything is overwritten


def test_results_without_a_fingerprint_or_unreadable_are_graded_again(graded: tuple[Path, Path], kit_seen: Path,
                                                                       tmp_path: Path) -> None:
    folder, graded_out = graded
    out = copied_out(graded_out, tmp_path)
    older = out / "results" / "reference.json"
    data = json.loads(older.read_text())
    del data["extra_data"]["backprop_lab"]["grader_fingerprint"]  # written by a kit before fingerprints
    older.write_text(json.dumps(data))
    (out / "results" / "close_cost.json").write_text("{ half a file")
    (out / "results" / "bug_cost_sum_not_mean.json").unlink()
    decided = plan_for(folder, out, run_fingerprint())
    assert decided.why == {"reference": regrade.NO_FINGERPRINT, "close_cost": regrade.UNREADABLE,
                           "bug_cost_sum_not_mean": regrade.NEW}
    assert list(decided.earlier) == ["reference"]


def test_the_fingerprint_sees_a_one_byte_change_in_a_check_and_names_its_part(kit_seen: Path) -> None:
    before = run_fingerprint()
    judge = kit_seen / "grader" / "checks" / "judge.py"
    judge.write_text(judge.read_text().replace(JUDGE_TOLERANCE, "VALUE_TOL = 2e-7"))
    after = run_fingerprint()
    assert after.sha256 != before.sha256
    assert after.changed(before.parts) == ["checks"]
    assert run_fingerprint().sha256 == after.sha256  # the same files: the same fingerprint


def test_the_recorded_fingerprint_never_holds_the_secret_or_the_draw_key(graded: tuple[Path, Path]) -> None:
    _, out = graded
    text = (out / "results" / "reference.json").read_text()
    key = course_draw().key
    assert key.hex() not in text
    assert os.environ["BACKPROP_LAB_SECRET"] not in text


# ----------------------------------------------------------------- the diff


def result(name: str, points: float, passed: bool) -> CheckResult:
    return CheckResult(name, name.split(":")[0], points, passed, "")


def test_the_diff_has_a_row_per_function_whose_points_moved_with_the_checks_that_flipped() -> None:
    earlier = regrade.Earlier("ok", {"compute_cost: values": (0.0, 4.0), "compute_cost: type": (2.0, 2.0),
                                     "training: accuracy": (5.0, 5.0), "forward_propagation: shapes": (3.0, 3.0)})
    now = Report("ann", [result("compute_cost: values", 4, True), result("compute_cost: type", 2, False),
                         result("training: accuracy", 5, False), result("forward_propagation: shapes", 3, True)])
    decided = regrade.Plan(why={"ann": regrade.GRADER}, earlier={"ann": earlier})
    changes = regrade.compare(decided, ["ann"], {"ann": now})
    assert [(c.function, c.old_points, c.new_points, c.now_passing, c.now_failing) for c in changes] == [
        ("compute_cost", 2.0, 4.0, ["compute_cost: values"], ["compute_cost: type"]),
        ("training", 5.0, 0.0, [], ["training: accuracy"]),
    ]
    assert regrade.summarise(changes) == ("1 submission changed: -3 points in total; "
                                          "compute_cost: 1 (+2), training: 1 (-5)")
    rows = list(csv.DictReader(regrade.render(changes).splitlines()))
    assert rows[0]["change"] == "+2" and rows[1]["new_points"] == "0" and rows[1]["why"] == regrade.GRADER


def test_the_closing_line_counts_each_reason_and_names_the_parts_that_changed() -> None:
    names = [f"s{i}" for i in range(7)]
    why = {"s0": regrade.GRADER, "s1": regrade.GRADER, "s2": regrade.FILE, "s3": regrade.NEW}
    decided = regrade.Plan(todo=[Submission(n, Path(n), n) for n in names[:4]], why=why,
                           parts={"s0": ["checks"], "s1": ["fixtures", "checks"]},
                           kept={n: Report(n, []) for n in names[4:]})
    assert regrade.describe(decided, names[:4]) == ("3 re-graded: the grader changed (checks, fixtures) for 2, "
                                                    "its file changed for 1; 1 new; 3 unchanged")
    assert regrade.describe(decided, ["s1"]) == ("1 re-graded: the grader changed (checks, fixtures); 3 unchanged; "
                                                 "3 not graded (interrupted)")


def test_a_formula_name_lands_in_the_diff_as_text() -> None:
    change = regrade.Change("=HYPERLINK(1)", "compute_cost", 0, 4, [], [], "ok", "ok", regrade.FILE)
    assert list(csv.DictReader(regrade.render([change]).splitlines()))[0]["submission"] == "'=HYPERLINK(1)"
