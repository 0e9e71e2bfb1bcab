"""The student's own network from the grading run, kept for the pictures of ``feedback/<name>.html``.

The public training check (``checks.public.MOONS`` on the run's draw) already trains the student's
network beside the submission (``bridge/routines.py``): its answer is a claim, the parameters after
every step and the cost of each epoch. ``ClaimKeeper`` wraps the grading worker's bridge and keeps,
from that one claim, only what the pictures need: the final parameters (a few dozen numbers) and a
cost per epoch (100 numbers). Nothing of it is judged, and no student code runs for the pictures:
the grid of the decision boundary is computed later with the reference's forward pass
(``commands/grade/report.py``), on the grading side.

Costs: the claimed ones (the student's ``compute_cost`` on the last batch of each epoch, as the given
``model`` prints them) when they are 100 finite numbers; otherwise recomputed here, in the worker,
with the reference's forward pass and cost on the training data, from the parameters the claim
records at the end of each epoch.

Letters: ``n_h`` hidden units; a picture is plain JSON data:
    params      {W1: (2, n_h), b1: (1, n_h), W2: (n_h, 1), b2: (1, 1)} as nested lists, or None
    costs       [n_epochs] floats (None where not a number), or []
    costs_from  "claim" or "reference"
    problem     why there is no picture ("" when there is one), in the language of the run
"""
from __future__ import annotations

from typing import Any

import numpy as np

from grader.bridge import StudentCodeError, clip
from grader.checks import training
from grader.checks.cases import Case, Draw
from grader.checks.inputs import param_shapes
from grader.checks.public import MOONS
from grader.contract import PARAM_KEYS
from grader.i18n import _
from grader.numerics import float_or_nan

MAX_PROBLEM = 300  # characters of the reason a picture is missing


def pictured_case(draw: Draw) -> Case:
    """The training case whose run a student's page pictures: the public moons run, on ``draw``."""
    return MOONS.drawn(draw)


def no_training_run() -> dict[str, Any]:
    """The picture data of a submission whose training never ran (it could not be imported, ...)."""
    return {"params": None, "costs": [], "costs_from": "", "problem": _("the training run did not take place.")}


class ClaimKeeper:
    """A bridge that passes every call through and keeps the picture data of the pictured case's
    training claim (``picture``); ``cost_of(params, X, Y)`` is the reference's cost on the data."""

    def __init__(self, bridge: Any, case: Case, cost_of: Any):
        self.bridge = bridge
        self.seed = case.seed  # the training routine of a drawn case starts from np.random.seed(case.seed)
        self.n_h = case.n_h
        self.cost_of = cost_of
        self.picture: dict[str, Any] = no_training_run()
        self._kept = False

    def __getattr__(self, name: str) -> Any:  # call, call_each, close, notes, events: the bridge's own
        return getattr(self.bridge, name)

    def run(self, routine: str, **kwargs: Any) -> Any:
        pictured = routine == "train" and kwargs.get("seed") == self.seed and not self._kept
        try:
            claim = self.bridge.run(routine, **kwargs)
        except StudentCodeError as error:
            if pictured:
                self._kept = True
                self.picture = dict(no_training_run(), problem=clip(
                    _("the training run stopped: {reason}", reason=error.explain()), MAX_PROBLEM))
            raise
        if pictured:
            self._kept = True
            self.picture = self._picture(claim, kwargs["X"], kwargs["Y"])
        return claim

    def _picture(self, claim: Any, X: np.ndarray, Y: np.ndarray) -> dict[str, Any]:
        final = claim.get("final") if isinstance(claim, dict) else None
        params = usable_params(final, self.n_h)
        if params is None and usable_params(final, self.n_h, finite=False) is not None:
            return dict(no_training_run(), problem=_("the trained parameters hold NaN or infinite values (training "
                                                     "diverged), so there is no network to draw."))
        if params is None:
            return dict(no_training_run(), problem=_("the training run gave back no parameters of the right shapes."))
        costs, source = claimed_costs(claim), "claim"
        if costs is None:
            costs, source = self._recomputed_costs(claim, X, Y), "reference"
        return {"params": {k: v.tolist() for k, v in params.items()},
                "costs": [c if np.isfinite(c) else None for c in costs], "costs_from": source, "problem": ""}

    def _recomputed_costs(self, claim: dict, X: np.ndarray, Y: np.ndarray) -> list[float]:
        """The reference's cost on (X, Y) after each epoch, from the claim's record of its steps."""
        trace, counts = claim.get("trace"), claim.get("batches")
        if not (isinstance(trace, dict) and isinstance(counts, np.ndarray) and counts.dtype.kind in "iu"):
            return []
        ends = np.cumsum(counts)  # the step after which each epoch ends
        costs = []
        for end in ends:
            params = usable_params({k: _row(trace.get(k), int(end)) for k in PARAM_KEYS}, self.n_h)
            costs.append(float("nan") if params is None else float_or_nan(self.cost_of(params, X, Y)))
        return costs


def _row(stack: Any, index: int) -> Any:
    return stack[index] if isinstance(stack, np.ndarray) and stack.ndim == 3 and 0 <= index < len(stack) else None


def usable_params(params: Any, n_h: int, finite: bool = True) -> dict[str, np.ndarray] | None:
    """``params`` as float arrays when they are the four parameters of a (2, n_h, 1) network (all finite,
    unless ``finite`` is false), else None."""
    if not isinstance(params, dict):
        return None
    found = {}
    for key, shape in param_shapes(2, n_h, 1).items():
        value = params.get(key)
        if not (isinstance(value, np.ndarray) and value.shape == shape and value.dtype.kind in "biuf"):
            return None
        found[key] = value.astype(np.float64)
        if finite and not np.all(np.isfinite(found[key])):
            return None
    return found


def claimed_costs(claim: dict) -> list[float] | None:
    """The claim's cost of each epoch when they are ``training.EPOCHS`` finite numbers, else None."""
    costs = claim.get("costs")
    if isinstance(costs, np.ndarray) and costs.shape == (training.EPOCHS,) and costs.dtype.kind in "biuf" \
            and np.all(np.isfinite(costs)):
        return [float(c) for c in costs]
    return None
