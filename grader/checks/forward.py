"""Checks of forward_propagation(X, parameters) -> (A2, cache)."""
from __future__ import annotations

import numpy as np

from grader.checks import inputs
from grader.checks.base import Check, Expected, Fail, Probe
from grader.checks.judge import expect_array, expect_close, expect_dict, expect_pair
from grader.contract import CACHE_KEYS, PARAM_KEYS

FUNCTION = "forward_propagation"

# seed, m, n_in, n_h, n_out
Case = tuple[int, int, int, int, int]


def describe(case: Case) -> str:
    seed, m, n_in, n_h, n_out = case
    return f"X ({m}, {n_in}), n_h {n_h}" + (f", n_out {n_out}" if n_out != 1 else "") + f", seed {seed}"


def probe(case: Case) -> Probe:
    seed, m, n_in, n_h, n_out = case

    def run(bridge, ref):
        X, _ = inputs.data(seed, m, n_in)
        params = inputs.params(seed, n_in, n_h, n_out)
        result, args_after = bridge.call(FUNCTION, X, params, keep_args=True)
        return {"result": result, "args_after": args_after}

    return Probe(f"{FUNCTION}/s{seed}-{m}x{n_in}-h{n_h}-o{n_out}", FUNCTION, describe(case), run)


def shapes(case: Case) -> dict[str, tuple[int, int]]:
    _, m, _, n_h, n_out = case
    return {"Z1": (m, n_h), "A1": (m, n_h), "Z2": (m, n_out), "A2": (m, n_out)}


def _judge_structure(got, case: Case) -> tuple[np.ndarray, dict]:
    A2, cache = expect_pair(got["result"], FUNCTION)
    expected_shapes = shapes(case)
    expect_array(A2, expected_shapes["A2"], "A2", m=case[1])
    expect_dict(cache, CACHE_KEYS, "cache")
    for name, shape in expected_shapes.items():
        expect_array(cache[name], shape, f"cache['{name}']", m=case[1])
    if not np.array_equal(cache["A2"], A2):
        raise Fail("the returned A2 and cache['A2'] should be the same array.")
    return A2, cache


def structure(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        _judge_structure(got, case)
        return "returns (A2, cache) with Z1, A1, Z2, A2 of the right shapes"

    return Check(f"{FUNCTION}: structure on {describe(case)}", points, hidden, probe(case), judge)


def values(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        _, cache = _judge_structure(got, case)
        for name in CACHE_KEYS:  # in order: the first wrong one is where the mistake is
            expect_close(cache[name], exp.value["result"][1][name], name, describe(case), m=case[1],
                         exp=exp, mistake_key=lambda o, name=name: o["result"][1][name])
        return "Z1, A1, Z2, A2 equal the reference"

    return Check(f"{FUNCTION}: values on {describe(case)}", points, hidden, probe(case), judge)


def inputs_unchanged(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        _judge_structure(got, case)  # doing nothing at all leaves the inputs alone too: no points for that
        X_after, params_after = got["args_after"]
        X_before, params_before = exp.value["args_after"]  # the reference leaves them as they were
        if not np.array_equal(X_after, X_before):
            raise Fail(f"{FUNCTION} changed its input X. Compute new arrays instead of changing X in place.")
        if not isinstance(params_after, dict) or set(params_after) != set(params_before):
            raise Fail(f"{FUNCTION} added or removed keys of its parameters dict. It should only read them.")
        for name in PARAM_KEYS:
            if name not in params_after or not np.array_equal(params_after[name], params_before[name]):
                raise Fail(f"{FUNCTION} changed parameters['{name}']. It should only read the parameters "
                           "(in-place operators such as += change the caller's arrays).")
        return "X and parameters are left as they were"

    return Check(f"{FUNCTION}: leaves X and parameters unchanged", points, hidden, probe(case), judge)
