"""Checks of update_parameters(parameters, grads, learning_rate) -> parameters."""
from __future__ import annotations

from grader.checks import inputs
from grader.checks.base import Check, Expected, Probe
from grader.checks.judge import expect_array, expect_close, expect_dict
from grader.contract import PARAM_KEYS

FUNCTION = "update_parameters"

Case = tuple[int, int, int, float]  # seed, n_in, n_h, learning_rate


def describe(case: Case) -> str:
    seed, n_in, n_h, lr = case
    return f"n_in {n_in}, n_h {n_h}, learning_rate {lr}, seed {seed}"


def probe(case: Case) -> Probe:
    seed, n_in, n_h, lr = case

    def run(bridge, ref):
        params = inputs.params(seed, n_in, n_h)
        grads = {"d" + k: v for k, v in inputs.params(seed + 1, n_in, n_h).items()}
        return bridge.call(FUNCTION, params, grads, lr)

    return Probe(f"{FUNCTION}/s{seed}-{n_in}-{n_h}-lr{lr}", FUNCTION, describe(case), run)


def _judge_structure(got, case: Case) -> dict:
    expect_dict(got, PARAM_KEYS, "the updated parameters")
    for name, shape in inputs.param_shapes(case[1], case[2]).items():
        expect_array(got[name], shape, name)
    return got


def structure(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        _judge_structure(got, case)
        return "returns W1, b1, W2, b2 with their shapes"

    return Check(f"{FUNCTION}: structure on {describe(case)}", points, hidden, probe(case), judge)


def values(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        _judge_structure(got, case)
        for name in PARAM_KEYS:
            expect_close(got[name], exp.value[name], name, describe(case), exp=exp,
                         mistake_key=lambda o, name=name: o[name])
        return "one gradient-descent step, as the reference takes it"

    return Check(f"{FUNCTION}: values on {describe(case)}", points, hidden, probe(case), judge)
