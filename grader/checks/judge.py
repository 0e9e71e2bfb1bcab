"""Judging helpers: structure first (type, keys, shape, dtype, finite), then values.

Each helper raises ``Fail`` with a message that shows expected and got, and
names a likely mistake when the numbers fit one.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from grader.checks.base import Expected, Fail
from grader.numerics import rel_error
from grader.values import Yielded, describe

VALUE_TOL = 1e-7  # CS231n's bar; mathematically equal implementations agree to ~1e-14


# ----------------------------------------------------------------- structure


def expect_dict(got: Any, keys: Iterable[str], what: str) -> dict:
    keys = tuple(keys)
    if not isinstance(got, dict):
        raise Fail(f"{what} should be a dict with keys {', '.join(keys)}; got {describe(got)}.")
    missing = [k for k in keys if k not in got]
    extra = sorted(k for k in got if k not in keys)
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("unexpected " + ", ".join(extra))
        raise Fail(f"{what} should have exactly the keys {', '.join(keys)}: {'; '.join(parts)}.")
    return got


def expect_array(got: Any, shape: tuple[int, ...], what: str, m: int | None = None) -> np.ndarray:
    """An array of floating point numbers of ``shape`` with finite entries."""
    if not isinstance(got, np.ndarray):
        raise Fail(f"{what} should be a NumPy array of shape {shape}; got {describe(got)}.")
    if got.shape != shape:
        raise Fail(f"{what} should have shape {shape}; got {got.shape}.{shape_hint(got.shape, shape, m)}")
    if got.dtype.kind != "f":
        raise Fail(f"{what} should hold floating point numbers; got dtype {got.dtype}.")
    if not np.all(np.isfinite(got)):
        bad = int(np.size(got) - np.count_nonzero(np.isfinite(got)))
        raise Fail(f"{what} has {bad} entries that are NaN or infinite (overflow, log(0) or 0/0?).")
    return got


def shape_hint(got: tuple[int, ...], expected: tuple[int, ...], m: int | None) -> str:
    """Name the usual cause of a wrong shape."""
    if len(got) == 2 and got == expected[::-1]:
        return " It looks transposed: check the order of the factors and the .T."
    if len(got) == 1 and len(expected) == 2 and expected[0] == 1 and got[0] == expected[1]:
        return " The row dimension is gone: sum with keepdims=True."
    if len(got) == 1 and len(expected) == 2 and expected[1] == 1 and got[0] == expected[0]:
        return " A column of shape (m, 1) became (m,): keep Y and A2 as columns."
    if m and len(got) == 2 and got == (m, m):
        return (" An (m, m) result usually means a column (m, 1) met a flat (m,) array and "
                "NumPy broadcast them: keep Y of shape (m, 1).")
    if len(got) == 0 and len(expected) == 2:
        return " Did you sum over every axis? Sum over axis=0 only."
    return ""


def expect_float(got: Any, what: str) -> float:
    if isinstance(got, np.ndarray):
        raise Fail(f"{what} should be a single Python float; got {describe(got)}. "
                   "Convert it with float(...).")
    if isinstance(got, bool) or not isinstance(got, (float, int, np.floating, np.integer)):
        raise Fail(f"{what} should be a Python float; got {describe(got)}.")
    if not np.isfinite(got):
        raise Fail(f"{what} is {got}: a log of 0 or of a negative number?")
    return float(got)


def expect_pair(got: Any, what: str) -> tuple[Any, Any]:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Fail(f"{what} should return two values (A2, cache); got {describe(got)}.")
    return got[0], got[1]


# ----------------------------------------------------------------- values


def expect_close(got: np.ndarray, expected: np.ndarray, what: str, inputs: str,
                 tol: float = VALUE_TOL, m: int | None = None, exp: Expected | None = None,
                 mistake_key: Callable[[Any], Any] | None = None, floor: float = 1e-8) -> None:
    """Values within ``tol`` relative error (``rel_error`` with ``floor``), else a message with
    both sides and a diagnosis."""
    error = rel_error(got, expected, floor)
    if error <= tol:
        return
    message = f"{what}: relative error {error:.1e} > {tol:.0e} ({inputs})."
    hint = relation_hint(got, expected, m)
    if not hint and exp is not None and exp.mistakes:
        hint = match_mistake(got, exp, mistake_key or (lambda v: v))
    if hint:
        message += f" {hint}"
    if exp is not None and not exp.reveals:  # a secret question: its answer must not reach the student
        raise Fail(message)
    raise Fail(message + "\n" + show_both(expected, got))


def relation_hint(got: np.ndarray, expected: np.ndarray, m: int | None) -> str:
    """Spot a wrong factor that scales every entry: m, 1/m, -1, 2, 1/2."""
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape or not np.any(expected):
        return ""
    candidates = [(-1.0, "Every entry has the wrong sign: check the order in A2 - Y, or + vs - in the update.")]
    if m and m > 2:
        candidates += [
            (float(m), "Entries are m times too large: divide by m (the number of samples)."),
            (1.0 / m, "Entries are m times too small: divide by m only once."),
        ]
    candidates += [(2.0, "Entries are twice too large."), (0.5, "Entries are half of what they should be.")]
    for factor, hint in candidates:
        if rel_error(got, factor * expected) <= 1e-6:
            return hint
    return ""


def match_mistake(got: Any, exp: Expected, key: Callable[[Any], Any]) -> str:
    """The hint of the first known mistake whose output equals the student's."""
    for hint, observation in exp.mistakes.items():
        try:
            candidate = key(observation)
        except (KeyError, TypeError, IndexError):
            continue
        if same_values(got, candidate):
            return f"Your numbers match a common mistake: {hint}"
    return ""


def same_values(a: Any, b: Any, tol: float = 1e-9) -> bool:
    """Structural equality of plain data with a relative tolerance on arrays and floats."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_values(a[k], b[k], tol) for k in a)
    if isinstance(a, Yielded) and isinstance(b, Yielded):
        return same_values(list(a.items), list(b.items), tol)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_values(x, y, tol) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return a == b
    try:
        a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    if a_arr.shape != b_arr.shape:
        return False
    if not (np.all(np.isfinite(a_arr)) and np.all(np.isfinite(b_arr))):
        return bool(np.array_equal(a_arr, b_arr, equal_nan=True))
    return rel_error(a_arr, b_arr) <= tol


def show_both(expected: np.ndarray, got: np.ndarray, limit: int = 4) -> str:
    """Two aligned lines, 'expected' and 'got', with the first few entries."""
    def head(a: np.ndarray) -> str:
        flat = np.asarray(a, dtype=float).ravel()
        text = ", ".join(f"{x: .6g}" for x in flat[:limit])
        return f"[{text}{', ...' if flat.size > limit else ''}]"
    return f"    expected {head(expected)}\n    got      {head(got)}"
