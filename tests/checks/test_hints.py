"""Every hint is worded for the function (and variable) it sits under: a relation between the
student's numbers and the reference's (sign, m, 2, 1/2), and the (m, m) broadcast shape."""
from __future__ import annotations

import numpy as np
import pytest

from grader.checks.judge import relation_hint, shape_hint

EXPECTED = np.array([[0.5, -1.25, 2.0], [0.75, 1.5, -0.25]])


@pytest.mark.parametrize("function, what, words, not_words", [
    ("compute_cost", "cost", "minus in front of the mean", "A2 - Y"),
    ("backward_propagation", "dW2", "subtraction in dZ2", "A2 - Y"),
    ("backward_propagation", "db1", "dZ1", "update"),
    ("forward_propagation", "Z1", "Z1 has the wrong sign", "A2 - Y"),
    ("initialize_parameters", "W1", "W1 has the wrong sign", "A2 - Y"),
])
def test_a_wrong_sign_is_worded_for_its_function(function, what, words, not_words):
    hint = relation_hint(-EXPECTED, EXPECTED, 6, what, function)
    assert words in hint and not_words not in hint and " - vs +" not in hint


def test_an_update_is_judged_by_its_step():
    before = np.ones_like(EXPECTED)
    step = 0.1 * EXPECTED
    assert "(- not +)" in relation_hint(before + step, before - step, None, "W1", "update_parameters", before)
    assert "twice the step" in relation_hint(before - 2 * step, before - step, None, "W1", "update_parameters",
                                             before)
    assert "did not move" in relation_hint(before, before - step, None, "b1", "update_parameters", before)
    assert "A2 - Y" not in relation_hint(before + step, before - step, None, "W1", "update_parameters", before)


@pytest.mark.parametrize("function, what, words", [
    ("compute_cost", "cost", "mean over the samples"),
    ("backward_propagation", "dW1", "dW1 is m times too large"),
])
def test_a_factor_m_is_worded_for_its_function(function, what, words):
    assert words in relation_hint(6 * EXPECTED, EXPECTED, 6, what, function)


def test_an_m_by_m_shape_names_a_flat_input_only_when_there_was_one():
    inside = shape_hint((5, 5), (5, 1), 5)
    assert "outer product" in inside and "keep Y of shape" not in inside
    assert "your input Y came flat" in shape_hint((5, 5), (5, 1), 5, flat_inputs=("Y",))
    assert shape_hint((1, 1), (1, 3), 1) == ""  # one sample: (1, 1) is no broadcast
