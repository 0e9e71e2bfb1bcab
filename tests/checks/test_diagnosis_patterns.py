"""The pattern diagnoses of grader/checks/diagnose.py on numbers built here (a reseeded layer, a weight's
scale, an update by another gradient, a batch order a constant seed gives, a per-sample cost, a crash of
code written for one output unit), the fair judging of a flat array with the right values, and one root
cause said once. The expected values are made with NumPy here, never read from the code under test."""
from __future__ import annotations

import numpy as np
import pytest

from grader.checks import diagnose
from grader.checks.base import Fail
from grader.checks.judge import dict_parts, singleton_reshaped
from tests.variants.build import BUGGY_DIR, assemble


def lab_weights(n_in: int, n_h: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    np.random.seed(42)
    W1 = np.random.randn(n_in, n_h) / np.sqrt(n_in)
    return W1, np.random.randn(n_h, n_out) / np.sqrt(n_h)


# ----------------------------------------------------------------- initialize_parameters


@pytest.mark.parametrize("sizes", [(2, 4, 1), (3, 5, 2), (1, 1, 1)])
def test_a_w2_drawn_after_seeding_again_is_named_before_holding_w1(sizes):
    n_in, n_h, n_out = sizes
    _W1, W2 = lab_weights(*sizes)
    np.random.seed(42)
    reseeded = np.random.randn(n_h, n_out) / np.sqrt(n_h)
    related = {"W1": np.random.RandomState(42).randn(n_in, n_h) / np.sqrt(n_in)}
    cause = diagnose.value_cause(reseeded, W2, "W2", diagnose.INITIALIZE, related=related)
    assert "seeded again before W2" in cause and "np.random.seed(42)" in cause
    assert "holds the values of W1" not in cause


def test_a_w2_seeded_with_another_constant_names_that_seed():
    _W1, W2 = lab_weights(3, 5, 2)
    np.random.seed(1)
    cause = diagnose.value_cause(np.random.randn(5, 2) / np.sqrt(5), W2, "W2", diagnose.INITIALIZE)
    assert "np.random.seed(1)" in cause and "seeded again" in cause


def test_a_w2_of_unrelated_draws_gets_no_reseed_diagnosis():
    _W1, W2 = lab_weights(3, 5, 2)
    other = np.random.RandomState(987654).randn(5, 2) / np.sqrt(5)
    assert "seeded again" not in diagnose.value_cause(other, W2, "W2", diagnose.INITIALIZE)


def test_weights_divided_by_the_fan_in_say_so_with_the_argument():
    W1, _W2 = lab_weights(3, 5, 2)
    got = W1 * np.sqrt(3) / 3  # divided by 3 instead of sqrt(3)
    cause = diagnose.value_cause(got, W1, "W1", diagnose.INITIALIZE)
    assert "divided by its fan-in input_dim itself" in cause and "0.5774" in cause


def test_a_scale_two_mistakes_give_on_these_sizes_names_both():
    W1, _W2 = lab_weights(2, 4, 1)
    got = W1 * np.sqrt(2) / 2  # 1/sqrt(2): divided by 2 = input_dim, or by sqrt(4) = sqrt(hidden_dim)
    cause = diagnose.value_cause(got, W1, "W1", diagnose.INITIALIZE)
    assert "two mistakes" in cause and "itself, not by its square root" in cause and "hidden_dim" in cause


def test_a_scale_of_w2_is_read_against_its_own_fan_in():
    _W1, W2 = lab_weights(3, 5, 2)
    assert "0.01" in diagnose.value_cause(W2 * 0.01 * np.sqrt(5), W2, "W2", diagnose.INITIALIZE)


# ----------------------------------------------------------------- update_parameters


def test_a_parameter_moved_by_another_gradient_names_it():
    rng = np.random.RandomState(3)
    b1, db1, db2 = rng.randn(1, 4), rng.randn(1, 4), rng.randn(1, 1)
    steps = {"db1": 0.1 * db1, "db2": 0.1 * db2, "dW1": 0.1 * rng.randn(2, 4)}
    cause = diagnose.value_cause(b1 - 0.1 * db2, b1 - 0.1 * db1, "b1", diagnose.UPDATE, before=b1, steps=steps)
    assert "b1 was moved by learning_rate times db2" in cause and "db1" in cause


# ----------------------------------------------------------------- compute_cost


@pytest.mark.parametrize("shape", [(5,), (5, 1)])
def test_a_cost_of_one_value_per_sample_says_the_mean_is_missing(shape):
    assert "one value per sample" in diagnose.per_sample_cost(shape, 5)


def test_a_cost_of_other_shape_is_not_called_per_sample():
    assert diagnose.per_sample_cost((5, 5), 5) == "" and diagnose.per_sample_cost((4,), 5) == ""


def test_an_outer_product_cost_names_both_possible_causes():
    rng = np.random.RandomState(0)
    A2, Y = rng.uniform(0.1, 0.9, (5, 1)), (rng.uniform(size=(5, 1)) > 0.5).astype(float)
    outer = Y @ np.log(A2).T + (1 - Y) @ np.log(1 - A2).T  # (m, m)
    right = float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))
    cause = diagnose.value_cause(-np.sum(outer) / 5, right, "cost", diagnose.COST, related={"A2": A2, "Y": Y})
    assert "a column met a flat (m,) array" in cause and "an outer product" in cause


# ----------------------------------------------------------------- batch_generator


def test_an_order_a_constant_seed_gives_is_named_with_the_seed():
    order = np.arange(64)
    np.random.seed(0)
    np.random.shuffle(order)
    assert "np.random.seed(0) gives" in diagnose.batch_order_cause(order[:48], 64, caller_seed=1)
    rng_order = np.random.default_rng(2024).permutation(50)
    assert "np.random.default_rng(2024) gives" in diagnose.batch_order_cause(rng_order[:49], 50, caller_seed=2)


