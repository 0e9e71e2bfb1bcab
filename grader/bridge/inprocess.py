"""In-process transport: the submission is imported into this process and called directly.

Used by ``backprop-lab check``, ``backprop-lab train`` and the pytest plugin on a student's
own machine, where speed and real tracebacks matter more than isolation, and for the
reference solution in the grading process (``reference.py``). This module holds
``InProcessBridge`` and ``load_submission``; the calling primitives it shares with the
isolated bridge's worker are in ``calls.py``.
"""
from __future__ import annotations

import contextlib
import copy
import io
import types
from pathlib import Path
from typing import Any

from grader.bridge.calls import call_each, call_student, exec_submission, plain_result, read_code
from grader.bridge.routines import ROUTINES
from grader.values import Earlier, to_plain

MAX_CAPTURED_OUTPUT = 4_000  # characters of student print output kept per bridge, and per function


def load_submission(path: Path, module_name: str = "two_layer_net") -> types.ModuleType:
    """Import the code graded in the file at ``path`` (a notebook's kept statements) as a fresh module.
    Raises SubmissionLoadError with one clear line."""
    return exec_submission(read_code(path).text, Path(path), module_name)


class InProcessBridge:
    """Calls functions of an imported submission (or of any namespace) directly."""

    def __init__(self, namespace: dict[str, Any] | types.ModuleType, filename: str = "",
                 notes: dict[str, str] | None = None):
        """notes: function -> a note for its feedback about the file (a notebook's: which cell was graded)"""
        self.namespace = namespace if isinstance(namespace, dict) else vars(namespace)
        self.filename = filename or str(self.namespace.get("__file__", ""))
        self.notes = dict(notes or {})
        self.output = io.StringIO()
        self.outputs: dict[str, str] = {}  # function (or routine) called -> what it printed, its last
        # MAX_CAPTURED_OUTPUT characters

    @classmethod
    def from_file(cls, path: Path) -> "InProcessBridge":
        code = read_code(path)
        return cls(exec_submission(code.text, Path(path)), str(path), code.notes)

    # -- the Bridge interface
    def call(self, function: str, *args: Any, seed: int | None = None, keep_args: bool = False) -> Any:
        args = copy.deepcopy(args)  # the student never holds the grader's own arrays
        result = self._guarded(function, lambda: self._direct_call(function, *args, seed=seed))
        return (result, to_plain(args)) if keep_args else result

    def call_each(self, calls: list[tuple[str, tuple]], seed: int | None = None,
                  keep: list[int | Earlier] | None = None) -> list[Any]:
        calls = [(entry[0], copy.deepcopy(entry[1]), *entry[2:]) for entry in calls]  # each call its own copies
        name = calls[0][0] if calls else "call_each"
        return self._guarded(name, lambda: call_each(self._direct_call, calls, seed, keep))

    def run(self, routine: str, **kwargs: Any) -> Any:
        kwargs = copy.deepcopy(kwargs)
        return self._guarded(routine, lambda: ROUTINES[routine](self._direct_call, **kwargs))

    def close(self) -> None:
        pass

    # -- helpers
    def _direct_call(self, function: str, *args: Any, seed: int | None = None) -> Any:
        return call_student(self.namespace, self.filename, function, *args, seed=seed)

    def _guarded(self, name: str, work) -> Any:
        """Run ``work`` with the student's prints captured, in ``output`` and in ``outputs[name]``;
        convert the result to plain data."""
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            try:
                return plain_result(name, self.filename, work)
            finally:
                text = printed.getvalue()
                if text:
                    self.outputs[name] = (self.outputs.get(name, "") + text)[-MAX_CAPTURED_OUTPUT:]
                    self.output.write(text)
                if self.output.tell() > MAX_CAPTURED_OUTPUT:
                    self.output = io.StringIO(self.output.getvalue()[-MAX_CAPTURED_OUTPUT:])
                    self.output.seek(0, io.SEEK_END)
