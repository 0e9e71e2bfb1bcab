"""Correct variant: np.random.permutation(m) (the same random stream as shuffling np.arange(m))."""
import numpy as np


def initialize_parameters(input_dim, hidden_dim, output_dim):
    np.random.seed(42)
    W1 = np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim)
    W2 = np.random.randn(hidden_dim, output_dim) / np.sqrt(hidden_dim)
    return {"W1": W1, "b1": np.zeros((1, hidden_dim)), "W2": W2, "b2": np.zeros((1, output_dim))}


def forward_propagation(X, parameters):
    W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    Z2 = A1 @ W2 + b2
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = len(Y)
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m)


def backward_propagation(parameters, cache, X, Y):
    m = len(X)
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dZ1 = (dZ2 @ parameters["W2"].T) * (1 - A1**2)
    return {
        "dW1": X.T @ dZ1 / m,
        "db1": dZ1.sum(axis=0, keepdims=True) / m,
        "dW2": A1.T @ dZ2 / m,
        "db2": dZ2.sum(axis=0, keepdims=True) / m,
    }


def update_parameters(parameters, grads, learning_rate=0.01):
    for name in ("W1", "b1", "W2", "b2"):
        parameters[name] = parameters[name] - learning_rate * grads["d" + name]
    return parameters


def batch_generator(X, Y, batch_size=32):
    m = X.shape[0]
    permutation = np.random.permutation(m)
    X_shuffled, Y_shuffled = X[permutation], Y[permutation]
    for start in range(0, m - m % batch_size, batch_size):
        yield X_shuffled[start:start + batch_size], Y_shuffled[start:start + batch_size]
