"""Judging helpers: structure first (type, keys, shape, dtype, finite), then values.

Each helper raises ``Fail`` with a message that shows expected and got, and
names a likely mistake when the numbers fit one.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
    problem = array_problem(got, shape, what, m)
    if problem:
        raise Fail(problem)
    return got


def array_problem(got: Any, shape: tuple[int, ...], what: str, m: int | None = None,
                  flat_inputs: Iterable[str] = ()) -> str | None:
    """What keeps ``got`` from being a finite float array of ``shape``, or None."""
    if not isinstance(got, np.ndarray):
        return f"{what} should be a NumPy array of shape {shape}; got {describe(got)}."
    if got.shape != shape:
        return f"{what} should have shape {shape}; got {got.shape}.{shape_hint(got.shape, shape, m, flat_inputs)}"
    if got.dtype.kind != "f":
        return f"{what} should hold floating point numbers; got dtype {got.dtype}."
    if not np.all(np.isfinite(got)):
        bad = int(np.size(got) - np.count_nonzero(np.isfinite(got)))
        return f"{what} has {bad} entries that are NaN or infinite (overflow, log(0) or 0/0?)."
    return None


def shape_hint(got: tuple[int, ...], expected: tuple[int, ...], m: int | None,
               flat_inputs: Iterable[str] = ()) -> str:
    """Name the usual cause of a wrong shape.

    flat_inputs  the names of the function's inputs that were given flat, of shape (m,): an (m, m)
                 result blames one of them only when there is one (the checks give columns)
    """
    if len(got) == 2 and got == expected[::-1] and got != expected:
        return " It looks transposed: check the order of the factors and the .T."
    if len(got) == 1 and len(expected) == 2 and expected[0] == 1 and got[0] == expected[1]:
        return " The row dimension is gone: keep it (keepdims=True in a sum; no ravel or flatten)."
    if len(got) == 1 and len(expected) == 2 and expected[1] == 1 and got[0] == expected[0]:
        return " A column of shape (m, 1) became (m,): keep Y and A2 as columns."
    if m and m > 1 and got == (m, m) and got != expected:
        flat = list(flat_inputs)
        if flat:
            return (f" An (m, m) result usually means a column (m, 1) met a flat (m,) array and NumPy broadcast "
                    f"them: your input {' and '.join(flat)} came flat; reshape it to a column (m, 1) first.")
        return (" An (m, m) result usually means a column (m, 1) met a flat (m,) array or a row (1, m) and "
                "NumPy broadcast them: every input here was a column, so look for a .ravel(), .flatten(), "
                "reshape(-1) or .T inside the function, or an outer product (a column @ a row) where an "
                "elementwise product was meant.")
    if len(got) == 0 and len(expected) == 2:
        return " Did you sum over every axis? Sum over axis=0 only."
    return ""


# ----------------------------------------------------------------- one structure, judged once

@dataclass
class Parts:
    """A result split once by structure, so that one wrong shape is reported once.

    arrays    entry -> array of the right structure: the checks of values judge these
    problems  entry -> what is wrong with it ("" for the result as a whole: not a dict, missing keys);
              the structure check reports them all, the other checks only point at it
    """

    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    faults: dict[str, str] = field(default_factory=dict)  # entry -> the problem in a few words ("shape (5, 1)")

    def require(self) -> None:
        """The structure check's verdict: every problem, in order."""
        if self.problems:
            raise Fail(" ".join(dict.fromkeys(self.problems.values())))

    def blocked(self, names: Iterable[str]) -> list[str]:
        """Which of ``names`` cannot be judged by value (wrong structure or missing)."""
        return [name for name in names if name not in self.arrays]

    def judge(self, names: Iterable[str], judge_one: Callable[[str, np.ndarray], None],
              check: str = "the structure check", whole: Iterable[str] = (),
              agree: str = "the reference") -> None:
        """``judge_one`` each of ``names`` that has the right structure, in order; then, when one of
        ``names`` (or a problem listed in ``whole``) kept it from being judged, fail with one short
        line that points at ``check``, which reports the problem (``agree``: what the judged ones
        agree with, as that line says)."""
        names = list(names)
        failure = None
        for name in names:
            if name in self.arrays:
                try:
                    judge_one(name, self.arrays[name])
                except Fail as error:
                    failure = error
                    break
        blocked = self.blocked(names)
        if not blocked and not any(key in self.problems for key in whole):
            if failure is not None:
                raise failure
            return
        judged = [name for name in names if name not in blocked]
        if blocked:
            faults = "; ".join(dict.fromkeys(self.faults.get(name) or self.faults.get("", "missing")
                                             for name in blocked))
            verb = "is" if len(blocked) == 1 else "are"
            note = f"{' and '.join(blocked)} {verb} not compared ({faults}): see {check}."
        else:
            note = f"The result's structure is wrong: see {check}."
        if failure is not None:
            raise Fail(f"{failure}\n{note}")
        if judged and blocked:
            note = f"{', '.join(judged)} {'agrees' if len(judged) == 1 else 'agree'} with {agree}; {note}"
        raise Fail(note)


