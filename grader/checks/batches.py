"""Checks of batch_generator(X, Y, batch_size) -> yields (X_batch, Y_batch).

Row i of the probe's X is (k + i, k + i + 0.5, ...) and Y[i] = k + i, so every yielded row
tells which sample it is and whether X and Y rows are still paired. The offset k comes from
the case's seed: a shuffle recorded for one case is no valid answer for another.
"""
from __future__ import annotations

import numpy as np

from grader.checks import diagnose
from grader.checks.base import Check, Expected, Fail, Probe
from grader.checks.cases import Case
from grader.checks.judge import describe as describe_value
from grader.i18n import Message, _, ngettext
from grader.values import Yielded

FUNCTION = "batch_generator"


def describe(case: Case) -> str:
    return f"X ({case.m}, {case.n_in}), batch_size {case.batch_size}"


def where(case: Case) -> str:
    """As failure messages show the case: with the seed set before the call, for practice cases."""
    return describe(case) + (f", np.random.seed({case.seed})" if case.reveals_expected else "")


def offset(case: Case) -> int:
    return 1000 * (case.seed % 1000)


def labelled_data(case: Case) -> tuple[np.ndarray, np.ndarray]:
    """X (m, n_in) and Y (m, 1) whose row i holds the number offset(case) + i."""
    ids = offset(case) + np.arange(case.m, dtype=np.float64)
    X = ids[:, None] + 0.5 * np.arange(case.n_in)[None, :]  # (m, n_in)
    return X, ids[:, None].copy()


def probe(case: Case) -> Probe:
    def run(bridge, ref):
        X, Y = labelled_data(case)
        return bridge.call(FUNCTION, X, Y, case.batch_size, seed=case.seed)

    return Probe(case.key(FUNCTION), FUNCTION, describe(case), run, reveals=case.reveals_expected)


def _batches(got, case: Case) -> list[tuple[np.ndarray, np.ndarray]]:
    """Structure: a generator of (X_batch (b, n_in), Y_batch (b, 1)) pairs."""
    m, n_in, b = case.m, case.n_in, case.batch_size
    if not isinstance(got, Yielded):
        raise Fail(_("{function} should be a generator that yields batches (use yield); calling it returned "
                     "{value}.", function=FUNCTION, value=describe_value(got)))
    batches = []
    for index, item in enumerate(got.items):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise Fail(_("batch {index} should be a pair (X_batch, Y_batch); got {value}.", index=index,
                         value=describe_value(item)))
        X_batch, Y_batch = item
        for what, array, shape in (("X_batch", X_batch, (b, n_in)), ("Y_batch", Y_batch, (b, 1))):
            if not isinstance(array, np.ndarray) or array.shape != shape:
                got_text = array.shape if isinstance(array, np.ndarray) else describe_value(array)
                raise Fail(_("batch {index}: {what} should have shape {shape}; got {got}.", index=index, what=what,
                             shape=shape, got=got_text) + diagnose.batch_shape_cause(index, array, shape, m))
        batches.append((X_batch, Y_batch))
    full = m // b
    if len(batches) != full:
        raise Fail(ngettext("expected {number} full batch of {b} from {m} samples; got {got}.",
                            "expected {number} full batches of {b} from {m} samples; got {got}.", full, b=b, m=m,
                            got=len(batches)) + diagnose.batch_count_cause(len(batches), full))
    return batches


def structure(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        batches = _batches(got, case)
        return ngettext("yields {number} pair of the right shapes", "yields {number} pairs of the right shapes",
                        len(batches))

    return Check.titled(FUNCTION, Message("yields full batches on {inputs}", inputs=describe(case)), points, hidden,
                        probe(case), judge)


def sampling(case: Case, points: float, hidden: bool = False) -> Check:
    """Every sample at most once, rows of X and Y still paired, and shuffled."""

    def judge(got, exp: Expected) -> str:
        batches = _batches(got, case)
        X, _labels = labelled_data(case)
        seen: list[int] = []
        for index, (X_batch, Y_batch) in enumerate(batches):
            ids = Y_batch[:, 0] - offset(case)
            if not np.all((ids == np.round(ids)) & (ids >= 0) & (ids < case.m)):
                raise Fail(_("batch {index}: Y_batch holds values that are not rows of Y.", index=index))
            rows = ids.astype(int)
            if not np.array_equal(X_batch, X[rows]):
                raise Fail(_("batch {index}: the rows of X_batch and Y_batch are not paired any more; "
                             "index X and Y with the same shuffled indices.", index=index))
            seen.extend(rows.tolist())
        if len(set(seen)) != len(seen):
            raise Fail(_("some samples appear more than once in one epoch; shuffle the indices and then "
                         "cut them into consecutive slices (no sampling with replacement)."))
        if seen == sorted(seen) and len(seen) > 1:
            raise Fail(_("the samples come in their original order: shuffle the indices first."))
        return _("each sample at most once, X and Y rows paired, order shuffled")

    return Check.titled(FUNCTION, Message("each sample at most once, rows paired on {inputs}", inputs=describe(case)),
                        points, hidden, probe(case), judge)


def seeded(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        batches = _batches(got, case)
        expected = [(x, y) for x, y in exp.value.items]
        for index, ((_x_got, y_got), (_x_exp, y_exp)) in enumerate(zip(batches, expected, strict=False)):
            if not np.array_equal(y_got, y_exp):
                shown = ""
                if case.reveals_expected:  # a secret draw's order would answer this check next time
                    order_got = y_got[:5, 0].astype(int).tolist()
                    order_exp = y_exp[:5, 0].astype(int).tolist()
                    shown = _(": expected rows {expected}..., got {got}...", expected=order_exp, got=order_got)
                order = np.concatenate([y_batch[:, 0] for _x, y_batch in batches]) - offset(case)
                reseeded = diagnose.batch_order_cause(order, case.m, case.seed)
                if reseeded:
                    raise Fail(_("batch {index} holds other samples than expected after the global seed was set "
                                 "({inputs}){shown}.", index=index, inputs=where(case), shown=shown) + " " + reseeded)
                raise Fail(_("batch {index} holds other samples than expected after the global seed was set "
                             "({inputs}){shown}. Shuffle np.arange(m) once with np.random.shuffle (no seeding "
                             "inside the function).", index=index, inputs=where(case), shown=shown))
        return _("the same batches as the reference for this seed")

    return Check.titled(FUNCTION, Message("seeded order on {inputs}", inputs=describe(case)), points, hidden,
                        probe(case), judge)
