"""Buggy: einsum-style backward pass with dZ2 = Y - A2 (every gradient has the wrong sign)."""
import numpy as np


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    A1 = cache["A1"]
    dZ2 = Y - cache["A2"]
    dZ1 = np.einsum("mo,ho->mh", dZ2, parameters["W2"]) * (1 - A1 * A1)
    return {
        "dW1": np.einsum("mi,mh->ih", X, dZ1) / m,
        "db1": np.einsum("mh->h", dZ1)[None, :] / m,
        "dW2": np.einsum("mh,mo->ho", A1, dZ2) / m,
        "db2": np.einsum("mo->o", dZ2)[None, :] / m,
    }
