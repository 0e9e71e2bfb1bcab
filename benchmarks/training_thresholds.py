"""Where the hidden training checks' bars come from: the reference and the correct variants on each
hidden training case, over many secret draws.

    PYTHONPATH=. python benchmarks/training_thresholds.py [--draws 40] [--bugs 0] [--compute 0]

For each case of ``grader/checks/hidden.py`` (``hidden.MOONS``) and each of ``--draws`` course secrets,
it trains the reference and every correct variant of ``tests/variants/correct/`` with the grader's own
verified run (``training.verified_run``, in this process) on the case as that secret draws it, and prints:

- the reference's test accuracy over the draws (min, 5th percentile, median) and the bar of the case's
  accuracy check; ``suggested`` is the largest multiple of 0.01 at most the 5th percentile minus
  ``ACCURACY_MARGIN`` (the rule the bars were set by: in 95 % of draws the bar named in the check's
  title is the one applied, with at least that margin; in the others the bar follows the reference,
  ``min(bar, reference - ACCURACY_MARGIN)``);
- the correct variants' worst relative parameter error against the reference (``PARAMS_TOL`` over it is
  the margin of the parameters check) and their worst accuracy below the applied bar (the margin of the
  accuracy check: it must stay positive);
- with ``--bugs N``: on N draws, how many known mistakes and hand-written bugs (``tests/variants/corpus.py``)
  that lose points in training at all are below the applied bar, and how many the parameters check
  tells apart from the reference.

With ``--compute N`` it measures instead what grading costs per submission, old and new side by side in
one run: every check on a grading draw, in this process, with one shared ``LiveReference`` (warmed first:
a class run computes the reference's answers once), for the reference, the correct variants and the
examples; N rounds, each grading every submission with today's catalogue and with the catalogue of commit
24a2a9f (today's with its hidden training checks put back: three 1000-sample, 100-epoch moons runs, bar
0.93), alternately. Prints the median CPU seconds per submission of each and their ratio.

No assertions: figures only (the verdicts are asserted by tests/checks/test_verdicts.py).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from grader.bridge import StudentCodeError
from grader.bridge.inprocess import InProcessBridge, load_submission
from grader.checks import Draw, catalogue, hidden, public, training
from grader.checks.cases import Case
from grader.contract import PARAM_KEYS, REFERENCE_FILE, TRAINING
from grader.numerics import rel_error
from grader.reference import LiveReference
from grader.runner import run_checks
from tests.variants import corpus
from tests.variants.build import CORRECT_DIR, assemble

REPO_ROOT = Path(__file__).resolve().parents[1]


def bars() -> dict[str, float]:
    """case id -> the threshold its accuracy check is built with (absent: no accuracy check)."""
    found = {}
    for check in hidden.checks():
        if check.function == "training" and "test accuracy" in check.name:
            found[check.probe.key.split("/", 1)[1]] = float(check.name.split("at least ")[1].split(" ")[0])
    return found


def outcome(bridge: InProcessBridge, reference: InProcessBridge, case: Case) -> tuple[dict | None, float]:
    """(verified final parameters or None, test accuracy judged with the reference's forward pass)."""
    try:
        got = training.verified_run(bridge, case)
    except StudentCodeError:  # a bug's function raised: no run to judge
        return None, float("nan")
    if got["problem"] or not isinstance(got["params"], dict):
        return None, float("nan")
    X_test, Y_test = training.data(case)[2:]
    try:
        A2 = reference.call("forward_propagation", X_test, got["params"])[0]
        return got["params"], training.labelled_right(A2, Y_test)
    except StudentCodeError:  # misshapen parameters: the parameters check fails them anyway
        return None, float("nan")


def worst_error(params: dict | None, expected: dict) -> float:
    if params is None:
        return float("inf")
    try:
        return max(rel_error(params[k], expected[k], training.PARAMS_FLOOR) for k in PARAM_KEYS)
    except (KeyError, ValueError, TypeError):
        return float("inf")


def steps(case: Case) -> int:
    train = case.m - int(round(case.m * 0.2))
    return case.epochs * (train // case.batch_size)


def old_catalogue(draw: Draw) -> list:
    """Every check as at commit 24a2a9f: today's, with the hidden training checks of that commit instead."""
    old_moons = [Case(f"moons-{n}", seed=state, m=1000, n_h=4, batch_size=32, learning_rate=0.5,
                      label=public.MOONS.label).drawn(draw) for n, state in ((2, 0), (3, 1), (4, 2))]
    kept = [check for check in catalogue(include_hidden=True, draw=draw)
            if not (check.hidden and check.function == TRAINING)]
    return kept + [check for case in old_moons for check in (
        training.matches_reference(case, 2, hidden=True), training.accuracy(case, 0.93, 3, hidden=True))]


def compute(rounds: int, folder: Path) -> None:
    draw = Draw.secret("grading", b"training thresholds, compute")
    catalogues = {"24a2a9f": old_catalogue(draw), "today": catalogue(include_hidden=True, draw=draw)}
    paths = [REFERENCE_FILE, *(assemble(path, folder / path.stem) for path in sorted(CORRECT_DIR.glob("*.py"))),
             *sorted((REPO_ROOT / "examples" / "submissions").glob("*.py"))]
    bridges = [InProcessBridge(load_submission(path)) for path in paths]
    reference = LiveReference(REFERENCE_FILE)
    for checks in catalogues.values():  # warm: the reference's answers, once per run of a class
        run_checks(bridges[0], checks, lambda check: reference)
    times: dict[str, list[float]] = {name: [] for name in catalogues}
    for _round in range(rounds):
        for name, checks in catalogues.items():
            start = time.process_time()  # CPU time of this process: what grading spends, whatever else runs
            for bridge in bridges:
                run_checks(bridge, checks, lambda check: reference)
            times[name].append((time.process_time() - start) / len(bridges))
    old, new = (statistics.median(times[name]) for name in catalogues)
    for name, checks in catalogues.items():
        print(f"catalogue {name}: {len(checks)} checks, {sum(c.points for c in checks if c.hidden)} hidden points; "
              f"per submission {statistics.median(times[name]) * 1000:.0f} ms CPU (median of {rounds} rounds of "
              f"{len(bridges)} submissions: {', '.join(f'{t * 1000:.0f}' for t in times[name])})")
    print(f"old / new: {old / new:.2f}x less compute per submission")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=40)
    parser.add_argument("--bugs", type=int, default=0, help="draws on which to train every known bug too")
    parser.add_argument("--compute", type=int, default=0, help="rounds of timing old vs new grading instead")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp())
    if args.compute:
        compute(args.compute, folder)
        return
    reference = InProcessBridge(load_submission(REFERENCE_FILE))
    variants = {path.stem: InProcessBridge(load_submission(assemble(path, folder / path.stem)))
                for path in sorted(CORRECT_DIR.glob("*.py"))}
    buggy = {}
    if args.bugs:
        buggy = {bug.name: InProcessBridge(load_submission(corpus.write(bug, folder / "bugs")))
                 for bug in corpus.bugs()}
    draws = [Draw.secret("grading", f"training thresholds, course {n}".encode()) for n in range(args.draws)]
    thresholds = bars()
    start = time.perf_counter()
    for base in hidden.MOONS:
        accuracies, errors, below, bug_rows = [], [], [], []
        bar = thresholds.get(base.id)
        for number, draw in enumerate(draws):
            case = base.drawn(draw)
            params, accuracy = outcome(reference, reference, case)
            accuracies.append(accuracy)
            applied = min(bar, accuracy - training.ACCURACY_MARGIN) if bar is not None else float("nan")
            for bridge in variants.values():
                got, got_accuracy = outcome(bridge, reference, case)
                errors.append(worst_error(got, params))
                below.append(got_accuracy - applied)
            if number < args.bugs:
                for name, bridge in buggy.items():
                    got, got_accuracy = outcome(bridge, reference, case)
                    differs = worst_error(got, params) > training.PARAMS_TOL
                    bug_rows.append((name, differs, bar is not None and not got_accuracy >= applied))
        p5 = float(np.percentile(accuracies, 5))
        print(f"{base.id}: m {base.m}, noise {base.noise}, n_h {base.n_h}, batch {base.batch_size}, "
              f"{base.epochs} epochs ({steps(base)} steps)")
        print(f"  reference accuracy over {len(draws)} draws: min {min(accuracies):.3f}, 5% {p5:.3f}, "
              f"median {statistics.median(accuracies):.3f}; suggested bar "
              f"{np.floor((p5 - training.ACCURACY_MARGIN) * 100 + 1e-9) / 100:.2f}, bar {bar}")
        print(f"  correct variants: worst parameter error {max(errors):.1e} (tolerance {training.PARAMS_TOL:.0e}, "
              f"margin x{training.PARAMS_TOL / max(max(errors), 1e-300):.0e})"
              + (f"; least accuracy above the applied bar {min(below):+.3f}" if bar is not None else ""))
        if bug_rows:
            differing = {name for name, differs, _low in bug_rows if differs}
            low = {name for name, _differs, is_low in bug_rows if is_low}
            print(f"  known bugs on {args.bugs} draws: {len(differing)} of {len(buggy)} differ from the reference's "
                  f"parameters; {len(low)} fall below the accuracy bar at least once")
    print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
