"""Buggy: compute_cost takes the mean over axis 1 (each sample's one column), leaving m numbers."""
import numpy as np


def compute_cost(A2, Y):
    return -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2), axis=1)
