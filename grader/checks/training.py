"""Training checks: the given ``model`` loop, built from the student's six functions.

The loop runs beside the submission (the routine ``train``: one round trip instead of
10,000), so what it sends back is only a claim: the parameters before and after every
step. ``verified_run`` checks the claim here, in the grading process, by asking the
student's functions directly, through the bridge, to redo steps that it picks only
after the claim has been made (from a hash of the claim and the draw's key):

- the starting parameters: ``initialize_parameters`` under ``np.random.seed(42)`` as in
  ``model`` (practice), or exactly the weights the grader chose (secret draws);
- the batches: ``batch_generator`` called once per epoch after the same seed, in one
  sequence, as the loop calls it; the epochs of the replayed steps are kept;
- the steps: forward, backward and update on the claimed parameters and the replayed
  batch must give the claimed next parameters, for the first step, every step of the last
  epoch (the parameters judged are the functions' own work) and ``REPLAYED_STEPS`` more
  from the other replayed epochs. Every epoch must have as many
  batches as the replayed ones, and a claim without a record of its steps counts only when
  its parameters are misshapen (they then earn nothing).

What sampling leaves open: a forged step inside an epoch that is not replayed is found only
with the probability of being drawn; it needs the correct result of many steps to forge, and
it is followed by a whole last epoch of the submission's own steps, all replayed.

A submission that replaces the loop with anything else (a correct update its own
``update_parameters`` does not make, trained parameters it brought along) is caught by
the first replayed step that differs. Test accuracy is computed here from the verified
final parameters.

Practice cases train from the student's own initialisation, like ``model``: the public case on
the handout's moons split (recorded in ``grader/fixtures/``), the others on moons data made from
their practice seed; secret draws train on moons data drawn from the draw's key, from weights the
grader chose. Each case says how many epochs it trains and with what noise its data is drawn
(``Case.epochs``, ``Case.noise``): the public run is the handout's, the hidden ones are shorter runs
on other data (``grader/checks/hidden.py``).
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Any

import numpy as np

from grader.bridge import Bridge
from grader.checks import inputs
from grader.checks.base import Check, Expected, Fail, Probe
from grader.checks.cases import Case
from grader.checks.judge import expect_array, expect_dict, same_values
from grader.contract import PARAM_KEYS, TRAINING, TrainingConfig, load_moons
from grader.i18n import Message, _
from grader.numerics import rel_error
from grader.values import Earlier, is_unresolved

PARAMS_TOL = 1e-8  # equal implementations agree to ~1e-14 after 100 epochs (tests/checks/test_variants.py)
PARAMS_FLOOR = 1e-4  # entries near zero are compared on this scale: theirs alone would magnify rounding
ACCURACY_MARGIN = 0.02  # on drawn data the bar is at most this far below the reference's own accuracy
REPLAY_TOL = 1e-12  # a replayed step is the same computation on the same numbers: it agrees to the bit
REPLAYED_EPOCHS = 3  # besides the first and the last
REPLAYED_STEPS = 12  # besides the first step and every step of the last epoch
MODEL_SEED = 42  # model seeds the global generator with 42 before initialize_parameters
EPOCHS = TrainingConfig.n_epochs  # the handout's model, and the public run's; other cases set their own
HANDOUT_DATA = (1000, 0.2)  # (m, noise) of the handout's moons split, recorded for practice


def describe(case: Case) -> Message:
    """"moons (1000 samples)": the data set as check names show it (never its seed), with its number
    of epochs where it is not the handout's: "small moons (60 samples, 50 epochs)"."""
    if case.epochs == EPOCHS:
        return Message("{data} ({m} samples)", data=case.labelled(), m=case.m)
    return Message("{data} ({m} samples, {epochs} epochs)", data=case.labelled(), m=case.m, epochs=case.epochs)


def settings(case: Case) -> str:
    """"100 epochs, batch 32, learning rate 0.5", as failure messages show the training run."""
    return _("{epochs} epochs, batch {batch_size}, learning rate {learning_rate}", epochs=case.epochs,
             batch_size=case.batch_size, learning_rate=case.learning_rate)


