"""The hidden checks: other shapes, seeds and data sets. Run only when grading.

This module and the fixtures of its checks never ship in the student release.
"""
from __future__ import annotations

from grader.checks import backward, batches, cost, forward, initialize, training, update
from grader.checks.base import Check

BIG = (3, 50, 2, 8, 1)
ONE_SAMPLE = (4, 1, 2, 3, 1)
GRAD_CASE = (5, 9, 2, 3, 1)


def checks() -> list[Check]:
    return [
        initialize.values((5, 7, 3), 2, hidden=True),
        initialize.values((1, 1, 1), 1, hidden=True),
        forward.values(BIG, 2, hidden=True),
        forward.values(ONE_SAMPLE, 2, hidden=True),
        cost.values((2, 1), 1, hidden=True),
        cost.values((3, 500), 2, hidden=True),
        backward.values(BIG, 3, hidden=True),
        backward.values(ONE_SAMPLE, 2, hidden=True),
        *(backward.numerical(GRAD_CASE, grad, 1, hidden=True) for grad in ("dW1", "db1", "dW2", "db2")),
        backward.consistent(BIG, 2, hidden=True),
        update.values((5, 4, 6, 0.7), 2, hidden=True),
        batches.seeded((5, 33, 2, 32), 1, hidden=True),
        batches.seeded((6, 10, 2, 3), 1, hidden=True),
        batches.structure((7, 31, 2, 32), 1, hidden=True),
        batches.seeded((8, 64, 2, 64), 1, hidden=True),
        *(check for state in (0, 1, 2) for check in (
            training.matches_reference(state, 2, hidden=True),
            training.accuracy(state, 0.93, 3, hidden=True),
        )),
    ]
