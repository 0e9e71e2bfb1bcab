"""Loading and calling a submission: the primitives both bridges share.

``InProcessBridge`` (inprocess.py) calls them in the grading or student's process; the
isolated bridge's worker (child.py) calls the very same functions beside the submission, so
that both transports map student failures to StudentCodeError alike. The grading side of the
isolated bridge uses ``read_code`` to read the code it sends to the worker.

- ``read_code``: the code graded in the file (a notebook's kept statements, ``grader/submission.py``),
  never read through a link, a FIFO or a device; ``read_submission``: its text;
- ``exec_submission``: that text run as a fresh module (SubmissionLoadError on failure);
- ``where``: "line 12", or for a notebook "cell 7 (`def ...`), line 3";
- ``call_student``, ``call_each``, ``plain_result``: calls, their results as plain data;
- ``student_frames``, ``student_traceback``: the student's own lines of a traceback.

The worker drops every ``grader`` module before it runs student code (child.py
``_forget_kit``): these functions keep working through their globals, and must not import
grader modules lazily.
"""
from __future__ import annotations

import contextlib
import errno
import io
import itertools
import linecache
import os
import stat
import traceback
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from grader.bridge import StudentCodeError, SubmissionLoadError, SubmissionRefused, as_code
from grader.i18n import _
from grader.submission import NOTEBOOK_SUFFIX, Code, NotGradable, cell_name, graded_code, origin
from grader.values import MAX_ITEMS, Earlier, Yielded, is_unresolved, to_plain, unresolved

MAX_SUBMISSION_BYTES = 16 << 20  # a submission is a few kilobytes; a bigger file is not read into memory
MAX_NOTEBOOK_BYTES = 128 << 20  # a notebook's outputs (plots, long training logs) can take megabytes


def read_submission(path: Path) -> str:
    """The code graded in the file at ``path`` (see ``read_code``), as text."""
    return read_code(path).text


def read_code(path: Path) -> Code:
    """The code graded in the file at ``path``: a ``.py``'s text, a notebook's kept statements
    (``grader/submission.py``), with notes for the feedback. Raises SubmissionLoadError with one line."""
    path = Path(path)
    try:
        return graded_code(path.name, _read_text(path))
    except NotGradable as error:
        raise SubmissionLoadError(str(error)) from None


def _read_text(path: Path) -> str:
    """The text of the file at ``path``. Raises SubmissionLoadError with one clear line.

    The file is opened without following a symbolic link (O_NOFOLLOW) and must be a regular
    file: otherwise SubmissionRefused. O_NONBLOCK so that a FIFO cannot hang the open.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise SubmissionLoadError(_("no submission file at {path}", path=path)) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise SubmissionRefused(_("{file} is a symbolic link; submit the file itself", file=path.name)) from None
        raise SubmissionLoadError(_("{path} is not a readable Python file: {error}", path=path,
                                    error=error.strerror)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # checked on the open file: nothing can be swapped in between
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise SubmissionRefused(_("no submission file at {path}: it is a folder", path=path))
        raise SubmissionRefused(_("{file} is not a regular file; submit the file itself", file=path.name))
    limit = MAX_NOTEBOOK_BYTES if path.suffix.lower() == NOTEBOOK_SUFFIX else MAX_SUBMISSION_BYTES
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise SubmissionLoadError(_("{path} is larger than {megabytes} MB; a submission is a few kilobytes of Python",
                                    path=path, megabytes=limit >> 20))
    try:  # as read_text would: UTF-8, universal newlines
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as error:
        raise SubmissionLoadError(_("{path} is not a readable Python file: {error}", path=path,
                                    error=error)) from None


def exec_submission(source: str, path: Path, module_name: str = "two_layer_net",
                    quiet: bool = True) -> types.ModuleType:
    """Run ``source`` (the text of the file at ``path``) as a fresh module.

    quiet  hide what the module prints while it is imported
    Raises SubmissionLoadError with one clear line.
    """
    # Tracebacks quote lines of the code that ran, a notebook's graded code too (not the .ipynb's JSON)
    linecache.cache[str(path)] = (len(source), None, source.splitlines(True), str(path))
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as error:
        raise SubmissionLoadError(_("{file} does not parse: {where}: {error}", file=path,
                                    where=where(str(path), error.lineno or 0),
                                    error=as_code(error.msg))) from None  # Python's words, quoted
    except ValueError as error:
        raise SubmissionLoadError(_("{path} is not a readable Python file: {error}", path=path,
                                    error=error)) from None
    module = types.ModuleType(module_name)
    module.__file__ = str(path)
    try:
        with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
            exec(code, module.__dict__)
    except BaseException as error:  # SystemExit too: a submission may call sys.exit at import
        if isinstance(error, KeyboardInterrupt):
            raise
        frames = student_frames(error, str(path))
        failure = as_code(f"{type(error).__name__}: {error}")  # the program's own message, quoted
        raise SubmissionLoadError(
            _("{path} fails when imported ({where}): {error}", path=path, where=where(str(path), frames[-1].lineno),
              error=failure)
            if frames else _("{path} fails when imported: {error}", path=path, error=failure)
        ) from None
    return module


def where(filename: str, lineno: int) -> str:
    """Where line ``lineno`` of the code that runs as ``filename`` is, for the student: "line 12"; for a
    notebook's graded code, the cell and its line, "cell 7 (`def forward_propagation(X, parameters):`), line 3"."""
    found = origin(linecache.getlines(filename), lineno)
    if found is None:
        return _("line {line}", line=lineno)
    cell, line, first = found
    return _("{cell}, line {line}", cell=cell_name(cell, first), line=line)


