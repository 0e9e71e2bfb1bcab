"""The one place that talks to student code.

Checks never import a submission themselves: they ask a ``Bridge`` to call a
student function (``call``) or to run one of the kit's trusted routines that
compose student functions (``run``, see ``routines.py``). Whatever comes back is
plain data (``grader.values``). Two transports implement the same interface:

- ``InProcessBridge``: direct calls, for students' local checks (fast, real tracebacks);
- ``IsolatedBridge``: the submission lives in a sandboxed child process (batch grading).

This module holds what every side shares: the ``Bridge`` protocol, ``StudentCodeError``,
``SubmissionLoadError`` and ``SubmissionRefused``, and ``clip``. The package, file by file:

  inprocess.py  InProcessBridge and load_submission (the submission imported here)
  calls.py      loading and calling a submission: the primitives InProcessBridge and the
                isolated bridge's worker share (read_submission, exec_submission, call_student, ...)
  own_model.py  ``backprop-lab train``'s run of the submission's own ``model``, watched
  routines.py   trusted routines that compose student functions beside the submission
  isolated.py   IsolatedBridge and one child process seen from the grading side
  frames.py     the length-prefixed frames between grading side and worker, both directions
  zygote.py     the grading side's client of the zygote process that forks the children
  child.py      the zygote, keeper and worker processes
  sandbox.py    Landlock, seccomp, namespaces, cgroups, limits and privileges for the worker
"""
from __future__ import annotations

from typing import Any, Protocol

from grader.i18n import Message, _, ngettext

SHAPE_ERROR_WORDS = ("matmul", "could not be broadcast", "shapes", "not aligned")
# What student code puts into a message is cut to this: an exception's text can carry anything it
# was given (a submission once smuggled a grader's inputs out in a 21,625-character message).
MAX_DETAIL = 300
MAX_TRACEBACK = 600


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how many were left out."""
    text = str(text)
    if len(text) <= limit:
        return text
    return text[:limit] + ngettext(" [... {number} character cut]", " [... {number} characters cut]",
                                   len(text) - limit)


def not_implemented_message(function: str) -> Message:
    """"<function> is not implemented yet (it raises NotImplementedError).", translated when shown."""
    return Message("{function} is not implemented yet (it raises NotImplementedError).", function=function)


def not_implemented(message: str) -> str | None:
    """The function that ``message`` (a check's output, in English or in the language in use) says
    is not implemented yet, else None."""
    unfilled = not_implemented_message("{function}")
    for template in (unfilled.english, str(unfilled)):
        before, field, after = template.partition("{function}")
        if field and message.startswith(before) and message.endswith(after):
            function = message[len(before):len(message) - len(after)]
            if function.isidentifier():
                return function
    return None


class StudentCodeError(Exception):
    """A call into student code did not return a value.

    kind     "not_implemented", "exception", "missing", "timeout", "crashed", "output"
    function the student function (or routine) that was running
    detail   the exception line or what the process did
    """

    def __init__(self, kind: str, function: str, detail: str = "", traceback: str = ""):
        detail, traceback = clip(detail, MAX_DETAIL), clip(traceback, MAX_TRACEBACK)
        super().__init__(f"{function}: {kind}: {detail}")
        self.kind = kind
        self.function = clip(function, 80)
        self.detail = detail
        self.traceback = traceback

    def explain(self, cause: str = "") -> str:
        """One or two sentences for the student; ``cause``: the likely cause of a shape error, said in
        place of the general advice."""
        if self.kind == "not_implemented":
            return str(not_implemented_message(self.function))
        if self.kind == "missing":
            return _("{function} is not defined in the submission.", function=self.function)
        if self.kind == "timeout":
            return _("{function} did not return in time ({detail}); look for an endless loop.",
                     function=self.function, detail=self.detail)
        if self.kind == "crashed":
            return _("the submission's process died while running {function} ({detail}).",
                     function=self.function, detail=self.detail)
        if self.kind == "output":
            return _("the grader could not use what {function} sent back ({detail}).",
                     function=self.function, detail=self.detail)
        text = _("{function} raised {error}", function=self.function, error=self.detail)
        if any(word in self.detail for word in SHAPE_ERROR_WORDS):
            text += "\n" + (cause or _("The shapes on that line do not fit together: print each array's .shape "
                                      "and compare with the shapes in the docstring."))
        return text if not self.traceback else f"{text}\n{self.traceback}"


class SubmissionLoadError(Exception):
    """The submission file cannot be used at all: missing, does not parse, or fails at import."""


class SubmissionRefused(SubmissionLoadError):
    """Where the submission should be there is a symbolic link, a folder or a device, not a file.

    Never followed or read: a link to the reference solution would otherwise score full marks.
    """


class Bridge(Protocol):
    def call(self, function: str, *args: Any, seed: int | None = None, keep_args: bool = False) -> Any:
        """Call student ``function`` on copies of ``args``; return its result as plain data.

        seed       when given, ``np.random.seed(seed)`` is set right before the call
        keep_args  return ``(result, args_after_call)`` to see whether inputs were changed
        Raises StudentCodeError when the call fails.
        """

    def call_each(self, calls: list[tuple[str, tuple]], seed: int | None = None,
                  keep: list[int] | None = None) -> list[Any]:
        """Call student functions one after another in one round trip: ``calls`` is a list of
        (function, args), or (function, args, times) for the same call made ``times`` times in a
        row; each call gets copies of its own args, none reads another's result.

        seed  when given, ``np.random.seed(seed)`` is set once, before the first call (the
              global generator then runs on from call to call, as it does in ``model``)
        keep  positions of the results to return (default: all); the others are dropped
        Returns the results as plain data. Raises StudentCodeError when a call fails.
        """

    def run(self, routine: str, **kwargs: Any) -> Any:
        """Run the routine ``routines.ROUTINES[routine]`` beside the submission; its result is a
        claim for the grading side to verify, never a value to judge as is."""

    def close(self) -> None: ...
