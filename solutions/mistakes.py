"""Known mistakes, written as small edits of the reference solution.

Each ``Mistake`` replaces one snippet of ``two_layer_net.py`` (it must occur
exactly once). The kit uses them twice:
- to *diagnose*: the grader runs each probe on the mistaken reference and, when a
  student's numbers equal those, shows the mistake's hint;
- as *buggy variants* in the kit's tests: each must lose points on a check named
  for its function.
Hints are shown to students: they name the mistake, not the fix's code.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    name: str  # short identifier, used for test ids and example file names
    function: str  # the function the edit is in
    find: str
    replace: str
    hint: str


MISTAKES = (
    # initialize_parameters
    Mistake("init_no_seed", "initialize_parameters", "    np.random.seed(42)\n    W1", "    W1",
            "the weights are not the ones np.random.seed(42) gives: seed the generator at the start."),
    Mistake("init_no_scaling", "initialize_parameters",
            "np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim)", "np.random.randn(input_dim, hidden_dim)",
            "W1 is not divided by the square root of its fan-in (the layer's number of inputs)."),
    Mistake("init_wrong_fan_in", "initialize_parameters",
            "np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim)",
            "np.random.randn(input_dim, hidden_dim) / np.sqrt(hidden_dim)",
            "W1 is divided by the square root of the wrong size: its fan-in is input_dim."),
    Mistake("init_uniform", "initialize_parameters", "W1 = np.random.randn(", "W1 = np.random.rand(",
            "W1 is drawn from a uniform distribution (rand) instead of a standard normal (randn)."),
    # forward_propagation
    Mistake("forward_sigmoid_hidden", "forward_propagation", "A1 = np.tanh(Z1)", "A1 = sigmoid(Z1)",
            "the hidden layer uses sigmoid; in this lab the hidden layer is tanh."),
    Mistake("forward_no_bias", "forward_propagation", "Z1 = X @ W1 + b1", "Z1 = X @ W1",
            "Z1 is missing the bias b1."),
    Mistake("forward_tanh_output", "forward_propagation", "A2 = sigmoid(Z2)", "A2 = np.tanh(Z2)",
            "the output uses tanh; the output unit is a sigmoid, so that A2 is a probability."),
    Mistake("forward_z2_from_z1", "forward_propagation", "Z2 = A1 @ W2 + b2", "Z2 = Z1 @ W2 + b2",
            "Z2 is computed from Z1 instead of the hidden activation A1."),
    # compute_cost
    Mistake("cost_sum_not_mean", "compute_cost", "-np.sum(log_probs) / m", "-np.sum(log_probs)",
            "the cost is a sum over the samples, not a mean."),
    Mistake("cost_no_negative_term", "compute_cost",
            "Y * np.log(A2) + (1 - Y) * np.log(1 - A2)", "Y * np.log(A2)",
            "the (1 - Y) log(1 - A2) term, for samples of label 0, is missing."),
    Mistake("cost_sign", "compute_cost", "-np.sum(log_probs) / m", "np.sum(log_probs) / m",
            "the cost has the wrong sign: cross-entropy is minus the mean log-likelihood."),
    Mistake("cost_flat_labels", "compute_cost",
            "Y * np.log(A2) + (1 - Y) * np.log(1 - A2)",
            "Y.ravel() * np.log(A2) + (1 - Y.ravel()) * np.log(1 - A2)",
            "labels of shape (m,) met A2 of shape (m, 1), and NumPy broadcast them into an (m, m) "
            "matrix: keep Y as a column of shape (m, 1)."),
    Mistake("cost_log_a2_twice", "compute_cost", "(1 - Y) * np.log(1 - A2)", "(1 - Y) * np.log(A2)",
            "the label-0 term uses log(A2); it needs the log of the probability of label 0."),
    # backward_propagation
    Mistake("backward_dw2_no_mean", "backward_propagation", "dW2 = A1.T @ dZ2 / m", "dW2 = A1.T @ dZ2",
            "dW2 is not divided by m."),
    Mistake("backward_dw1_no_mean", "backward_propagation", "dW1 = X.T @ dZ1 / m", "dW1 = X.T @ dZ1",
            "dW1 is not divided by m."),
    Mistake("backward_dw1_double_mean", "backward_propagation", "dW1 = X.T @ dZ1 / m", "dW1 = X.T @ dZ1 / m / m",
            "dW1 is divided by m twice."),
    Mistake("backward_tanh_of_z1", "backward_propagation", "(1 - A1**2)", "(1 - cache['Z1'] ** 2)",
            "the tanh derivative is written with Z1; the handout's table writes it with the activation A1."),
    Mistake("backward_tanh_no_square", "backward_propagation", "(1 - A1**2)", "(1 - A1)",
            "the tanh derivative is missing its square."),
    Mistake("backward_sigmoid_derivative", "backward_propagation", "(1 - A1**2)", "A1 * (1 - A1)",
            "dZ1 uses the derivative of the sigmoid; the hidden layer is tanh."),
    Mistake("backward_no_keepdims", "backward_propagation",
            "db1 = np.sum(dZ1, axis=0, keepdims=True) / m", "db1 = np.sum(dZ1, axis=0) / m",
            "db1 lost its row dimension."),
    Mistake("backward_sign", "backward_propagation", "dZ2 = A2 - Y", "dZ2 = Y - A2",
            "dZ2 has the wrong sign."),
    Mistake("backward_dw2_transposed", "backward_propagation", "dW2 = A1.T @ dZ2 / m", "dW2 = dZ2.T @ A1 / m",
            "dW2 is transposed."),
    Mistake("backward_flat_labels", "backward_propagation", "dZ2 = A2 - Y", "dZ2 = A2 - Y.ravel()",
            "Y was flattened to shape (m,), so A2 - Y broadcast to an (m, m) matrix."),
    Mistake("backward_db2_all_axes", "backward_propagation",
            "db2 = np.sum(dZ2, axis=0, keepdims=True) / m", "db2 = np.sum(dZ2) / m",
            "db2 was summed over every axis and lost its (1, 1) shape."),
    # update_parameters
    Mistake("update_plus", "update_parameters", "parameters[name] - learning_rate", "parameters[name] + learning_rate",
            "the update climbs the gradient instead of descending it."),
    Mistake("update_fixed_rate", "update_parameters", "learning_rate * grads", "0.01 * grads",
            "the step size does not follow the learning_rate argument."),
    # batch_generator
    Mistake("batches_partial_last", "batch_generator", "range(0, m - batch_size + 1, batch_size)",
            "range(0, m, batch_size)", "the last, incomplete batch is yielded too."),
    Mistake("batches_no_shuffle", "batch_generator", "    np.random.shuffle(indices)\n", "",
            "the batches are not shuffled."),
    Mistake("batches_reseeded", "batch_generator", "    np.random.shuffle(indices)\n",
            "    np.random.seed(42)\n    np.random.shuffle(indices)\n",
            "the generator reseeds NumPy itself, so every epoch sees the same order."),
    Mistake("batches_with_replacement", "batch_generator",
            "indices = np.arange(m)\n    np.random.shuffle(indices)", "indices = np.random.randint(0, m, size=m)",
            "samples are drawn with replacement, so some repeat within an epoch."),
    Mistake("batches_unpaired", "batch_generator", "yield X[batch], Y[batch]",
            "yield X[batch], Y[np.sort(batch)]", "the rows of X_batch and Y_batch are no longer paired."),
)
