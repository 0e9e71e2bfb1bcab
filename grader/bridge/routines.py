"""Trusted routines that compose several student functions.

They run wherever the submission runs (in the child process when grading is
isolated), so that a 100-epoch training run costs one round trip, not 10,000.
Each routine receives ``call(name, *args)``, which calls the student's function
directly, and returns plain data. Their results are always judged in the
grader's own process.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.contract import PARAM_KEYS
from grader.numerics import numerical_gradient

Call = Callable[..., Any]


def train(call: Call, X: np.ndarray, Y: np.ndarray, X_test: np.ndarray, Y_test: np.ndarray,
          n_hidden: int, n_epochs: int, batch_size: int, learning_rate: float) -> dict[str, Any]:
    """The given ``model`` loop, built from the student's six functions.

    ``model`` computes the cost of every batch but only ever reports the last one of an
    epoch, and no update reads it; so the cost is computed for that batch alone (a fifth
    of the training time saved). compute_cost's own check makes sure it changes none of
    its inputs, so skipping the other calls cannot change the trained parameters.

    Returns: dict params (the trained parameters), costs (n_epochs,) last batch cost of each
             epoch, A2_test (m_test, 1) from the submission's own forward pass, and accuracy.
    """
    np.random.seed(42)
    parameters = call("initialize_parameters", X.shape[1], n_hidden, Y.shape[1])
    costs = []
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
        costs.append(_as_float(cost))
    params = {k: parameters[k] for k in PARAM_KEYS}
    A2_test, _ = call("forward_propagation", X_test, params)
    accuracy = float(np.mean((np.asarray(A2_test) > 0.5) == (Y_test > 0.5)))
    return {"params": params, "costs": np.array(costs), "A2_test": A2_test, "accuracy": accuracy}


def _as_float(cost: Any) -> float:
    """The cost as a float for the record, NaN when it is not one number: its type is
    compute_cost's own check, and training never reads the cost, so it must not fail here."""
    try:
        return float(np.asarray(cost, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        return float("nan")


def own_loss_gradient(call: Call, X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, Any]:
    """Numerical gradient of the student's own forward + cost, and their analytic one.

    Returns: dict numerical {dW1..db2}, analytic {dW1..db2} (same shapes as the parameters)
    """
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}

    def loss() -> float:
        A2, _ = call("forward_propagation", X, params)
        return _as_float(call("compute_cost", A2, Y))

    numerical = {"d" + k: numerical_gradient(loss, params[k]) for k in PARAM_KEYS}
    _, cache = call("forward_propagation", X, params)
    analytic = call("backward_propagation", params, cache, X, Y)
    return {"numerical": numerical, "analytic": analytic}


ROUTINES: dict[str, Callable[..., Any]] = {
    "train": train,
    "own_loss_gradient": own_loss_gradient,
}
