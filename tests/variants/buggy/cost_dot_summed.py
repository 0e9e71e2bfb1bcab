"""Buggy: compute_cost uses np.dot(Y, log(A2).T), an (m, m) outer product, and sums it into one number
(the column-major formula Y·log(A2)ᵀ written for row-major arrays)."""
import numpy as np


def compute_cost(A2, Y):
    m = Y.shape[0]
    total = np.dot(Y, np.log(A2).T) + np.dot(1 - Y, np.log(1 - A2).T)
    return float(-(1.0 / m) * np.sum(total))
