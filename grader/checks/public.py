"""The public checks: students run these locally; their expected values ship as fixtures.

Cases are (seed, m, n_in, n_h, n_out) for forward/backward, (seed, m) for the
cost, (seed, n_in, n_h, learning_rate) for the update and (seed, m, n_in,
batch_size) for batch_generator.
"""
from __future__ import annotations

from grader.checks import backward, batches, cost, forward, initialize, training, update
from grader.checks.base import Check

SMALL = (0, 5, 2, 4, 1)
WIDER = (1, 7, 3, 5, 2)
GRAD_CASE = (2, 6, 3, 5, 1)


def checks() -> list[Check]:
    return [
        initialize.structure((2, 4, 1), 3),
        initialize.values((2, 4, 1), 3),
        initialize.values((3, 5, 2), 2),
        forward.structure(SMALL, 3),
        forward.values(SMALL, 3),
        forward.values(WIDER, 3),
        forward.inputs_unchanged(SMALL, 2),
        cost.structure((0, 5), 2),
        cost.values((0, 5), 3),
        cost.values((1, 64), 3),
        cost.inputs_unchanged((0, 5), 1),
        backward.structure(SMALL, 2),
        backward.values(SMALL, 4),
        *(backward.numerical(GRAD_CASE, grad, 2) for grad in ("dW1", "db1", "dW2", "db2")),
        backward.consistent(SMALL, 3),
        update.structure((0, 2, 4, 0.1), 2),
        update.values((0, 2, 4, 0.1), 3),
        update.values((1, 3, 5, 0.01), 3),
        batches.structure((0, 100, 2, 32), 2),
        batches.sampling((0, 100, 2, 32), 3),
        batches.seeded((0, 100, 2, 32), 3),
        batches.seeded((1, 64, 3, 16), 2),
        batches.seeded((2, 50, 2, 7), 2),
        training.matches_reference(42, 10),
        training.accuracy(42, 0.95, 10),
    ]