def dict_parts(got: Any, shapes: dict[str, tuple[int, ...]], what: str, m: int | None = None,
               names: Callable[[str], str] = str) -> Parts:
    """The entries of a dict of arrays with ``shapes``; ``names(key)`` is how a message names an entry."""
    parts = Parts()
    try:
        expect_dict(got, shapes, what)
    except Fail as error:
        parts.problems[""] = str(error)
        if not isinstance(got, dict):
            parts.faults[""] = f"got {describe(got)}"
            return parts
    for key, shape in shapes.items():
        if key in got:
            problem = array_problem(got[key], shape, names(key), m)
            if problem:
                parts.problems[key] = problem
                parts.faults[key] = array_fault(got[key], shape)
            else:
                parts.arrays[key] = got[key]
    return parts


def array_fault(got: Any, shape: tuple[int, ...]) -> str:
    """What ``array_problem`` finds, in a few words: "shape (5, 1)", "got list", "NaN entries"."""
    if not isinstance(got, np.ndarray):
        return f"got {describe(got)}"
    if got.shape != shape:
        return f"shape {got.shape}"
    if got.dtype.kind != "f":
        return f"dtype {got.dtype}"
    return "NaN or infinite entries"


FLOAT_HINT = ("Return a Python float: cost.item() turns a one-element array into one "
              "(float(np.squeeze(cost)) also works; float(cost) of a (1, 1) array fails on NumPy 2).")


def expect_float(got: Any, what: str, m: int | None = None) -> float:
    if isinstance(got, np.ndarray):
        hint = FLOAT_HINT if got.size == 1 else ("It should be one number: a mean over the samples."
                                                 + shape_hint(got.shape, (), m))
        raise Fail(f"{what} should be a single Python float; got {describe(got)}. {hint}")
    if isinstance(got, bool) or not isinstance(got, (float, int, np.floating, np.integer)):
        raise Fail(f"{what} should be a Python float; got {describe(got)}.")
    if not np.isfinite(got):
        raise Fail(f"{what} is {got}: a log of 0 or of a negative number?")
    return float(got)


def one_number(got: Any, what: str, m: int | None = None) -> float:
    """The value of ``got`` when it is one number, a Python or NumPy scalar or a one-element array
    (whose type the check "returns a float" judges); else Fail."""
    if isinstance(got, np.ndarray) and got.size == 1 and got.dtype.kind in "fiu":
        got = got.item()
    try:
        return expect_float(got, what, m)
    except Fail as error:
        if isinstance(got, np.ndarray):
            raise Fail(f"{what} is not one number, so its value is not compared: see the \"returns a float\" "
                       "check.") from None
        raise error from None


def expect_pair(got: Any, what: str) -> tuple[Any, Any]:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Fail(f"{what} should return two values (A2, cache); got {describe(got)}.")
    return got[0], got[1]


# ----------------------------------------------------------------- values


def expect_close(got: np.ndarray, expected: np.ndarray, what: str, inputs: str,
                 tol: float = VALUE_TOL, m: int | None = None, exp: Expected | None = None,
                 mistake_key: Callable[[Any], Any] | None = None, floor: float = 1e-8,
                 function: str = "", before: np.ndarray | None = None) -> None:
    """Values within ``tol`` relative error (``rel_error`` with ``floor``), else a message with
    both sides and a diagnosis worded for ``what`` of ``function`` (``before``: the value an
    update started from, whose step the diagnosis compares)."""
    error = rel_error(got, expected, floor)
    if error <= tol:
        return
    message = f"{what}: relative error {error:.1e} > {tol:.0e} ({inputs})."
    hint = relation_hint(got, expected, m, what, function, before)
    if not hint and exp is not None and exp.mistakes:
        hint = match_mistake(got, exp, mistake_key or (lambda v: v))
    if hint:
        message += f" {hint}"
    if exp is not None and not exp.reveals:  # a secret question: its answer must not reach the student
        raise Fail(message)
    raise Fail(message + "\n" + show_both(expected, got))


