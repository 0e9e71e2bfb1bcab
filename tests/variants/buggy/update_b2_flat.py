"""Buggy: update_parameters returns b2 flattened to shape (n_out,); every value is right."""
import numpy as np


def update_parameters(parameters, grads, learning_rate=0.01):
    updated = {name: parameters[name] - learning_rate * grads["d" + name] for name in ("W1", "b1", "W2", "b2")}
    updated["b2"] = updated["b2"].ravel()
    return updated
