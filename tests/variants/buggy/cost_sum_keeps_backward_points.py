"""Buggy: compute_cost sums over the samples instead of taking the mean; backward_propagation (the
reference's) is right and must keep every point, its own-loss check included."""
import numpy as np


def compute_cost(A2, Y):
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))
