"""Buggy: each layer's block seeds NumPy again ("seed for reproducibility" copied into both blocks), so
W2 repeats the first random numbers W1 already used."""
import numpy as np


def initialize_parameters(input_dim, hidden_dim, output_dim):
    parameters = {}
    for layer, (fan_in, fan_out) in enumerate([(input_dim, hidden_dim), (hidden_dim, output_dim)], start=1):
        np.random.seed(42)
        parameters[f"W{layer}"] = np.random.randn(fan_in, fan_out) / np.sqrt(fan_in)
        parameters[f"b{layer}"] = np.zeros((1, fan_out))
    return parameters
