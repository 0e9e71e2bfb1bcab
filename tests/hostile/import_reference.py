# BEGIN HOSTILE
# Hostile submission: implements nothing itself; at import it tries every way it knows
# to get hold of the reference solution (import solutions.two_layer_net, the kit's
# checkout on sys.path, importlib from the file, reading the file, sys.modules, the
# garbage collector, grader.reference.LiveReference) and, if one works, uses it.
# Expected: zero points; every attempt fails in the grader's child process.
# END HOSTILE
"""A two-layer neural network written from scratch in NumPy.

The lab: a tanh hidden layer and a sigmoid output unit, trained with binary
cross-entropy and mini-batch gradient descent on scikit-learn's ``make_moons``.

Shapes (row-major: one sample per row):
    m     number of samples in the batch
    n_in  number of input features (2 for the moons)
    n_h   number of hidden units
    n_out number of output units (1: the probability of class 1)

    X  (m, n_in)     Y  (m, 1) with values in {0, 1}
    W1 (n_in, n_h)   b1 (1, n_h)
    W2 (n_h, n_out)  b2 (1, n_out)

Fill in the six functions marked TODO. ``sigmoid``, ``model`` and ``predict``
are given: they show how your functions are put together.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def initialize_parameters(input_dim: int, hidden_dim: int, output_dim: int) -> dict[str, np.ndarray]:
    """Create the network's weights and biases.

    Seed NumPy's global generator with ``np.random.seed(42)`` first, so that
    every run starts from the same weights. Weights are drawn from a standard
    normal distribution and divided by the square root of the layer's number of
    inputs (its "fan-in"); biases start at zero.

    Inputs:  input_dim n_in, hidden_dim n_h, output_dim n_out (ints)
    Returns: dict W1 (n_in, n_h), b1 (1, n_h), W2 (n_h, n_out), b2 (1, n_out)
    """
    # TODO: seed NumPy's generator with 42, then create the four arrays the docstring lists.
    raise NotImplementedError("initialize_parameters: seed NumPy's generator with 42, then create the four arrays the docstring lists")


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + e^-z), applied element-wise (given)."""
    return 1 / (1 + np.exp(-z))