def student_frames(error: BaseException, filename: str) -> list[traceback.FrameSummary]:
    """The frames of ``error``'s traceback that are in the student's file, outermost first."""
    return [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]


def student_traceback(error: BaseException, filename: str, limit: int = 3) -> str:
    """The last few traceback lines that are in the student's file."""
    frames = student_frames(error, filename)
    lines = ["  " + _("{where}, in {function}: {code}", where=where(filename, f.lineno), function=f.name,
                      code=as_code(f.line) if f.line else "")  # the student's own line, as written
             for f in frames[-limit:]]
    return "\n".join(lines)


def call_student(namespace: dict[str, Any], filename: str, function: str, *args: Any,
                 seed: int | None = None) -> Any:
    """``namespace[function](*args)``, after ``np.random.seed(seed)`` when a seed is given.

    The one mapping of student failures (shared with the isolated bridge's child process):
    raises StudentCodeError "missing", "not_implemented" or "exception" (sys.exit included).
    """
    target = namespace.get(function)
    if not callable(target):
        raise StudentCodeError("missing", function)
    if seed is not None:
        np.random.seed(seed)
    try:
        return target(*args)
    except StudentCodeError:
        raise
    except NotImplementedError as error:
        raise StudentCodeError("not_implemented", function, str(error)) from None
    except (Exception, SystemExit) as error:
        raise StudentCodeError(
            "exception", function, f"{type(error).__name__}: {error}", student_traceback(error, filename),
        ) from None


def times(entry: tuple | list) -> int:
    """How often a ``call_each`` entry, (function, args) or (function, args, times), is called."""
    return int(entry[2]) if len(entry) > 2 else 1


