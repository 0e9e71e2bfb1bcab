"""Buggy: compute_cost returns the mean log-likelihood without the minus in front."""
import numpy as np


def compute_cost(A2, Y):
    return float(np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))
