"""The public checks: students run these locally; their practice answers ship as fixtures.

At grading time the same checks run on inputs drawn from the course's secret
(``cases.Draw``), so the shipped answers answer nothing there.
"""
from __future__ import annotations

from grader.checks import backward, batches, cost, forward, initialize, training, update
from grader.checks.base import Check
from grader.checks.cases import PRACTICE, Case, Draw
from grader.i18n import Message

SIZES = (("n_in", 2, 7), ("n_h", 2, 10))  # what a secret draw changes in initialize_parameters' cases

INIT_ONE_OUTPUT = Case("one-output", n_in=2, n_h=4, n_out=1, varies=SIZES, label=Message("one output"))
INIT_TWO_OUTPUTS = Case("two-outputs", n_in=3, n_h=5, n_out=2, varies=SIZES, label=Message("two outputs"))
FORWARD_SMALL = Case("small", seed=0, m=5, n_in=2, n_h=4)
FORWARD_WIDER = Case("wider", seed=1, m=7, n_in=3, n_h=5, n_out=2)
COST_SMALL = Case("small", seed=0, m=5)
COST_BATCH = Case("batch", seed=1, m=64)
BACKWARD_SMALL = Case("backward-small", seed=10, m=5, n_in=2, n_h=4)
GRADIENT = Case("gradient", seed=2, m=6, n_in=3, n_h=5)
UPDATE_SMALL = Case("small", seed=0, n_in=2, n_h=4, learning_rate=0.1)
UPDATE_WIDER = Case("wider", seed=1, n_in=3, n_h=5, learning_rate=0.01)
BATCHES_100 = Case("m100", seed=0, m=100, n_in=2, batch_size=32)
BATCHES_64 = Case("m64", seed=1, m=64, n_in=3, batch_size=16)
BATCHES_50 = Case("m50", seed=2, m=50, n_in=2, batch_size=7)
MOONS = Case("moons", seed=42, m=1000, n_h=4, batch_size=32, learning_rate=0.5, label=Message("moons"))


def checks(draw: Draw = PRACTICE) -> list[Check]:
    def d(case: Case) -> Case:
        return case.drawn(draw)

    return [
        initialize.structure(d(INIT_ONE_OUTPUT), 3),
        initialize.values(d(INIT_ONE_OUTPUT), 3),
        initialize.values(d(INIT_TWO_OUTPUTS), 2),
        forward.structure(d(FORWARD_SMALL), 3),
        forward.values(d(FORWARD_SMALL), 3),
        forward.values(d(FORWARD_WIDER), 3),
        forward.inputs_unchanged(d(FORWARD_SMALL), 2),
        cost.structure(d(COST_SMALL), 2),
        cost.values(d(COST_SMALL), 3),
        cost.values(d(COST_BATCH), 3),
        cost.inputs_unchanged(d(COST_SMALL), 1),
        backward.structure(d(BACKWARD_SMALL), 2),
        backward.values(d(BACKWARD_SMALL), 4),
        *(backward.numerical(d(GRADIENT), grad, 2) for grad in ("dW1", "db1", "dW2", "db2")),
        backward.consistent(d(BACKWARD_SMALL), 3),
        update.structure(d(UPDATE_SMALL), 2),
        update.values(d(UPDATE_SMALL), 3),
        update.values(d(UPDATE_WIDER), 3),
        batches.structure(d(BATCHES_100), 2),
        batches.sampling(d(BATCHES_100), 3),
        batches.seeded(d(BATCHES_100), 3),
        batches.seeded(d(BATCHES_64), 2),
        batches.seeded(d(BATCHES_50), 2),
        training.matches_reference(d(MOONS), 10),
        training.accuracy(d(MOONS), 0.95, 10),
    ]
