"""Output formats. Each one only formats ``grader.results`` records."""
from __future__ import annotations

from grader.results import Report
from grader.status import Status


def status_note(report: Report) -> str:
    """What happened to the submission as a whole, for students: "" when every check ran as
    planned, else "Status: <id>: <what it means>." and the error, if any, on the next line."""
    status = Status(report.status)
    if status == Status.OK:
        return ""
    return f"Status: {status.value}: {status.for_student}." + (f"\n{report.error}" if report.error else "")
