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

from grader.bridge import Bridge, StudentCodeError
from grader.checks import forward, inputs
from grader.checks.base import Check, Expected, Fail, Probe, confirming
from grader.checks.cases import Case
from grader.checks.judge import Parts, dict_parts, expect_close
from grader.contract import GRAD_KEYS
from grader.i18n import Message, _
from grader.numerics import H, centred_difference_points, float_or_nan, gradient_from_losses, rel_error
from grader.values import Earlier, is_unresolved
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
    # One request: each point's forward pass, then the cost of its A2, handed on where the calls run;
    # only the first answer (to say what a forward pass returns) and the costs come back.
    forwards = [("forward_propagation", (X, point)) for point in points]
    costs_of = [("compute_cost", (Earlier(position, (0,)), Y)) for position in range(len(points))]
    first, *costs = bridge.call_each(forwards + costs_of, keep=[0, *range(len(points), 2 * len(points))])
    if not (isinstance(first, (tuple, list)) and len(first) == 2):
        return {"problem": _("forward_propagation should return (A2, cache); got {value}.",
                             value=describe_value(first))}
    if any(is_unresolved(cost) for cost in costs):
        return {"problem": _("for some of the moved parameters forward_propagation did not return (A2, cache).")}
    losses = [float_or_nan(cost) for cost in costs]
    if not np.all(np.isfinite(losses)):
        return {"problem": _("for some of the moved parameters compute_cost returned NaN, an infinity or "
                             "something that is not one number.")}
    return {"grads": {"d" + k: v for k, v in gradient_from_losses(params, losses, H).items()}}


def reference_loss_gradient(case: Case) -> Probe:
    """Run on the reference: the numerical gradient of the reference's forward + cost."""

    def run(bridge, ref):
        X, Y, params = _inputs(case)
        return loss_gradient(bridge, X, Y, params)["grads"]

    return Probe(case.key(FUNCTION, "numerical"), FUNCTION, forward.describe(case), run,
                 reveals=case.reveals_expected)


def own_loss_gradient(case: Case) -> Probe:
    """Run on the submission: its own forward + cost differentiated numerically (here), its backward on
    its own cache, and its backward on the reference cache (judged against the reference loss when the
    submission's forward or cost is not the reference's)."""
    forward_probe = forward.probe(case)

    def run(bridge, ref):
        X, Y, params = _inputs(case)
        reference_cache = ref(forward_probe.key)["result"][1]
        observation = {"on_reference_cache": bridge.call(FUNCTION, params, reference_cache, X, Y)}
        try:  # a failing forward_propagation or compute_cost is theirs to lose points for, not backward's
            numerical = loss_gradient(bridge, X, Y, params)
            answer = bridge.call("forward_propagation", X, params)
        except StudentCodeError as error:
            return observation | {"problem": error.explain()}
        if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
            return observation | {"problem": _("forward_propagation should return (A2, cache); got {value}.",
                                               value=describe_value(answer))}
        if "problem" in numerical:
            return observation | numerical
        try:
            analytic = bridge.call(FUNCTION, params, answer[1], X, Y)
        except StudentCodeError as error:  # e.g. a KeyError on a cache the student's forward left short
            return observation | {"problem": error.explain()}
        return observation | numerical | {"analytic": analytic}

    return Probe(case.key(FUNCTION, "own"), FUNCTION, forward.describe(case), run, needs=(forward_probe,),
                 reveals=case.reveals_expected)


def parts(got, case: Case) -> Parts:
    """The gradients of the right shapes, and every structural problem (reported by the structure check)."""
    shapes = {"d" + k: v for k, v in inputs.param_shapes(case.n_in, case.n_h, case.n_out).items()}
    return dict_parts(got, shapes, _("the gradients dict"), m=case.m)


def structure(case: Case, points: float, hidden: bool = False) -> Check:
    return Check.titled(FUNCTION, Message("structure on {inputs}", inputs=forward.describe(case)), points, hidden,
                        probe(case), confirming(lambda got, exp: parts(got, case).require(),
                                                Message("dW1, db1, dW2, db2 have the shapes of W1, b1, W2, b2")))


