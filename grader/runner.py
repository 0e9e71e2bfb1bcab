"""Run checks on one submission: probe through a bridge, judge against a reference.

This is the only place that turns probes, references and judges into results;
every command (check, grade, pytest, otter) goes through ``run_checks``.

Who is to blame: a student function that fails is a StudentCodeError (a failed check, with
its explanation); a judge that finds the student's value wrong raises Fail (a failed check,
with its message). Anything else raised by the grader's own code, a probe or a judge, is a
bug of ours, never the student's: it stops the run with GraderError, which carries the
traceback for the instructor (``grade`` records status grader-error and grades the
submission again on the next run).
"""
from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from grader.bridge import Bridge, StudentCodeError, clip
from grader.bridge.inprocess import InProcessBridge
from grader.checks import catalogue, diagnose
from grader.checks.base import Check, Expected, Fail, Probe
from grader.contract import TODO_FUNCTIONS, TRAINING
from grader.i18n import _, ngettext
from grader.reference import MANIFEST, LiveReference, RecordedReference
from grader.results import CheckResult, Report

MAX_OUTPUT = 1500  # characters of one check's message: enough to explain, too few to carry data out


class GraderError(Exception):
    """The grader's own code failed on a check; ``traceback`` is for the instructor."""

    def __init__(self, check: str, traceback: str):
        super().__init__(f"the grader failed on the check {check!r}")
        self.check = check
        self.traceback = traceback


class Reference(Protocol):
    def observe(self, probe: Probe) -> Any: ...
    def expected(self, check: Check) -> Expected: ...


class _Failed:
    """A probe that raised: remembered so that checks sharing it fail the same way without re-running."""

    def __init__(self, error: StudentCodeError):
        self.error = error


def run_checks(bridge: Bridge, checks: Iterable[Check], reference_for: Callable[[Check], Reference],
               submission: str = "submission",
               on_result: Callable[[CheckResult], None] | None = None) -> Report:
    """Every check in order; a failing call fails its checks, never the run."""
    report = Report(submission)
    observed: dict[str, Any] = {}
    crashed: set[str] = set()  # the checks whose probe raised in the submission (not a stub's raise)
    for check in checks:
        reference = reference_for(check)
        key = check.probe.key
        if key not in observed:
            observed[key] = _observe(bridge, check, reference)
        if isinstance(observed[key], _Failed) and observed[key].error.kind != "not_implemented":
            crashed.add(check.name)
        result = _judge(check, observed[key], reference)
        report.results.append(result)
        if on_result:
            on_result(result)
    report.results = _with_notes(_pointing_at_failing_functions(report.results, crashed),
                                 getattr(bridge, "notes", {}))
    return report


def _with_notes(results: list[CheckResult], notes: dict[str, str]) -> list[CheckResult]:
    """``results``, with the bridge's note about a function (a notebook's: which of the cells defining it
    was graded, or that its code is in a markdown cell) said once: under the function's first failed
    check, where the student reads why, else under its first check."""
    where: dict[str, int] = {}
    for index, result in enumerate(results):
        if notes.get(result.function):
            first = where.setdefault(result.function, index)
            if not result.passed and results[first].passed:
                where[result.function] = index
    return [replace(result, output=f"{result.output}\n{notes[result.function]}") if where.get(result.function) == index
            else result for index, result in enumerate(results)]


def _pointing_at_failing_functions(results: list[CheckResult], crashed: set[str]) -> list[CheckResult]:
    """``results``, each training check that failed because the submission raised also naming the
    functions whose own checks fail. The exception names only the function that raised and quotes
    its line, which may well be right: update_parameters raises a broadcast error on gradients that
    backward_propagation shaped wrongly. Functions whose checks all pass are never named."""
    failing = [function for function in TODO_FUNCTIONS
               if any(r.function == function and not r.passed for r in results)]
    if not failing:
        return results
    note = ngettext("Fix the checks of {functions} first: training calls it.",
                    "Fix the checks of {functions} first: training calls them.", len(failing),
                    functions=_(", ").join(failing))
    return [replace(r, output=f"{r.output}\n{note}") if r.function == TRAINING and r.name in crashed else r
            for r in results]


def _observe(bridge: Bridge, check: Check, reference: Reference) -> Any:
    probe = check.probe
    needs = {need.key: need for need in probe.needs}
    try:
        return probe.run(bridge, lambda key: reference.observe(needs[key]))
    except StudentCodeError as error:
        return _Failed(error)
    except Exception as error:
        raise GraderError(check.name, traceback.format_exc()) from error


def _judge(check: Check, got: Any, reference: Reference) -> CheckResult:
    def result(passed: bool, output: str) -> CheckResult:
        return check.result(passed, clip(output, MAX_OUTPUT))

    if isinstance(got, _Failed):
        error = got.error
        return result(False, error.explain(diagnose.crash_cause(error.function, error.detail, error.traceback)))
    try:
        confirmation = check.judge(got, reference.expected(check))
    except Fail as failure:
        return result(False, str(failure))
    except Exception as error:  # judges turn every wrong student value into Fail: this is our bug
        raise GraderError(check.name, traceback.format_exc()) from error
    return result(True, confirmation or _("passed"))


def run_on_namespace(namespace: dict[str, Any], checks: list[Check], reference: Reference,
                     submission: str = "submission", notes: dict[str, str] | None = None) -> Report:
    """``checks`` on the functions defined in ``namespace`` (a kernel's globals), in this process;
    ``notes``: function -> a note for its feedback (a notebook's: which cell was graded)."""
    return run_checks(InProcessBridge(namespace, notes=notes), checks, lambda check: reference, submission)


def check_file(path: Path, hidden: bool = False, functions: Iterable[str] | None = None) -> Report:
    """What ``backprop-lab check`` and the pytest plugin run: the public checks (and with
    ``hidden`` the hidden ones) on the file at ``path``, in this process, on the practice
    questions; with ``functions``, only the checks of those functions (names from
    ``contract.SCORED``). Raises SubmissionLoadError or ReferenceUnavailable."""
    bridge = InProcessBridge.from_file(path)
    recorded = RecordedReference()
    live = LiveReference() if hidden else None
    checks = catalogue(include_hidden=hidden)
    if functions is not None:
        wanted = set(functions)
        checks = [c for c in checks if c.function in wanted]
    report = run_checks(bridge, checks, lambda c: live if c.hidden else recorded, submission=str(path))
    report.printed = {PRINTED_UNDER.get(name, name): text for name, text in bridge.outputs.items()}
    if not hidden and functions is None:
        report.hidden_not_run = hidden_summary()[0]
    return report


# A routine's prints belong to the function whose checks run it.
PRINTED_UNDER = {"train": TRAINING}


def hidden_summary() -> tuple[int, float]:
    """(number, points) of the hidden checks, from the fixtures' manifest (0, 0 without one)."""
    data = json.loads(MANIFEST.read_text()) if MANIFEST.is_file() else {}
    return int(data.get("hidden_checks", 0)), float(data.get("hidden_points", 0))
