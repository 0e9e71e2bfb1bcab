"""Buggy: update_parameters written out line by line, with W2 stepped by db2 (a copy-paste slip that
broadcasting hides)."""


def update_parameters(parameters, grads, learning_rate=0.01):
    return {
        "W1": parameters["W1"] - learning_rate * grads["dW1"],
        "b1": parameters["b1"] - learning_rate * grads["db1"],
        "W2": parameters["W2"] - learning_rate * grads["db2"],
        "b2": parameters["b2"] - learning_rate * grads["db2"],
    }