def values(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        def judge_one(name: str, array) -> None:
            expect_close(array, exp.value[name], name, forward.where(case), m=case.m, exp=exp,
                         mistake_key=lambda o: o[name], function=FUNCTION)

        # backward order: the first wrong one points at the mistake
        parts(got, case).judge(("dW2", "db2", "dW1", "db1"), judge_one)
        return _("all four gradients equal the reference")

    return Check.titled(FUNCTION, Message("values on {inputs}", inputs=forward.describe(case)), points, hidden,
                        probe(case), judge)


def numerical(case: Case, grad: str, points: float, hidden: bool = False) -> Check:
    """One parameter's gradient against the numerical gradient of the reference loss: judged whenever
    that gradient has the right shape, whatever the others are."""

    def judge(got, exp: Expected) -> str:
        def judge_one(name: str, array) -> None:
            expect_close(array, exp.value[name], name, f"{forward.where(case)}, h = 1e-5", tol=GRAD_TOL,
                         m=case.m, exp=exp, mistake_key=lambda o: o[name], floor=GRAD_FLOOR, function=FUNCTION)

        found = parts(got, case)
        found.judge((grad,), judge_one)
        error = rel_error(found.arrays[grad], exp.value[grad], GRAD_FLOOR)
        return _("{grad} matches the numerical gradient (relative error {error})", grad=grad,
                 error=format(error, ".1e"))

    return Check.titled(FUNCTION, Message("{grad} matches the numerical gradient of the cross-entropy on {inputs}",
                                          grad=grad, inputs=forward.describe(case)),
                        points, hidden, probe(case), judge, expected_by=reference_loss_gradient(case))


def _disagreements(analytic: Parts, numerical: dict[str, np.ndarray]) -> dict[str, float]:
    """Relative errors above GRAD_TOL of the gradients of the right shapes."""
    errors = {k: rel_error(v, numerical[k], GRAD_FLOOR) for k, v in analytic.arrays.items()}
    return {k: e for k, e in errors.items() if not e <= GRAD_TOL}


def _listed(errors: dict[str, float]) -> str:
    return ", ".join(f"{k} {e:.1e}" for k, e in errors.items())


def consistent(case: Case, points: float, hidden: bool = False) -> Check:
    """The student's backward against the numerical gradient of the student's own forward + cost.

    A correct backward_propagation never loses this point to a wrong forward_propagation or
    compute_cost: when the submission's loss is not the reference's on these inputs (its numerical
    gradient differs, or it cannot be differentiated), its backward pass on the reference cache is
    judged against the numerical gradient of the reference loss instead, and the message says so.
    A loss that does not depend on the parameters, or gradients of zeros, earn nothing either way.
    """

    def judge(got, exp: Expected) -> str:
        reference_numerical = exp.value["grads"]
        own = None if "problem" in got else got["grads"]
        flat = own is not None and max(float(np.max(np.abs(v))) for v in own.values()) < FLAT_LOSS
        same_loss = (own is not None and not flat
                     and all(rel_error(own[k], reference_numerical[k], GRAD_FLOOR) <= GRAD_TOL for k in GRAD_KEYS))
        where = forward.where(case)
        if same_loss:  # the submission's loss is the reference's here: judge against its own
            analytic = parts(got["analytic"], case)
            bad = _disagreements(analytic, own)
            if bad:
                raise Fail(_("your gradients disagree with the numerical gradient of your own forward_propagation "
                             "+ compute_cost (which agree with the reference here): relative error {errors} > "
                             "{tol} ({inputs}). The formulas in backward_propagation do not differentiate "
                             "the loss.",
                             errors=_listed(bad), tol=format(GRAD_TOL, ".0e"), inputs=where))
            analytic.judge(GRAD_KEYS, lambda name, array: None, agree=_("the numerical gradient of your own loss"))
            return _("agrees with your own forward + cost, differentiated numerically")
        # The submission's loss is not the reference's: its backward on the reference cache against the
        # numerical gradient of the reference loss, which is what a correct backward differentiates.
        if "problem" in got:
            why = _("your forward_propagation + compute_cost could not be differentiated ({problem})",
                    problem=got["problem"])
        elif flat:
            why = _("the loss of your forward_propagation + compute_cost does not change with the parameters")
        else:
            why = _("your forward_propagation + compute_cost compute another loss than the reference here")
        analytic = parts(got["on_reference_cache"], case)
        bad = _disagreements(analytic, reference_numerical)
        if bad:
            raise Fail(_("{why}, so your gradients (on the reference cache) were compared with the numerical "
                         "gradient of the reference's loss: relative error {errors} > {tol} ({inputs}). Fix the "
                         "checks of forward_propagation and compute_cost, and the values of backward_propagation.",
                         why=why, errors=_listed(bad), tol=format(GRAD_TOL, ".0e"), inputs=where))
        analytic.judge(GRAD_KEYS, lambda name, array: None, agree=_("the numerical gradient of the reference's loss"))
        return _("{why} (see their checks), so your gradients were compared with the numerical gradient of the "
                 "reference's loss instead: they agree", why=why[0].upper() + why[1:])

    return Check.titled(FUNCTION, Message("agrees with the numerical gradient of your own forward + cost on {inputs}",
                                          inputs=forward.describe(case)),
                        points, hidden, own_loss_gradient(case), judge)
