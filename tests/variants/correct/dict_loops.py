"""Correct variant: layers described by a table and handled in loops over parameter names."""
import numpy as np

LAYERS = ("1", "2")


def initialize_parameters(input_dim, hidden_dim, output_dim):
    np.random.seed(42)
    sizes = {"1": (input_dim, hidden_dim), "2": (hidden_dim, output_dim)}
    parameters = {}
    for layer in LAYERS:
        fan_in, fan_out = sizes[layer]
        parameters["W" + layer] = np.random.randn(fan_in, fan_out) / np.sqrt(fan_in)
        parameters["b" + layer] = np.zeros((1, fan_out))
    return parameters


def forward_propagation(X, parameters):
    activations = {"1": np.tanh, "2": sigmoid}
    cache = {}
    A = X
    for layer in LAYERS:
        Z = A @ parameters["W" + layer] + parameters["b" + layer]
        A = activations[layer](Z)
        cache["Z" + layer], cache["A" + layer] = Z, A
    return A, cache


def compute_cost(A2, Y):
    m = Y.shape[0]
    losses = [Y * np.log(A2), (1 - Y) * np.log(1 - A2)]
    return float(-sum(np.sum(loss) for loss in losses) / m)


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    inputs = {"1": X, "2": cache["A1"]}
    grads = {}
    dZ = cache["A2"] - Y
    for layer in reversed(LAYERS):
        grads["dW" + layer] = inputs[layer].T @ dZ / m
        grads["db" + layer] = np.sum(dZ, axis=0, keepdims=True) / m
        if layer == "2":
            dZ = (dZ @ parameters["W2"].T) * (1 - cache["A1"] ** 2)
    return grads


def update_parameters(parameters, grads, learning_rate=0.01):
    return {name: value - learning_rate * grads["d" + name] for name, value in parameters.items()}


def batch_generator(X, Y, batch_size=32):
    indices = np.arange(X.shape[0])
    np.random.shuffle(indices)
    n_full = X.shape[0] // batch_size
    for chunk in np.split(indices[: n_full * batch_size], n_full) if n_full else []:
        yield X[chunk], Y[chunk]
