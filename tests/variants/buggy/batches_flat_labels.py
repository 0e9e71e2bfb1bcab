"""Buggy: batch_generator yields Y_batch flattened to shape (b,)."""
import numpy as np


def batch_generator(X, Y, batch_size=32):
    m = X.shape[0]
    indices = np.arange(m)
    np.random.shuffle(indices)
    for start in range(0, m - batch_size + 1, batch_size):
        batch = indices[start:start + batch_size]
        yield X[batch], Y[batch].ravel()
