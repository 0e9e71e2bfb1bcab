"""Buggy: the output's error is taken from the pre-activation Z2 (the logit) instead of the probability A2."""
import numpy as np


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    Z2, A1 = cache["Z2"], cache["A1"]
    dZ2 = Z2 - Y
    dW2 = A1.T @ dZ2 / m
    db2 = np.sum(dZ2, axis=0, keepdims=True) / m
    dZ1 = dZ2 @ parameters["W2"].T * (1 - A1 * A1)
    return {"dW1": X.T @ dZ1 / m, "db1": np.sum(dZ1, axis=0, keepdims=True) / m, "dW2": dW2, "db2": db2}
