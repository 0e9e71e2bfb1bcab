"""The hidden checks: other shapes, seeds and data sets. Run only when grading.

This module and the fixtures of its checks never ship in the student release. Case ids
are names, never seeds: at grading time the seeds are drawn from the course's secret.
"""
from __future__ import annotations

from grader.checks import backward, batches, cost, forward, initialize, training, update
from grader.checks.base import Check
from grader.checks.cases import PRACTICE, Case, Draw
from grader.checks.public import SIZES
from grader.i18n import Message

INIT_THREE_OUTPUTS = Case("three-outputs", n_in=5, n_h=7, n_out=3, varies=SIZES, label=Message("three outputs"))
INIT_ONE_UNIT = Case("one-unit", n_in=1, n_h=1, n_out=1, varies=(("n_h", 1, 4),), label=Message("one unit"))
FORWARD_BIG = Case("big", seed=3, m=50, n_in=2, n_h=8)
FORWARD_ONE_SAMPLE = Case("one-sample", seed=4, m=1, n_in=2, n_h=3)
BACKWARD_BIG = Case("backward-big", seed=13, m=50, n_in=2, n_h=8)
BACKWARD_ONE_SAMPLE = Case("backward-one-sample", seed=14, m=1, n_in=2, n_h=3)
GRADIENT = Case("hidden-gradient", seed=5, m=9, n_in=2, n_h=3)
COST_ONE = Case("one-sample", seed=2, m=1)
COST_LARGE = Case("large", seed=3, m=500)
UPDATE_LARGE = Case("large-rate", seed=5, n_in=4, n_h=6, learning_rate=0.7)
BATCHES = (Case("m33", seed=5, m=33, batch_size=32), Case("m10", seed=6, m=10, batch_size=3),
           Case("m31", seed=7, m=31, batch_size=32), Case("m64-b64", seed=8, m=64, batch_size=64))
MOONS = tuple(Case(f"moons-{n}", seed=state, m=1000, n_h=4, batch_size=32, learning_rate=0.5,
                   label=Message("moons-{number}", number=n))
              for n, state in ((2, 0), (3, 1), (4, 2)))


def checks(draw: Draw = PRACTICE) -> list[Check]:
    def d(case: Case) -> Case:
        return case.drawn(draw)

    m33, m10, m31, m64 = (d(case) for case in BATCHES)
    return [
        initialize.values(d(INIT_THREE_OUTPUTS), 2, hidden=True),
        initialize.values(d(INIT_ONE_UNIT), 1, hidden=True),
        forward.values(d(FORWARD_BIG), 2, hidden=True),
        forward.values(d(FORWARD_ONE_SAMPLE), 2, hidden=True),
        cost.values(d(COST_ONE), 1, hidden=True),
        cost.values(d(COST_LARGE), 2, hidden=True),
        backward.values(d(BACKWARD_BIG), 3, hidden=True),
        backward.values(d(BACKWARD_ONE_SAMPLE), 2, hidden=True),
        *(backward.numerical(d(GRADIENT), grad, 1, hidden=True) for grad in ("dW1", "db1", "dW2", "db2")),
        backward.consistent(d(BACKWARD_BIG), 2, hidden=True),
        update.values(d(UPDATE_LARGE), 2, hidden=True),
        batches.seeded(m33, 1, hidden=True),
        batches.seeded(m10, 1, hidden=True),
        batches.structure(m31, 1, hidden=True),
        batches.seeded(m64, 1, hidden=True),
        *(check for case in MOONS for check in (
            training.matches_reference(d(case), 2, hidden=True),
            training.accuracy(d(case), 0.93, 3, hidden=True),
        )),
    ]
