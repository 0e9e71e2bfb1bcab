"""Buggy: batch_generator yields the leftover samples as a last, smaller batch (slicing past the end)."""
import numpy as np


def batch_generator(X, Y, batch_size=32):
    m = X.shape[0]
    permutation = np.arange(m)
    np.random.shuffle(permutation)
    X_shuffled, Y_shuffled = X[permutation], Y[permutation]
    for k in range(int(np.ceil(m / batch_size))):
        yield X_shuffled[k * batch_size:(k + 1) * batch_size], Y_shuffled[k * batch_size:(k + 1) * batch_size]
