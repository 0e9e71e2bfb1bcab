"""Trusted inputs for the probes, made with explicit generators (never the global one)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grader.checks.base import Fail
from grader.i18n import _


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def data(seed: int, m: int, n_in: int) -> tuple[np.ndarray, np.ndarray]:
    """X (m, n_in) standard normal; Y (m, 1) float labels with both classes present."""
    gen = rng(seed)
    X = gen.normal(size=(m, n_in))
    Y = (gen.random((m, 1)) < 0.5).astype(np.float64)
    if m >= 2:
        Y[0, 0], Y[1, 0] = 0.0, 1.0
    return X, Y


def params(seed: int, n_in: int, n_h: int, n_out: int = 1) -> dict[str, np.ndarray]:
    """Random parameters with non-zero biases (zero biases would hide bias mistakes)."""
    gen = rng(seed + 1000)
    return {
        "W1": gen.normal(size=(n_in, n_h)),
        "b1": gen.normal(scale=0.5, size=(1, n_h)),
        "W2": gen.normal(size=(n_h, n_out)),
        "b2": gen.normal(scale=0.5, size=(1, n_out)),
    }


def probabilities(seed: int, m: int) -> np.ndarray:
    """A2 (m, 1) strictly inside (0, 1)."""
    return 1 / (1 + np.exp(-rng(seed + 2000).normal(scale=2.0, size=(m, 1))))


def param_shapes(n_in: int, n_h: int, n_out: int = 1) -> dict[str, tuple[int, int]]:
    return {"W1": (n_in, n_h), "b1": (1, n_h), "W2": (n_h, n_out), "b2": (1, n_out)}


def moons(seed: int, m: int, noise: float = 0.2, test_fraction: float = 0.2
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two interleaving half circles with Gaussian noise, as scikit-learn's make_moons draws
    them, shuffled and split into training and test sets.

    Returns: X_train (m - m_test, 2), Y_train (m - m_test, 1), X_test (m_test, 2), Y_test (m_test, 1)
    """
    gen = rng(seed)
    n_outer = m // 2
    n_inner = m - n_outer
    outer = np.linspace(0, np.pi, n_outer)
    inner = np.linspace(0, np.pi, n_inner)
    X = np.vstack([np.column_stack([np.cos(outer), np.sin(outer)]),
                   np.column_stack([1 - np.cos(inner), 0.5 - np.sin(inner)])])  # (m, 2)
    Y = np.concatenate([np.zeros(n_outer), np.ones(n_inner)])[:, None]  # (m, 1)
    X = X + gen.normal(scale=noise, size=X.shape)
    order = gen.permutation(m)
    X, Y = X[order], Y[order]
    m_test = int(round(m * test_fraction))
    return X[m_test:], Y[m_test:], X[:m_test], Y[:m_test]


def start_params(seed: int, n_in: int, n_h: int, n_out: int = 1) -> dict[str, np.ndarray]:
    """Weights a training run starts from at grading time, chosen by the grader (small, so
    that tanh does not saturate; biases not zero, so a bias that is never updated shows)."""
    gen = rng(seed + 3000)
    return {
        "W1": gen.normal(scale=0.5, size=(n_in, n_h)),
        "b1": gen.normal(scale=0.1, size=(1, n_h)),
        "W2": gen.normal(scale=0.5, size=(n_h, n_out)),
        "b2": gen.normal(scale=0.1, size=(1, n_out)),
    }


def unchanged_counts_once_right(judge_values: Callable[[], None], inputs: str, function: str, check: str) -> None:
    """The verdict of an inputs-unchanged check whose inputs are unchanged: doing nothing at all leaves
    the inputs alone too, so the point counts only once ``judge_values`` (the values check's judge)
    passes. Otherwise Fail, saying first why no point, so that the title and the verdict do not seem to
    disagree (``inputs``: "A2 and Y"; ``check``: the values check's title as shown)."""
    try:
        judge_values()
    except Fail:
        raise Fail(_("Not counted yet: {inputs} are unchanged, as they should be, but this check counts only "
                     "once {function} also returns the right values (see the \"{check}\" check).",
                     inputs=inputs, function=function, check=check)) from None

