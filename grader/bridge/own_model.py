"""The submission's own ``model``, run and watched (``backprop-lab train``).

``run_own_model`` calls the student's ``model`` in an ``InProcessBridge``'s namespace with
its own default hyper-parameters (``model_defaults`` reads them from its signature), and
records every cost and each epoch's mean as it trains, into a ``ModelRun``. Used by
``grader/commands/train.py`` and the notebook's training cell (``grader/kernel.py``) only: grading
never calls ``model`` (it runs the kit's trusted
loop, routines.py).
"""
from __future__ import annotations

import contextlib
import inspect
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader import i18n
from grader.bridge import StudentCodeError
from grader.bridge.calls import student_frames, student_traceback
from grader.bridge.inprocess import MAX_CAPTURED_OUTPUT, InProcessBridge
from grader.i18n import N_, _
from grader.values import to_plain

OBSERVED_BY_TRAIN = ("batch_generator", "compute_cost")  # model looks both up as module globals
TRAIN_ACCURACY = N_("train accuracy: {accuracy} ({right} of {total})")
TEST_ACCURACY = N_("test accuracy:  {accuracy} ({right} of {total})")


@dataclass
class ModelRun:
    """What the submission's own ``model`` did.

    parameters   the trained parameters it returned, as plain data
    batch_costs  every value its compute_cost returned, in order (NaN where not a number)
    epoch_costs  the mean batch cost of each epoch (one per batch_generator call)
    output       the last characters the submission printed (hidden while it trained)
    printed_lines  how many lines it printed in all (``output`` keeps only the last
                 MAX_CAPTURED_OUTPUT characters, so its lines are no count of them)
    """

    parameters: Any = None
    batch_costs: list[float] = field(default_factory=list)
    epoch_costs: list[float] = field(default_factory=list)
    output: str = ""
    printed_lines: int = 0


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

    printed = _TailWriter(MAX_CAPTURED_OUTPUT)
    namespace.update(batch_generator=counting_batch_generator, compute_cost=recording_compute_cost)
    try:
        with contextlib.redirect_stdout(printed), np.errstate(all="ignore"):
            run.parameters = to_plain(originals["model"](X_train, Y_train, X_test, Y_test))
    except Exception as error:
        raise _located_error(error, bridge.filename, fallback="model") from None
    finally:
        namespace.update({name: originals[name] for name in OBSERVED_BY_TRAIN})
        run.output, run.printed_lines = printed.tail, printed.lines
    return run


class _TailWriter(io.TextIOBase):
    """A stdout that counts the lines written to it and keeps only the last ``keep`` characters.

    A last line without its newline counts too; memory stays bounded however much is printed.
    """

    def __init__(self, keep: int):
        self.keep, self.tail, self.line_ends = keep, "", 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        self.line_ends += text.count("\n")
        self.tail = (self.tail + text[-self.keep:])[-self.keep:]
        return len(text)

    @property
    def lines(self) -> int:
        return self.line_ends + (1 if self.tail and not self.tail.endswith("\n") else 0)


def own_accuracy(bridge: InProcessBridge, parameters: Any, X: np.ndarray, Y: np.ndarray) -> float:
    """Fraction of samples whose label the submission's own ``predict`` gets right.

    Inputs: X (m, 2), Y (m, 1)
    Raises: StudentCodeError when predict fails or returns the wrong number of values
    """
    predictions = np.ravel(bridge.call("predict", X, parameters))  # (m,)
    if predictions.shape != (len(Y),):
        raise StudentCodeError("exception", "predict", _("returned {values} values for {samples} samples",
                                                         values=predictions.size, samples=len(Y)))
    return float(np.mean(predictions == np.ravel(Y)))


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


def accuracy_line(text: str, accuracy: float, total: int) -> str:
    """``text`` (TRAIN_ACCURACY, TEST_ACCURACY: an N_ constant with {accuracy}, {right} and {total})
    filled in: "0.980 (196 of 200)"."""
    shown = f"{accuracy:.3f}"
    return i18n._(text, accuracy=shown, right=round(accuracy * total), total=total)
