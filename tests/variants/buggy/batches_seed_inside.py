"""Buggy: batch_generator calls np.random.seed(1) before its permutation ("to make the batches
reproducible"), so every epoch gets the same order whatever the caller seeded."""
import numpy as np


def batch_generator(X, Y, batch_size=32):
    m = X.shape[0]
    np.random.seed(1)
    perm = np.random.permutation(m)
    X_shuffled, Y_shuffled = X[perm], Y[perm]
    for start in range(0, m - batch_size + 1, batch_size):
        yield X_shuffled[start:start + batch_size], Y_shuffled[start:start + batch_size]
