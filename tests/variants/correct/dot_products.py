"""Correct variant: np.dot everywhere, 1/m written as a factor in front."""
import numpy as np


def initialize_parameters(input_dim, hidden_dim, output_dim):
    np.random.seed(42)
    W1 = np.random.randn(input_dim, hidden_dim) * (1.0 / np.sqrt(input_dim))
    W2 = np.random.randn(hidden_dim, output_dim) * (1.0 / np.sqrt(hidden_dim))
    return {"W1": W1, "b1": np.zeros((1, hidden_dim)), "W2": W2, "b2": np.zeros((1, output_dim))}


def forward_propagation(X, parameters):
    Z1 = np.dot(X, parameters["W1"]) + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = np.dot(A1, parameters["W2"]) + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[0]
    cost = -(1.0 / m) * np.sum(np.multiply(Y, np.log(A2)) + np.multiply(1 - Y, np.log(1 - A2)))
    return float(cost)


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    dZ2 = cache["A2"] - Y
    dW2 = (1.0 / m) * np.dot(cache["A1"].T, dZ2)
    db2 = (1.0 / m) * np.sum(dZ2, axis=0, keepdims=True)
    dZ1 = np.multiply(np.dot(dZ2, parameters["W2"].T), 1 - np.power(cache["A1"], 2))
    dW1 = (1.0 / m) * np.dot(X.T, dZ1)
    db1 = (1.0 / m) * np.sum(dZ1, axis=0, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=0.01):
    W1 = parameters["W1"] - learning_rate * grads["dW1"]
    b1 = parameters["b1"] - learning_rate * grads["db1"]
    W2 = parameters["W2"] - learning_rate * grads["dW2"]
    b2 = parameters["b2"] - learning_rate * grads["db2"]
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def batch_generator(X, Y, batch_size=32):
    m = X.shape[0]
    indices = np.arange(m)
    np.random.shuffle(indices)
    for k in range(m // batch_size):
        chosen = indices[k * batch_size:(k + 1) * batch_size]
        yield X[chosen, :], Y[chosen, :]
