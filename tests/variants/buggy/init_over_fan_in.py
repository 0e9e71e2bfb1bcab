"""Buggy: the weights are multiplied by 1 / fan-in, the variance's formula taken for the scale (no
square root), in both layers."""
import numpy as np


def initialize_parameters(input_dim, hidden_dim, output_dim):
    np.random.seed(42)
    params = {}
    for name, (rows, cols) in (("1", (input_dim, hidden_dim)), ("2", (hidden_dim, output_dim))):
        params["W" + name] = np.random.randn(rows, cols) * (1.0 / rows)
        params["b" + name] = np.zeros((1, cols))
    return params
