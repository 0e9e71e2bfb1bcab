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

（中文）一个用 NumPy 从零写成的两层神经网络：隐藏层用 tanh，输出层用 sigmoid，以二元交叉熵为代价，
用小批量梯度下降在 scikit-learn 的 make_moons 数据上训练。请完成标有 TODO 的六个函数（每个 TODO
下面的 TODO(zh) 是它的中文说明）；sigmoid、model 和 predict 是给定的，它们展示了你的函数如何组合在一起。
各函数文档字符串中的形状约定见讲义 docs/handout.zh.md。
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
    # TODO(zh): 先用 42 设定 NumPy 的随机种子，再创建文档字符串中列出的四个数组。
    # BEGIN SOLUTION
    np.random.seed(42)
    W1 = np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim)  # (n_in, n_h)
    b1 = np.zeros((1, hidden_dim))  # (1, n_h)
    W2 = np.random.randn(hidden_dim, output_dim) / np.sqrt(hidden_dim)  # (n_h, n_out)
    b2 = np.zeros((1, output_dim))  # (1, n_out)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    # END SOLUTION


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
    # TODO(zh): 计算 Z1、A1（tanh）、Z2 和 A2（sigmoid），并把这四个都存入 cache。
    # BEGIN SOLUTION
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    Z1 = X @ W1 + b1  # (m, n_h)
    A1 = np.tanh(Z1)  # (m, n_h)
    Z2 = A1 @ W2 + b2  # (m, n_out)
    A2 = sigmoid(Z2)  # (m, n_out)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache
    # END SOLUTION


def compute_cost(A2: np.ndarray, Y: np.ndarray) -> float:
    """Mean binary cross-entropy over the m samples.

    Inputs:  A2 (m, 1) predicted probabilities; Y (m, 1) labels in {0, 1}
    Returns: cost, a Python float
    """
    # TODO: average the binary cross-entropy over the m samples (the handout's cost formula).
    # Return it as a Python float.
    # TODO(zh): 按讲义的代价公式，求二元交叉熵在 m 个样本上的平均值，
    # 并以 Python float 返回。
    # BEGIN SOLUTION
    m = Y.shape[0]
    log_probs = Y * np.log(A2) + (1 - Y) * np.log(1 - A2)  # (m, 1)
    return float(-np.sum(log_probs) / m)
    # END SOLUTION


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
    # TODO(zh): 按讲义的反向传播表，从 dZ2 一直算回 dW1 和 db1。
    # 偏置的梯度沿样本方向（axis 0）求和，并保持 (1, n) 的形状。
    # BEGIN SOLUTION
    m = X.shape[0]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y  # (m, 1)
    dW2 = A1.T @ dZ2 / m  # (n_h, 1)
    db2 = np.sum(dZ2, axis=0, keepdims=True) / m  # (1, 1)
    dZ1 = (dZ2 @ parameters["W2"].T) * (1 - A1**2)  # (m, n_h)
    dW1 = X.T @ dZ1 / m  # (n_in, n_h)
    db1 = np.sum(dZ1, axis=0, keepdims=True) / m  # (1, n_h)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    # END SOLUTION


def update_parameters(
    parameters: dict[str, np.ndarray], grads: dict[str, np.ndarray], learning_rate: float = 0.01
) -> dict[str, np.ndarray]:
    """One step of gradient descent on every parameter.

    Inputs:  parameters dict W1, b1, W2, b2; grads dict dW1, db1, dW2, db2 (same shapes);
             learning_rate, the step size
    Returns: the updated parameters dict (updating the arrays in place is fine)
    """
    # TODO: move every parameter one step of size learning_rate against its gradient.
    # TODO(zh): 让每个参数沿其梯度的反方向移动一步，步长为 learning_rate。
    # BEGIN SOLUTION
    for name in ("W1", "b1", "W2", "b2"):
        parameters[name] = parameters[name] - learning_rate * grads["d" + name]
    return parameters
    # END SOLUTION


def batch_generator(X: np.ndarray, Y: np.ndarray, batch_size: int = 32) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield shuffled mini-batches (X_batch, Y_batch) for one epoch.

    Shuffle the sample indices with ``np.random.shuffle`` (the global generator,
    so that ``np.random.seed`` makes the order repeatable), then yield only full
    batches: leftover samples that do not fill a batch are skipped this epoch.

    Inputs:  X (m, n_in); Y (m, 1); batch_size b
    Yields:  X_batch (b, n_in), Y_batch (b, 1), rows still paired
    """
    # TODO: shuffle the indices 0 .. m-1 with np.random.shuffle, then yield the full batches.
    # TODO(zh): 用 np.random.shuffle 打乱下标 0 .. m-1，再逐个产出完整的小批量。
    # BEGIN SOLUTION
    m = X.shape[0]
    indices = np.arange(m)
    np.random.shuffle(indices)
    for start in range(0, m - batch_size + 1, batch_size):
        batch = indices[start : start + batch_size]
        yield X[batch], Y[batch]
    # END SOLUTION


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
