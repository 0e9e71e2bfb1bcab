"""The one status vocabulary: what happened to a submission as a whole.

A report's status is "ok" when every check ran as planned; otherwise it names what stopped or
disturbed the run. The value is the id written to grades.csv and results.json; each status
knows whether the submission's checks ran (a summary counts failures only among those) and
says what happened in words for students (feedback, results.json, CI summary) and for
instructors (the class summary, the run's closing lines).
"""
from __future__ import annotations

from enum import Enum

from grader.i18n import Message


class Status(str, Enum):
    """A str: ``Status.OK == "ok"``, and it writes itself as its value in JSON and CSV."""

    OK = "ok"
    ERROR = "error"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    DEADLINE = "deadline"
    CRASHED = "crashed"
    BAD_REPLY = "bad-reply"
    GRADER_ERROR = "grader-error"
    NOT_RECORDED = "not-recorded"

    def __str__(self) -> str:
        return self.value

    @property
    def checks_ran(self) -> bool:
        """Whether the checks' verdicts say something about the code (failed ones count as failures)."""
        return self in _CHECKS_RAN

    @property
    def graded_again(self) -> bool:
        """Our side failed: the next run grades the submission again."""
        return self in (Status.GRADER_ERROR, Status.NOT_RECORDED)

    @property
    def for_student(self) -> str:
        """What happened, for students, in the language in use."""
        return str(_FOR_STUDENTS[self])

    @property
    def for_instructor(self) -> str:
        """What happened, for instructors, in the language in use."""
        return str(_FOR_INSTRUCTORS[self])


_CHECKS_RAN = {Status.OK, Status.TIMEOUT, Status.CRASHED, Status.BAD_REPLY}

_FOR_STUDENTS = {
    Status.OK: Message("every check ran"),
    Status.ERROR: Message("your file could not be graded: it does not parse, or it fails or hangs while it is "
                          "imported"),
    Status.REFUSED: Message("what you submitted is not a regular file (a symbolic link, a folder or a device), so it "
                            "was not read at all; submit the Python file itself"),
    Status.TIMEOUT: Message("a call into your code ran out of time; that check failed and the other checks still ran"),
    Status.DEADLINE: Message("grading your file took longer than the time allowed for a whole submission, so it was "
                             "stopped; look for an endless loop or a very slow function"),
    Status.CRASHED: Message("the process running your code stopped during a call; that check failed and a fresh "
                            "process ran the other checks"),
    Status.BAD_REPLY: Message("the process running your code sent back something that is not a valid answer, so that "
                              "call failed; the other checks were still judged"),
    Status.GRADER_ERROR: Message("the grader itself failed on your file; this is not your mistake, and your "
                                 "instructor will grade it again"),
    Status.NOT_RECORDED: Message("your file was graded but the results could not be saved; your instructor will "
                                 "grade it again"),
}

_FOR_INSTRUCTORS = {
    Status.OK: Message("graded: every check ran"),
    Status.ERROR: Message("the file cannot be imported (does not parse, fails or hangs at import): 0 points"),
    Status.REFUSED: Message("not a regular file (a link, a folder, a device): never read, 0 points"),
    Status.TIMEOUT: Message("a call ran out of time: that check failed, the others ran"),
    Status.DEADLINE: Message("the submission overran its total deadline and its worker was stopped: 0 points"),
    Status.CRASHED: Message("the submission's process died during a call: that check failed, the others ran"),
    Status.BAD_REPLY: Message("the submission's process sent a reply that is no valid answer: that call failed"),
    Status.GRADER_ERROR: Message("the grader failed (its traceback is in the results file): re-run to grade it again"),
    Status.NOT_RECORDED: Message("graded, but its results could not be written: re-run to grade it again"),
}
