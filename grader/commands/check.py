"""``backprop-lab check [PATH]``: the public checks, in this process, with a readable report.

PATH is a ``.py``, a notebook (graded by function: ``grader/submission.py``) or a folder holding them.

Exit codes: 0 every check passed, 1 some failed, 2 the submission cannot be used.
"""
from __future__ import annotations

import sys
from pathlib import Path

from grader.bridge import SubmissionLoadError
from grader.formats import github, gradescope, terminal
from grader.i18n import _, ngettext
from grader.reference import ReferenceUnavailable
from grader.runner import GraderError, check_file, hidden_summary
from grader.submission import student_file


def main(path: Path, hidden: bool = False, json_path: Path | None = None, summary_path: Path | None = None,
         functions: list[str] | None = None, show_output: bool = False) -> int:
    """``functions``: only the checks of these (names from ``contract.SCORED``); ``show_output``:
    everything the submission printed, under every function. ``path`` may be a notebook, or a folder
    (its two_layer_net.py or notebook: the one in which more functions are written, said)."""
    path, chosen = student_file(path)
    if chosen:
        print(chosen)
    try:
        report = check_file(path, hidden, functions)
    except (SubmissionLoadError, ReferenceUnavailable) as error:
        print(_("error: {error}", error=error), file=sys.stderr)
        if summary_path:
            github.append(github.render_error(str(path), str(error)), summary_path)
        return 2
    except GraderError as error:  # our bug, not the student's: say so, with what a maintainer needs
        print(_("error: {error}. This is a bug in backprop-lab, not in your code; please report it with "
                "this traceback:\n{traceback}", error=error, traceback=error.traceback.rstrip()), file=sys.stderr)
        return 2
    note = ""
    if report.hidden_not_run:
        count, points = hidden_summary()
        more = ngettext("{number} more point", "{number} more points", points)
        note = " " + ngettext("{number} hidden check ({more}) runs when your work is graded.",
                              "{number} hidden checks ({more}) run when your work is graded.", count, more=more)
    if functions is not None:
        note = " " + _("Only the checks of {functions} ran.", functions=", ".join(functions))
    terminal.show(report, note, show_output=show_output)
    if json_path:
        gradescope.write(report, json_path)
        print(_("results written to {path}", path=json_path))
    if summary_path:
        github.append(github.render(report, note), summary_path)
    return 0 if report.all_passed else 1
