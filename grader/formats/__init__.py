"""Output formats. Each one only formats ``grader.results`` records."""
from __future__ import annotations

from grader.bridge import not_implemented
from grader.i18n import _
from grader.results import CheckResult, Report
from grader.status import Status


def status_note(report: Report) -> str:
    """What happened to the submission as a whole, for students: "" when every check ran as
    planned, else "Status: <id>: <what it means>." and the error, if any, on the next line (in the
    language in use; the id stays as written in CSV and JSON)."""
    status = Status(report.status)
    if status == Status.OK:
        return ""
    note = _("Status: {status}: {meaning}.", status=status.value, meaning=status.for_student)
    return note + (f"\n{report.error}" if report.error else "")


def not_implemented_in(function: str, results: list[CheckResult]) -> set[str]:
    """The functions not implemented yet that made every check of ``results`` (``function``'s)
    fail; empty unless every check failed that way and ``function`` itself is among them (or
    the only one named: the training checks name the first function they need)."""
    named = {None if r.passed else not_implemented(r.output) for r in results}
    if None in named or (len(named) > 1 and function not in named):
        return set()
    return named


def titled_output(result: CheckResult) -> str:
    """A check's message for a format that names checks by their English id (Gradescope, otter):
    the title in the language in use first, when it differs from the id, then the message."""
    return result.output if result.shown == result.name else f"{result.shown}\n{result.output}"