def call_each(call: Callable[..., Any], calls: list[tuple], seed: int | None,
              keep: list[int | Earlier] | None) -> list[Any]:
    """``Bridge.call_each`` on a ``call(function, *args, seed=...)`` that calls student code directly
    (shared with the isolated bridge's worker). Generators are read before the next call, so the
    global random generator advances exactly as it does when ``model`` runs the same calls.

    An argument that is an ``Earlier`` is replaced by that part of an earlier call's result, the
    object itself, as ``model`` hands a result on; a call whose Earlier cannot be followed is not
    made, and its result is ``unresolved(why)``. ``keep`` lists what is sent back, in its order:
    positions (a result as plain data, copied when it is made) and Earlier (a part of one, or the
    number of items a generator yielded).
    """
    expanded = [(entry[0], entry[1]) for entry in calls for _ in range(times(entry))]
    keep = list(range(len(expanded))) if keep is None else list(keep)
    kept: list[Any] = [None] * len(keep)
    sent_at: dict[int, list[int]] = {}  # position -> the indices of ``keep`` that send (part of) its result
    for index, wanted in enumerate(keep):
        sent_at.setdefault(wanted.position if isinstance(wanted, Earlier) else wanted, []).append(index)
    referenced = {a.position for _, args in expanded for a in args if isinstance(a, Earlier)}
    read = referenced | {w.position for w in keep if isinstance(w, Earlier)}  # generators kept as item lists
    held: dict[int, Any] = {}  # position -> its result, as student code returned it (a generator read)
    for position, (function, args) in enumerate(expanded):
        try:
            args = tuple(_follow(held, a) if isinstance(a, Earlier) else a for a in args)
        except LookupError as why:
            result = unresolved(_("{function} was not called: {why}", function=function, why=why.args[0]))
        else:
            result = call(function, *args, seed=seed if position == 0 else None)
        if isinstance(result, Iterator) and position in read:
            result = _read(result)
        elif isinstance(result, Iterator) and position not in sent_at:
            _drain(result)  # (one only sent is read into plain data by ``_sent``, item by item)
        if position in referenced:
            held[position] = result
        for index in sent_at.get(position, ()):
            kept[index] = _sent(keep[index], result)
    return kept


def _read(items: Iterator) -> Yielded:
    """A generator's items (at most MAX_ITEMS), as they are: what ``model``'s loop would be handed."""
    read = list(itertools.islice(items, MAX_ITEMS + 1))
    return Yielded(tuple(read[:MAX_ITEMS]), len(read) > MAX_ITEMS)


def _drain(items: Iterator) -> None:
    """Read a generator nobody needs, so that it draws from the random generator what it would draw."""
    for _item in itertools.islice(items, MAX_ITEMS):
        pass


def _follow(held: dict[int, Any], reference: Earlier) -> Any:
    """The part of a held result that ``reference`` names. Raises LookupError saying why there is none."""
    if reference.position not in held:
        raise LookupError(_("no earlier result {position} to hand on", position=reference.position))
    value = held[reference.position]
    if is_unresolved(value):
        raise LookupError(value.text)
    for step in reference.path:
        if isinstance(value, Yielded):
            value = value.items
        if type(step) is int and isinstance(value, (list, tuple)) and 0 <= step < len(value):
            value = value[step]
        elif type(step) is str and isinstance(value, dict) and step in value:
            value = value[step]
        else:
            raise LookupError(_("its result has no item {step}", step=repr(step)))
    return value


def _sent(wanted: int | Earlier, result: Any) -> Any:
    """What ``keep`` asks to send of ``result`` (a position's whole result, or an Earlier into it)."""
    if not isinstance(wanted, Earlier) or is_unresolved(result):
        return to_plain(result)
    if wanted.length:
        return len(result.items) if isinstance(result, Yielded) else unresolved(_("it is not a generator"))
    try:
        return to_plain(_follow({wanted.position: result}, wanted))
    except LookupError as why:
        return unresolved(why.args[0])


def plain_result(name: str, filename: str, work: Callable[[], Any]) -> Any:
    """``work()`` as plain data, NumPy warnings silenced; failures become StudentCodeError for ``name``."""
    with np.errstate(all="ignore"):
        try:
            return to_plain(work())
        except StudentCodeError:
            raise
        except NotImplementedError as error:  # raised inside a generator being consumed
            raise StudentCodeError("not_implemented", name, str(error)) from None
        except (Exception, SystemExit) as error:  # raised while turning a generator's items into data
            raise StudentCodeError(
                "exception", name, f"{type(error).__name__}: {error}", student_traceback(error, filename),
            ) from None
