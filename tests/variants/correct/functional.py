"""Correct variant: small helper functions composed, expit for the sigmoid, matrix-form cost."""
import numpy as np
from scipy.special import expit


def _weights(fan_in, fan_out):
    return np.random.randn(fan_in, fan_out) / np.sqrt(fan_in)


def _affine(A, W, b):
    return A @ W + b


def _column_sum(dZ):
    return np.sum(dZ, axis=0, keepdims=True)


def initialize_parameters(input_dim, hidden_dim, output_dim):
    np.random.seed(42)
    W1 = _weights(input_dim, hidden_dim)
    W2 = _weights(hidden_dim, output_dim)
    return {"W1": W1, "b1": np.zeros((1, hidden_dim)), "W2": W2, "b2": np.zeros((1, output_dim))}


def forward_propagation(X, parameters):
    Z1 = _affine(X, parameters["W1"], parameters["b1"])
    A1 = np.tanh(Z1)
    Z2 = _affine(A1, parameters["W2"], parameters["b2"])
    A2 = expit(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[0]
    cost = -(Y.T @ np.log(A2) + (1 - Y).T @ np.log(1 - A2)) / m  # (1, 1)
    return float(np.squeeze(cost))


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    dZ2 = cache["A2"] - Y
    dZ1 = (dZ2 @ parameters["W2"].T) * (1 - cache["A1"] ** 2)
    return {
        "dW1": X.T @ dZ1 / m,
        "db1": _column_sum(dZ1) / m,
        "dW2": cache["A1"].T @ dZ2 / m,
        "db2": _column_sum(dZ2) / m,
    }


def update_parameters(parameters, grads, learning_rate=0.01):
    return dict(map(lambda item: (item[0], item[1] - learning_rate * grads["d" + item[0]]), parameters.items()))


def _full_batches(order, batch_size):
    n_full = len(order) // batch_size
    return (order[k * batch_size:(k + 1) * batch_size] for k in range(n_full))


def batch_generator(X, Y, batch_size=32):
    order = np.arange(X.shape[0])
    np.random.shuffle(order)
    yield from ((X[rows], Y[rows]) for rows in _full_batches(order, batch_size))
