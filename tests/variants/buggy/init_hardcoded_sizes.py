"""Buggy: initialize_parameters writes the moons' 2 inputs as a number instead of input_dim."""
import numpy as np


def initialize_parameters(input_dim, hidden_dim, output_dim):
    np.random.seed(42)
    W1 = np.random.randn(2, hidden_dim) / np.sqrt(2)
    b1 = np.zeros((1, hidden_dim))
    W2 = np.random.randn(hidden_dim, output_dim) / np.sqrt(hidden_dim)
    b2 = np.zeros((1, output_dim))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
