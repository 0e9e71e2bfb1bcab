"""Buggy: db2 is taken with np.mean over the samples and loses its row dimension, shape (1,); its value
is right (a (1,) db2 still broadcasts in the update)."""
import numpy as np


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dZ1 = (dZ2 @ parameters["W2"].T) * (1 - A1**2)
    return {"dW1": X.T @ dZ1 / m, "db1": np.sum(dZ1, axis=0, keepdims=True) / m,
            "dW2": A1.T @ dZ2 / m, "db2": np.mean(dZ2, axis=0)}
