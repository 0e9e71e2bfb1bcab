"""``backprop-lab check [PATH]``: the public checks, in this process, with a readable report.

Exit codes: 0 every check passed, 1 some failed, 2 the submission cannot be used.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from grader.bridge import SubmissionLoadError
from grader.bridge.inprocess import InProcessBridge
from grader.checks import catalogue
from grader.formats import github, gradescope, terminal
from grader.reference import MANIFEST, LiveReference, RecordedReference, ReferenceUnavailable
from grader.results import Report
from grader.runner import run_checks


def hidden_summary() -> tuple[int, float]:
    data = json.loads(MANIFEST.read_text()) if MANIFEST.is_file() else {}
    return int(data.get("hidden_checks", 0)), float(data.get("hidden_points", 0))


def run(path: Path, hidden: bool = False) -> Report:
    """Check the file at ``path``. Raises SubmissionLoadError or ReferenceUnavailable."""
    bridge = InProcessBridge.from_file(path)
    recorded = RecordedReference()
    live = LiveReference() if hidden else None
    checks = catalogue(include_hidden=hidden)
    report = run_checks(bridge, checks, lambda c: live if c.hidden else recorded, submission=str(path))
    if not hidden:
        report.hidden_not_run = hidden_summary()[0]
    return report


def main(path: Path, hidden: bool = False, json_path: Path | None = None, summary_path: Path | None = None) -> int:
    try:
        report = run(path, hidden)
    except (SubmissionLoadError, ReferenceUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        if summary_path:
            github.append(github.render_error(str(path), str(error)), summary_path)
        return 2
    note = ""
    if report.hidden_not_run:
        count, points = hidden_summary()
        note = f" {count} hidden checks ({points:g} more points) run when your work is graded."
    print(terminal.render(report, note))
    if json_path:
        gradescope.write(report, json_path)
        print(f"results written to {json_path}")
    if summary_path:
        github.append(github.render(report, note), summary_path)
    return 0 if report.all_passed else 1
