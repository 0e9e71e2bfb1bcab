"""Checks of backward_propagation(parameters, cache, X, Y) -> grads.

The cache handed to the student comes from the *reference* forward pass (a
forward probe's recorded observation), so a wrong forward_propagation cannot
make a correct backward_propagation fail.
"""
from __future__ import annotations

from grader.checks import forward, inputs
from grader.checks.base import Check, Expected, Fail, Probe
from grader.checks.judge import expect_array, expect_close, expect_dict
from grader.contract import GRAD_KEYS, PARAM_KEYS
from grader.numerics import rel_error

FUNCTION = "backward_propagation"
GRAD_TOL = 1e-7  # centred differences with h = 1e-5 in float64 reach ~1e-9 on these inputs

Case = forward.Case  # seed, m, n_in, n_h, n_out


def _inputs(case: Case):
    seed, m, n_in, n_h, n_out = case
    X, Y = inputs.data(seed, m, n_in)
    if n_out != 1:
        raise ValueError("backward checks use one output unit, as the lab does")
    return X, Y, inputs.params(seed, n_in, n_h, n_out)


def probe(case: Case) -> Probe:
    forward_probe = forward.probe(case)

    def run(bridge, ref):
        X, Y, params = _inputs(case)
        cache = ref(forward_probe.key)["result"][1]
        return bridge.call(FUNCTION, params, cache, X, Y)

    return Probe(f"{FUNCTION}/{forward_probe.key.split('/')[1]}", FUNCTION, forward.describe(case), run,
                 needs=(forward_probe,))


def reference_loss_gradient(case: Case) -> Probe:
    """Run on the reference: the numerical gradient of the reference's forward + cost."""

    def run(bridge, ref):
        X, Y, params = _inputs(case)
        return bridge.run("own_loss_gradient", X=X, Y=Y, params=params)["numerical"]

    return Probe(f"{FUNCTION}/numerical-{forward.probe(case).key.split('/')[1]}", FUNCTION,
                 forward.describe(case), run)


def own_loss_gradient(case: Case) -> Probe:
    """Run on the submission: its own forward + cost differentiated numerically, and its backward."""

    def run(bridge, ref):
        X, Y, params = _inputs(case)
        return bridge.run("own_loss_gradient", X=X, Y=Y, params=params)

    return Probe(f"{FUNCTION}/own-{forward.probe(case).key.split('/')[1]}", FUNCTION,
                 forward.describe(case), run)


def _judge_structure(got, case: Case) -> dict:
    _, m, n_in, n_h, n_out = case
    shapes = inputs.param_shapes(n_in, n_h, n_out)
    expect_dict(got, GRAD_KEYS, "the gradients dict")
    for name in PARAM_KEYS:
        expect_array(got["d" + name], shapes[name], "d" + name, m=m)
    return got


def structure(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        _judge_structure(got, case)
        return "dW1, db1, dW2, db2 have the shapes of W1, b1, W2, b2"

    return Check(f"{FUNCTION}: structure on {forward.describe(case)}", points, hidden, probe(case), judge)


def values(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        _judge_structure(got, case)
        for name in ("dW2", "db2", "dW1", "db1"):  # backward order: the first wrong one points at the mistake
            expect_close(got[name], exp.value[name], name, forward.describe(case), m=case[1],
                         exp=exp, mistake_key=lambda o, name=name: o[name])
        return "all four gradients equal the reference"

    return Check(f"{FUNCTION}: values on {forward.describe(case)}", points, hidden, probe(case), judge)


def numerical(case: Case, grad: str, points: float, hidden: bool = False) -> Check:
    """One parameter's gradient against the numerical gradient of the reference loss."""

    def judge(got, exp: Expected) -> str:
        _judge_structure(got, case)
        expect_close(got[grad], exp.value[grad], grad, f"{forward.describe(case)}, h = 1e-5",
                     tol=GRAD_TOL, m=case[1], exp=exp, mistake_key=lambda o: o[grad])
        return f"{grad} matches the numerical gradient (relative error {rel_error(got[grad], exp.value[grad]):.1e})"

    return Check(f"{FUNCTION}: {grad} matches the numerical gradient of the cross-entropy on "
                 f"{forward.describe(case)}", points, hidden, probe(case), judge,
                 expected_by=reference_loss_gradient(case))


def consistent(case: Case, points: float, hidden: bool = False) -> Check:
    """The student's backward against the numerical gradient of the student's own forward + cost."""

    def judge(got, exp: Expected) -> str:
        analytic = _judge_structure(got["analytic"], case)
        errors = {k: rel_error(analytic[k], got["numerical"][k]) for k in GRAD_KEYS}
        bad = {k: e for k, e in errors.items() if not e <= GRAD_TOL}
        if bad:
            listed = ", ".join(f"{k} {e:.1e}" for k, e in bad.items())
            raise Fail(f"your gradients disagree with the numerical gradient of your own forward_propagation "
                       f"+ compute_cost: relative error {listed} > {GRAD_TOL:.0e} ({forward.describe(case)}). "
                       "Either the formulas in backward_propagation do not differentiate the loss you compute, or "
                       "forward_propagation / compute_cost are wrong: fix their checks first.")
        return "agrees with your own forward + cost, differentiated numerically"

    return Check(f"{FUNCTION}: agrees with the numerical gradient of your own forward + cost on "
                 f"{forward.describe(case)}", points, hidden, own_loss_gradient(case), judge)
