"""Buggy: forward_propagation clips the weights in place, changing the caller's parameters."""
import numpy as np


def forward_propagation(X, parameters):
    W1, W2 = parameters["W1"], parameters["W2"]
    np.clip(W1, -1, 1, out=W1)  # "keep tanh out of saturation", but this edits parameters["W1"]
    np.clip(W2, -1, 1, out=W2)
    Z1 = X @ W1 + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = A1 @ W2 + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
