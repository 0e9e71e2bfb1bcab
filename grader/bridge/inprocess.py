"""In-process transport: the submission is imported into this process and called directly.

Used by ``backprop-lab check`` and the pytest plugin on a student's own machine,
where speed and real tracebacks matter more than isolation.
"""
from __future__ import annotations

import contextlib
import copy
import errno
import importlib.util
import inspect
import io
import itertools
import os
import stat
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.bridge import StudentCodeError, SubmissionLoadError, SubmissionRefused
from grader.bridge.routines import ROUTINES
from grader.values import MAX_ITEMS, to_plain

MAX_SUBMISSION_BYTES = 16 << 20  # a submission is a few kilobytes; a bigger file is not read into memory
MAX_CAPTURED_OUTPUT = 4_000  # characters of student print output kept per bridge


def load_submission(path: Path, module_name: str = "two_layer_net") -> types.ModuleType:
    """Import the file at ``path`` as a fresh module. Raises SubmissionLoadError with one clear line."""
    return exec_submission(read_submission(path), Path(path), module_name)


def read_submission(path: Path) -> str:
    """The source text of the file at ``path``. Raises SubmissionLoadError with one clear line.

    The file is opened without following a symbolic link (O_NOFOLLOW) and must be a regular
    file: otherwise SubmissionRefused. O_NONBLOCK so that a FIFO cannot hang the open.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise SubmissionLoadError(f"no submission file at {path}") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise SubmissionRefused(f"{path.name} is a symbolic link; submit the file itself") from None
        raise SubmissionLoadError(f"{path} is not a readable Python file: {error.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # checked on the open file: nothing can be swapped in between
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise SubmissionRefused(f"no submission file at {path}: it is a folder")
        raise SubmissionRefused(f"{path.name} is not a regular file; submit the file itself")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_SUBMISSION_BYTES + 1)
    if len(data) > MAX_SUBMISSION_BYTES:
        raise SubmissionLoadError(f"{path} is larger than {MAX_SUBMISSION_BYTES >> 20} MB; "
                                  "a submission is a few kilobytes of Python")
    try:  # as read_text would: UTF-8, universal newlines
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as error:
        raise SubmissionLoadError(f"{path} is not a readable Python file: {error}") from None


def exec_submission(source: str, path: Path, module_name: str = "two_layer_net",
                    quiet: bool = True) -> types.ModuleType:
    """Run ``source`` (the text of the file at ``path``) as a fresh module.

    quiet  hide what the module prints while it is imported
    Raises SubmissionLoadError with one clear line.
    """
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as error:
        raise SubmissionLoadError(f"{path} does not parse: line {error.lineno}: {error.msg}") from None
    except ValueError as error:
        raise SubmissionLoadError(f"{path} is not a readable Python file: {error}") from None
    module = types.ModuleType(module_name)
    module.__file__ = str(path)
    try:
        with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
            exec(code, module.__dict__)
    except BaseException as error:  # SystemExit too: a submission may call sys.exit at import
        if isinstance(error, KeyboardInterrupt):
            raise
        line = _student_line(error, str(path))
        raise SubmissionLoadError(
            f"{path} fails when imported{line}: {type(error).__name__}: {error}"
        ) from None
    return module


def student_frames(error: BaseException, filename: str) -> list[traceback.FrameSummary]:
    """The frames of ``error``'s traceback that are in the student's file, outermost first."""
    return [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]


def _student_line(error: BaseException, filename: str) -> str:
    frames = student_frames(error, filename)
    return f" (line {frames[-1].lineno})" if frames else ""


def student_traceback(error: BaseException, filename: str, limit: int = 3) -> str:
    """The last few traceback lines that are in the student's file."""
    frames = student_frames(error, filename)
    lines = [f"  line {f.lineno}, in {f.name}: {f.line}" for f in frames[-limit:]]
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


def call_each(call: Callable[..., Any], calls: list[tuple], seed: int | None,
              keep: list[int] | None) -> list[Any]:
    """``Bridge.call_each`` on a ``call(function, *args, seed=...)`` that calls student code directly
    (shared with the isolated bridge's worker). Generators are read before the next call, so the
    global random generator advances exactly as it does when ``model`` runs the same calls."""
    expanded = [(entry[0], entry[1]) for entry in calls for _ in range(entry[2] if len(entry) > 2 else 1)]
    wanted = set(range(len(expanded))) if keep is None else set(keep)
    results = []
    for position, (function, args) in enumerate(expanded):
        result = call(function, *args, seed=seed if position == 0 else None)
        if position in wanted:
            results.append(to_plain(result))
        elif isinstance(result, Iterator):  # read, so that the generator draws what it would draw
            for _ in itertools.islice(result, MAX_ITEMS):
                pass
    return results


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


