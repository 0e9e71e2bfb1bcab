"""Buggy: compute_cost returns the column of per-sample losses: the average is never taken."""
import numpy as np


def compute_cost(A2, Y):
    losses = -(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    return losses
