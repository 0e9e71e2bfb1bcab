"""Trusted inputs for the probes, made with explicit generators (never the global one)."""
from __future__ import annotations

import numpy as np


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
