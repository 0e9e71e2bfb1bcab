"""Numerical helpers shared by the checks: one ``rel_error``, one numerical gradient."""
from __future__ import annotations

import numpy as np


def float_or_nan(value) -> float:
    """``value`` as one float when it is one number (a 0-d or one-element array too), else NaN."""
    try:
        return float(np.asarray(value, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        return float("nan")


def rel_error(x: np.ndarray, y: np.ndarray, floor: float = 1e-8) -> float:
    """Largest element-wise relative error, CS231n style: |x - y| / max(floor, |x| + |y|).

    floor  1e-8 compares entries on their own scale; a larger floor measures small entries
           against it instead, for values known only to some absolute precision (a numerical
           gradient, parameters after 2,500 steps), whose tiny entries would otherwise fail.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(floor, np.abs(x) + np.abs(y))))


H = 1e-5  # centred differences in float64: ~1e-9 relative error on the kit's inputs


def centred_difference_points(params: dict[str, np.ndarray], h: float = H) -> list[dict[str, np.ndarray]]:
    """Where to evaluate a loss for its centred-difference gradient (CS231n style).

    For every array of ``params`` in order, for every entry in row-major order: a float64
    copy of ``params`` with that entry moved by +h, then one with it moved by -h.
    The caller evaluates the loss at each point (in one batch, through the bridge) and
    hands the losses to ``gradient_from_losses``.
    """
    base = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    points = []
    for key, array in base.items():
        for index in np.ndindex(array.shape):
            for step in (h, -h):
                moved = dict(base)
                moved[key] = array.copy()
                moved[key][index] += step
                points.append(moved)
    return points


def gradient_from_losses(params: dict[str, np.ndarray], losses: list[float], h: float = H
                         ) -> dict[str, np.ndarray]:
    """The gradient {key: array shaped like params[key]} from the losses at ``centred_difference_points``."""
    values = np.asarray(losses, dtype=np.float64)
    grads, at = {}, 0
    for key, array in params.items():
        size = np.size(array)
        pairs = values[at:at + 2 * size].reshape(size, 2)
        grads[key] = ((pairs[:, 0] - pairs[:, 1]) / (2 * h)).reshape(np.shape(array))
        at += 2 * size
    return grads
