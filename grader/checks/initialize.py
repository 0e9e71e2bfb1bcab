"""Checks of initialize_parameters(input_dim, hidden_dim, output_dim)."""
from __future__ import annotations

import numpy as np

from grader.checks.base import Check, Expected, Probe, confirming
from grader.checks.cases import Case
from grader.checks.inputs import param_shapes
from grader.checks.judge import Parts, dict_parts, expect_close
from grader.i18n import Message, _

FUNCTION = "initialize_parameters"
OTHER_SEED = 7  # set before the call: a function that forgets np.random.seed(42) draws other weights


def dims(case: Case) -> tuple[int, int, int]:
    return case.n_in, case.n_h, case.n_out


def describe(case: Case) -> Message:
    """The case as check names show it: its label ("one output"), not its sizes: a secret draw
    changes the sizes (seeded weights depend on nothing else)."""
    return case.labelled()


def probe(case: Case) -> Probe:
    return Probe(
        key=case.key(FUNCTION),
        function=FUNCTION,
        inputs=f"{FUNCTION}{dims(case)}",
        run=lambda bridge, ref: bridge.call(FUNCTION, *dims(case), seed=OTHER_SEED),
        reveals=case.reveals_expected,
    )


def parts(got, case: Case) -> Parts:
    """W1, b1, W2, b2 of the right shapes, and every structural problem (reported by the structure check):
    a bias that does not start at zero is one too."""
    found = dict_parts(got, param_shapes(*dims(case)), _("the result of {call}", call=probe(case).inputs))
    for name in ("b1", "b2"):
        if name in found.arrays and np.any(found.arrays[name] != 0):
            found.problems[name] = _("{name} should start at zero; got {values}.", name=name,
                                     values=found.arrays[name].ravel()[:4])
    return found


def structure(case: Case, points: float, hidden: bool = False) -> Check:
    return Check.titled(FUNCTION, Message("structure, {case}", case=describe(case)), points, hidden, probe(case),
                        confirming(lambda got, exp: parts(got, case).require(),
                                   Message("W1, b1, W2, b2 have the right shapes; biases start at zero")))


def values(case: Case, points: float, hidden: bool = False) -> Check:
    """The seeded weights W1 and W2, judged whenever they have the right shapes (the biases are the
    structure check's)."""
    p = probe(case)

    def judge(got, exp: Expected) -> str:
        def judge_one(name: str, array) -> None:
            expect_close(array, exp.value[name], name,
                         _("{call}, global seed {seed} set before", call=p.inputs, seed=OTHER_SEED),
                         exp=exp, mistake_key=lambda o: o[name], function=FUNCTION)

        parts(got, case).judge(("W1", "W2"), judge_one)
        return _("weights equal the reference under np.random.seed(42)")

    return Check.titled(FUNCTION, Message("seeded weights, {case}", case=describe(case)), points, hidden, p, judge)