# Relation hints, worded per function (and variable): (function, relation) or (function, relation, what).
# Relations: "sign" (-1), "m" (m times), "1/m", "2", "1/2". {what} is the variable's name.
RELATION_HINTS: dict[tuple[str, ...], str] = {
    ("compute_cost", "sign"): "The cost has the wrong sign: cross-entropy is minus the mean of "
                              "Y log(A2) + (1 - Y) log(1 - A2); check the minus in front of the mean.",
    ("compute_cost", "m"): "The cost is m times too large: take the mean over the samples, not the sum.",
    ("compute_cost", "1/m"): "The cost is m times too small: divide the sum over the samples by m only once.",
    ("compute_cost", "2"): "The cost is twice too large: is a term counted twice?",
    ("compute_cost", "1/2"): "The cost is half of what it should be: is there a stray factor 1/2?",
    ("backward_propagation", "sign"): "{what} has the wrong sign: dZ2 is A2 - Y (not Y - A2), and the other "
                                      "gradients follow from it.",
    ("backward_propagation", "sign", "dW1"): "dW1 has the wrong sign: check the order in dZ2 (A2 - Y, not "
                                             "Y - A2), then dZ1.",
    ("backward_propagation", "sign", "db1"): "db1 has the wrong sign: check the order in dZ2 (A2 - Y, not "
                                             "Y - A2), then dZ1.",
    ("backward_propagation", "m"): "{what} is m times too large: divide by m (the number of samples).",
    ("backward_propagation", "1/m"): "{what} is m times too small: divide by m only once (np.mean already does).",
    ("backward_propagation", "2"): "{what} is twice too large.",
    ("backward_propagation", "1/2"): "{what} is half of what it should be.",
    ("update_parameters", "sign"): "{what} moved the wrong way: the update subtracts learning_rate * d{what} "
                                   "(- not +).",
    ("update_parameters", "2"): "{what} took twice the step: the step is learning_rate * d{what}, once.",
    ("update_parameters", "1/2"): "{what} took half the step: the step is learning_rate * d{what}.",
    ("update_parameters", "0"): "{what} did not move: the update subtracts learning_rate * d{what}.",
    ("forward_propagation", "sign"): "{what} has the wrong sign: compare its formula with the handout's.",
    ("forward_propagation", "2"): "{what} is twice too large: compare its formula with the handout's.",
    ("forward_propagation", "1/2"): "{what} is half of what it should be: compare its formula with the handout's.",
    ("initialize_parameters", "sign"): "{what} has the wrong sign: draw it with np.random.randn, unchanged but "
                                       "for the scaling.",
    ("initialize_parameters", "2"): "{what} is twice too large: check its scaling.",
    ("initialize_parameters", "1/2"): "{what} is half of what it should be: check its scaling.",
}
GENERIC_RELATIONS = {
    "sign": "Every entry of {what} has the wrong sign.",
    "m": "{what} is m times too large: divide by m (the number of samples).",
    "1/m": "{what} is m times too small: divide by m only once.",
    "2": "{what} is twice too large.",
    "1/2": "{what} is half of what it should be.",
}


def relation_hint(got: Any, expected: Any, m: int | None, what: str = "the result", function: str = "",
                  before: np.ndarray | None = None) -> str:
    """Spot a wrong factor that scales every entry (-1, m, 1/m, 2, 1/2) and word it for ``what`` of
    ``function``. With ``before`` (an update's starting value), the factor is looked for in the step."""
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        return ""
    relations = [("sign", -1.0)]
    if before is not None:
        before = np.asarray(before, dtype=float)
        if before.shape != got.shape:
            return ""
        got, expected = got - before, expected - before  # the steps
        relations.append(("0", 0.0))
    if not np.any(expected):
        return ""
    if m and m > 2:
        relations += [("m", float(m)), ("1/m", 1.0 / m)]
    relations += [("2", 2.0), ("1/2", 0.5)]
    for relation, factor in relations:
        if relation == "0":
            if not np.any(got):
                return _relation_words(function, relation, what)
            continue
        if rel_error(got, factor * expected) <= 1e-6:
            return _relation_words(function, relation, what)
    return ""


def _relation_words(function: str, relation: str, what: str) -> str:
    words = (RELATION_HINTS.get((function, relation, what)) or RELATION_HINTS.get((function, relation))
             or GENERIC_RELATIONS.get(relation, ""))
    return words.format(what=what)


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
