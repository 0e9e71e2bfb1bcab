"""Run checks on one submission: probe through a bridge, judge against a reference.

This is the only place that turns probes, references and judges into results;
every command (check, grade, pytest, otter) goes through ``run_checks``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from grader.bridge import Bridge, StudentCodeError, clip
from grader.checks.base import Check, Expected, Fail, Probe
from grader.results import CheckResult, Report


MAX_OUTPUT = 1500  # characters of one check's message: enough to explain, too few to carry data out


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
    for check in checks:
        reference = reference_for(check)
        key = check.probe.key
        if key not in observed:
            observed[key] = _observe(bridge, check.probe, reference)
        result = _judge(check, observed[key], reference)
        report.results.append(result)
        if on_result:
            on_result(result)
    return report


def _observe(bridge: Bridge, probe: Probe, reference: Reference) -> Any:
    needs = {need.key: need for need in probe.needs}
    try:
        return probe.run(bridge, lambda key: reference.observe(needs[key]))
    except StudentCodeError as error:
        return _Failed(error)


def _judge(check: Check, got: Any, reference: Reference) -> CheckResult:
    def result(passed: bool, output: str) -> CheckResult:
        return CheckResult(check.name, check.function, check.points, passed, clip(output, MAX_OUTPUT), check.hidden)

    if isinstance(got, _Failed):
        return result(False, got.error.explain())
    try:
        confirmation = check.judge(got, reference.expected(check))
    except Fail as failure:
        return result(False, str(failure))
    except Exception as error:  # an odd value the judge did not foresee: a failure, not a crash
        return result(False, f"the result could not be judged ({type(error).__name__}: {error}); "
                             "check the types and shapes your function returns.")
    return result(True, confirmation or "passed")
