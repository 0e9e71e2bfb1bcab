"""Buggy: forward_propagation adds b1 to the output layer too (copy-paste of the first line)."""
import numpy as np


def forward_propagation(X, parameters):
    Z1 = X @ parameters["W1"] + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = A1 @ parameters["W2"] + parameters["b1"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
