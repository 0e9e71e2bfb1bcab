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

import re
from typing import Any, Protocol

from grader.i18n import Message, _, ngettext
from grader.values import Earlier

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


def as_code(text: str) -> str:
    """``text`` quoted as code (`text`): the submission's own words (an exception's message, a line of
    its source) stay as written, in any language, and read as code."""
    return "`" + text.strip().replace("`", "'") + "`"


def exception_line(detail: str) -> bool:
    """Whether ``detail`` is an exception as Python prints it ("ValueError: ...", "StopIteration"),
    rather than the grader's own words about a call."""
    return re.match(r"[A-Za-z_][\w.]*(: |$)", detail) is not None


def meaning(detail: str) -> str:
    """What a common NumPy or Python error (``detail``, "ValueError: operands could not ...") means, in
    the language in use; "" for the others."""
    if found := re.search(r"could not be broadcast together with shapes ([^\n]*?)\s*$", detail):
        return _("NumPy cannot combine arrays of shapes {shapes} entry by entry: in each dimension their sizes "
                 "must be equal, or one of them 1.", shapes=", ".join(found.group(1).split()))
    if found := re.search(r"matmul: Input operand 1 has a mismatch in its core dimension 0.*"
                          r"\(size (\d+) is different from (\d+)\)", detail):
        return _("In a matrix product A @ B the number of columns of A must equal the number of rows of B; "
                 "here A has {columns} columns and B has {rows} rows.", columns=found.group(2), rows=found.group(1))
    if "matmul: Input operand" in detail:
        return _("In a matrix product A @ B the number of columns of A must equal the number of rows of B.")
    if found := re.search(r"shapes (\(.*?\)) and (\(.*?\)) not aligned", detail):
        return _("np.dot of arrays of shapes {left} and {right}: the number of columns of the first must equal "
                 "the number of rows of the second.", left=found.group(1), right=found.group(2))
    if found := re.search(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)", detail):
        return _("Index {index} is outside the array: axis {axis} has {size} entries (indices 0 to {last}).",
                 index=found.group(1), axis=found.group(2), size=found.group(3), last=int(found.group(3)) - 1)
    if found := re.match(r"KeyError: (.+)$", detail):
        return _("The dictionary has no key {key}: check how the key is spelt, and that the function that fills "
                 "the dictionary puts it in.", key=found.group(1))
    if re.match(r"(TypeError|AttributeError): .*'NoneType'", detail):
        return _("A value here is None: a function that ends without a return statement returns None (did one "
                 "forget its return?).")
    return ""


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
        lines = [_("{function} raised {error}", function=self.function, error=self.raised), meaning(self.detail)]
        if any(word in self.detail for word in SHAPE_ERROR_WORDS):
            lines.append(cause or _("The shapes on that line do not fit together: print each array's .shape and "
                                    "compare with the shapes in the docstring."))
        return "\n".join(line for line in (*lines, self.traceback) if line)

    @property
    def raised(self) -> str:
        """What the function raised, as the student's program worded it: quoted as code (the exception's
        message is the program's own, English from NumPy or Python whatever the kit's language)."""
        return as_code(self.detail) if exception_line(self.detail) else self.detail


class SubmissionLoadError(Exception):
    """The submission file cannot be used at all: missing, does not parse, or fails at import."""


class SubmissionRefused(SubmissionLoadError):
    """Where the submission should be there is a symbolic link, a folder or a device, not a file.

    Never followed or read: a link to the reference solution would otherwise score full marks.
    """


class Bridge(Protocol):
    notes: dict[str, str]  # function -> a note for its feedback about the file (a notebook's: which cell was graded)

    def call(self, function: str, *args: Any, seed: int | None = None, keep_args: bool = False) -> Any:
        """Call student ``function`` on copies of ``args``; return its result as plain data.

        seed       when given, ``np.random.seed(seed)`` is set right before the call
        keep_args  return ``(result, args_after_call)`` to see whether inputs were changed
        Raises StudentCodeError when the call fails.
        """

    def call_each(self, calls: list[tuple[str, tuple]], seed: int | None = None,
                  keep: list[int | Earlier] | None = None) -> list[Any]:
        """Call student functions one after another in one round trip: ``calls`` is a list of
        (function, args), or (function, args, times) for the same call made ``times`` times in a
        row; each call gets copies of its own args. An argument ``Earlier(position, path)`` is
        (part of) the result of an earlier call, handed on as the object itself, as ``model``
        hands a batch or a cache on; a call whose Earlier cannot be followed is not made, and its
        result is ``values.unresolved(why)``.

        seed  when given, ``np.random.seed(seed)`` is set once, before the first call (the
              global generator then runs on from call to call, as it does in ``model``)
        keep  what to return, in this order (default: every result): positions (a call's result)
              and Earlier (part of one, or with length=True how many items a generator yielded)
        Returns the results as plain data. Raises StudentCodeError when a call fails.
        """

    def run(self, routine: str, **kwargs: Any) -> Any:
        """Run the routine ``routines.ROUTINES[routine]`` beside the submission; its result is a
        claim for the grading side to verify, never a value to judge as is."""

    def close(self) -> None: ...
