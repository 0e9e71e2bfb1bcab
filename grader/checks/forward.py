"""Checks of forward_propagation(X, parameters) -> (A2, cache)."""
from __future__ import annotations

import numpy as np

from grader.checks import inputs
from grader.checks.base import Check, Expected, Fail, Probe, confirming
from grader.checks.cases import Case
from grader.checks.judge import Parts, dict_parts, expect_close, expect_pair, problem_and_cause, singleton_reshaped
from grader.checks.judge import describe as describe_value
from grader.contract import CACHE_KEYS, PARAM_KEYS
from grader.i18n import Message, _

FUNCTION = "forward_propagation"


def values_title(case: Case) -> Message:
    """The title of the values check on ``case`` (the inputs check points at it)."""
    return Message("values on {inputs}", inputs=describe(case))


def describe(case: Case) -> str:
    """The inputs as a check name shows them: "X (5, 2), n_h 4" (never a drawn seed)."""
    return f"X ({case.m}, {case.n_in}), n_h {case.n_h}" + (f", n_out {case.n_out}" if case.n_out != 1 else "")


def where(case: Case) -> str:
    """The inputs as a failure message shows them: with the seed when it is a practice case."""
    return describe(case) + case.seed_note()


def arguments(case: Case) -> tuple:
    """(X (m, n_in), parameters) of the case."""
    X, _Y = inputs.data(case.seed, case.m, case.n_in)
    return X, inputs.params(case.seed, case.n_in, case.n_h, case.n_out)


def probe(case: Case) -> Probe:
    def run(bridge, ref):
        result, args_after = bridge.call(FUNCTION, *arguments(case), keep_args=True)
        return {"result": result, "args_after": args_after}

    return Probe(case.key(FUNCTION), FUNCTION, describe(case), run, reveals=case.reveals_expected)


def shapes(case: Case) -> dict[str, tuple[int, int]]:
    return {"Z1": (case.m, case.n_h), "A1": (case.m, case.n_h), "Z2": (case.m, case.n_out), "A2": (case.m, case.n_out)}


def parts(got, case: Case) -> Parts:
    """The cache entries of the right shape, and every structural problem (reported once, by the
    structure check): not a pair, a wrong returned A2 (under "returned"), a wrong cache."""
    expected_shapes = shapes(case)
    try:
        A2, cache = expect_pair(got["result"], FUNCTION)
    except Fail as error:
        return Parts(problems={"": str(error)}, faults={"": _("got {value}", value=describe_value(got["result"]))})
    result = dict_parts(cache, expected_shapes, "cache", m=case.m, names=lambda name: f"cache['{name}']")
    found = problem_and_cause(A2, expected_shapes["A2"], "A2", m=case.m)
    if found is None and "A2" in result.arrays and not np.array_equal(result.arrays["A2"], A2):
        found = (_("the returned A2 and cache['A2'] should be the same array."), "")
    if found:
        # a returned A2 with the right values in a flat or squeezed array is a shape problem only: the
        # values are still judged (in the cache); any other problem keeps every value from being judged
        flat = singleton_reshaped(A2, expected_shapes["A2"])
        only_shape = flat is not None and "A2" in result.arrays and np.array_equal(flat, result.arrays["A2"])
        result.add("returned A2" if only_shape else "returned", *found, name="A2", first=True)
    return result


def structure(case: Case, points: float, hidden: bool = False) -> Check:
    return Check.titled(FUNCTION, Message("structure on {inputs}", inputs=describe(case)), points, hidden,
                        probe(case), confirming(lambda got, exp: parts(got, case).require(),
                                                Message("returns (A2, cache) with Z1, A1, Z2, A2 of the right shapes")))


def _judge_values(got, exp: Expected, case: Case) -> None:
    def judge_one(name: str, array) -> None:
        expect_close(array, exp.value["result"][1][name], name, where(case), m=case.m, exp=exp,
                     mistake_key=lambda o: o["result"][1][name], function=FUNCTION)

    # in order: the first wrong one is where the mistake is
    parts(got, case).judge(CACHE_KEYS, judge_one, whole=("", "returned"))


def values(case: Case, points: float, hidden: bool = False) -> Check:
    return Check.titled(FUNCTION, values_title(case), points, hidden, probe(case),
                        confirming(lambda got, exp: _judge_values(got, exp, case),
                                   Message("Z1, A1, Z2, A2 equal the reference")))


def inputs_unchanged(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        X_after, params_after = got["args_after"]
        X_before, params_before = exp.value["args_after"]  # the reference leaves them as they were
        if not np.array_equal(X_after, X_before):
            raise Fail(_("{function} changed its input X. Compute new arrays instead of changing X in place.",
                         function=FUNCTION))
        if not isinstance(params_after, dict) or set(params_after) != set(params_before):
            raise Fail(_("{function} added or removed keys of its parameters dict. It should only read them.",
                         function=FUNCTION))
        for name in PARAM_KEYS:
            if name not in params_after or not np.array_equal(params_after[name], params_before[name]):
                raise Fail(_("{function} changed parameters['{name}']. It should only read the parameters "
                             "(in-place operators such as += change the caller's arrays).",
                             function=FUNCTION, name=name))
        inputs.unchanged_counts_once_right(lambda: _judge_values(got, exp, case), _("X and parameters"),
                                           FUNCTION,
                                           values_title(case))
        return _("X and parameters are left as they were")

    return Check.titled(FUNCTION, Message("leaves X and parameters unchanged"), points, hidden, probe(case), judge)
