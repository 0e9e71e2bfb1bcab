"""``backprop-lab check [PATH]``: the public checks, in this process, with a readable report.

Exit codes: 0 every check passed, 1 some failed, 2 the submission cannot be used.
"""
from __future__ import annotations

import sys
from pathlib import Path

from grader.bridge import SubmissionLoadError
from grader.formats import github, gradescope, terminal
from grader.reference import ReferenceUnavailable
from grader.runner import GraderError, check_file, hidden_summary
from grader.text import counted


def main(path: Path, hidden: bool = False, json_path: Path | None = None, summary_path: Path | None = None,
         functions: list[str] | None = None, show_output: bool = False) -> int:
    """``functions``: only the checks of these (names from ``contract.SCORED``); ``show_output``:
    everything the submission printed, under every function."""
    try:
        report = check_file(path, hidden, functions)
    except (SubmissionLoadError, ReferenceUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        if summary_path:
            github.append(github.render_error(str(path), str(error)), summary_path)
        return 2
    except GraderError as error:  # our bug, not the student's: say so, with what a maintainer needs
        print(f"error: {error}. This is a bug in backprop-lab, not in your code; please report it with "
              f"this traceback:\n{error.traceback.rstrip()}", file=sys.stderr)
        return 2
    note = ""
    if report.hidden_not_run:
        count, points = hidden_summary()
        note = (f" {counted(count, 'hidden check')} ({counted(points, 'more point')}) "
                f"{'runs' if count == 1 else 'run'} when your work is graded.")
    if functions is not None:
        note = f" Only the checks of {', '.join(functions)} ran."
    terminal.show(report, note, show_output=show_output)
    if json_path:
        gradescope.write(report, json_path)
        print(f"results written to {json_path}")
    if summary_path:
        github.append(github.render(report, note), summary_path)
    return 0 if report.all_passed else 1
