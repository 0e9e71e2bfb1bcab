"""Buggy: forward_propagation stores the pre-activation Z1 under the key A1."""
import numpy as np


def forward_propagation(X, parameters):
    Z1 = X @ parameters["W1"] + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = A1 @ parameters["W2"] + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": Z1, "Z2": Z2, "A2": A2}
