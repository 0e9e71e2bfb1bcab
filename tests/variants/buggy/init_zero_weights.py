"""Buggy: initialize_parameters starts the weights at zero, like the biases."""
import numpy as np


def initialize_parameters(input_dim, hidden_dim, output_dim):
    np.random.seed(42)
    return {"W1": np.zeros((input_dim, hidden_dim)), "b1": np.zeros((1, hidden_dim)),
            "W2": np.zeros((hidden_dim, output_dim)), "b2": np.zeros((1, output_dim))}