def data(case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """X_train (m_train, 2), Y_train (m_train, 1), X_test, Y_test of the case."""
    if case.draw.reveals_expected and (case.m, case.noise) == HANDOUT_DATA:
        split = load_moons(case.seed)
        return split.X_train, split.Y_train, split.X_test, split.Y_test
    return inputs.moons(case.seed, case.m, case.noise)


def start(case: Case) -> dict[str, np.ndarray] | None:
    """The weights training starts from: the student's own (practice) or the grader's (secret draws)."""
    return None if case.draw.reveals_expected else inputs.start_params(case.seed, 2, case.n_h)


def probe(case: Case) -> Probe:
    def run(bridge: Bridge, ref) -> dict[str, Any]:
        return verified_run(bridge, case)

    return Probe(case.key(TRAINING), TRAINING, describe(case).english, run, reveals=case.reveals_expected)


# ------------------------------------------------------------------ the verified run


class Unverified(Exception):
    """The claim of the training routine does not hold up; the message says what differs."""


def verified_run(bridge: Bridge, case: Case) -> dict[str, Any]:
    """Train through the routine, verify its claim, and describe the result.

    Returns: dict params (the verified final parameters), costs (case.epochs,), accuracy (float,
             from the student's own forward pass on the test set), problem ("" or why the
             run cannot be trusted or used)
    """
    X, Y, X_test, Y_test = data(case)
    seed = MODEL_SEED if start(case) is None else case.seed
    claim = bridge.run("train", X=X, Y=Y, start=start(case), seed=seed, n_hidden=case.n_h, n_epochs=case.epochs,
                       batch_size=case.batch_size, learning_rate=case.learning_rate)
    outcome: dict[str, Any] = {"params": None, "costs": np.full(case.epochs, np.nan), "accuracy": float("nan"),
                               "problem": ""}
    try:
        final = _verify(bridge, case, claim, X, Y, seed)
    except Unverified as problem:
        outcome["problem"] = str(problem)
        return outcome
    outcome["params"] = final
    outcome["costs"] = _costs(claim["costs"], case.epochs)
    answer = bridge.call("forward_propagation", X_test, final)
    A2_test = answer[0] if isinstance(answer, (tuple, list)) and len(answer) == 2 else None
    if isinstance(A2_test, np.ndarray) and A2_test.shape == Y_test.shape and A2_test.dtype.kind in "biuf":
        outcome["accuracy"] = labelled_right(A2_test, Y_test)
    return outcome


def labelled_right(probabilities: Any, Y: np.ndarray) -> float:
    """Fraction of samples whose label the probabilities A2 (m, 1) get right at the 0.5 threshold."""
    return float(np.mean((np.asarray(probabilities) > 0.5) == (Y > 0.5)))


def _costs(costs: Any, epochs: int) -> np.ndarray:
    """The claimed cost of each of ``epochs`` epochs (for pictures only: nothing judges them), NaN where
    unusable."""
    if isinstance(costs, np.ndarray) and costs.shape == (epochs,) and costs.dtype.kind in "biuf":
        return costs.astype(np.float64)
    return np.full(epochs, np.nan)


def _verify(bridge: Bridge, case: Case, claim: Any, X, Y, seed: int) -> dict[str, np.ndarray]:
    """The claimed final parameters, once every replayed step agrees. Raises Unverified."""
    trace, batch_counts = _read_claim(claim, case.epochs)
    if trace is None:  # a step changed the parameters' shapes: the final ones show how, and earn nothing
        return _misshapen_final(claim["final"], case)
    if len(set(batch_counts.tolist())) != 1:
        raise Unverified(_("batch_generator yielded a different number of batches in different epochs; it "
                           "should cut the same m samples into the same number of full batches every time."))
    steps = len(trace["W1"]) - 1
    if steps != int(np.sum(batch_counts)):
        raise Unverified(_("the training loop reported a number of steps that does not match its batches."))
    first = {k: trace[k][0] for k in PARAM_KEYS}
    _verify_start(bridge, case, first)
    chooser = _chooser(case, trace)
    epochs = _epochs_to_replay(chooser, len(batch_counts))
    picked = _steps_to_replay(chooser, epochs, batch_counts)
    offsets = np.concatenate([[0], np.cumsum(batch_counts)])
    steps = [int(offsets[epoch]) + index for epoch, index in picked]  # each picked step's place in the trace
    before = [{k: trace[k][step] for k in PARAM_KEYS} for step in steps]
    yielded, updated = _replay(bridge, case, X, Y, seed, epochs, picked, before)
    for epoch, count in zip(epochs, yielded, strict=True):  # every epoch the loop ran had as many batches
        if type(count) is not int:
            raise Unverified(_("batch_generator did not yield batches when the loop was replayed."))
        if count != batch_counts[epoch]:
            raise Unverified(_("in epoch {epoch} the loop used {used} batches, but batch_generator yields "
                               "{yielded}.", epoch=epoch + 1, used=batch_counts[epoch], yielded=count))
    for (epoch, index), step, after in zip(picked, steps, updated, strict=True):
        if is_unresolved(after):
            raise Unverified(_("forward_propagation or batch_generator did not return a pair for {where}.",
                               where=_("a replayed step")))
        claimed = {k: trace[k][step + 1] for k in PARAM_KEYS}
        if not (isinstance(after, dict) and same_values({k: after.get(k) for k in PARAM_KEYS}, claimed, REPLAY_TOL)):
            raise Unverified(_(
                "step {step} of epoch {epoch} gives other parameters when forward_propagation, "
                "backward_propagation and update_parameters are called on their own than it did inside the "
                "training loop. Do they depend on anything but their arguments (global variables, "
                "np.random, earlier calls)?", step=index + 1, epoch=epoch + 1))
    return {k: trace[k][-1] for k in PARAM_KEYS}


def _misshapen_final(final: Any, case: Case) -> Any:
    """The final parameters of a loop whose steps changed their shapes, when they really are
    misshapen (the judges then say how); a claim of well-shaped ones without a record of the steps
    cannot be verified."""
    shapes = inputs.param_shapes(2, case.n_h, 1)
    if isinstance(final, dict) and all(np.shape(final.get(k)) == shape for k, shape in shapes.items()):
        raise Unverified(_("the training loop sent back no record of its steps."))
    return final


def _read_claim(claim: Any, epochs: int) -> tuple[dict[str, np.ndarray] | None, np.ndarray]:
    if not (isinstance(claim, dict) and {"trace", "final", "batches", "costs"} <= claim.keys()):
        raise Unverified(_("the training loop sent back something else than its record."))
    counts = claim["batches"]
    if not (isinstance(counts, np.ndarray) and counts.shape == (epochs,) and counts.dtype.kind in "iu"
            and np.all(counts >= 0)):
        raise Unverified(_("the training loop sent back a malformed record of its batches."))
    trace = claim["trace"]
    if trace is None:
        return None, counts
    if not (isinstance(trace, dict) and set(trace) == set(PARAM_KEYS)
            and all(isinstance(v, np.ndarray) and v.ndim == 3 for v in trace.values())
            and len({len(v) for v in trace.values()}) == 1):
        raise Unverified(_("the training loop sent back a malformed record of its steps."))
    return trace, counts


def _verify_start(bridge: Bridge, case: Case, first: dict[str, np.ndarray]) -> None:
    chosen = start(case)
    if chosen is None:
        chosen = bridge.call("initialize_parameters", 2, case.n_h, 1, seed=MODEL_SEED)
    if not (isinstance(chosen, dict) and same_values(first, {k: chosen.get(k) for k in PARAM_KEYS}, REPLAY_TOL)):
        raise Unverified(_("training did not start from the parameters it should start from."))


def _chooser(case: Case, trace: dict[str, np.ndarray]) -> np.random.Generator:
    """A generator seeded by the claim itself and the draw's key: the replayed steps are
    unknown until the claim is made, and the same claim always replays the same steps."""
    digest = hashlib.sha256()
    for key in PARAM_KEYS:
        digest.update(np.ascontiguousarray(trace[key], dtype=np.float64).tobytes())
    key = case.draw.key or b"practice"
    seed = hmac.new(key, digest.digest(), hashlib.sha256).digest()
    return np.random.default_rng(int.from_bytes(seed[:8], "little"))


def _epochs_to_replay(chooser: np.random.Generator, n_epochs: int) -> list[int]:
    middle = chooser.choice(np.arange(1, n_epochs - 1), size=min(REPLAYED_EPOCHS, max(0, n_epochs - 2)),
                            replace=False) if n_epochs > 2 else []
    return sorted({0, n_epochs - 1, *map(int, middle)})


def _replay(bridge: Bridge, case: Case, X, Y, seed: int, epochs: list[int], picked: list[tuple[int, int]],
            before: list[dict[str, np.ndarray]]) -> tuple[list[Any], list[Any]]:
    """Redo the loop's batches and the picked steps in one request to the submission's functions.

    ``batch_generator`` is called once per epoch after the same seed, in one sequence, as the loop
    calls it; each picked step (epoch, batch index) is forward, backward and update on the claimed
    parameters ``before`` it and that batch, each function handed the batch and the earlier result as
    ``model`` hands them on (``Earlier``: they never travel here and back). Only the number of
    batches of each replayed epoch and the updated parameters of each step come back.

    Returns: ([the number of batches of each epoch in ``epochs``, or an unresolved value when that
             epoch's batch_generator call yielded nothing], [update_parameters' result of each step])
    """
    calls: list[tuple] = []
    if start(case) is None:  # model draws the initial weights from the generator first
        calls.append(("initialize_parameters", (X.shape[1], case.n_h, Y.shape[1])))
    first_epoch = len(calls)
    calls.append(("batch_generator", (X, Y, case.batch_size), case.epochs))
    updates = []
    for (epoch, index), parameters in zip(picked, before, strict=True):
        forward = first_epoch + case.epochs + 3 * len(updates)
        X_batch, Y_batch = Earlier(first_epoch + epoch, (index, 0)), Earlier(first_epoch + epoch, (index, 1))
        calls += [("forward_propagation", (X_batch, parameters)),
                  ("backward_propagation", (parameters, Earlier(forward, (1,)), X_batch, Y_batch)),
                  ("update_parameters", (parameters, Earlier(forward + 1), case.learning_rate))]
        updates.append(forward + 2)
    counted = [Earlier(first_epoch + epoch, length=True) for epoch in epochs]
    results = bridge.call_each(calls, seed=seed, keep=counted + updates)
    return results[:len(counted)], results[len(counted):]


def _steps_to_replay(chooser: np.random.Generator, epochs: list[int], counts: np.ndarray) -> list[tuple[int, int]]:
    """(epoch, batch index) of the steps to replay: the first step, every step of the last epoch (the
    parameters judged must be the functions' own work), and REPLAYED_STEPS more from the other
    replayed epochs, at random."""
    last = epochs[-1]
    always = [(last, b) for b in range(int(counts[last]))] + ([(epochs[0], 0)] if counts[epochs[0]] else [])
    others = [(e, b) for e in epochs if e != last for b in range(int(counts[e])) if (e, b) not in always]
    chosen = chooser.choice(len(others), size=min(REPLAYED_STEPS, len(others)), replace=False) if others else []
    return sorted(set(always) | {others[i] for i in chosen})


# ------------------------------------------------------------------ judges


def _trained_params(got: dict[str, Any], case: Case) -> dict:
    if got["problem"]:
        raise Fail(_("the training run could not be checked: {problem}", problem=got["problem"]))
    params = expect_dict(got["params"], PARAM_KEYS, _("the trained parameters"))
    for name, shape in inputs.param_shapes(2, case.n_h, 1).items():
        expect_array(params[name], shape, _("trained {name}", name=name))
    return params


def matches_reference(case: Case, points: float, hidden: bool = False) -> Check:
    def judge(got, exp: Expected) -> str:
        params = _trained_params(got, case)
        errors = {k: rel_error(params[k], exp.value["params"][k], PARAMS_FLOOR) for k in PARAM_KEYS}
        worst = max(errors, key=errors.get)
        if errors[worst] > PARAMS_TOL:
            raise Fail(_(
                "after training, {name} differs from the reference: relative error {error} > {tol} ({data}, "
                "{settings}). Fix the failing function checks first; if they all pass, check that model's loop "
                "is unchanged.", name=worst, error=format(errors[worst], ".1e"), tol=format(PARAMS_TOL, ".0e"),
                data=describe(case), settings=settings(case)))
        return _("trained parameters equal the reference (relative error {error})", error=format(errors[worst], ".1e"))

    return Check.titled(TRAINING, Message("parameters after training equal the reference on {data}",
                                          data=describe(case)), points, hidden, probe(case), judge)


def accuracy(case: Case, threshold: float, points: float, hidden: bool = False) -> Check:
    """Test accuracy of the trained parameters, judged with the reference forward where it is loaded.

    On drawn data the bar is lowered to ACCURACY_MARGIN below the reference's own accuracy
    when the reference itself does not reach ``threshold`` there.
    """

    def judge(got, exp: Expected) -> str:
        params = _trained_params(got, case)
        _X, _Y, X_test, Y_test = data(case)
        if exp.forward is not None:  # grading: the reference's forward pass on the verified parameters
            value = labelled_right(exp.forward(X_test, params), Y_test)
        else:  # student side: no reference here; the probe measured it with the submission's own forward
            value = got["accuracy"]
        reference = exp.value["accuracy"]
        bar = min(threshold, reference - ACCURACY_MARGIN)
        if not value >= bar:
            raise Fail(_("test accuracy {accuracy} < {bar} ({data}, {settings}; the reference reaches {reference}).",
                         accuracy=format(value, ".3f"), bar=format(bar, ".3f"), data=describe(case),
                         settings=settings(case), reference=format(reference, ".3f")))
        return _("test accuracy {accuracy} (the reference reaches {reference})", accuracy=format(value, ".3f"),
                 reference=format(reference, ".3f"))

    return Check.titled(TRAINING, Message("test accuracy at least {threshold} on {data}", threshold=threshold,
                                          data=describe(case)), points, hidden, probe(case), judge)
