"""Counts agree with their nouns wherever check, train and grade print them: "1 point", "2 points"."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from grader.cli import main
from grader.commands import check as check_command
from grader.commands import grade
from grader.commands.grade import summary
from grader.formats import github
from grader.formats.pytest_plugin import CheckFailed, CheckItem
from grader.results import CheckResult, Report
from grader.text import counted

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"
WRONG_PLURAL = re.compile(r"\b1 (points|checks|hidden checks|submissions|lines|failing checks)\b")


@pytest.mark.parametrize(("number", "noun", "expected"), [
    (0, "point", "0 points"), (1, "point", "1 point"), (1.0, "point", "1 point"), (2, "point", "2 points"),
    (0.5, "point", "0.5 points"), (42.0, "more point", "42 more points"), (1, "hidden check", "1 hidden check"),
    (3, "batch", "3 batches"),
])
def test_counted_makes_the_noun_agree(number, noun, expected):
    plural = "batches" if noun == "batch" else None
    assert counted(number, noun, plural) == expected


def one_point_report(passed: bool = False) -> Report:
    result = CheckResult("compute_cost: leaves A2 and Y unchanged", "compute_cost", 1, passed, "A2 was changed")
    return Report("alice", [result])


def test_github_summary_says_1_point_and_1_failing_check():
    text = github.render(one_point_report())
    assert "(1 point)" in text and "1 failing check:" in text
    assert not WRONG_PLURAL.search(text), text


def test_pytest_item_of_a_1_point_check_says_1_point():
    report = one_point_report()
    parent = SimpleNamespace(report=lambda: report, printed_by=lambda item: "")
    item = SimpleNamespace(results=lambda: report.results[:1], check_names=[report.results[0].name],
                           examined=report.results[0].function, parent=parent)
    with pytest.raises(CheckFailed) as failed:
        CheckItem.runtest(item)
    assert str(failed.value).endswith("(1 point)")


def test_check_says_1_hidden_check_worth_1_more_point(capsys, monkeypatch):
    monkeypatch.setattr(check_command, "hidden_summary", lambda: (1, 1.0))
    main(["check", str(EXAMPLES / "reference.py")])
    out = " ".join(capsys.readouterr().out.split())  # the report wraps at the terminal's width
    assert "1 hidden check (1 more point) runs when your work is graded." in out
    assert not WRONG_PLURAL.search(out), out


def test_grade_summary_of_one_submission_out_of_1_point():
    text = summary.render(summary.summarise([one_point_report(passed=True)]))
    assert text.startswith("1 submission, out of 1 point")


def test_grade_plan_line_of_one_submission_and_one_kept():
    plan = grade.GradeRun(out=Path("out"), remaining=["alice"], skipped=["bob"])
    line = grade._plan_line(plan, 10.0, public_only=True)
    assert line.startswith("grading 1 submission with ")
    assert "1 already graded in out is kept (--regrade grades it again)" in line
