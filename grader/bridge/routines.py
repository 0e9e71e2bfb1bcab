"""Trusted routines that compose several student functions.

They run wherever the submission runs (in the worker process when grading is
isolated), so that a 100-epoch training run costs one round trip, not 10,000.
Each routine receives ``call(name, *args)``, which calls the student's function
directly, and returns plain data.

Because they run beside the submission, which can replace them, what a routine returns
is a *claim*, never a result: ``grader/checks/training.py`` verifies the claim in the
grading process by asking the student's functions directly, through the bridge, to redo
steps it picks after the claim has been made. Nothing a routine computes is judged as is.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.contract import PARAM_KEYS
from grader.numerics import float_or_nan

Call = Callable[..., Any]


def train(call: Call, X: np.ndarray, Y: np.ndarray, start: dict[str, np.ndarray] | None, seed: int,
          n_hidden: int, n_epochs: int, batch_size: int, learning_rate: float) -> dict[str, Any]:
    """The given ``model`` loop, built from the student's six functions, recording every step.

    start  the parameters to start from; None: ``initialize_parameters`` after
           ``np.random.seed(seed)``, as ``model`` does
    ``model`` computes the cost of every batch but only ever reports the last one of an
    epoch, and no update reads it; so the cost is computed for that batch alone.

    Returns: dict
        trace    {W1: (S + 1, n_in, n_h), b1, W2, b2}: the parameters before the first step
                 and after each of the S steps; None when a step changed their shapes or keys
        final    the parameters after the last step (as returned by update_parameters)
        batches  (n_epochs,) number of batches of each epoch
        costs    (n_epochs,) the cost of the last batch of each epoch (NaN if not a number)
    """
    np.random.seed(seed)
    parameters = start if start is not None else call("initialize_parameters", X.shape[1], n_hidden, Y.shape[1])
    trace = _Trace(parameters, n_epochs * (len(X) // max(1, batch_size) + 1))
    batch_counts, costs = [], []
    for _ in range(n_epochs):
        cost = float("nan")
        # More batches than samples is impossible for full batches: the cap stops endless generators.
        batches = list(itertools.islice(call("batch_generator", X, Y, batch_size), len(X) + 1))
        for index, (X_batch, Y_batch) in enumerate(batches):
            A2, cache = call("forward_propagation", X_batch, parameters)
            if index == len(batches) - 1:
                cost = call("compute_cost", A2, Y_batch)
            grads = call("backward_propagation", parameters, cache, X_batch, Y_batch)
            parameters = call("update_parameters", parameters, grads, learning_rate)
            trace.record(parameters)
        batch_counts.append(len(batches))
        # NaN when not one number: its type is compute_cost's own check, and training never reads it
        costs.append(float_or_nan(cost))
    return {"trace": trace.arrays(), "final": {k: parameters[k] for k in PARAM_KEYS},
            "batches": np.array(batch_counts), "costs": np.array(costs)}


class _Trace:
    """The parameters after every step, written into arrays allocated once (a copy per step
    would cost a fifth of the run); it gives up, keeping nothing, when a step changes a shape."""

    def __init__(self, first: Any, capacity: int):
        self.steps = 0
        try:
            self.stack = {k: np.empty((capacity + 1, *np.shape(first[k]))) for k in PARAM_KEYS}
        except (KeyError, TypeError, ValueError, IndexError):
            self.stack = None
        self.record(first)

    def record(self, parameters: Any) -> None:
        if self.stack is None:
            return
        try:
            if self.steps >= len(self.stack["W1"]):
                self.stack = {k: np.concatenate([v, np.empty_like(v)]) for k, v in self.stack.items()}
            for key, stack in self.stack.items():
                value = parameters[key]
                # an array's own shape first: np.shape (any value) costs as much as the copy
                shape = value.shape if type(value) is np.ndarray else np.shape(value)
                if shape != stack.shape[1:]:
                    raise ValueError("a step changed a shape")
                stack[self.steps] = value
            self.steps += 1
        except (KeyError, TypeError, ValueError, IndexError):  # the final parameters' check says why
            self.stack = None

    def arrays(self) -> dict[str, np.ndarray] | None:
        return None if self.stack is None else {k: v[:self.steps] for k, v in self.stack.items()}


ROUTINES: dict[str, Callable[..., Any]] = {
    "train": train,
}
