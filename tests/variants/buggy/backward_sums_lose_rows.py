"""Buggy: bias gradients summed with .sum(axis=0), which drops the row dimension."""
import numpy as np


def initialize_parameters(input_dim, hidden_dim, output_dim):
    np.random.seed(42)
    W1 = np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim)
    b1 = np.zeros((1, hidden_dim))
    W2 = np.random.randn(hidden_dim, output_dim) / np.sqrt(hidden_dim)
    b2 = np.zeros((1, output_dim))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters):
    Z1 = X @ parameters["W1"] + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = A1 @ parameters["W2"] + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[0]
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m)


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    dZ2 = cache["A2"] - Y
    dZ1 = (dZ2 @ parameters["W2"].T) * (1 - cache["A1"] ** 2)
    grads = {"dW1": X.T @ dZ1, "db1": dZ1.sum(axis=0), "dW2": cache["A1"].T @ dZ2, "db2": dZ2.sum(axis=0)}
    return {name: grad / m for name, grad in grads.items()}


def update_parameters(parameters, grads, learning_rate=0.01):
    for name in list(parameters):
        parameters[name] = parameters[name] - learning_rate * grads["d" + name]
    return parameters


def batch_generator(X, Y, batch_size=32):
    m = X.shape[0]
    indices = np.arange(m)
    np.random.shuffle(indices)
    for start in range(0, m - batch_size + 1, batch_size):
        batch = indices[start:start + batch_size]
        yield X[batch], Y[batch]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def model(X_train, Y_train, X_test, Y_test, n_hidden=4, n_epochs=100, batch_size=32,
          learning_rate=0.5, print_cost=False):
    np.random.seed(42)
    parameters = initialize_parameters(X_train.shape[1], n_hidden, Y_train.shape[1])
    for epoch in range(n_epochs):
        for X_batch, Y_batch in batch_generator(X_train, Y_train, batch_size):
            A2, cache = forward_propagation(X_batch, parameters)
            cost = compute_cost(A2, Y_batch)
            grads = backward_propagation(parameters, cache, X_batch, Y_batch)
            parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost:
            print(f"Cost after epoch {epoch}: {cost}")
    return parameters


def predict(X, parameters):
    A2, _ = forward_propagation(X, parameters)
    return (A2 > 0.5).astype(int)
