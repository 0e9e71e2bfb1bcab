"""Buggy: bias gradients summed with .sum(axis=0), which drops the row dimension."""
import numpy as np


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    dZ2 = cache["A2"] - Y
    dZ1 = (dZ2 @ parameters["W2"].T) * (1 - cache["A1"] ** 2)
    grads = {"dW1": X.T @ dZ1, "db1": dZ1.sum(axis=0), "dW2": cache["A1"].T @ dZ2, "db2": dZ2.sum(axis=0)}
    return {name: grad / m for name, grad in grads.items()}
