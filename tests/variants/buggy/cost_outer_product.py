"""Buggy: compute_cost multiplies with an outer product (Y @ log(A2).T), an (m, m) array, and returns it."""
import numpy as np


def compute_cost(A2, Y):
    m = Y.shape[0]
    return -(Y @ np.log(A2).T + (1 - Y) @ np.log(1 - A2).T) / m
