"""Checks of update_parameters(parameters, grads, learning_rate) -> parameters."""
from __future__ import annotations

from grader.checks import inputs
from grader.checks.base import Check, Expected, Probe, confirming
from grader.checks.cases import Case
from grader.checks.judge import Parts, dict_parts, expect_close
from grader.contract import PARAM_KEYS
from grader.i18n import Message, _

FUNCTION = "update_parameters"


def describe(case: Case) -> str:
    return f"n_in {case.n_in}, n_h {case.n_h}, learning_rate {case.learning_rate}"


def probe(case: Case) -> Probe:
    def run(bridge, ref):
        params = inputs.params(case.seed, case.n_in, case.n_h)
        grads = {"d" + k: v for k, v in inputs.params(case.seed + 1, case.n_in, case.n_h).items()}
        return bridge.call(FUNCTION, params, grads, case.learning_rate)

    return Probe(case.key(FUNCTION), FUNCTION, describe(case), run, reveals=case.reveals_expected)


def parts(got, case: Case) -> Parts:
    """The parameters of the right shapes, and every structural problem (reported by the structure check)."""
    return dict_parts(got, inputs.param_shapes(case.n_in, case.n_h), _("the updated parameters"))


def structure(case: Case, points: float, hidden: bool = False) -> Check:
    return Check.titled(FUNCTION, Message("structure on {inputs}", inputs=describe(case)), points, hidden,
                        probe(case), confirming(lambda got, exp: parts(got, case).require(),
                                                Message("returns W1, b1, W2, b2 with their shapes")))


def values(case: Case, points: float, hidden: bool = False) -> Check:
    before = inputs.params(case.seed, case.n_in, case.n_h)  # what the probe hands over, to read the steps
    steps = {"d" + k: case.learning_rate * v for k, v in inputs.params(case.seed + 1, case.n_in, case.n_h).items()}

    def judge(got, exp: Expected) -> str:
        def judge_one(name: str, array) -> None:
            expect_close(array, exp.value[name], name, describe(case) + case.seed_note(), exp=exp,
                         mistake_key=lambda o: o[name], function=FUNCTION, before=before[name], steps=steps)

        parts(got, case).judge(PARAM_KEYS, judge_one)
        return _("one gradient-descent step, as the reference takes it")

    return Check.titled(FUNCTION, Message("values on {inputs}", inputs=describe(case)), points, hidden, probe(case),
                        judge)
