"""Correct variant: bias gradients as sum(axis=0).reshape(1, -1) instead of keepdims."""
import numpy as np


def initialize_parameters(input_dim, hidden_dim, output_dim):
    np.random.seed(42)
    W1 = np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim)
    W2 = np.random.randn(hidden_dim, output_dim) / np.sqrt(hidden_dim)
    b1 = np.zeros(hidden_dim).reshape(1, -1)
    b2 = np.zeros(output_dim).reshape(1, -1)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters):
    Z1 = X.dot(parameters["W1"]) + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = A1.dot(parameters["W2"]) + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[0]
    return float(-(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)).sum() / m)


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    dZ2 = cache["A2"] - Y
    dW2 = cache["A1"].T.dot(dZ2) / m
    db2 = dZ2.sum(axis=0).reshape(1, -1) / m
    dZ1 = dZ2.dot(parameters["W2"].T) * (1 - cache["A1"] ** 2)
    dW1 = X.T.dot(dZ1) / m
    db1 = dZ1.sum(axis=0).reshape(1, -1) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=0.01):
    return {
        "W1": parameters["W1"] - learning_rate * grads["dW1"],
        "b1": parameters["b1"] - learning_rate * grads["db1"],
        "W2": parameters["W2"] - learning_rate * grads["dW2"],
        "b2": parameters["b2"] - learning_rate * grads["db2"],
    }


def batch_generator(X, Y, batch_size=32):
    m = X.shape[0]
    indices = list(range(m))
    np.random.shuffle(indices)
    for k in range(m // batch_size):
        batch = indices[k * batch_size:(k + 1) * batch_size]
        yield X[batch], Y[batch]
