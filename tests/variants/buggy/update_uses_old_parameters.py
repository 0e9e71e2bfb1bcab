"""Buggy: update_parameters builds the new dict but returns the parameters it was given, unchanged."""
import numpy as np


def update_parameters(parameters, grads, learning_rate=0.01):
    updated = {}
    for name in ("W1", "b1", "W2", "b2"):
        updated[name] = parameters[name] - learning_rate * grads["d" + name]
    return dict(parameters)
