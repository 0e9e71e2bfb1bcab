"""Judging helpers: structure first (type, keys, shape, dtype, finite), then values.

Each helper raises ``Fail`` with a message that shows expected and got, and
names a likely mistake when the numbers fit one: a known mistake of ``solutions/mistakes.py``
whose output equals the student's, else a pattern of ``diagnose`` (wrong axis, transposed,
sign, factor m, bias left out, ...), worded for the function and variable it sits under.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.checks import diagnose
from grader.checks.base import Expected, Fail
from grader.i18n import _, ngettext
from grader.i18n import _ as translate_marked  # a hint marked with N_ in mistakes.py, translated here
from grader.numerics import rel_error
from grader.values import Yielded, describe

VALUE_TOL = 1e-7  # CS231n's bar; mathematically equal implementations agree to ~1e-14


# ----------------------------------------------------------------- structure


def expect_dict(got: Any, keys: Iterable[str], what: str) -> dict:
    keys = tuple(keys)
    if not isinstance(got, dict):
        raise Fail(_("{what} should be a dict with keys {keys}; got {got}.", what=what, keys=", ".join(keys),
                     got=describe(got)))
    missing = [k for k in keys if k not in got]
    extra = sorted(k for k in got if k not in keys)
    if missing or extra:
        parts = []
        if missing:
            parts.append(_("missing {keys}", keys=", ".join(missing)))
        if extra:
            parts.append(_("unexpected {keys}", keys=", ".join(extra)))
        raise Fail(_("{what} should have exactly the keys {keys}: {problems}.", what=what, keys=", ".join(keys),
                     problems="; ".join(parts)))
    return got


def expect_array(got: Any, shape: tuple[int, ...], what: str, m: int | None = None) -> np.ndarray:
    """An array of floating point numbers of ``shape`` with finite entries."""
    problem = array_problem(got, shape, what, m)
    if problem:
        raise Fail(problem)
    return got


def array_problem(got: Any, shape: tuple[int, ...], what: str, m: int | None = None,
                  flat_inputs: Iterable[str] = (), function: str = "",
                  sizes: dict[str, int] | None = None) -> str | None:
    """What keeps ``got`` from being a finite float array of ``shape``, or None; a wrong shape says its
    likely cause, worded for ``what`` of ``function`` (guessed from ``what`` when not given) with the
    named ``sizes`` of the check ({"m": 5, "n_h": 4, ...})."""
    found = problem_and_cause(got, shape, what, m, flat_inputs, function, sizes)
    if found is None:
        return None
    problem, cause = found
    return problem + (" " + cause if cause else "")


def problem_and_cause(got: Any, shape: tuple[int, ...], what: str, m: int | None = None,
                      flat_inputs: Iterable[str] = (), function: str = "",
                      sizes: dict[str, int] | None = None) -> tuple[str, str] | None:
    """``array_problem`` in two parts: (what is wrong, its likely cause or ""), or None."""
    function = function or diagnose.function_of(what)
    if not isinstance(got, np.ndarray):
        cause = diagnose.not_an_array_cause(got, shape, what, function)
        return _("{what} should be a NumPy array of shape {shape}; got {got}.", what=what, shape=shape,
                 got=describe(got)), cause
    if got.shape != shape:
        sizes = dict(sizes or {}) | ({"m": m} if m else {})
        cause = diagnose.shape_cause(got.shape, shape, what, function, sizes, flat_inputs)
        return _("{what} should have shape {shape}; got {got}.", what=what, shape=shape, got=got.shape), cause
    if got.dtype.kind != "f":
        return _("{what} should hold floating point numbers; got dtype {dtype}.", what=what, dtype=got.dtype), ""
    if not np.all(np.isfinite(got)):
        bad = int(np.size(got) - np.count_nonzero(np.isfinite(got)))
        return ngettext("{what} has {number} entry that is NaN or infinite.",
                        "{what} has {number} entries that are NaN or infinite.", bad, what=what), (
            diagnose.not_finite_cause(what, function))
    return None


def singleton_reshaped(got: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    """``got`` reshaped to ``shape`` when it differs from it only by dimensions of size 1 (db2 (1,) for
    (1, 1), A2 (m,) for (m, 1), a NumPy scalar for (1, 1)): its values can be judged, its shape is the
    structure check's. None otherwise, and for a transposed (n, 1) where (1, n) belongs (same number of
    dimensions, the other order: a mistake of its own, never read in another order)."""
    if isinstance(got, np.floating):
        got = np.asarray(got)
    if not isinstance(got, np.ndarray) or got.shape == shape or got.ndim == len(shape) or got.dtype.kind != "f":
        return None
    if [d for d in got.shape if d != 1] != [d for d in shape if d != 1] or not np.all(np.isfinite(got)):
        return None
    return got.reshape(shape)


def shape_hint(got: tuple[int, ...], expected: tuple[int, ...], m: int | None,
               flat_inputs: Iterable[str] = (), what: str = "the result", function: str = "") -> str:
    """The likely cause of a wrong shape, with a leading space ("" when none fits).

    flat_inputs  the names of the function's inputs that were given flat, of shape (m,): an (m, m)
                 result blames one of them only when there is one (the checks give columns)
    """
    cause = diagnose.shape_cause(tuple(got), tuple(expected), what, function, {"m": m} if m else {}, flat_inputs)
    return " " + cause if cause else ""


# ----------------------------------------------------------------- one structure, judged once

@dataclass
class Parts:
    """A result split once by structure, so that one wrong shape is reported once.

    arrays    entry -> array of the right structure: the checks of values judge these
    problems  entry -> what is wrong with it ("" for the result as a whole: not a dict, missing keys);
              the structure check reports them all, the other checks only point at it
    faults    entry -> the problem in a few words ("shape (5, 1)"), and its cause when that cause
              depends on the sizes of the case (another case's structure check may not see it)
    """

    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    faults: dict[str, str] = field(default_factory=dict)
    # entry -> (its problem without the cause, the cause with the entry's name taken out, that name):
    # entries whose causes are the same have one root cause, said once
    causes: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def require(self) -> None:
        """The structure check's verdict: every problem, in order, each root cause said once (at the
        first entry it explains; the others point at it)."""
        if not self.problems:
            return
        first_with: dict[str, str] = {}
        texts = []
        for key, problem in self.problems.items():
            statement, cause, name = self.causes.get(key, ("", "", key))
            if cause and cause in first_with:
                texts.append(statement + " " + _("(The same cause as for {first}.)", first=first_with[cause]))
                continue
            if cause:
                first_with[cause] = name
            texts.append(problem)
        raise Fail(" ".join(dict.fromkeys(texts)))

    def add(self, key: str, problem: str, cause: str = "", name: str = "", first: bool = False) -> None:
        """Record ``problem`` of entry ``key`` (named ``name`` in messages) and its likely ``cause``;
        ``first``: before the problems recorded so far."""
        name = name or key
        entry = {key: problem + (" " + cause if cause else "")}
        self.problems = entry | self.problems if first else self.problems | entry
        self.causes[key] = (problem, cause.replace(name, "\0"), name)

    def blocked(self, names: Iterable[str]) -> list[str]:
        """Which of ``names`` cannot be judged by value (wrong structure or missing)."""
        return [name for name in names if name not in self.arrays]

    def judge(self, names: Iterable[str], judge_one: Callable[[str, np.ndarray], None],
              check: str = "", whole: Iterable[str] = (), agree: str = "") -> None:
        """``judge_one`` each of ``names`` that has the right structure, in order; then, when one of
        ``names`` (or a problem listed in ``whole``) kept it from being judged, fail with one short
        line that points at ``check`` (default: the structure check), which reports the problem
        (``agree``: what the judged ones agree with, as that line says; default: the reference)."""
        check = check or _("the structure check")
        agree = agree or _("the reference")
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
            faults = "; ".join(dict.fromkeys(self.faults.get(name) or self.faults.get("") or _("missing")
                                             for name in blocked))
            note = ngettext("{names} is not compared ({faults}): see {check}.",
                            "{names} are not compared ({faults}): see {check}.", len(blocked),
                            names=", ".join(blocked), faults=faults, check=check)
        else:
            note = _("The result's structure is wrong: see {check}.", check=check)
        if failure is not None:
            raise Fail(f"{failure}\n{note}")
        if judged and blocked:
            note = ngettext("{names} agrees with {agree}; {note}", "{names} agree with {agree}; {note}",
                            len(judged), names=", ".join(judged), agree=agree, note=note)
        raise Fail(note)


def dict_parts(got: Any, shapes: dict[str, tuple[int, ...]], what: str, m: int | None = None,
               names: Callable[[str], str] = str, function: str = "") -> Parts:
    """The entries of a dict of arrays with ``shapes``; ``names(key)`` is how a message names an entry;
    ``function`` (guessed from the keys and ``what`` when not given) words the causes of wrong shapes."""
    parts = Parts()
    try:
        expect_dict(got, shapes, what)
    except Fail as error:
        parts.problems[""] = str(error)
        if not isinstance(got, dict):
            parts.faults[""] = _("got {what}", what=describe(got))
            return parts
    sizes = diagnose.sizes_of(shapes, m)
    for key, shape in shapes.items():
        if key in got:
            owner = function or diagnose.function_of(key, what)
            found = problem_and_cause(got[key], shape, names(key), m, function=owner, sizes=sizes)
            if found is None:
                parts.arrays[key] = got[key]
                continue
            parts.add(key, *found, name=names(key))
            parts.faults[key] = array_fault(got[key], shape, names(key), owner, sizes)
            reshaped = singleton_reshaped(got[key], shape)
            if reshaped is not None:  # the right values in a flat or squeezed array: judged, the shape is not
                parts.arrays[key] = reshaped
    return parts


def array_fault(got: Any, shape: tuple[int, ...], what: str = "", function: str = "",
                sizes: dict[str, int] | None = None) -> str:
    """What ``array_problem`` finds, in a few words: "shape (5, 1)", "got list", "NaN entries"; a wrong
    shape whose cause depends on the case's sizes (a size written as a number, sizes mixed up) says it
    too, since the structure check pointed at may judge a case where that size is right."""
    if not isinstance(got, np.ndarray):
        return _("got {what}", what=describe(got))
    if got.shape != shape:
        fault = _("shape {shape}", shape=got.shape)
        if function == diagnose.INITIALIZE and len(got.shape) == len(shape) == 2 and got.shape != shape[::-1]:
            cause = diagnose.shape_cause(got.shape, shape, what, function, sizes)
            if cause:
                fault += ": " + cause
        return fault
    if got.dtype.kind != "f":
        return _("dtype {dtype}", dtype=got.dtype)
    return _("NaN or infinite entries")


def float_hint() -> str:
    """How to turn a one-element array into a Python float, on NumPy 1 and 2 alike."""
    return _("Return a Python float: cost.item() turns a one-element array into one "
             "(float(np.squeeze(cost)) also works; float(cost) of a (1, 1) array fails on NumPy 2).")


def expect_float(got: Any, what: str, m: int | None = None) -> float:
    if isinstance(got, np.ndarray):
        if got.size == 1:
            hint = float_hint()
        else:
            cause = (diagnose.per_sample_cost(got.shape, m)
                     or diagnose.shape_cause(got.shape, (), what, diagnose.COST, {"m": m} if m else {}))
            if m and m > 1 and got.shape == (m, m):
                cause = diagnose.shape_cause(got.shape, (m, 1), what, diagnose.COST, {"m": m})
            hint = _("It should be one number: a mean over the samples.") + (" " + cause if cause else "")
        raise Fail(_("{what} should be a single Python float; got {got}.", what=what, got=describe(got))
                   + " " + hint)
    if isinstance(got, bool) or not isinstance(got, (float, int, np.floating, np.integer)):
        raise Fail(_("{what} should be a Python float; got {got}.", what=what, got=describe(got)))
    if not np.isfinite(got):
        raise Fail(_("{what} is {value}: a log of 0 or of a negative number? The A2 given here is strictly "
                     "between 0 and 1, so look at what goes into each np.log.", what=what, value=got))
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
            raise Fail(_('{what} is not one number, so its value is not compared: see the "returns a float" '
                         'check.', what=what)) from None
        raise error from None


def expect_pair(got: Any, what: str) -> tuple[Any, Any]:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Fail(_("{what} should return two values (A2, cache); got {got}.", what=what, got=describe(got)))
    return got[0], got[1]


# ----------------------------------------------------------------- values


def expect_close(got: np.ndarray, expected: np.ndarray, what: str, inputs: str,
                 tol: float = VALUE_TOL, m: int | None = None, exp: Expected | None = None,
                 mistake_key: Callable[[Any], Any] | None = None, floor: float = 1e-8,
                 function: str = "", before: np.ndarray | None = None,
                 steps: dict[str, np.ndarray] | None = None) -> None:
    """Values within ``tol`` relative error (``rel_error`` with ``floor``), else a message with
    both sides and a diagnosis worded for ``what`` of ``function`` (``before``: the value an
    update started from, whose step the diagnosis compares; ``steps``: the update's expected steps
    by gradient name): a known mistake whose output is the student's, else the pattern of the
    difference (``diagnose.value_cause``), else none."""
    error = rel_error(got, expected, floor)
    if error <= tol:
        return
    shown_error, shown_tol = f"{error:.1e}", f"{tol:.0e}"
    message = _("{what}: relative error {error} > {tol} ({inputs}).", what=what, error=shown_error, tol=shown_tol,
                inputs=inputs)
    hint = ""
    if exp is not None and exp.mistakes:
        hint = match_mistake(got, exp, mistake_key or (lambda v: v))
    if not hint:
        related = _named_arrays(exp.value) if exp is not None else {}
        if exp is not None and isinstance(exp.value, dict) and len(exp.value.get("args_after") or ()) == 2:
            related |= dict(zip(("A2", "Y") if function == diagnose.COST else ("X", "parameters"),
                                exp.value["args_after"], strict=True))
        hint = diagnose.value_cause(got, expected, what, function or diagnose.function_of(what), m, before,
                                    related, steps)
    if hint:
        message += f" {hint}"
    if exp is not None and not exp.reveals:  # a secret question: its answer must not reach the student
        raise Fail(message)
    raise Fail(message + "\n" + show_both(expected, got))


def relation_hint(got: Any, expected: Any, m: int | None, what: str = "the result", function: str = "",
                  before: np.ndarray | None = None) -> str:
    """The pattern of the difference between ``got`` and ``expected`` (a factor, a sign, an offset, ...)
    worded for ``what`` of ``function``; with ``before`` (an update's starting value), of the step."""
    return diagnose.value_cause(got, expected, what, function, m, before)


def _named_arrays(value: Any) -> dict[str, np.ndarray]:
    """The arrays inside a reference observation, by their dict keys (cache and parameters for a
    forward pass): the quantities a wrong value may have been computed from instead."""
    found: dict[str, np.ndarray] = {}

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            for key, entry in item.items():
                if isinstance(entry, np.ndarray) and isinstance(key, str):
                    found.setdefault(key, entry)
                else:
                    walk(entry)
        elif isinstance(item, (list, tuple)):
            for entry in item:
                walk(entry)

    walk(value)
    return found


def match_mistake(got: Any, exp: Expected, key: Callable[[Any], Any]) -> str:
    """The hint of the known mistake whose output equals the student's, in the language in use; both when
    two give these numbers (sizes where two scalings coincide); none when more do (one sample of label 0
    cannot tell them apart)."""
    found = []
    for hint, observation in exp.mistakes.items():
        try:
            candidate = key(observation)
        except (KeyError, TypeError, IndexError):
            continue
        if same_values(got, candidate):
            found.append(hint)
    if len(found) == 2:  # these inputs cannot tell the two apart (another case of the checks can): say both
        return _("Your numbers match two common mistakes, which these inputs cannot tell apart: {first} Or: "
                 "{second}", first=translate_marked(found[0]), second=translate_marked(found[1]))
    if len(found) != 1:
        return ""
    return _("Your numbers match a common mistake: {hint}", hint=translate_marked(found[0]))


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
    return _("    expected {expected}\n    got      {got}", expected=head(expected), got=head(got))
