"""Training checks: the kit's own loop built from the student's six functions.

The loop is the given ``model`` (seed 42, initialize, then per epoch: batches,
forward, cost, backward, update), run by the trusted routine ``train``.
"""
from __future__ import annotations

import numpy as np

from grader.checks.base import Check, Expected, Fail, Probe
from grader.checks.inputs import param_shapes
from grader.checks.judge import expect_array, expect_dict
from grader.contract import PARAM_KEYS, TRAINING, TrainingConfig, load_moons
from grader.numerics import rel_error

PARAMS_TOL = 1e-8  # equal implementations agree to ~1e-14 after 100 epochs (FACTS.md)
CONFIG = TrainingConfig()


def describe(random_state: int) -> str:
    return (f"moons random_state {random_state}, {CONFIG.n_epochs} epochs, batch {CONFIG.batch_size}, "
            f"learning rate {CONFIG.learning_rate}")


def probe(random_state: int) -> Probe:
    def run(bridge, ref):
        split = load_moons(random_state)
        return bridge.run("train", X=split.X_train, Y=split.Y_train, X_test=split.X_test, Y_test=split.Y_test,
                          n_hidden=CONFIG.n_hidden, n_epochs=CONFIG.n_epochs,
                          batch_size=CONFIG.batch_size, learning_rate=CONFIG.learning_rate)

    return Probe(f"{TRAINING}/moons-{random_state}", TRAINING, describe(random_state), run)


def _trained_params(got) -> dict:
    params = expect_dict(got["params"], PARAM_KEYS, "the trained parameters")
    for name, shape in param_shapes(2, CONFIG.n_hidden, 1).items():
        expect_array(params[name], shape, f"trained {name}")
    return params


def matches_reference(random_state: int, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        params = _trained_params(got)
        errors = {k: rel_error(params[k], exp.value["params"][k]) for k in PARAM_KEYS}
        worst = max(errors, key=errors.get)
        if errors[worst] > PARAMS_TOL:
            raise Fail(
                f"after training, {worst} differs from the reference: relative error {errors[worst]:.1e} > "
                f"{PARAMS_TOL:.0e} ({describe(random_state)}). Fix the failing function checks first; "
                "if they all pass, check that model's loop is unchanged."
            )
        return f"trained parameters equal the reference (relative error {errors[worst]:.1e})"

    return Check(f"{TRAINING}: parameters after training equal the reference on moons "
                 f"random_state {random_state}", points, hidden, probe(random_state), judge)


def accuracy(random_state: int, threshold: float, points: float, hidden: bool = False) -> Check:
    """Test accuracy of the trained parameters, judged with the reference forward where it is loaded."""

    def judge(got, exp: Expected) -> str:
        params = _trained_params(got)
        split = load_moons(random_state)
        if exp.forward is not None:
            probabilities = exp.forward(split.X_test, params)
        else:  # student side: no reference here, use the submission's own forward pass
            probabilities = expect_array(got["A2_test"], split.Y_test.shape, "A2 on the test set")
        value = float(np.mean((np.asarray(probabilities) > 0.5) == (split.Y_test > 0.5)))
        if not value >= threshold:
            raise Fail(f"test accuracy {value:.3f} < {threshold} ({describe(random_state)}; "
                       f"the reference reaches {exp.value['accuracy']:.3f}).")
        return f"test accuracy {value:.3f} (the reference reaches {exp.value['accuracy']:.3f})"

    return Check(f"{TRAINING}: test accuracy at least {threshold} on moons random_state {random_state}",
                 points, hidden, probe(random_state), judge)
