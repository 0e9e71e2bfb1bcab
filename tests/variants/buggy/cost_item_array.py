"""Buggy: compute_cost returns the right value as a one-element array of shape (1,), not a float."""
import numpy as np


def compute_cost(A2, Y):
    m = Y.shape[0]
    log_probs = Y * np.log(A2) + (1 - Y) * np.log(1 - A2)
    return -np.sum(log_probs, axis=0) / m  # shape (1,)
