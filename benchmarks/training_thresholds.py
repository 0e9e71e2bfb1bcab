"""Where the hidden training checks' tolerance comes from, and why they have no accuracy bars: the
reference and the correct variants on each hidden training case, over many secret draws.

    PYTHONPATH=. python benchmarks/training_thresholds.py [--draws 40] [--bugs 0] [--compute 0] [--epochs-against F]

For each case of ``grader/checks/hidden.py`` (``hidden.MOONS``) and each of ``--draws`` course secrets,
it trains the reference and every correct variant of ``tests/variants/correct/`` with the grader's own
verified run (``training.verified_run``, in this process) on the case as that secret draws it, and prints:

- the correct variants' worst relative parameter error against the reference: ``PARAMS_TOL`` over it is
  the margin of the parameters check (a wrong step moves the parameters far more than the tolerance);
- the reference's test accuracy (min, 5th percentile, median) beside the accuracy of the weights the
  grader starts from, before any step (max, 95th percentile). An accuracy bar must lie above what a loop
  that never moves the weights reaches and ``ACCURACY_MARGIN`` below the reference: ``bar possible`` says
  whether the reference's 5th percentile minus the margin is above the untrained maximum;
- with ``--bugs N``: on N draws, how many known mistakes and hand-written bugs (``tests/variants/corpus.py``)
  the parameters check tells apart from the reference.

With ``--epochs-against F`` it answers instead how many epochs a case needs: on ``--draws`` draws, the known
bugs the parameters check tells apart with the case's epochs and with F times as many (or as few), and the
correct variants' worst error with each; it names the bugs one count catches and the other does not.

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
import dataclasses
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


def untrained(case: Case, reference: InProcessBridge) -> float:
    """Test accuracy of the weights the grader starts the case's run from (a loop that never moves them)."""
    X_test, Y_test = training.data(case)[2:]
    A2 = reference.call("forward_propagation", X_test, training.inputs.start_params(case.seed, 2, case.n_h))[0]
    return training.labelled_right(A2, Y_test)


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
        errors = [rel_error(params[k], expected[k], training.PARAMS_FLOOR) for k in PARAM_KEYS]
    except (KeyError, ValueError, TypeError):
        return float("inf")
    # NaN or infinite parameters (a NaN error, which max would skip or keep by its place): the check fails them
    return max(errors) if np.all(np.isfinite(errors)) else float("inf")


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


def told_apart(case: Case, draws: list[Draw], reference: InProcessBridge, buggy: dict[str, InProcessBridge],
               variants: dict[str, InProcessBridge]) -> tuple[set[str], float]:
    """(the bugs whose trained parameters differ from the reference's beyond ``PARAMS_TOL`` on some draw,
    the correct variants' worst relative parameter error) for ``case`` on ``draws``."""
    differing, worst = set(), 0.0
    for draw in draws:
        drawn = case.drawn(draw)
        params = outcome(reference, reference, drawn)[0]
        differing |= different(buggy, reference, drawn, params)
        worst = max([worst, *(worst_error(outcome(bridge, reference, drawn)[0], params)
                              for bridge in variants.values())])
    return differing, worst


def different(bridges: dict[str, InProcessBridge], reference: InProcessBridge, case: Case, params: dict) -> set[str]:
    """The names of ``bridges`` whose parameters after ``case``'s run differ from ``params`` beyond PARAMS_TOL."""
    return {name for name, bridge in bridges.items()
            if worst_error(outcome(bridge, reference, case)[0], params) > training.PARAMS_TOL}


def epochs_against(factor: float, draws: list[Draw], reference: InProcessBridge, buggy: dict[str, InProcessBridge],
                   variants: dict[str, InProcessBridge]) -> None:
    for base in hidden.MOONS:
        other = dataclasses.replace(base, epochs=max(1, round(base.epochs * factor)))
        (now, now_worst), (then, then_worst) = (told_apart(case, draws, reference, buggy, variants)
                                                for case in (base, other))
        print(f"{base.id}: {base.epochs} epochs ({steps(base)} steps) tell {len(now)} of {len(buggy)} bugs apart, "
              f"correct variants within {now_worst:.1e}; {other.epochs} epochs ({steps(other)} steps) tell "
              f"{len(then)}, within {then_worst:.1e}; only with {base.epochs}: {sorted(now - then) or 'none'}; "
              f"only with {other.epochs}: {sorted(then - now) or 'none'}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=40)
    parser.add_argument("--bugs", type=int, default=0, help="draws on which to train every known bug too")
    parser.add_argument("--compute", type=int, default=0, help="rounds of timing old vs new grading instead")
    parser.add_argument("--epochs-against", type=float, default=0,
                        help="compare the bugs told apart with the cases' epochs and with this many times them")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp())
    if args.compute:
        compute(args.compute, folder)
        return
    reference = InProcessBridge(load_submission(REFERENCE_FILE))
    variants = {path.stem: InProcessBridge(load_submission(assemble(path, folder / path.stem)))
                for path in sorted(CORRECT_DIR.glob("*.py"))}
    buggy = {}
    if args.bugs or args.epochs_against:
        buggy = {bug.name: InProcessBridge(load_submission(corpus.write(bug, folder / "bugs")))
                 for bug in corpus.bugs()}
    draws = [Draw.secret("grading", f"training thresholds, course {n}".encode()) for n in range(args.draws)]
    start = time.perf_counter()
    if args.epochs_against:
        epochs_against(args.epochs_against, draws, reference, buggy, variants)
        print(f"({time.perf_counter() - start:.1f} s)")
        return
    for base in hidden.MOONS:
        accuracies, starts, errors, differing = [], [], [], set()
        for number, draw in enumerate(draws):
            case = base.drawn(draw)
            params, accuracy = outcome(reference, reference, case)
            accuracies.append(accuracy)
            starts.append(untrained(case, reference))
            errors += [worst_error(outcome(bridge, reference, case)[0], params) for bridge in variants.values()]
            if number < args.bugs:
                differing |= different(buggy, reference, case, params)
        p5 = float(np.percentile(accuracies, 5))
        print(f"{base.id}: m {base.m}, noise {base.noise}, n_h {base.n_h}, batch {base.batch_size}, "
              f"learning rate {base.learning_rate}, {base.epochs} epochs ({steps(base)} steps)")
        print(f"  correct variants: worst parameter error {max(errors):.1e} (tolerance {training.PARAMS_TOL:.0e}, "
              f"margin x{training.PARAMS_TOL / max(max(errors), 1e-300):.0e})")
        print(f"  test accuracy over {len(draws)} draws: reference min {min(accuracies):.3f}, 5% {p5:.3f}, median "
              f"{statistics.median(accuracies):.3f}; untrained max {max(starts):.3f}, 95% "
              f"{float(np.percentile(starts, 95)):.3f}; bar possible: "
              f"{'yes' if p5 - training.ACCURACY_MARGIN > max(starts) else 'no'}")
        if args.bugs:
            print(f"  known bugs on {args.bugs} draws: the parameters check tells {len(differing)} of {len(buggy)} "
                  f"apart from the reference")
    print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
