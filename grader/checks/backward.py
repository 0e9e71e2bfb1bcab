"""Checks of backward_propagation(parameters, cache, X, Y) -> grads.

The cache handed to the student comes from the *reference* forward pass, so a wrong
forward_propagation cannot make a correct backward_propagation fail. Backward cases
have ids of their own, never asked of forward_propagation: the reference cache they
hand over answers no other check.

Numerical gradients are computed here, in the grading process, from losses the
student's (or the reference's) functions return through the bridge for parameters
moved one entry at a time: a submission cannot replace the differencing.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from grader.bridge import Bridge
from grader.checks import forward, inputs
from grader.checks.base import Check, Expected, Fail, Probe, confirming
from grader.checks.cases import Case
from grader.checks.judge import expect_array, expect_close, expect_dict
from grader.contract import GRAD_KEYS, PARAM_KEYS
from grader.numerics import H, centred_difference_points, gradient_from_losses, rel_error
from grader.values import describe as describe_value

FUNCTION = "backward_propagation"
# A centred difference with h = 1e-5 is exact to ~1e-8 in absolute terms on drawn inputs (measured
# on 800 draws: at most 1.2e-7 against the analytic gradient on this scale), so tiny entries are
# measured against GRAD_FLOOR, not against themselves; every known mistake is off by 1e-3 or more.
GRAD_TOL = 1e-5
GRAD_FLOOR = 1e-2
FLAT_LOSS = 1e-9  # a numerical gradient this small everywhere: the loss does not depend on the parameters


def _inputs(case: Case):
    X, Y = inputs.data(case.seed, case.m, case.n_in)
    if case.n_out != 1:
        raise ValueError("backward checks use one output unit, as the lab does")
    return X, Y, inputs.params(case.seed, case.n_in, case.n_h, case.n_out)


def probe(case: Case) -> Probe:
    forward_probe = forward.probe(case)

    def run(bridge, ref):
        X, Y, params = _inputs(case)
        cache = ref(forward_probe.key)["result"][1]
        return bridge.call(FUNCTION, params, cache, X, Y)

    return Probe(case.key(FUNCTION), FUNCTION, forward.describe(case), run, needs=(forward_probe,),
                 reveals=case.reveals_expected)


def loss_gradient(bridge: Bridge, X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, Any]:
    """The numerical gradient of forward_propagation + compute_cost as answered through ``bridge``.

    Returns: {"grads": {dW1..db2}} or {"problem": why the loss could not be differentiated}
    """
    points = centred_difference_points(params, H)
    answers = bridge.call_each([("forward_propagation", (X, point)) for point in points])
    probabilities = []
    for answer in answers:
        if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
            return {"problem": f"forward_propagation should return (A2, cache); got {describe_value(answer)}."}
        probabilities.append(answer[0])
    costs = bridge.call_each([("compute_cost", (A2, Y)) for A2 in probabilities])
    losses = [_as_float(cost) for cost in costs]
    if not np.all(np.isfinite(losses)):
        return {"problem": "for some of the moved parameters compute_cost returned NaN, an infinity or "
                           "something that is not one number."}
    return {"grads": {"d" + k: v for k, v in gradient_from_losses(params, losses, H).items()}}


def _as_float(value: Any) -> float:
    try:
        return float(np.asarray(value, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        return float("nan")


def reference_loss_gradient(case: Case) -> Probe:
    """Run on the reference: the numerical gradient of the reference's forward + cost."""

    def run(bridge, ref):
        X, Y, params = _inputs(case)
        return loss_gradient(bridge, X, Y, params)["grads"]

    return Probe(case.key(FUNCTION, "numerical"), FUNCTION, forward.describe(case), run,
                 reveals=case.reveals_expected)


