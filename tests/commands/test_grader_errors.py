"""A bug in the grader is never blamed on a student: it is a grader-error, re-graded next time,
and the instructor gets its traceback (the student's feedback does not)."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from grader.bridge.inprocess import InProcessBridge, load_submission
from grader.checks import catalogue
from grader.commands import grade
from grader.commands.grade.worker import Settings
from grader.reference import LiveReference
from grader.runner import GraderError, run_checks

BUGGY_CHECK = "compute_cost: values on A2, Y (5, 1)"


def planted_bug(got, expected):
    return 1 / 0  # a bug in a judge: nothing a student can cause


@dataclass(frozen=True)
class SettingsWithABuggyJudge(Settings):
    """The real settings, with one judge replaced by a broken one (pickled by reference to this
    module, so the grading workers get the same broken judge)."""

    def checks(self):
        return [replace(c, judge=planted_bug) if c.name == BUGGY_CHECK else c for c in super().checks()]


def test_a_bug_in_a_judge_stops_the_run_with_the_traceback_instead_of_failing_the_check(reference_file):
    checks = [replace(c, judge=planted_bug) if c.name == BUGGY_CHECK else c for c in catalogue()]
    with pytest.raises(GraderError) as raised:
        run_checks(InProcessBridge(load_submission(reference_file)), checks, lambda c: LiveReference(reference_file))
    assert raised.value.check == BUGGY_CHECK
    assert "ZeroDivisionError" in raised.value.traceback and "planted_bug" in raised.value.traceback


def test_grade_records_a_grader_error_for_the_instructor_and_grades_it_again(reference_file, tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copyfile(reference_file, folder / "alice.py")
    out = tmp_path / "out"

    broken = grade.run([folder], out, SettingsWithABuggyJudge(public_only=True), jobs=1)
    report = broken.reports["alice"]
    assert report.status == "grader-error" and report.score == 0
    assert BUGGY_CHECK in report.error
    extra = json.loads((out / "results" / "alice.json").read_text())["extra_data"]["backprop_lab"]
    assert "ZeroDivisionError" in extra["grader_traceback"] and "planted_bug" in extra["grader_traceback"]
    feedback = (out / "feedback" / "alice.md").read_text()
    assert "grader-error" in feedback and "Traceback" not in feedback and "planted_bug" not in feedback

    fixed = grade.run([folder], out, Settings(public_only=True), jobs=1)
    assert fixed.graded == ["alice"]  # not kept from the broken run
    assert fixed.reports["alice"].status == "ok"
    assert fixed.reports["alice"].score == fixed.reports["alice"].max_score


def test_check_says_a_grader_bug_is_not_the_student_s(reference_file, monkeypatch, capsys):
    from grader import runner
    from grader.commands import check

    real = runner.catalogue
    monkeypatch.setattr(runner, "catalogue", lambda **kw: [replace(c, judge=planted_bug) if c.name == BUGGY_CHECK
                                                          else c for c in real(**kw)])
    assert check.main(Path(reference_file)) == 2
    err = capsys.readouterr().err
    assert "bug in backprop-lab, not in your code" in err and "ZeroDivisionError" in err
