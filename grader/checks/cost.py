"""Checks of compute_cost(A2, Y) -> float."""
from __future__ import annotations

import numpy as np

from grader.checks import inputs
from grader.checks.base import Check, Expected, Fail, Probe, confirming
from grader.checks.cases import Case
from grader.checks.judge import expect_close, expect_float, one_number
from grader.i18n import Message, _

FUNCTION = "compute_cost"


def values_title(case: Case) -> Message:
    """The title of the values check on ``case`` (the inputs check points at it)."""
    return Message("values on {inputs}", inputs=describe(case))


def describe(case: Case) -> str:
    return f"A2, Y ({case.m}, 1)"


def probe(case: Case) -> Probe:
    def run(bridge, ref):
        _X, Y = inputs.data(case.seed, case.m, 2)
        result, args_after = bridge.call(FUNCTION, inputs.probabilities(case.seed, case.m), Y, keep_args=True)
        return {"result": result, "args_after": args_after}

    return Probe(case.key(FUNCTION), FUNCTION, describe(case), run, reveals=case.reveals_expected)


def structure(case: Case, points: float, hidden: bool = False) -> Check:
    return Check.titled(FUNCTION, Message("returns a float on {inputs}", inputs=describe(case)), points, hidden,
                        probe(case), confirming(lambda got, exp: expect_float(got["result"], _("the cost"), case.m),
                                                Message("returns a finite Python float")))


def _judge_value(got, exp: Expected, case: Case) -> float:
    """The cost's value, whatever its type: a one-element array is read with .item() here (the check
    "returns a float" alone judges the type)."""
    cost = one_number(got["result"], _("the cost"), case.m)
    expect_close(cost, exp.value["result"], "cost", describe(case) + case.seed_note(), m=case.m, exp=exp,
                 mistake_key=lambda o: o["result"], function=FUNCTION)
    return cost


def values(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        cost = _judge_value(got, exp, case)
        return _("cost {cost} equals the reference", cost=format(cost, ".6f"))

    return Check.titled(FUNCTION, values_title(case), points, hidden, probe(case),
                        judge)


def inputs_unchanged(case: Case, points: float, hidden: bool = False) -> Check:
    """The training loop hands A2 from the cache to compute_cost: changing it would change backprop."""

    def judge(got, exp: Expected) -> str:
        for position, name in enumerate(("A2", "Y")):
            if not np.array_equal(got["args_after"][position], exp.value["args_after"][position]):
                raise Fail(_("{function} changed its input {name}. Compute new arrays instead "
                             "(for example np.clip(A2, ...) without out=, and no in-place operators).",
                             function=FUNCTION, name=name))
        inputs.unchanged_counts_once_right(lambda: _judge_value(got, exp, case), _("A2 and Y"), FUNCTION,
                                           values_title(case))
        return _("A2 and Y are left as they were")

    return Check.titled(FUNCTION, Message("leaves A2 and Y unchanged"), points, hidden, probe(case), judge)
