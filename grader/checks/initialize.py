"""Checks of initialize_parameters(input_dim, hidden_dim, output_dim)."""
from __future__ import annotations

import numpy as np

from grader.checks.base import Check, Expected, Fail, Probe, confirming
from grader.checks.cases import Case
from grader.checks.inputs import param_shapes
from grader.checks.judge import expect_array, expect_close, expect_dict
from grader.contract import PARAM_KEYS

FUNCTION = "initialize_parameters"
OTHER_SEED = 7  # set before the call: a function that forgets np.random.seed(42) draws other weights


def dims(case: Case) -> tuple[int, int, int]:
    return case.n_in, case.n_h, case.n_out


def describe(case: Case) -> str:
    """The case as check names show it: "sizes (2, 4, 1)" for practice cases; a secret draw
    changes the sizes (seeded weights depend on nothing else), so names keep the case id."""
    return case.id.replace("-", " ")


def probe(case: Case) -> Probe:
    return Probe(
        key=case.key(FUNCTION),
        function=FUNCTION,
        inputs=f"{FUNCTION}{dims(case)}",
        run=lambda bridge, ref: bridge.call(FUNCTION, *dims(case), seed=OTHER_SEED),
        reveals=case.reveals_expected,
    )


def _judge_structure(got, case: Case) -> dict:
    expect_dict(got, PARAM_KEYS, f"the result of {FUNCTION}{dims(case)}")
    for name, shape in param_shapes(*dims(case)).items():
        expect_array(got[name], shape, name)
    for name in ("b1", "b2"):
        if np.any(got[name] != 0):
            raise Fail(f"{name} should start at zero; got {got[name].ravel()[:4]}.")
    return got


def structure(case: Case, points: float, hidden: bool = False) -> Check:
    return Check.titled(FUNCTION, f"structure, {describe(case)}", points, hidden, probe(case),
                        confirming(lambda got, exp: _judge_structure(got, case),
                                   "W1, b1, W2, b2 have the right shapes; biases start at zero"))


def values(case: Case, points: float, hidden: bool = False) -> Check:
    p = probe(case)

    def judge(got, exp: Expected) -> str:
        _judge_structure(got, case)
        for name in ("W1", "W2"):
            expect_close(got[name], exp.value[name], name, f"{p.inputs}, global seed {OTHER_SEED} set before",
                         exp=exp, mistake_key=lambda o, name=name: o[name])
        return "weights equal the reference under np.random.seed(42)"

    return Check.titled(FUNCTION, f"seeded weights, {describe(case)}", points, hidden, p, judge)
