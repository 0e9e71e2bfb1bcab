"""Buggy: batch_generator returns a list of batches instead of yielding them."""
import numpy as np


def batch_generator(X, Y, batch_size=32):
    m = X.shape[0]
    indices = np.arange(m)
    np.random.shuffle(indices)
    batches = []
    for start in range(0, m - batch_size + 1, batch_size):
        batch = indices[start:start + batch_size]
        batches.append((X[batch], Y[batch]))
    return batches
