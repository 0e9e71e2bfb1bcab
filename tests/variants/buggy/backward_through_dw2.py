"""Buggy: the hidden layer's error goes back through the freshly computed gradient dW2 instead of the
weights W2 (a name slip between the two)."""
import numpy as np


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    grads = {"dW2": np.dot(A1.T, dZ2) / m, "db2": dZ2.sum(axis=0, keepdims=True) / m}
    dA1 = np.dot(dZ2, grads["dW2"].T)
    dZ1 = dA1 * (1 - np.power(A1, 2))
    grads["dW1"] = np.dot(X.T, dZ1) / m
    grads["db1"] = dZ1.sum(axis=0, keepdims=True) / m
    return grads