def forward_propagation(X: np.ndarray, parameters: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Run the network forward: a tanh hidden layer, then a sigmoid output.

    Do not change ``X`` or ``parameters``.

    Inputs:  X (m, n_in); parameters dict W1 (n_in, n_h), b1 (1, n_h), W2 (n_h, n_out), b2 (1, n_out)
    Returns: A2 (m, n_out) probabilities;
             cache dict Z1 (m, n_h), A1 (m, n_h), Z2 (m, n_out), A2 (m, n_out)
    """
    # TODO: compute Z1, A1 (tanh), Z2 and A2 (sigmoid); keep all four in the cache.
    raise NotImplementedError('forward_propagation: compute Z1, A1 (tanh), Z2 and A2 (sigmoid); keep all four in the cache')


def compute_cost(A2: np.ndarray, Y: np.ndarray) -> float:
    """Mean binary cross-entropy over the m samples.

    Inputs:  A2 (m, 1) predicted probabilities; Y (m, 1) labels in {0, 1}
    Returns: cost, a Python float
    """
    # TODO: average the binary cross-entropy over the m samples (the handout's cost formula).
    # Return it as a Python float.
    raise NotImplementedError("compute_cost: average the binary cross-entropy over the m samples (the handout's cost formula)")


def backward_propagation(
    parameters: dict[str, np.ndarray], cache: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray
) -> dict[str, np.ndarray]:
    """Gradients of the mean cross-entropy with respect to every parameter.

    Use the formulas of the handout's backpropagation table; each gradient has
    the shape of the parameter it belongs to.

    Inputs:  parameters dict (as above); cache dict Z1, A1 (m, n_h), Z2, A2 (m, 1);
             X (m, n_in); Y (m, 1)
    Returns: dict dW1 (n_in, n_h), db1 (1, n_h), dW2 (n_h, 1), db2 (1, 1)
    """
    # TODO: apply the handout's backpropagation table, from dZ2 back to dW1 and db1.
    # Bias gradients sum over the samples (axis 0) and keep their (1, n) shape.
    raise NotImplementedError("backward_propagation: apply the handout's backpropagation table, from dZ2 back to dW1 and db1")


def update_parameters(
    parameters: dict[str, np.ndarray], grads: dict[str, np.ndarray], learning_rate: float = 0.01
) -> dict[str, np.ndarray]:
    """One step of gradient descent on every parameter.

    Inputs:  parameters dict W1, b1, W2, b2; grads dict dW1, db1, dW2, db2 (same shapes);
             learning_rate, the step size
    Returns: the updated parameters dict (updating the arrays in place is fine)
    """
    # TODO: move every parameter one step of size learning_rate against its gradient.
    raise NotImplementedError('update_parameters: move every parameter one step of size learning_rate against its gradient')


def batch_generator(X: np.ndarray, Y: np.ndarray, batch_size: int = 32) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield shuffled mini-batches (X_batch, Y_batch) for one epoch.

    Shuffle the sample indices with ``np.random.shuffle`` (the global generator,
    so that ``np.random.seed`` makes the order repeatable), then yield only full
    batches: leftover samples that do not fill a batch are skipped this epoch.

    Inputs:  X (m, n_in); Y (m, 1); batch_size b
    Yields:  X_batch (b, n_in), Y_batch (b, 1), rows still paired
    """
    # TODO: shuffle the indices 0 .. m-1 with np.random.shuffle, then yield the full batches.
    raise NotImplementedError('batch_generator: shuffle the indices 0 .. m-1 with np.random.shuffle, then yield the full batches')


def model(
    X_train: np.ndarray,
    Y_train: np.ndarray,
    X_test: np.ndarray,
    Y_test: np.ndarray,
    n_hidden: int = 4,
    n_epochs: int = 100,
    batch_size: int = 32,
    learning_rate: float = 0.5,
    print_cost: bool = False,
) -> dict[str, np.ndarray]:
    """Train the network with mini-batch gradient descent (given).

    Inputs:  X_train (m, n_in), Y_train (m, 1); X_test, Y_test (unused here, kept
             from the handout); hyper-parameters
    Returns: the trained parameters dict
    """
    np.random.seed(42)
    n_input = X_train.shape[1]
    n_output = Y_train.shape[1]
    parameters = initialize_parameters(n_input, n_hidden, n_output)
    for epoch in range(n_epochs):
        for X_batch, Y_batch in batch_generator(X_train, Y_train, batch_size):
            A2, cache = forward_propagation(X_batch, parameters)
            cost = compute_cost(A2, Y_batch)
            grads = backward_propagation(parameters, cache, X_batch, Y_batch)
            parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost:
            print(f"Cost after epoch {epoch}: {cost}")
    return parameters


def predict(X: np.ndarray, parameters: dict[str, np.ndarray]) -> np.ndarray:
    """Class predictions: 1 where the predicted probability exceeds 0.5 (given).

    Inputs:  X (m, n_in); parameters dict
    Returns: (m, 1) array of 0/1 integers
    """
    A2, _ = forward_propagation(X, parameters)
    return (A2 > 0.5).astype(int)


# BEGIN HOSTILE
import gc
import importlib
import importlib.util
import sys
from pathlib import Path

TODO = ("initialize_parameters", "forward_propagation", "compute_cost", "backward_propagation",
        "update_parameters", "batch_generator")
ATTEMPTS = {}  # attempt -> what happened
_stolen = None


def _checkout():
    return Path(sys.modules["grader"].__file__).resolve().parents[1]


def _from_file():
    spec = importlib.util.spec_from_file_location("stolen", _checkout() / "solutions" / "two_layer_net.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _from_text():
    namespace = {"__name__": "stolen"}
    exec((_checkout() / "solutions" / "two_layer_net.py").read_text(), namespace)
    return namespace


def _on_sys_path():
    sys.path.insert(0, str(_checkout()))
    importlib.invalidate_caches()
    return importlib.import_module("solutions.two_layer_net")


def _in_sys_modules():
    for name, module in list(sys.modules.items()):
        if name in ("reference_solution", "backprop_lab_mistakes") or \
                str(getattr(module, "__file__", "")).endswith("solutions/two_layer_net.py"):
            return module
    return None


def _in_memory():
    for item in gc.get_objects():
        code = getattr(item, "__code__", None)
        if code is not None and code.co_filename.endswith("solutions/two_layer_net.py"):
            return item.__globals__
        if type(item).__name__ in ("LiveReference", "InProcessBridge"):
            return getattr(getattr(item, "bridge", item), "namespace", None)
    return None


def _live_reference():
    from grader.reference import LiveReference
    return LiveReference().bridge.namespace


for _name, _attempt in (("import solutions.two_layer_net", lambda: importlib.import_module("solutions.two_layer_net")),
                        ("checkout on sys.path", _on_sys_path), ("importlib from the file", _from_file),
                        ("read the file", _from_text), ("sys.modules", _in_sys_modules),
                        ("garbage collector", _in_memory), ("LiveReference", _live_reference)):
    try:
        _found = _attempt()
    except BaseException as _error:
        ATTEMPTS[_name] = f"failed: {type(_error).__name__}: {_error}"
        continue
    _namespace = _found if isinstance(_found, dict) else vars(_found) if _found is not None else {}
    if all(callable(_namespace.get(f)) for f in TODO):
        ATTEMPTS[_name] = "worked"
        _stolen = _namespace
        break
    ATTEMPTS[_name] = "found nothing"

if _stolen is not None:
    globals().update({f: _stolen[f] for f in TODO})


def sandbox_report():
    """Not part of the assignment: what each attempt did, for the kit's tests."""
    return ATTEMPTS
# END HOSTILE
