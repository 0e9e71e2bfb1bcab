"""Buggy: bias gradients with np.mean over the whole array: Python floats, not (1, n) arrays."""
import numpy as np


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    dZ2 = cache["A2"] - Y
    dZ1 = np.multiply(np.dot(dZ2, parameters["W2"].T), 1 - np.power(cache["A1"], 2))
    return {"dW1": np.dot(X.T, dZ1) / m, "db1": float(np.mean(dZ1)), "dW2": np.dot(cache["A1"].T, dZ2) / m,
            "db2": float(np.mean(dZ2))}
