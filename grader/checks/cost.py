"""Checks of compute_cost(A2, Y) -> float."""
from __future__ import annotations

from grader.checks import inputs
from grader.checks.base import Check, Expected, Probe
from grader.checks.judge import expect_close, expect_float

FUNCTION = "compute_cost"

Case = tuple[int, int]  # seed, m


def describe(case: Case) -> str:
    return f"A2, Y ({case[1]}, 1), seed {case[0]}"


def probe(case: Case) -> Probe:
    seed, m = case

    def run(bridge, ref):
        _, Y = inputs.data(seed, m, 2)
        return bridge.call(FUNCTION, inputs.probabilities(seed, m), Y)

    return Probe(f"{FUNCTION}/s{seed}-m{m}", FUNCTION, describe(case), run)


def structure(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        expect_float(got, "the cost")
        return "returns a finite Python float"

    return Check(f"{FUNCTION}: returns a float on {describe(case)}", points, hidden, probe(case), judge)


def values(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        cost = expect_float(got, "the cost")
        expect_close(cost, exp.value, "cost", describe(case), m=case[1], exp=exp)
        return f"cost {cost:.6f} equals the reference"

    return Check(f"{FUNCTION}: values on {describe(case)}", points, hidden, probe(case), judge)
