"""Known mistakes, written as small edits of the reference solution.

Each ``Mistake`` replaces one snippet of ``two_layer_net.py`` (it must occur
exactly once). The kit uses them twice:
- to *diagnose*: the grader runs each probe on the mistaken reference and, when a
  student's numbers equal those, shows the mistake's hint;
- as *buggy variants* in the kit's tests: each must lose points on a check named
  for its function.
Hints are shown to students: they name the mistake, not the fix's code. Each is marked with
``N_`` for the catalogue; the grader shows it translated (``_(hint)``), its English being the key
under which the fixtures record the mistake's observation.
"""
from __future__ import annotations

from dataclasses import dataclass

from grader.i18n import N_


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
            N_("the weights are not the ones np.random.seed(42) gives: the generator is not seeded at the start.")),
    Mistake("init_no_scaling", "initialize_parameters",
            "np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim)", "np.random.randn(input_dim, hidden_dim)",
            N_("W1 is not divided by the square root of its fan-in (the layer's number of inputs).")),
    Mistake("init_wrong_fan_in", "initialize_parameters",
            "np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim)",
            "np.random.randn(input_dim, hidden_dim) / np.sqrt(hidden_dim)",
            N_("W1 is divided by the square root of the wrong size: its fan-in is input_dim.")),
    Mistake("init_fan_in_no_sqrt", "initialize_parameters",
            "np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim)",
            "np.random.randn(input_dim, hidden_dim) / input_dim",
            N_("W1 is divided by its fan-in input_dim itself, not by the square root of it.")),
    Mistake("init_he", "initialize_parameters",
            "np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim)",
            "np.random.randn(input_dim, hidden_dim) * np.sqrt(2 / input_dim)",
            N_("W1 is scaled as in He initialisation, by the square root of 2 / fan-in (made for ReLU); this lab "
               "divides by the square root of the fan-in only.")),
    Mistake("init_uniform", "initialize_parameters", "W1 = np.random.randn(", "W1 = np.random.rand(",
            N_("W1 is drawn from a uniform distribution (rand) instead of a standard normal (randn).")),
    Mistake("init_times_001", "initialize_parameters",
            "np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim)",
            "np.random.randn(input_dim, hidden_dim) * 0.01",
            N_("W1 is scaled by 0.01 (as some tutorials do); this lab divides by the square root of the fan-in.")),
    Mistake("init_w2_wrong_fan_in", "initialize_parameters",
            "np.random.randn(hidden_dim, output_dim) / np.sqrt(hidden_dim)",
            "np.random.randn(hidden_dim, output_dim) / np.sqrt(input_dim)",
            N_("W2 is divided by the square root of the wrong size: its fan-in is hidden_dim.")),
    # forward_propagation
    Mistake("forward_sigmoid_hidden", "forward_propagation", "A1 = np.tanh(Z1)", "A1 = sigmoid(Z1)",
            N_("the hidden layer uses sigmoid; in this lab the hidden layer is tanh.")),
    Mistake("forward_relu_hidden", "forward_propagation", "A1 = np.tanh(Z1)", "A1 = np.maximum(0, Z1)",
            N_("the hidden layer uses ReLU; in this lab the hidden layer is tanh.")),
    Mistake("forward_no_bias", "forward_propagation", "Z1 = X @ W1 + b1", "Z1 = X @ W1",
            N_("Z1 is missing the bias b1.")),
    Mistake("forward_no_output_bias", "forward_propagation", "Z2 = A1 @ W2 + b2", "Z2 = A1 @ W2",
            N_("Z2 is missing the bias b2.")),
    Mistake("forward_tanh_output", "forward_propagation", "A2 = sigmoid(Z2)", "A2 = np.tanh(Z2)",
            N_("the output uses tanh; the output unit is a sigmoid, so that A2 is a probability.")),
    Mistake("forward_sigmoid_sign", "forward_propagation", "A2 = sigmoid(Z2)", "A2 = 1 / (1 + np.exp(Z2))",
            N_("the sigmoid of the output is written with exp(Z2): the exponent's sign is flipped, so A2 is "
               "1 minus the probability.")),
    Mistake("forward_z2_from_z1", "forward_propagation", "Z2 = A1 @ W2 + b2", "Z2 = Z1 @ W2 + b2",
            N_("Z2 is computed from Z1 instead of the hidden activation A1.")),
    Mistake("forward_b2_twice", "forward_propagation", "A2 = sigmoid(Z2)", "A2 = sigmoid(Z2 + b2)",
            N_("the bias b2 is added twice: once in Z2, again inside the sigmoid.")),
    # compute_cost
    Mistake("cost_sum_not_mean", "compute_cost", "-np.sum(log_probs) / m", "-np.sum(log_probs)",
            N_("the cost is a sum over the samples, not a mean.")),
    Mistake("cost_mean_then_divide", "compute_cost", "-np.sum(log_probs) / m", "-np.mean(log_probs) / m",
            N_("the cost is divided by m twice: np.mean already divides by m.")),
    Mistake("cost_no_negative_term", "compute_cost",
            "Y * np.log(A2) + (1 - Y) * np.log(1 - A2)", "Y * np.log(A2)",
            N_("the (1 - Y) log(1 - A2) term, for samples of label 0, is missing.")),
    Mistake("cost_sign", "compute_cost", "-np.sum(log_probs) / m", "np.sum(log_probs) / m",
            N_("the cost has the wrong sign: cross-entropy is minus the mean log-likelihood; check the minus in "
               "front of the mean.")),
    Mistake("cost_flat_labels", "compute_cost",
            "Y * np.log(A2) + (1 - Y) * np.log(1 - A2)",
            "Y.ravel() * np.log(A2) + (1 - Y.ravel()) * np.log(1 - A2)",
            N_("the cost is the mean of an (m, m) matrix of log terms. The checks pass Y and A2 as columns "
               "(m, 1), so the matrix was made inside compute_cost: either a column met a flat (m,) array "
               "(Y or A2 flattened) and NumPy broadcast them, or a column was multiplied by a row with a "
               "matrix product (an outer product, np.dot or @ with a .T) where an element-wise product "
               "belongs.")),
    Mistake("cost_log_a2_twice", "compute_cost", "(1 - Y) * np.log(1 - A2)", "(1 - Y) * np.log(A2)",
            N_("the label-0 term uses log(A2); it needs the log of the probability of label 0.")),
    Mistake("cost_swapped_terms", "compute_cost",
            "Y * np.log(A2) + (1 - Y) * np.log(1 - A2)", "Y * np.log(1 - A2) + (1 - Y) * np.log(A2)",
            N_("the two terms are swapped: label 1 goes with log(A2), label 0 with log(1 - A2).")),
    Mistake("cost_squared_error", "compute_cost",
            "Y * np.log(A2) + (1 - Y) * np.log(1 - A2)", "-((A2 - Y) ** 2)",
            N_("this is the mean squared error; the lab's cost is the cross-entropy (with logs).")),
    Mistake("cost_log10", "compute_cost",
            "Y * np.log(A2) + (1 - Y) * np.log(1 - A2)", "Y * np.log10(A2) + (1 - Y) * np.log10(1 - A2)",
            N_("the cost uses np.log10; cross-entropy uses the natural logarithm np.log.")),
    # backward_propagation
    Mistake("backward_dw2_no_mean", "backward_propagation", "dW2 = A1.T @ dZ2 / m", "dW2 = A1.T @ dZ2",
            N_("dW2 is not divided by m.")),
    Mistake("backward_dw1_no_mean", "backward_propagation", "dW1 = X.T @ dZ1 / m", "dW1 = X.T @ dZ1",
            N_("dW1 is not divided by m.")),
    Mistake("backward_db2_no_mean", "backward_propagation",
            "db2 = np.sum(dZ2, axis=0, keepdims=True) / m", "db2 = np.sum(dZ2, axis=0, keepdims=True)",
            N_("db2 is not divided by m.")),
    Mistake("backward_db1_no_mean", "backward_propagation",
            "db1 = np.sum(dZ1, axis=0, keepdims=True) / m", "db1 = np.sum(dZ1, axis=0, keepdims=True)",
            N_("db1 is not divided by m.")),
    Mistake("backward_dw1_double_mean", "backward_propagation", "dW1 = X.T @ dZ1 / m", "dW1 = X.T @ dZ1 / m / m",
            N_("dW1 is divided by m twice.")),
    Mistake("backward_tanh_of_z1", "backward_propagation", "(1 - A1**2)", "(1 - cache['Z1'] ** 2)",
            N_("the tanh derivative is written with Z1; the handout's table writes it with the activation A1.")),
    Mistake("backward_tanh_no_square", "backward_propagation", "(1 - A1**2)", "(1 - A1)",
            N_("the tanh derivative is missing its square.")),
    Mistake("backward_tanh_square_outside", "backward_propagation", "(1 - A1**2)", "(1 - A1) ** 2",
            N_("the tanh derivative squares the whole difference; only A1 is squared.")),
    Mistake("backward_tanh_applied_twice", "backward_propagation", "(1 - A1**2)", "(1 - np.tanh(A1) ** 2)",
            N_("the tanh derivative applies tanh to A1, which already is tanh(Z1): tanh is applied twice.")),
    Mistake("backward_sigmoid_derivative", "backward_propagation", "(1 - A1**2)", "A1 * (1 - A1)",
            N_("dZ1 uses the derivative of the sigmoid; the hidden layer is tanh.")),
    Mistake("backward_tanh_of_a2", "backward_propagation", "(1 - A1**2)", "(1 - A2**2)",
            N_("the tanh derivative in dZ1 is written with A2; it belongs to the hidden layer's A1.")),
    Mistake("backward_no_keepdims", "backward_propagation",
            "db1 = np.sum(dZ1, axis=0, keepdims=True) / m", "db1 = np.sum(dZ1, axis=0) / m",
            N_("db1 lost its row dimension.")),
    Mistake("backward_sign", "backward_propagation", "dZ2 = A2 - Y", "dZ2 = Y - A2",
            N_("dZ2 has the wrong sign.")),
    Mistake("backward_dz2_sigmoid_factor", "backward_propagation", "dZ2 = A2 - Y", "dZ2 = (A2 - Y) * A2 * (1 - A2)",
            N_("dZ2 carries an extra factor A2 (1 - A2): with the cross-entropy cost the sigmoid's derivative "
               "cancels out (that factor belongs to a squared-error cost).")),
    Mistake("backward_dw2_transposed", "backward_propagation", "dW2 = A1.T @ dZ2 / m", "dW2 = dZ2.T @ A1 / m",
            N_("dW2 is transposed.")),
    Mistake("backward_dw2_from_z1", "backward_propagation", "dW2 = A1.T @ dZ2 / m", "dW2 = cache['Z1'].T @ dZ2 / m",
            N_("dW2 is computed from Z1; the hidden layer's output is the activation A1.")),
    Mistake("backward_dz1_through_dw2", "backward_propagation", '(dZ2 @ parameters["W2"].T)', "(dZ2 @ dW2.T)",
            N_("dZ1 is computed with the gradient dW2 where the weights W2 belong: the error flows back through "
               "the layer's weights, not through their gradient.")),
    Mistake("backward_dz2_from_z2", "backward_propagation", "dZ2 = A2 - Y", 'dZ2 = cache["Z2"] - Y',
            N_("dZ2 is computed from Z2, the output before the sigmoid; the output's error uses the "
               "probability A2.")),
    Mistake("backward_db1_from_dz2", "backward_propagation",
            "db1 = np.sum(dZ1, axis=0, keepdims=True) / m", "db1 = np.sum(dZ2, axis=0, keepdims=True) / m",
            N_("db1 is computed from dZ2; the hidden layer's bias gradient sums dZ1.")),
    Mistake("backward_flat_labels", "backward_propagation", "dZ2 = A2 - Y", "dZ2 = A2 - Y.ravel()",
            N_("Y (given as a column (m, 1)) was made flat, of shape (m,), inside backward_propagation, so "
               "A2 - Y broadcast to an (m, m) matrix.")),
    Mistake("backward_db2_all_axes", "backward_propagation",
            "db2 = np.sum(dZ2, axis=0, keepdims=True) / m", "db2 = np.sum(dZ2) / m",
            N_("db2 was summed over every axis and lost its (1, 1) shape.")),
    # update_parameters
    Mistake("update_plus", "update_parameters", "parameters[name] - learning_rate", "parameters[name] + learning_rate",
            N_("the update climbs the gradient instead of descending it.")),
    Mistake("update_fixed_rate", "update_parameters", "learning_rate * grads", "0.01 * grads",
            N_("the step size does not follow the learning_rate argument.")),
    Mistake("update_no_rate", "update_parameters", "learning_rate * grads", "grads",
            N_("the step leaves out learning_rate: the whole gradient is subtracted.")),
    # batch_generator
    Mistake("batches_partial_last", "batch_generator", "range(0, m - batch_size + 1, batch_size)",
            "range(0, m, batch_size)", N_("the last, incomplete batch is yielded too.")),
    Mistake("batches_one_short", "batch_generator", "range(0, m - batch_size + 1, batch_size)",
            "range(0, m - batch_size, batch_size)",
            N_("the loop stops one batch early: when batch_size divides m, the last full batch is missing.")),
    Mistake("batches_no_shuffle", "batch_generator", "    np.random.shuffle(indices)\n", "",
            N_("the batches are not shuffled.")),
    Mistake("batches_reseeded", "batch_generator", "    np.random.shuffle(indices)\n",
            "    np.random.seed(42)\n    np.random.shuffle(indices)\n",
            N_("the generator reseeds NumPy itself, so every epoch sees the same order.")),
    Mistake("batches_with_replacement", "batch_generator",
            "indices = np.arange(m)\n    np.random.shuffle(indices)", "indices = np.random.randint(0, m, size=m)",
            N_("samples are drawn with replacement, so some repeat within an epoch.")),
    Mistake("batches_unpaired", "batch_generator", "yield X[batch], Y[batch]",
            "yield X[batch], Y[np.sort(batch)]", N_("the rows of X_batch and Y_batch are no longer paired.")),
)