def test_an_order_of_the_callers_own_seed_or_a_rare_one_is_not_called_reseeded():
    order = np.random.RandomState(1).permutation(64)
    assert diagnose.batch_order_cause(order, 64, caller_seed=1) == ""
    assert diagnose.batch_order_cause(np.random.RandomState(777777).permutation(64), 64, caller_seed=1) == ""


# ----------------------------------------------------------------- forward_propagation crash


def test_a_broadcast_crash_on_a_line_with_w2_says_the_code_assumes_one_output():
    detail = "ValueError: operands could not be broadcast together with shapes (7,5) (2,5) "
    line = "  line 9, in forward_propagation: Z2 = (W2.T * A1).sum(axis=1, keepdims=True) + b2"
    assert "assumes one output unit" in diagnose.crash_cause(diagnose.FORWARD, detail, line)
    assert diagnose.crash_cause(diagnose.FORWARD, detail, "  line 7, in forward_propagation: Z1 = X @ W1 + b1") == ""
    assert diagnose.crash_cause(diagnose.BACKWARD, detail, line) == ""


# ----------------------------------------------------------------- fair points, one root cause


@pytest.mark.parametrize(("got", "shape"), [((1,), (1, 1)), ((5,), (5, 1)), ((4,), (1, 4)), ((), (1, 1))])
def test_an_array_that_only_lost_a_dimension_of_size_one_is_read_in_its_shape(got, shape):
    values = np.arange(1.0, 1.0 + int(np.prod(got, dtype=int)))
    reshaped = singleton_reshaped(values.reshape(got), shape)
    assert reshaped is not None and reshaped.shape == shape and np.array_equal(reshaped.ravel(), values)


@pytest.mark.parametrize(("got", "shape"), [((4, 1), (1, 4)), ((1, 5), (5, 1)), ((2, 4), (4, 2)), ((5,), (1, 4))])
def test_a_transposed_or_resized_array_is_not_read_in_another_shape(got, shape):
    assert singleton_reshaped(np.ones(got), shape) is None


def test_a_flat_db2_with_the_right_values_is_judged_and_its_shape_reported():
    parts = dict_parts({"dW2": np.ones((4, 1)), "db2": np.array([0.5])}, {"dW2": (4, 1), "db2": (1, 1)},
                       "the gradients dict", m=5)
    assert parts.arrays["db2"].shape == (1, 1) and "db2" in parts.problems
    with pytest.raises(Fail, match="db2 lost its row dimension"):
        parts.require()


def test_one_root_cause_of_two_entries_is_said_once():
    got = {"dW1": np.ones((2, 5)), "db1": np.ones((1, 5))}
    parts = dict_parts(got, {"dW1": (2, 4), "db1": (1, 4)}, "the gradients dict", m=5)
    with pytest.raises(Fail) as failure:
        parts.require()
    text = str(failure.value)
    assert text.count("an (m, m) array came up") == 1 and "db1 should have shape (1, 4); got (1, 5)" in text
    assert "The same cause as for dW1" in text


def test_a_count_of_one_is_singular():
    assert "1 dimension where 0 belong" in diagnose.shape_cause((5,), (), "the cost", diagnose.COST, {"m": 4})


@pytest.mark.slow
def test_a_flat_db2_loses_only_the_structure_check(grade, tmp_path):
    report = grade(assemble(BUGGY_DIR / "backward_db2_mean_flat.py", tmp_path), hidden=True)
    failed = [r.name for r in report.results if not r.passed]
    assert failed == ["backward_propagation: structure on X (5, 2), n_h 4"], failed


@pytest.mark.slow
def test_a_transposed_dw1_stays_blocked(grade, tmp_path):
    source = tmp_path / "variant.py"
    source.write_text('import numpy as np\n\n\ndef backward_propagation(parameters, cache, X, Y):\n'
                      '    m = X.shape[0]\n    A1 = cache["A1"]\n    dZ2 = cache["A2"] - Y\n'
                      '    dZ1 = (dZ2 @ parameters["W2"].T) * (1 - A1**2)\n'
                      '    return {"dW1": (X.T @ dZ1 / m).T, "db1": np.sum(dZ1, axis=0, keepdims=True) / m,\n'
                      '            "dW2": A1.T @ dZ2 / m, "db2": np.sum(dZ2, axis=0, keepdims=True) / m}\n')
    report = grade(assemble(source, tmp_path / "out"), hidden=True)
    values = [r for r in report.results if r.function == "backward_propagation" and ": values on" in r.name]
    assert values and not any(r.passed for r in values)


@pytest.mark.slow
def test_a_flat_updated_b2_with_the_right_values_loses_only_the_structure_check(grade, tmp_path):
    report = grade(assemble(BUGGY_DIR / "update_b2_flat.py", tmp_path), hidden=True)
    update = [r for r in report.results if r.function == "update_parameters"]
    assert [r.name for r in update if not r.passed] == ["update_parameters: structure on n_in 2, n_h 4, "
                                                        "learning_rate 0.1"]
    assert "b2 lost its row dimension in the update" in next(r.output for r in update if not r.passed)


def test_a_size_that_is_both_another_argument_and_a_default_names_both_causes(monkeypatch):
    """initialize_parameters(3, 5, 2) returning W1 (2, 5): 2 is output_dim and the moons' 2 inputs alike."""
    monkeypatch.setenv("BACKPROP_LAB_LANG", "en")
    cause = diagnose._one_dimension((2, 5), (3, 5), "W1", diagnose.INITIALIZE, {"n_in": 3, "n_h": 5, "n_out": 2})
    assert "arguments are mixed up" in cause and "written as a number" in cause and "input_dim" in cause
