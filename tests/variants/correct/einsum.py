"""Correct variant: every product and every sum over samples written with np.einsum."""
import numpy as np


def initialize_parameters(input_dim, hidden_dim, output_dim):
    np.random.seed(42)
    W1 = np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim)
    W2 = np.random.randn(hidden_dim, output_dim) / np.sqrt(hidden_dim)
    b1 = np.zeros((1, hidden_dim))
    b2 = np.zeros((1, output_dim))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters):
    Z1 = np.einsum("mi,ih->mh", X, parameters["W1"]) + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = np.einsum("mh,ho->mo", A1, parameters["W2"]) + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, dict(Z1=Z1, A1=A1, Z2=Z2, A2=A2)


def compute_cost(A2, Y):
    m = Y.shape[0]
    log_likelihood = np.einsum("mo,mo->", Y, np.log(A2)) + np.einsum("mo,mo->", 1 - Y, np.log(1 - A2))
    return float(-log_likelihood / m)


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    A1 = cache["A1"]
    dZ2 = cache["A2"] - Y
    dW2 = np.einsum("mh,mo->ho", A1, dZ2) / m
    db2 = np.einsum("mo->o", dZ2)[None, :] / m
    dZ1 = np.einsum("mo,ho->mh", dZ2, parameters["W2"]) * (1 - A1 * A1)
    dW1 = np.einsum("mi,mh->ih", X, dZ1) / m
    db1 = np.einsum("mh->h", dZ1)[None, :] / m
    return dict(dW1=dW1, db1=db1, dW2=dW2, db2=db2)


def update_parameters(parameters, grads, learning_rate=0.01):
    return {key: parameters[key] - learning_rate * grads["d" + key] for key in ("W1", "b1", "W2", "b2")}


def batch_generator(X, Y, batch_size=32):
    order = np.arange(len(X))
    np.random.shuffle(order)
    start = 0
    while start + batch_size <= len(X):
        rows = order[start:start + batch_size]
        yield X[rows], Y[rows]
        start += batch_size
