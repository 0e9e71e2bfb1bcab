"""Checks of initialize_parameters(input_dim, hidden_dim, output_dim)."""
from __future__ import annotations

import numpy as np

from grader.checks.base import Check, Expected, Fail, Probe
from grader.checks.inputs import param_shapes
from grader.checks.judge import expect_array, expect_close, expect_dict
from grader.contract import PARAM_KEYS

FUNCTION = "initialize_parameters"
OTHER_SEED = 7  # set before the call: a function that forgets np.random.seed(42) draws other weights

Dims = tuple[int, int, int]


def probe(dims: Dims) -> Probe:
    return Probe(
        key=f"{FUNCTION}/{'-'.join(map(str, dims))}",
        function=FUNCTION,
        inputs=f"{FUNCTION}{dims}",
        run=lambda bridge, ref: bridge.call(FUNCTION, *dims, seed=OTHER_SEED),
    )


def _judge_structure(got, dims: Dims) -> dict:
    expect_dict(got, PARAM_KEYS, f"the result of {FUNCTION}{dims}")
    for name, shape in param_shapes(*dims).items():
        expect_array(got[name], shape, name)
    for name in ("b1", "b2"):
        if np.any(got[name] != 0):
            raise Fail(f"{name} should start at zero; got {got[name].ravel()[:4]}.")
    return got


def structure(dims: Dims, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        _judge_structure(got, dims)
        return "W1, b1, W2, b2 have the right shapes; biases start at zero"

    return Check(f"{FUNCTION}: structure for sizes {dims}", points, hidden, probe(dims), judge)


def values(dims: Dims, points: float, hidden: bool = False) -> Check:
    p = probe(dims)

    def judge(got, exp: Expected) -> str:
        _judge_structure(got, dims)
        for name in ("W1", "W2"):
            expect_close(got[name], exp.value[name], name, f"{p.inputs}, global seed {OTHER_SEED} set before",
                         exp=exp, mistake_key=lambda o, name=name: o[name])
        return "weights equal the reference under np.random.seed(42)"

    return Check(f"{FUNCTION}: seeded weights for sizes {dims}", points, hidden, p, judge)
