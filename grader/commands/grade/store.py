"""The output folder of ``backprop-lab grade``, written as each submission finishes.

    DIR/results/<name>.json   Gradescope results.json, plus extra_data.backprop_lab
                              (status, error, source fingerprint): what a re-run reads
    DIR/feedback/<name>.md    the student's feedback
    DIR/grades.csv            every submission of the run, rewritten after each one

Every file is replaced atomically (written beside, then ``os.replace``), so an
interrupted run leaves whole files only; a results file is written last, so a
submission whose results file is present and valid was completely graded.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from grader.checks import Check
from grader.commands.grade.collect import Submission
from grader.commands.grade.worker import GRADER_ERROR, Outcome
from grader.formats import csv_table, gradescope, markdown
from grader.results import CheckResult, Report

EXTRA_KEY = "backprop_lab"


class OutputFolder:
    """DIR of one grading run. ``reports`` holds every submission of the run graded so far."""

    def __init__(self, root: Path, checks: list[Check]):
        self.root = Path(root)
        self.checks = checks
        self.reports: dict[str, Report] = {}

    @property
    def csv_path(self) -> Path:
        return self.root / "grades.csv"

    def results_path(self, name: str) -> Path:
        return self.root / "results" / f"{name}.json"

    def feedback_path(self, name: str) -> Path:
        return self.root / "feedback" / f"{name}.md"

    def previous(self, submission: Submission, fingerprint: str) -> Report | None:
        """The report of an earlier run, if it graded this very file with the same checks."""
        try:
            data = json.loads(self.results_path(submission.name).read_text(encoding="utf-8"))
            return self._report_from_results(data, submission.name, fingerprint)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def keep(self, report: Report) -> None:
        """Count an earlier run's report in this run's table."""
        self.reports[report.submission] = report
        _write_atomic(self.csv_path, csv_table.render(self.reports.values()))

    def record(self, outcome: Outcome, fingerprint: str) -> None:
        """Write the feedback, then the results file, then the table, for a submission just graded."""
        report = outcome.report
        _write_atomic(self.feedback_path(report.submission), markdown.render(report, outcome.events, outcome.output))
        results = gradescope.to_dict(report)
        results["extra_data"] = {EXTRA_KEY: {
            "submission": report.submission,
            "status": report.status,
            "error": report.error,
            "source_sha256": fingerprint,
            "seconds": round(outcome.seconds, 3),
            "events": outcome.events,
            "sandbox_note": outcome.sandbox_note,
        }}
        _write_atomic(self.results_path(report.submission), json.dumps(results, indent=2) + "\n")
        self.keep(report)

    def _report_from_results(self, data: dict[str, Any], name: str, fingerprint: str) -> Report | None:
        extra = data["extra_data"][EXTRA_KEY]
        tests = data["tests"]
        if extra["submission"] != name or extra["source_sha256"] != fingerprint or extra["status"] == GRADER_ERROR:
            return None
        if len(tests) != len(self.checks):
            return None
        results = []
        for check, test in zip(self.checks, tests):
            if test["name"] != check.name or float(test["max_score"]) != check.points:
                return None  # graded with other checks (e.g. --public-only, or an older catalogue)
            passed = float(test["score"]) >= check.points
            results.append(CheckResult(check.name, check.function, check.points, passed, str(test["output"]),
                                       check.hidden))
        return Report(name, results, status=str(extra["status"]), error=str(extra.get("error", "")))


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
