"""Diagnoses by pattern: the likely cause of a wrong shape or of wrong values, worded for the
function and the variable it sits under.

A diagnosis is given only when the numbers fit its pattern to a tight tolerance; otherwise the
caller keeps its bare message (a misleading hint costs a student more than none). No diagnosis
writes the solution line: it names the mistake.

Shapes (row-major, as the lab's): X (m, n_in), W1 (n_in, n_h), b1 (1, n_h), W2 (n_h, n_out),
b2 (1, n_out), Z1/A1 (m, n_h), Z2/A2 (m, n_out). ``sizes`` maps those letters to the numbers of
the check at hand ({"m": 5, "n_in": 2, "n_h": 4, "n_out": 1}); any of them may be missing.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from grader.i18n import N_, _, ngettext
from grader.i18n import _ as translate_marked  # a text marked with N_ here, translated where shown
from grader.numerics import rel_error

FIT = 1e-6  # a pattern "fits" when it reproduces the student's numbers to this relative error
SAME = 1e-9  # entries this close (relative to the array's scale) count as equal
# The lab's own sizes: 2 inputs (the moons), 4 hidden units, 1 output, batches of 32. A size
# written as a number in a function is usually one of these; the checks pass other sizes.
DEFAULT_SIZES = (2, 4, 1, 32)
INITIALIZE = "initialize_parameters"
FORWARD = "forward_propagation"
BACKWARD = "backward_propagation"
UPDATE = "update_parameters"
COST = "compute_cost"
BATCHES = "batch_generator"
# How initialize_parameters' arguments name the sizes (other functions read them off their inputs).
ARGUMENT_NAMES = {"n_in": "input_dim", "n_h": "hidden_dim", "n_out": "output_dim"}


# ----------------------------------------------------------------- which function, which sizes


def function_of(name: str, hint: str = "") -> str:
    """The function an entry called ``name`` comes from, when the caller did not say: gradients come
    from backward_propagation, cache entries from forward_propagation, parameters from
    initialize_parameters when ``hint`` (the dict's description) names it, else from update_parameters."""
    bare = name.removeprefix("cache['").removesuffix("']")
    if INITIALIZE in hint:
        return INITIALIZE
    if bare in ("dW1", "db1", "dW2", "db2"):
        return BACKWARD
    if bare in ("Z1", "A1", "Z2", "A2"):
        return FORWARD
    if bare in ("W1", "b1", "W2", "b2"):
        return UPDATE
    return ""


def sizes_of(shapes: dict[str, tuple[int, ...]], m: int | None = None) -> dict[str, int]:
    """The named sizes a dict of expected ``shapes`` (parameters, gradients or a cache) implies."""
    found: dict[str, int] = {}
    for key, shape in shapes.items():
        bare = key.lstrip("d") if key.startswith("d") else key
        if bare == "W1":
            found |= {"n_in": shape[0], "n_h": shape[1]}
        elif bare == "W2":
            found |= {"n_h": shape[0], "n_out": shape[1]}
        elif bare in ("Z1", "A1"):
            found |= {"m": shape[0], "n_h": shape[1]}
        elif bare in ("Z2", "A2"):
            found |= {"m": shape[0], "n_out": shape[1]}
    if m:
        found["m"] = m
    return found


def _size_name(size_key: str, function: str) -> str:
    return ARGUMENT_NAMES.get(size_key, size_key) if function == INITIALIZE else size_key


def _named(size: int, sizes: dict[str, int], function: str, besides: str = "") -> str | None:
    """The one name among ``sizes`` (other than ``besides``) whose number is ``size``; None when
    none or several have it (a coincidence of sizes must not decide a diagnosis)."""
    names = [key for key, value in sizes.items() if value == size and key != besides]
    return _size_name(names[0], function) if len(names) == 1 else None


def _expected_name(expected: tuple[int, ...], axis: int, sizes: dict[str, int], function: str) -> str | None:
    return _named(expected[axis], sizes, function)


# ----------------------------------------------------------------- shapes


def not_an_array_cause(got: Any, expected: tuple[int, ...], what: str, function: str) -> str:
    """A number where an array of ``expected`` shape belongs: summed over every axis."""
    if isinstance(got, (float, int, np.floating, np.integer)) and not isinstance(got, bool) and len(expected) == 2:
        return _summed_everything(what, function, expected)
    return ""


def _summed_everything(what: str, function: str, expected: tuple[int, ...]) -> str:
    if function == BACKWARD:
        return _("{what} became a single number: the sum ran over every axis. Sum over the samples only "
                 "(axis 0) and keep the shape {shape}.", what=what, shape=expected)
    return _("{what} became a single number: a sum or mean ran over every axis, where {what} keeps the "
             "shape {shape}.", what=what, shape=expected)


def shape_cause(got: tuple[int, ...], expected: tuple[int, ...], what: str, function: str = "",
                sizes: dict[str, int] | None = None, flat_inputs: Iterable[str] = ()) -> str:
    """The likely cause of ``got`` where ``expected`` belongs, worded for ``what`` of ``function``;
    "" when no cause fits."""
    sizes = dict(sizes or {})
    m = sizes.get("m")
    if got == expected:
        return ""
    if len(got) == 0 and len(expected) == 2:
        return _summed_everything(what, function, expected)
    if len(got) == 2 and len(expected) == 2 and got == expected[::-1]:
        return _transposed(what, function)
    if len(got) == 1 and len(expected) == 2:
        flat = _flat(got[0], expected, what, function, m)
        if flat:
            return flat
    if m and m > 1 and got == (m, m) and expected != (m, m) and len(expected) == 2 and expected[1] != m:
        return _outer(what, function, list(flat_inputs))
    if len(expected) == 2 and expected[0] == 1 and m and m > 1 and got in ((m, 1), (m,)) and expected[1] != m:
        return _("{what} has one entry per sample (m = {m}): the sum over the samples (axis 0) is missing or "
                 "ran over the other axis.", what=what, m=m)
    if len(got) == len(expected) == 2:
        return _one_dimension(got, expected, what, function, sizes)
    if len(got) != len(expected):
        return ngettext("{what} has {number} dimension where {expected} belong: an operation added or dropped "
                        "an axis.", "{what} has {number} dimensions where {expected} belong: an operation added "
                        "or dropped an axis.", len(got), what=what, expected=len(expected))
    return ""


def _transposed(what: str, function: str) -> str:
    if function == INITIALIZE:
        return _("{what} looks transposed: its two sizes are in the wrong order (see the docstring's shapes).",
                 what=what)
    if function == FORWARD:
        return _("{what} looks transposed: keep one row per sample (check the order of the factors and any .T).",
                 what=what)
    return _("{what} looks transposed: check the order of the factors and the .T.", what=what)


def _flat(length: int, expected: tuple[int, ...], what: str, function: str, m: int | None) -> str:
    """``(length,)`` where a row (1, n) or a column (m, 1) belongs."""
    if expected[0] == 1 and length == expected[1]:
        if function == BACKWARD:
            return _("{what} lost its row dimension: the sum over the samples dropped it (keepdims=True keeps "
                     "it).", what=what)
        if function == INITIALIZE:
            return _("{what} is a flat array: a bias is a row of shape {shape}, one row and one column per "
                     "unit.", what=what, shape=expected)
        if function == UPDATE:
            return _("{what} lost its row dimension in the update: the updated parameter keeps the shape of "
                     "the one given (no ravel, flatten or reshape).", what=what)
        return _("{what} lost its row dimension: keep it (keepdims=True in a sum; no ravel or flatten).",
                 what=what)
    if expected[1] == 1 and length == expected[0]:
        return _("{what} became flat, of shape ({length},): keep it a column {shape} (no ravel, flatten or "
                 "reshape(-1)).", what=what, length=length, shape=expected)
    return ""


def _outer(what: str, function: str, flat: list[str]) -> str:
    """(m, m) where a column belongs: a column met a flat array or a row."""
    if flat:
        return _("An (m, m) result usually means a column (m, 1) met a flat (m,) array and NumPy broadcast "
                 "them: your input {inputs} came flat; reshape it to a column (m, 1) first.",
                 inputs=" / ".join(flat))
    return _("An (m, m) result means a column (m, 1) met a flat (m,) array or a row (1, m) and NumPy "
             "broadcast them, or a matrix product of a column and a row (an outer product) where an "
             "element-wise product was meant: every input here was a column, so look inside {function} for "
             "a .ravel(), .flatten(), reshape(-1), a .T or an @ / np.dot.", function=function or what)


def _one_dimension(got: tuple[int, ...], expected: tuple[int, ...], what: str, function: str,
                   sizes: dict[str, int]) -> str:
    """Two-dimensional shapes that differ in one dimension (or two): name the size that came in."""
    differing = [axis for axis in (0, 1) if got[axis] != expected[axis]]
    if len(differing) != 1:
        return ""
    axis = differing[0]
    size, belongs = got[axis], expected[axis]
    right_name = _expected_name(expected, axis, sizes, function)
    counted = (ngettext("{what} has {number} row where {right} = {belongs} belong",
                        "{what} has {number} rows where {right} = {belongs} belong", size, what=what,
                        right=right_name or belongs, belongs=belongs) if axis == 0 else
               ngettext("{what} has {number} column where {right} = {belongs} belong",
                        "{what} has {number} columns where {right} = {belongs} belong", size, what=what,
                        right=right_name or belongs, belongs=belongs))
    m = sizes.get("m")
    if m and m > 1 and size == m and function in (BACKWARD, FORWARD) and _named(m, sizes, function, "m") is None:
        return _("{counted}: {size} is m, the number of samples. On the way an (m, m) array came up: a matrix "
                 "product (@ or np.dot) where an element-wise product (*) belongs, or a transposed factor.",
                 counted=counted, size=size)
    other = _named(size, sizes, function, besides="m")
    if other is not None and right_name is not None and other != right_name:
        if function == INITIALIZE and size in DEFAULT_SIZES:  # these inputs cannot tell the two apart
            return _("{counted}: {size} is {other}, and also one of the lab's default sizes: either the arguments "
                     "are mixed up, or the size is written as a number instead of taken from the argument "
                     "{argument}.", counted=counted, size=size, other=other, argument=right_name)
        if function == INITIALIZE:
            return _("{counted}: {size} is {other}. The arguments are mixed up: check which size goes where.",
                     counted=counted, size=size, other=other)
        return _("{counted}: {size} is {other}. An array of the other layer came in: check which weight, "
                 "bias or activation each line uses.", counted=counted, size=size, other=other)
    if size in DEFAULT_SIZES and function == INITIALIZE and right_name is not None:
        return _("{counted}: {size} looks written as a number (the lab's default size) instead of taken "
                 "from the argument {argument}; the checks pass other sizes.", counted=counted, size=size,
                 argument=right_name)
    return ""


def per_sample_cost(shape: tuple[int, ...], m: int | None) -> str:
    """A cost of shape (m,) or (m, 1): one value per sample, the mean over the samples missing or taken
    over the other axis ("" for any other shape)."""
    if not m or m < 2 or shape not in ((m,), (m, 1)):
        return ""
    return _("The cost came out as one value per sample ({m} values, shape {shape}): the mean over the samples "
             "is missing, or was taken over the wrong axis (axis=1 runs along each sample's row, not over "
             "the samples).", m=m, shape=shape)


def batch_shape_cause(index: int, got: Any, shape: tuple[int, ...], m: int) -> str:
    """The likely cause of batch ``index`` being ``got`` where an array of ``shape`` (batch_size, ...)
    belongs, with a leading space ("" when none fits): the last partial batch, a fixed batch size, a
    flattened Y_batch."""
    if not isinstance(got, np.ndarray) or got.ndim == 0:
        return ""
    rows, batch_size = got.shape[0], shape[0]
    if got.shape[1:] == shape[1:] and rows == m % batch_size and index == m // batch_size:
        return " " + ngettext("This is the last, incomplete batch (m % batch_size = {number} sample): it should "
                              "be skipped, only full batches are yielded.",
                              "This is the last, incomplete batch (m % batch_size = {number} samples): it should "
                              "be skipped, only full batches are yielded.", rows)
    if got.shape[1:] == shape[1:] and rows in DEFAULT_SIZES and rows != batch_size:
        return " " + _("{rows} rows: the batch size looks written as a number instead of taken from the argument "
                       "batch_size ({batch_size} here).", rows=rows, batch_size=batch_size)
    if got.shape == (batch_size,) and shape == (batch_size, 1):
        return " " + _("Y_batch became flat: index the rows of Y and keep its column (no ravel or flatten).")
    return ""


def _seeded_orders(seed: int, m: int):
    """The orders of np.arange(m) a generator seeded with ``seed`` gives, as students shuffle: NumPy's
    global generator (np.random.seed; shuffle and permutation give the same order) and a generator of
    np.random.default_rng (likewise)."""
    yield "np.random.seed({seed})", np.random.RandomState(seed).permutation(m)
    yield "np.random.default_rng({seed})", np.random.default_rng(seed).permutation(m)


def batch_order_cause(order: np.ndarray, m: int, caller_seed: int | None) -> str:
    """The samples' ``order`` (their row numbers, batch after batch) when it is the one a fixed seed gives,
    whatever seed the caller set: the function seeds a generator itself ("" when no common seed fits)."""
    order = np.asarray(order, dtype=float)
    if order.size < 2 or not np.all(np.isfinite(order)) or np.unique(order).size != order.size:
        return ""
    for seed in COMMON_SEEDS:
        if seed == caller_seed:
            continue
        for how, permutation in _seeded_orders(seed, m):
            if np.array_equal(permutation[:len(order)], order):
                return _("The order is the one {how} gives, whatever seed was set before the call: "
                         "batch_generator seeds a generator itself with a constant, so every epoch and every run "
                         "sees the same batches. Leave the seeding to the caller.",
                         how=how.format(seed=seed))
    return ""


def crash_cause(function: str, detail: str, traceback: str) -> str:
    """The likely cause of an exception's ``detail`` raised in ``function`` on the last line ``traceback``
    shows ("" when none fits): in forward_propagation, on a line that uses W2, two arrays with the same
    columns and different rows, neither a single row, met in an element-wise operation: code that works
    only for one output unit (where W2.T is one row)."""
    found = re.search(r"could not be broadcast together with shapes \((\d+),(\d+)\) \((\d+),(\d+)\)", detail)
    lines = traceback.strip().splitlines()
    if function != FORWARD or not found or not lines or not re.search(r"\bW2\b", lines[-1]):
        return ""
    rows, columns, other_rows, other_columns = map(int, found.groups())
    if columns != other_columns or rows == other_rows or min(rows, other_rows) < 2:
        return ""
    return _("A ({rows}, {columns}) and a ({other_rows}, {columns}) array met in an element-wise operation: that "
             "works only while one of them is a single row, as W2.T is when the network has one output unit. "
             "The code assumes one output unit (the checks also try n_out = 2): an element-wise product and a sum "
             "where a matrix product belongs?", rows=rows, columns=columns, other_rows=other_rows)


def batch_count_cause(count: int, full: int) -> str:
    """``count`` batches where ``full`` full ones belong, with a leading space ("" when no cause fits)."""
    if count == full + 1:
        return " " + _("The last, incomplete batch should be skipped.")
    if count == full - 1:
        return " " + _("One full batch is missing: the loop stops one batch too early.")
    return ""


# ----------------------------------------------------------------- values


def value_cause(got: Any, expected: Any, what: str, function: str = "", m: int | None = None,
                before: np.ndarray | None = None, related: dict[str, np.ndarray] | None = None,
                steps: dict[str, np.ndarray] | None = None) -> str:
    """What kind of difference ``got`` has from ``expected`` (same shape), worded for ``what`` of
    ``function``; "" when none fits.

    before   an update's starting value: the step taken is what is diagnosed
    related  the reference's other quantities of the same call, by name (Z1, A1, b1, ...): a value
             that equals one of them, or an offset by a bias, is named
    steps    an update's expected steps by gradient name (learning_rate * dW1, ...): a parameter
             moved by another parameter's step is named
    """
    try:
        got = np.asarray(got, dtype=float)
        expected = np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return ""
    if got.shape != expected.shape or not (np.all(np.isfinite(got)) and np.all(np.isfinite(expected))):
        return ""
    related = {k: v for k, v in (related or {}).items() if k != _bare(what) and isinstance(v, np.ndarray)}
    if function == COST and "A2" in related and "Y" in related and got.size == 1:
        cause = _cost_cause(float(got.ravel()[0]), related["A2"], related["Y"])
        if cause:
            return cause
    if before is not None:
        return _step_cause(got, expected, what, np.asarray(before, dtype=float), steps or {})
    if not np.any(expected):
        return ""
    if function == INITIALIZE:
        cause = _reseeded(got, expected, what)
        if cause:
            return cause
    return (_zeros(got, what, function) or _factor_cause(got, expected, what, function, m)
            or _other_quantity(got, expected, what, function, related)
            or _offset_cause(got, expected, what, function, related)
            or _part_cause(got, expected, what))


def _cost_cause(got: float, A2: np.ndarray, Y: np.ndarray) -> str:
    """A cost computed from an (m, m) matrix of log terms, averaged or summed: a flat array met a column,
    or an outer product where an element-wise product belongs (both give these numbers)."""
    if A2.ndim == 2 and A2.shape[1] == 1 and A2.shape[0] > 1 and Y.shape == A2.shape:
        y = Y.ravel()
        terms = y * np.log(A2) + (1 - y) * np.log(1 - A2)  # (m, m)
        m = A2.shape[0]
        for candidate in (-np.mean(terms), -np.sum(terms) / m, -np.sum(terms)):
            if abs(got - candidate) <= FIT * abs(candidate):
                return _("The cost equals the one of an (m, m) matrix of log terms. The checks pass Y and A2 as "
                         "columns (m, 1), so the matrix was made inside compute_cost: either a column met a flat "
                         "(m,) array (Y or A2 flattened) and NumPy broadcast them, or a column was multiplied by "
                         "a row with a matrix product (an outer product, np.dot or @ with a .T) where an "
                         "element-wise product belongs.")
    return ""


def _short(number: float) -> str:
    """A factor or an offset as a message shows it: four significant digits."""
    return f"{number:.4g}"


def _bare(what: str) -> str:
    return what.removeprefix("cache['").removesuffix("']")


def _fits(got: np.ndarray, candidate: np.ndarray) -> bool:
    return got.shape == candidate.shape and rel_error(got, candidate) <= FIT


def _zeros(got: np.ndarray, what: str, function: str) -> str:
    if np.any(got):
        return ""
    if function == INITIALIZE:
        return _("{what} is all zeros: the weights are drawn at random (with zeros every hidden unit would "
                 "compute the same).", what=what)
    return _("{what} is all zeros: nothing was computed into it (or it was multiplied by 0).", what=what)


def _known_factors(m: int | None) -> list[tuple[str, float]]:
    factors = [("-1", -1.0)]
    if m and m > 2:
        factors += [("m", float(m)), ("1/m", 1.0 / m), ("-m", -float(m)), ("-1/m", -1.0 / m),
                    ("m^2", float(m * m)), ("1/m^2", 1.0 / (m * m))]
    factors += [("2", 2.0), ("1/2", 0.5), ("log10", 1 / np.log(10)), ("log2", 1 / np.log(2))]
    return factors


def _factor_cause(got: np.ndarray, expected: np.ndarray, what: str, function: str, m: int | None) -> str:
    if function == INITIALIZE and expected.ndim == 2:  # a weight's scale is read against its own sizes first
        factor = _common_factor(got, expected)
        cause = _init_scale(factor, expected.shape, what) if factor else ""
        if cause:
            return cause
    for relation, factor in _known_factors(m):
        if _fits(got, factor * expected):
            words = factor_words(function, relation, what, m)
            if words:
                return words
    factor = _common_factor(got, expected)
    if not factor:
        return ""
    if function == INITIALIZE:
        return _init_scale(factor, expected.shape, what) or _(
            "Every entry of {what} is {factor} times the expected one: the scaling is wrong (the weights are "
            "divided by the square root of the layer's fan-in, nothing else).", what=what, factor=_short(factor))
    return _("Every entry of {what} is {factor} times the expected one: a constant factor is wrong.",
             what=what, factor=_short(factor))


def _common_factor(got: np.ndarray, expected: np.ndarray) -> float:
    """The constant c with got = c * expected, when one fits (0.0 when none): only an array with entries
    of several sizes can show one."""
    if expected.size < 2 or np.count_nonzero(expected) < 2 or np.ptp(np.abs(expected[expected != 0])) == 0:
        return 0.0
    factor = float(np.sum(got * expected) / np.sum(expected * expected))
    return factor if factor != 0 and _fits(got, factor * expected) else 0.0


# The seeds a student writes (the lab's 42 among them), tried when a weight repeats a fresh generator's draws.
COMMON_SEEDS = tuple(range(101)) + (123, 1234, 12345, 2020, 2021, 2022, 2023, 2024, 2025, 31415, 99999)


def _weight_sizes(what: str, shape: tuple[int, ...]) -> tuple[str, str] | None:
    """The argument names of a weight's fan-in and fan-out (W1: input_dim, hidden_dim)."""
    names = {"W1": ("input_dim", "hidden_dim"), "W2": ("hidden_dim", "output_dim")}
    return names.get(_bare(what)) if len(shape) == 2 else None


def _reseeded(got: np.ndarray, expected: np.ndarray, what: str) -> str:
    """A weight after the first (W2) made of the first draws of a freshly seeded generator, at the
    expected scale: np.random.seed was called again before it (so it repeats W1's draws when the seed
    is the same)."""
    if _bare(what) != "W2" or got.ndim != 2 or got.size < 1:
        return ""
    scale = 1 / np.sqrt(got.shape[0])  # the lab's scale: one over the square root of the fan-in
    for seed in COMMON_SEEDS:
        draws = np.random.RandomState(seed).randn(got.size).reshape(got.shape) * scale
        if _fits(got, draws) and not _fits(expected, draws):
            if seed == 42:
                return _("{what} repeats the first random numbers after np.random.seed(42), the ones W1 already "
                         "used: the generator is seeded again before {what} is drawn (seed once, at the start).",
                         what=what)
            return _("{what} is made of the first random numbers after np.random.seed({seed}): the generator is "
                     "seeded again before {what} is drawn (seed once, with 42, at the start).", what=what, seed=seed)
    return ""


def _init_scale(factor: float, shape: tuple[int, ...], what: str) -> str:
    """A weight ``factor`` times the expected one (the draws divided by the square root of the fan-in):
    the scalings students use instead, named with the arguments; both when two fit the same factor."""
    names = _weight_sizes(what, shape)
    if names is None:
        return ""
    fan_in, fan_out = shape
    in_name, out_name = names
    fields = {"what": what, "factor": _short(factor), "fan_in": in_name, "fan_out": out_name}
    candidates = [
        (1 / np.sqrt(fan_in), N_("{what} is divided by its fan-in {fan_in} itself, not by its square root "
                                 "(every entry is {factor} times the expected one).")),
        (np.sqrt(fan_in), N_("{what} is not divided by the square root of its fan-in {fan_in}.")),
        (np.sqrt(fan_in / fan_out), N_("{what} is divided by the square root of {fan_out}, the layer's number "
                                       "of outputs; its fan-in is {fan_in}.")),
        (0.01 * np.sqrt(fan_in), N_("{what} is scaled by 0.01 (as some tutorials do); this lab divides by "
                                    "the square root of the fan-in {fan_in}.")),
        (np.sqrt(2.0), N_("{what} is multiplied by the square root of 2 (He initialisation, made for ReLU); "
                          "this lab divides by the square root of the fan-in only.")),
        (np.sqrt(2 * fan_in / (fan_in + fan_out)), N_("{what} is scaled as in Xavier/Glorot initialisation "
                                                      "(fan-in and fan-out together); this lab divides by "
                                                      "the square root of the fan-in {fan_in} only.")),
    ]
    fitting = list(dict.fromkeys(text for value, text in candidates
                                 if value != 1 and abs(factor - value) <= FIT * abs(value)))
    if len(fitting) == 1:
        return translate_marked(fitting[0], **fields)
    if len(fitting) >= 2:  # these sizes cannot tell them apart; another case of the checks can
        return _("Every entry of {what} is {factor} times the expected one; with these sizes two mistakes give "
                 "that: {first} Or: {second}", what=what, factor=_short(factor),
                 first=translate_marked(fitting[0], **fields),
                 second=translate_marked(fitting[1], **fields))
    return ""


def factor_words(function: str, relation: str, what: str, m: int | None = None) -> str:
    """The hint for ``what`` of ``function`` being ``relation`` times the expected ("-1", "m", ...)."""
    if relation == "-1":
        if function == COST:
            return _("The cost has the wrong sign: cross-entropy is minus the mean log-likelihood; check the "
                     "minus in front of the mean.")
        if function == BACKWARD and _bare(what) in ("dW1", "db1"):
            return _("{what} has the wrong sign: check the signs on the way from dZ2 to dZ1.", what=what)
        if function == BACKWARD:
            return _("{what} has the wrong sign: every gradient follows from dZ2, so check the order of the "
                     "subtraction in dZ2.", what=what)
        if function == INITIALIZE:
            return _("{what} has the wrong sign: the weights are the draws of np.random.randn, only scaled.",
                     what=what)
        if function == FORWARD:
            return _("{what} has the wrong sign: compare its formula with the handout's.", what=what)
        return _("Every entry of {what} has the wrong sign.", what=what)
    if relation in ("m", "-m"):
        if function == COST:
            return _("The cost is m times too large: it is a mean over the samples, not a sum.")
        return _("{what} is m times too large (m = {m}): the division by m (the number of samples) is missing.",
                 what=what, m=m)
    if relation in ("1/m", "-1/m"):
        if function == COST:
            return _("The cost is m times too small: divide by m only once (np.mean already divides).")
        return _("{what} is m times too small (m = {m}): it is divided by m twice (np.mean already divides by m).",
                 what=what, m=m)
    if relation == "m^2":
        return _("{what} is m² times too large (m = {m}): it is multiplied by m where it should be divided.",
                 what=what, m=m)
    if relation == "1/m^2":
        return _("{what} is m² times too small (m = {m}): it is divided by m three times.", what=what, m=m)
    if relation == "2":
        if function == COST:
            return _("The cost is twice too large: is a term counted twice?")
        return _("{what} is twice too large: a stray factor 2.", what=what)
    if relation == "1/2":
        if function == COST:
            return _("The cost is half of what it should be: a stray factor 1/2?")
        return _("{what} is half of what it should be: a stray factor 1/2.", what=what)
    if relation == "log10" and function == COST:
        return _("The cost is 1/ln(10) times the expected one: a logarithm in base 10 (np.log10) is used where "
                 "the natural logarithm (np.log) belongs.")
    if relation == "log2" and function == COST:
        return _("The cost is 1/ln(2) times the expected one: a logarithm in base 2 (np.log2) is used where the "
                 "natural logarithm (np.log) belongs.")
    return ""


def _step_cause(got: np.ndarray, expected: np.ndarray, what: str, before: np.ndarray,
                steps: dict[str, np.ndarray]) -> str:
    """An update's step against the expected step (``got``, ``expected`` are the parameters after it;
    ``steps`` the expected steps of every parameter by gradient name, learning_rate * dW1, ...)."""
    if before.shape != got.shape:
        return ""
    step, right = got - before, expected - before
    if not np.any(right):
        return ""
    if not np.any(step):
        return _("{what} did not move: it is returned as it was given, without its gradient step.", what=what)
    own = "d" + _bare(what)
    for name, other in steps.items():
        if name == own or not np.any(other):
            continue
        try:
            moved = np.broadcast_to(np.asarray(other, dtype=float), got.shape)
        except ValueError:
            continue
        if _fits(step, -moved) and not _fits(right, -moved):
            return _("{what} was moved by learning_rate times {other}, another parameter's gradient (NumPy "
                     "broadcast it to the shape of {what}): each parameter takes the step of its own gradient, "
                     "{own}.", what=what, other=name, own=own)
    if _fits(step, -right):
        return _("{what} moved the wrong way: the step goes against the gradient (- not +).", what=what)
    if _fits(step, 2 * right):
        return _("{what} took twice the step: the step is taken once.", what=what)
    if _fits(step, 0.5 * right):
        return _("{what} took half the step.", what=what)
    factor = float(np.sum(step * right) / np.sum(right * right))
    if factor != 0 and np.count_nonzero(right) >= 2 and _fits(step, factor * right):
        return _("{what} took {factor} times the expected step: the step size does not follow "
                 "learning_rate.", what=what, factor=_short(factor))
    return _part_cause(got, expected, what)


def _other_quantity(got: np.ndarray, expected: np.ndarray, what: str, function: str,
                    related: dict[str, np.ndarray]) -> str:
    """``got`` equals another quantity of the same call, or 1 - the expected probability."""
    for name, value in related.items():
        if value.shape == got.shape and np.any(value) and _fits(got, value):
            return _("{what} holds the values of {other}: the wrong quantity went into it (or an in-place "
                     "operation overwrote it).", what=what, other=name)
    if function == FORWARD and _bare(what) == "A2" and _fits(got, 1 - expected):
        return _("A2 is 1 minus the expected probability: the sign in the exponent of the sigmoid is flipped.")
    return ""


def _offset_cause(got: np.ndarray, expected: np.ndarray, what: str, function: str,
                  related: dict[str, np.ndarray]) -> str:
    """Every row off by the same row vector: a bias left out, added twice or the wrong one."""
    if got.ndim != 2 or got.shape[0] < 2:
        return ""
    difference = got - expected
    row = difference[:1]
    scale = max(float(np.max(np.abs(expected))), 1e-12)
    if not np.all(np.abs(difference - row) <= FIT * scale) or not np.any(np.abs(row) > FIT * scale):
        return ""
    for name, bias in related.items():
        if not name.startswith("b") or bias.shape != row.shape:
            continue
        if _fits(row, -bias):
            return _("{what} is missing the bias {bias}: every row is off by exactly -{bias}.", what=what, bias=name)
        if _fits(row, bias):
            return _("{what} has the bias {bias} added twice: every row is off by exactly {bias}.",
                     what=what, bias=name)
    if np.all(np.abs(row - row[0, 0]) <= FIT * scale):
        return _("Every entry of {what} is off by the same amount ({offset}): a constant added or left out.",
                 what=what, offset=_short(float(row[0, 0])))
    return _("Every row of {what} is off by the same row vector: a bias (added to every sample) is left out, "
             "added twice or the wrong one.", what=what)


def _part_cause(got: np.ndarray, expected: np.ndarray, what: str) -> str:
    """Only some rows or some columns wrong: name them."""
    if got.ndim != 2 or got.size < 2:
        return ""
    scale = max(float(np.max(np.abs(expected))), 1e-12)
    wrong = np.abs(got - expected) > SAME * scale + 1e-7 * np.abs(expected)
    if not np.any(wrong) or np.all(wrong):
        return ""
    columns = np.flatnonzero(np.any(wrong, axis=0))
    rows = np.flatnonzero(np.any(wrong, axis=1))
    if got.shape[1] > 1 and len(columns) < got.shape[1]:
        return _("Only column(s) {columns} of {what} (counting from 0) differ; the other columns are right.",
                 what=what, columns=", ".join(map(str, columns)))
    if got.shape[0] > 1 and len(rows) < got.shape[0]:
        return _("Only row(s) {rows} of {what} (counting from 0) differ; the other rows are right.",
                 what=what, rows=", ".join(map(str, rows)))
    return ""


# ----------------------------------------------------------------- not finite


def not_finite_cause(what: str, function: str) -> str:
    """Where NaN or infinite entries usually come from, in ``function``."""
    if function == FORWARD:
        return _("NaN comes from an operation without a value (0/0, inf - inf, the log or square root of a "
                 "negative number); np.tanh and the given sigmoid never make one.")
    if function == BACKWARD:
        return _("NaN or inf comes from a division by zero or the log of 0 on the way; the handout's formulas "
                 "for the gradients need neither.")
    if function == UPDATE:
        return _("The update only subtracts learning_rate times the gradient: NaN or inf comes from another "
                 "operation.")
    return _("Overflow, a log of 0 or 0/0?")
