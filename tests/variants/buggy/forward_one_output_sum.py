"""Buggy: the output layer is written for one output unit: the weights are multiplied element-wise and
summed over the hidden units, which fails as soon as there are two outputs."""
import numpy as np


def forward_propagation(X, parameters):
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    Z2 = (W2.T * A1).sum(axis=1, keepdims=True) + b2
    A2 = 1 / (1 + np.exp(-Z2))
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
