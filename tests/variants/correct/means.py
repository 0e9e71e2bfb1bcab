"""Correct variant: np.mean instead of sum / m, and Python's ** for squares."""
import numpy as np


def initialize_parameters(input_dim, hidden_dim, output_dim):
    np.random.seed(42)
    parameters = {}
    parameters["W1"] = np.random.randn(input_dim, hidden_dim) / input_dim ** 0.5
    parameters["b1"] = np.zeros((1, hidden_dim))
    parameters["W2"] = np.random.randn(hidden_dim, output_dim) / hidden_dim ** 0.5
    parameters["b2"] = np.zeros((1, output_dim))
    return parameters


def forward_propagation(X, parameters):
    Z1 = X @ parameters["W1"] + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = A1 @ parameters["W2"] + parameters["b2"]
    A2 = sigmoid(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def compute_cost(A2, Y):
    return float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    dZ2 = cache["A2"] - Y
    dW2 = cache["A1"].T @ dZ2 / m
    db2 = np.mean(dZ2, axis=0, keepdims=True)
    dZ1 = dZ2 @ parameters["W2"].T * (1 - cache["A1"] ** 2)
    dW1 = X.T @ dZ1 / m
    db1 = np.mean(dZ1, axis=0, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=0.01):
    new = dict(parameters)
    for key in parameters:
        new[key] = parameters[key] - learning_rate * grads["d" + key]
    return new


def batch_generator(X, Y, batch_size=32):
    m = X.shape[0]
    idx = np.arange(m)
    np.random.shuffle(idx)
    n_batches = m // batch_size
    for b in range(n_batches):
        sl = slice(b * batch_size, (b + 1) * batch_size)
        yield X[idx[sl]], Y[idx[sl]]
