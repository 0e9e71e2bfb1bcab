"""Buggy: dZ1 multiplies by the tanh derivative with a matrix product (an (m, m) array), where the
product is element-wise; seen in course forums as "np.dot vs *" ("shapes not aligned" or a wrong dW1)."""
import numpy as np


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    A1 = cache["A1"]
    dZ2 = cache["A2"] - Y
    dW2 = A1.T @ dZ2 / m
    db2 = np.sum(dZ2, axis=0, keepdims=True) / m
    dZ1 = (dZ2 @ parameters["W2"].T) @ (1 - A1**2).T  # (m, m)
    dW1 = X.T @ dZ1 / m
    db1 = np.sum(dZ1, axis=0, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
