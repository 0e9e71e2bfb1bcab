"""The hidden checks: other shapes, seeds and data sets. Run only when grading.

This module and the fixtures of its checks never ship in the student release. Case ids
are names, never seeds: at grading time the seeds are drawn from the course's secret.
The training cases are shorter runs on data the public run cannot show, judged by their parameters with
training.PARAMS_TOL (correct variants agree to 3e-13 or better, benchmarks/training_thresholds.py); why no
accuracy bars: docs/architecture.md, "Hidden training runs".
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
# The training runs besides the public one (the handout's 1000 samples, 100 epochs): shorter runs on
# data it cannot show, each judged by its trained parameters. 200 training samples leave 8 over a batch of
# 32 (a last partial batch to keep or drop), 48 leave 8 over a batch of 10 and 200 leave 8 over 64 too;
# other noise; 8 hidden units and one. Ten epochs or more: a wrong step shows after any number of steps,
# and what changes between epochs has several to show in (benchmarks/training_thresholds.py
# --epochs-against). No accuracy bars here: after so few epochs the weights the grader starts from are
# often as accurate as the reference (docs/architecture.md, "Hidden training runs").
MOONS_LEFTOVER = Case("moons-leftover", seed=5, m=250, epochs=20, label=Message("moons with leftover samples"))
MOONS_SMALL = Case("moons-small", seed=6, m=60, batch_size=10, epochs=15, label=Message("small moons"))
MOONS_NOISY = Case("moons-noisy", seed=7, m=500, noise=0.35, epochs=10,
                   label=Message("noisier moons, noise {noise}", noise=0.35))
MOONS_WIDE = Case("moons-wide", seed=8, m=300, n_h=8, learning_rate=1.0, epochs=15,
                  label=Message("moons, {units} hidden units", units=8))
MOONS_SLOW = Case("moons-slow", seed=9, m=250, batch_size=64, learning_rate=0.1, epochs=20,
                  label=Message("moons, batch {batch_size}, learning rate {rate}", batch_size=64, rate=0.1))
MOONS_ONE_UNIT = Case("moons-one-unit", seed=10, m=100, n_h=1, epochs=10, label=Message("moons, one hidden unit"))
MOONS = (MOONS_LEFTOVER, MOONS_SMALL, MOONS_NOISY, MOONS_WIDE, MOONS_SLOW, MOONS_ONE_UNIT)


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
        *(training.matches_reference(d(case), points, hidden=True)
          for case, points in zip(MOONS, (3, 2, 2, 3, 2, 3), strict=True)),
    ]
