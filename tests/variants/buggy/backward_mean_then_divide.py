"""Buggy: bias gradients use np.mean and are then divided by m again."""
import numpy as np


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    dZ2 = cache["A2"] - Y
    dW2 = np.dot(cache["A1"].T, dZ2) / m
    db2 = np.mean(dZ2, axis=0, keepdims=True) / m
    dZ1 = np.dot(dZ2, parameters["W2"].T) * (1 - np.power(cache["A1"], 2))
    dW1 = np.dot(X.T, dZ1) / m
    db1 = np.mean(dZ1, axis=0, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
