"""Buggy: compute_cost flattens Y to shape (m,), so Y * log(A2) broadcasts to an (m, m) matrix."""
import numpy as np


def compute_cost(A2, Y):
    y = Y.reshape(-1)  # "labels as a vector"
    log_probs = y * np.log(A2) + (1 - y) * np.log(1 - A2)  # (m, m): a column met a flat array
    return float(-np.mean(log_probs))
