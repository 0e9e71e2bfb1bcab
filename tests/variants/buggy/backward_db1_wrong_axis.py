"""Buggy: db1 summed over the wrong axis (samples kept, units summed): dW2, db2, dW1 are right."""
import numpy as np


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    dZ2 = cache["A2"] - Y
    dW2 = cache["A1"].T @ dZ2 / m
    db2 = np.sum(dZ2, axis=0, keepdims=True) / m
    dZ1 = (dZ2 @ parameters["W2"].T) * (1 - cache["A1"] ** 2)
    dW1 = X.T @ dZ1 / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
