"""grader.numerics: the one numerical gradient (points, then losses) and the one rel_error."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from grader.numerics import centred_difference_points, gradient_from_losses, rel_error

# Centred differences with h = 1e-5 have error ~h^2 * f''' plus rounding ~eps / h: about 1e-10 here.
GRAD_TOL = 1e-7


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """The gradient of ``f`` at ``x``, as the checks compute it: the loss at every point, then the differences."""
    points = centred_difference_points({"x": x})
    return gradient_from_losses({"x": x}, [f(point["x"]) for point in points])["x"]


def test_gradient_of_a_quadratic_form(rng):
    A = rng.normal(size=(4, 4))  # not symmetric: the gradient of x^T A x is (A + A^T) x
    x = rng.normal(size=4)
    grad = numerical_gradient(lambda x: float(x @ A @ x), x)
    assert rel_error(grad, (A + A.T) @ x) < GRAD_TOL


def test_gradient_of_a_sum_of_squares(rng):
    x = rng.normal(size=(3, 5))
    grad = numerical_gradient(lambda x: float(np.sum(x**2)), x)
    assert rel_error(grad, 2 * x) < GRAD_TOL


def test_gradient_of_sine(rng):
    x = rng.uniform(-3, 3, size=(2, 6))
    grad = numerical_gradient(lambda x: float(np.sum(np.sin(x))), x)
    assert rel_error(grad, np.cos(x)) < GRAD_TOL


def test_gradient_of_a_matrix_product_with_respect_to_the_right_factor(rng):
    X = rng.normal(size=(5, 3))
    W = rng.normal(size=(3, 2))
    C = rng.normal(size=(5, 2))  # f(W) = sum(C * (X @ W)), so df/dW = X^T C
    grad = numerical_gradient(lambda W: float(np.sum(C * (X @ W))), W)
    assert grad.shape == W.shape
    assert rel_error(grad, X.T @ C) < GRAD_TOL


def test_gradient_of_a_matrix_product_with_respect_to_the_left_factor(rng):
    X = rng.normal(size=(5, 3))
    W = rng.normal(size=(3, 2))
    C = rng.normal(size=(5, 2))  # df/dX = C W^T
    grad = numerical_gradient(lambda X: float(np.sum(C * (X @ W))), X)
    assert rel_error(grad, C @ W.T) < GRAD_TOL


def test_points_leave_the_parameters_as_they_were(rng):
    params = {"W": rng.normal(size=(4, 3)), "b": rng.normal(size=(1, 3))}
    before = {k: v.copy() for k, v in params.items()}
    centred_difference_points(params)
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_each_point_moves_one_entry_up_then_down(rng):
    """Two points per entry, in order, each differing from the parameters in that entry only, by +h then -h."""
    params = {"W": rng.normal(size=(2, 3)), "b": rng.normal(size=(1, 2))}
    points = centred_difference_points(params, h=1e-5)
    assert len(points) == 2 * (6 + 2)
    entries = [("W", i) for i in np.ndindex(2, 3)] + [("b", i) for i in np.ndindex(1, 2)]
    for n, (key, index) in enumerate(entries):
        for point, step in ((points[2 * n], 1e-5), (points[2 * n + 1], -1e-5)):
            for other in params:
                diff = point[other] - params[other]
                if other == key:
                    assert np.argwhere(diff != 0).tolist() == [list(index)]
                    assert diff[index] == pytest.approx(step)
                else:
                    assert not np.any(diff)


def test_gradient_is_float64_and_shaped_like_the_input(rng):
    x = rng.normal(size=(2, 3, 2))
    grad = numerical_gradient(lambda x: float(np.sum(x)), x)
    assert grad.dtype == np.float64
    assert grad.shape == x.shape
    assert np.allclose(grad, 1.0)


def test_rel_error_is_zero_for_equal_arrays(rng):
    x = rng.normal(size=(3, 3))
    assert rel_error(x, x.copy()) == 0.0


def test_rel_error_is_symmetric(rng):
    x, y = rng.normal(size=(2, 7))
    assert rel_error(x, y) == rel_error(y, x)


def test_rel_error_is_the_largest_entrywise_relative_error():
    x = np.array([1.0, 10.0, 100.0])
    y = np.array([1.0, 11.0, 100.0])
    assert rel_error(x, y) == pytest.approx(1 / 21)


def test_rel_error_floors_the_denominator_at_1e_8():
    """Near zero the error is absolute, relative to 1e-8, so tiny noise around 0 is not 100 %."""
    assert rel_error(np.zeros(3), np.full(3, 1e-10)) == pytest.approx(1e-2)
    assert rel_error(0.0, 1e-20) == pytest.approx(1e-12)
    assert rel_error(0.0, 1.0) == pytest.approx(1.0)


def test_rel_error_of_opposite_numbers_is_one():
    assert rel_error(np.array([2.0, -3.0]), np.array([-2.0, 3.0])) == pytest.approx(1.0)


def test_rel_error_of_empty_arrays_is_zero():
    assert rel_error(np.zeros((0, 2)), np.zeros((0, 2))) == 0.0
