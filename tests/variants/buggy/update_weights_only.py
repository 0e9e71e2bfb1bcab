"""Buggy: update_parameters steps the weights W1, W2 but never the biases."""
import numpy as np


def update_parameters(parameters, grads, learning_rate=0.01):
    for layer in ("1", "2"):
        parameters["W" + layer] = parameters["W" + layer] - learning_rate * grads["dW" + layer]
    return parameters