class InProcessBridge:
    """Calls functions of an imported submission (or of any namespace) directly."""

    def __init__(self, namespace: dict[str, Any] | types.ModuleType, filename: str = ""):
        self.namespace = namespace if isinstance(namespace, dict) else vars(namespace)
        self.filename = filename or str(self.namespace.get("__file__", ""))
        self.output = io.StringIO()

    @classmethod
    def from_file(cls, path: Path) -> "InProcessBridge":
        module = load_submission(path)
        return cls(module, str(path))

    # -- the Bridge interface
    def call(self, function: str, *args: Any, seed: int | None = None, keep_args: bool = False) -> Any:
        args = copy.deepcopy(args)  # the student never holds the grader's own arrays
        result = self._guarded(function, lambda: self._direct_call(function, *args, seed=seed))
        return (result, to_plain(args)) if keep_args else result

    def call_each(self, calls: list[tuple[str, tuple]], seed: int | None = None,
                  keep: list[int] | None = None) -> list[Any]:
        calls = copy.deepcopy(calls)
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
        """Run ``work`` with the student's prints captured; convert the result to plain data."""
        with contextlib.redirect_stdout(self.output):
            try:
                return plain_result(name, self.filename, work)
            finally:
                if self.output.tell() > MAX_CAPTURED_OUTPUT:
                    self.output = io.StringIO(self.output.getvalue()[-MAX_CAPTURED_OUTPUT:])


# -- the submission's own ``model``, watched (``backprop-lab train``)

OBSERVED_BY_TRAIN = ("batch_generator", "compute_cost")  # model looks both up as module globals


@dataclass
class ModelRun:
    """What the submission's own ``model`` did.

    parameters   the trained parameters it returned, as plain data
    batch_costs  every value its compute_cost returned, in order (NaN where not a number)
    epoch_costs  the mean batch cost of each epoch (one per batch_generator call)
    output       the last characters the submission printed (hidden while it trained)
    """

    parameters: Any = None
    batch_costs: list[float] = field(default_factory=list)
    epoch_costs: list[float] = field(default_factory=list)
    output: str = ""


def model_defaults(bridge: InProcessBridge) -> dict[str, Any]:
    """The default hyper-parameters in the signature of the submission's ``model``."""
    model = bridge.namespace.get("model")
    try:
        signature = inspect.signature(model)
    except (TypeError, ValueError):  # missing or not a plain function: run_own_model will say so
        return {}
    return {name: p.default for name, p in signature.parameters.items() if p.default is not p.empty}


def run_own_model(
    bridge: InProcessBridge,
    X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, Y_test: np.ndarray,
    on_epoch: Callable[[int, float], None] = lambda epoch, cost: None,
) -> ModelRun:
    """Call the submission's ``model`` with its own defaults, recording the costs as it trains.

    ``model`` looks ``batch_generator`` (called once per epoch) and ``compute_cost``
    (once per batch) up in its module, so both are wrapped there for the duration of
    the call by recorders that call the originals; ``on_epoch(epoch, mean_cost)`` runs
    after each epoch (epochs count from 1). Student prints are captured, not shown.

    Inputs:  X_train (m, n_in), Y_train (m, 1), X_test, Y_test: passed on to model
    Returns: ModelRun
    Raises:  StudentCodeError naming the innermost student function that failed
    """
    namespace, run = bridge.namespace, ModelRun()
    originals = {name: namespace.get(name) for name in ("model",) + OBSERVED_BY_TRAIN}
    for name, function in originals.items():
        if not callable(function):
            raise StudentCodeError("missing", name)

    def recording_compute_cost(*args: Any, **kwargs: Any) -> Any:
        cost = originals["compute_cost"](*args, **kwargs)
        run.batch_costs.append(_as_float(cost))
        return cost

    def counting_batch_generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
        first_batch = len(run.batch_costs)
        yield from originals["batch_generator"](*args, **kwargs)
        costs = run.batch_costs[first_batch:]
        run.epoch_costs.append(float(np.mean(costs)) if costs else float("nan"))
        on_epoch(len(run.epoch_costs), run.epoch_costs[-1])

    printed = io.StringIO()
    namespace.update(batch_generator=counting_batch_generator, compute_cost=recording_compute_cost)
    try:
        with contextlib.redirect_stdout(printed), np.errstate(all="ignore"):
            run.parameters = to_plain(originals["model"](X_train, Y_train, X_test, Y_test))
    except Exception as error:
        raise _located_error(error, bridge.filename, fallback="model") from None
    finally:
        namespace.update({name: originals[name] for name in OBSERVED_BY_TRAIN})
        run.output = printed.getvalue()[-MAX_CAPTURED_OUTPUT:]
    return run


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):  # not a scalar: the cost checks of `check` explain why
        return float("nan")


def _located_error(error: Exception, filename: str, fallback: str) -> StudentCodeError:
    """A StudentCodeError named for the innermost function of the student's file in the traceback."""
    frames = student_frames(error, filename)
    function = frames[-1].name if frames else fallback
    if isinstance(error, NotImplementedError):
        return StudentCodeError("not_implemented", function, str(error))
    return StudentCodeError(
        "exception", function, f"{type(error).__name__}: {error}", student_traceback(error, filename)
    )
