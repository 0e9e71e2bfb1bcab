"""Buggy: batch_generator slices batches of 32 whatever batch_size it is given."""
import numpy as np


def batch_generator(X, Y, batch_size=32):
    m = X.shape[0]
    indices = np.arange(m)
    np.random.shuffle(indices)
    for start in range(0, m - batch_size + 1, batch_size):
        batch = indices[start:start + 32]
        yield X[batch], Y[batch]
