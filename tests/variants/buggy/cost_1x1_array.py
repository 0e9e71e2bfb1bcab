"""Buggy: compute_cost returns the matrix-form cost as a (1, 1) array, not a Python float."""
import numpy as np


def compute_cost(A2, Y):
    m = Y.shape[0]
    cost = -(Y.T @ np.log(A2) + (1 - Y).T @ np.log(1 - A2)) / m  # (1, 1)
    return cost
