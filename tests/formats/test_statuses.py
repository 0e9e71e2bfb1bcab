"""One status vocabulary (grader/status.py), rendered by every format with its own words.

Each status must say, in every place a student or an instructor reads results, which status
it is and what it means: a missing or generic sentence ("something went wrong") fails here.
"""
from __future__ import annotations

import csv
import io
import json

import pytest

from grader.formats import csv_table, github, gradescope, markdown, otter, terminal
from grader.results import CheckResult, Report
from grader.status import Status

GENERIC = ("something went wrong", "an error occurred", "unknown")


def report(status: Status) -> Report:
    results = [CheckResult("forward_propagation: values on X (5, 2), n_h 4", "forward_propagation", 3, False,
                           "Z1: relative error 1.0e+00 > 1e-07"),
               CheckResult("compute_cost: values on A2, Y (5, 1)", "compute_cost", 3, True, "cost 0.5")]
    return Report("alice", results, status=status, error="what the grader saw" if status != Status.OK else "")


def test_the_vocabulary_is_the_one_the_csv_and_json_use():
    assert [s.value for s in Status] == ["ok", "error", "refused", "timeout", "deadline", "crashed", "bad-reply",
                                         "grader-error", "not-recorded"]
    assert Status("timeout") is Status.TIMEOUT and json.dumps(Status.TIMEOUT) == '"timeout"'


def test_a_call_that_timed_out_and_a_submission_past_its_deadline_are_told_apart():
    assert Status.TIMEOUT.checks_ran and not Status.DEADLINE.checks_ran
    assert Status.TIMEOUT.for_student != Status.DEADLINE.for_student


@pytest.mark.parametrize("status", list(Status), ids=str)
def test_every_status_has_its_own_words_for_students_and_instructors(status):
    for text in (status.for_student, status.for_instructor):
        assert len(text.split()) >= 3 and not any(word in text.lower() for word in GENERIC), text
    others = [s for s in Status if s is not status]
    assert status.for_student not in {s.for_student for s in others}
    assert status.for_instructor not in {s.for_instructor for s in others}


@pytest.mark.parametrize("status", [s for s in Status if s != Status.OK], ids=str)
def test_every_status_is_shown_with_its_meaning_in_every_format(status, tmp_path):
    shown = {
        "terminal": terminal.render(report(status)),
        "markdown": markdown.render(report(status)),
        "github": github.render(report(status)),
        "gradescope": json.dumps(gradescope.to_dict(report(status))),
        "otter": otter.failure_message(report(status).results[0], report(status)),
    }
    from grader.formats import (
        pytest_plugin,  # noqa: F401  (the plugin words its failures with status_note)
        status_note,
    )

    shown["pytest"] = status_note(report(status))
    meaning = status.for_student
    for name, text in shown.items():
        text = json.loads(text)["output"] if name == "gradescope" else text
        assert status.value in text and meaning.split(";")[0][:40] in text.replace("\n", " "), (name, text)
    rows = list(csv.DictReader(io.StringIO(csv_table.render([report(status)]))))
    assert rows[0]["status"] == status.value


def test_an_ordinary_run_shows_no_status_line():
    assert "Status:" not in terminal.render(report(Status.OK)) + markdown.render(report(Status.OK))
    assert "output" not in gradescope.to_dict(report(Status.OK))
