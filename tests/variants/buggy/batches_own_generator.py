"""Buggy: batch_generator shuffles with its own generator seeded with a constant, so the order ignores the
caller's np.random.seed and is the same every epoch."""
import numpy as np


def batch_generator(X, Y, batch_size=32):
    rng = np.random.default_rng(2024)
    order = rng.permutation(X.shape[0])
    for k in range(X.shape[0] // batch_size):
        rows = order[k * batch_size:(k + 1) * batch_size]
        yield X[rows], Y[rows]