def own_loss_gradient(case: Case) -> Probe:
    """Run on the submission: its own forward + cost differentiated numerically (here), and its backward."""

    def run(bridge, ref):
        X, Y, params = _inputs(case)
        numerical = loss_gradient(bridge, X, Y, params)
        answer = bridge.call("forward_propagation", X, params)
        if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
            return {"problem": f"forward_propagation should return (A2, cache); got {describe_value(answer)}."}
        return numerical | {"analytic": bridge.call(FUNCTION, params, answer[1], X, Y)}

    return Probe(case.key(FUNCTION, "own"), FUNCTION, forward.describe(case), run,
                 reveals=case.reveals_expected)


def _judge_structure(got, case: Case) -> dict:
    shapes = inputs.param_shapes(case.n_in, case.n_h, case.n_out)
    expect_dict(got, GRAD_KEYS, "the gradients dict")
    for name in PARAM_KEYS:
        expect_array(got["d" + name], shapes[name], "d" + name, m=case.m)
    return got


def structure(case: Case, points: float, hidden: bool = False) -> Check:
    return Check.titled(FUNCTION, f"structure on {forward.describe(case)}", points, hidden, probe(case),
                        confirming(lambda got, exp: _judge_structure(got, case),
                                   "dW1, db1, dW2, db2 have the shapes of W1, b1, W2, b2"))


def values(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        _judge_structure(got, case)
        for name in ("dW2", "db2", "dW1", "db1"):  # backward order: the first wrong one points at the mistake
            expect_close(got[name], exp.value[name], name, forward.where(case), m=case.m,
                         exp=exp, mistake_key=lambda o, name=name: o[name])
        return "all four gradients equal the reference"

    return Check.titled(FUNCTION, f"values on {forward.describe(case)}", points, hidden, probe(case), judge)


def numerical(case: Case, grad: str, points: float, hidden: bool = False) -> Check:
    """One parameter's gradient against the numerical gradient of the reference loss."""

    def judge(got, exp: Expected) -> str:
        _judge_structure(got, case)
        expect_close(got[grad], exp.value[grad], grad, f"{forward.where(case)}, h = 1e-5",
                     tol=GRAD_TOL, m=case.m, exp=exp, mistake_key=lambda o: o[grad], floor=GRAD_FLOOR)
        error = rel_error(got[grad], exp.value[grad], GRAD_FLOOR)
        return f"{grad} matches the numerical gradient (relative error {error:.1e})"

    return Check.titled(FUNCTION, f"{grad} matches the numerical gradient of the cross-entropy on "
                        f"{forward.describe(case)}", points, hidden, probe(case), judge,
                        expected_by=reference_loss_gradient(case))


def consistent(case: Case, points: float, hidden: bool = False) -> Check:
    """The student's backward against the numerical gradient of the student's own forward + cost."""

    def judge(got, exp: Expected) -> str:
        if "problem" in got:
            raise Fail(f"your forward_propagation + compute_cost could not be differentiated: {got['problem']} "
                       "Fix their checks first.")
        analytic = _judge_structure(got["analytic"], case)
        numerical = got["grads"]
        if max(float(np.max(np.abs(v))) for v in numerical.values()) < FLAT_LOSS:
            raise Fail("the loss computed by your forward_propagation + compute_cost does not change when the "
                       "parameters change, so there is nothing to compare the gradients with. Fix their checks "
                       "first.")
        errors = {k: rel_error(analytic[k], numerical[k], GRAD_FLOOR) for k in GRAD_KEYS}
        bad = {k: e for k, e in errors.items() if not e <= GRAD_TOL}
        if bad:
            listed = ", ".join(f"{k} {e:.1e}" for k, e in bad.items())
            raise Fail(f"your gradients disagree with the numerical gradient of your own forward_propagation "
                       f"+ compute_cost: relative error {listed} > {GRAD_TOL:.0e} ({forward.where(case)}). "
                       "Either the formulas in backward_propagation do not differentiate the loss you compute, or "
                       "forward_propagation / compute_cost are wrong: fix their checks first.")
        return "agrees with your own forward + cost, differentiated numerically"

    return Check.titled(FUNCTION, f"agrees with the numerical gradient of your own forward + cost on "
                        f"{forward.describe(case)}", points, hidden, own_loss_gradient(case), judge)
