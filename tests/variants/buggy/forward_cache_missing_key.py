"""Buggy: forward_propagation leaves Z2 out of the cache (backward does not need it)."""
import numpy as np


def forward_propagation(X, parameters):
    Z1 = X @ parameters["W1"] + parameters["b1"]
    A1 = np.tanh(Z1)
    A2 = sigmoid(A1 @ parameters["W2"] + parameters["b2"])
    return A2, {"Z1": Z1, "A1": A1, "A2": A2}
