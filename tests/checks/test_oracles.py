"""Oracles: the reference scores full marks, the unmodified stub scores zero without crashing."""
from __future__ import annotations

import pytest

from grader.checks import catalogue
from grader.contract import SCORED, TODO_FUNCTIONS
from grader.formats import terminal


@pytest.mark.parametrize("hidden", [False, True], ids=["public", "public+hidden"])
def test_reference_scores_full_marks(grade, reference_file, hidden):
    report = grade(reference_file, hidden=hidden)
    assert report.status == "ok"
    assert report.all_passed, terminal.render(report)
    assert len(report.results) == len(catalogue(include_hidden=hidden))
    assert report.score == report.max_score > 0


def test_hidden_run_adds_hidden_checks_for_every_function(grade, reference_file):
    report = grade(reference_file, hidden=True)
    hidden_functions = {r.function for r in report.results if r.hidden}
    assert hidden_functions == set(SCORED)


def test_public_checks_cover_every_todo_function_and_training(grade, reference_file):
    report = grade(reference_file, hidden=False)
    assert not any(r.hidden for r in report.results)
    assert set(report.points_by_function()) == set(SCORED)
    assert set(TODO_FUNCTIONS) < set(SCORED)


def test_check_names_start_with_their_function():
    for check in catalogue(include_hidden=True):
        assert check.name.startswith(f"{check.function}: "), check.name


def test_check_names_are_unique():
    names = [check.name for check in catalogue(include_hidden=True)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("hidden", [False, True], ids=["public", "public+hidden"])
def test_stub_scores_zero_without_crashing(grade, stub_file, hidden):
    report = grade(stub_file, hidden=hidden)
    assert report.status == "ok"
    assert len(report.results) == len(catalogue(include_hidden=hidden))
    assert report.score == 0
    assert not any(r.passed for r in report.results)


def test_stub_feedback_says_not_implemented_on_every_check(grade, stub_file):
    report = grade(stub_file, hidden=True)
    for result in report.results:
        assert "not implemented" in result.output, (result.name, result.output)
        assert "could not be judged" not in result.output, (result.name, result.output)
        assert "Traceback" not in result.output, (result.name, result.output)


def first_function_called(result) -> str:
    """Checks that compose several student functions stop at the first one they call (the backward
    check on the student's own forward + cost calls backward_propagation first: its point is backward's,
    and a failing forward or cost alone cannot take it)."""
    if result.function == "training":
        return "initialize_parameters"
    return result.function


def test_stub_feedback_names_the_function_that_is_missing(grade, stub_file):
    report = grade(stub_file, hidden=True)
    for result in report.results:
        assert first_function_called(result) in result.output, (result.name, result.output)
