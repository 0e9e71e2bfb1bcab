"""How long a re-run takes when nothing changed, and where that time goes.

    python benchmarks/regrade_speed.py [--n 100] [--rounds 5] [--jobs N]

N submissions (examples/submissions, every file cycled, each copy a distinct file: a comment with
its number is appended) are graded once with ``backprop-lab grade FOLDER --out TMP``; then the same
command is run ``--rounds`` times again. Nothing changed, so every re-run must keep all N results
(checked: its closing line says "N unchanged") and start no grading worker. Prints the first
run's wall time, every re-run's, their median, and the part of a re-run spent computing the
grader's fingerprint (measured in this process). The target: a re-run of 100 submissions under
2 s. No assertions on time: figures only (the machines are shared and noisy).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.grading import examples, grade, make_class  # noqa: E402


def fingerprint_seconds(rounds: int) -> float:
    """The median time to compute the grader's fingerprint once (what every run adds)."""
    from grader.commands.grade import fingerprint
    from grader.reference import grading_draw

    draw = grading_draw()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fingerprint.of_run(draw, public_only=False, call_timeout=10.0, sandbox="auto")
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="regrade-speed-") as scratch:
        submissions = Path(scratch) / "class"
        make_class(submissions, args.n, examples(every=True), distinct=True)
        out = Path(scratch) / "out"
        first = grade(submissions, out, args.jobs).seconds
        print(f"first run: {args.n} submissions graded in {first:.1f} s")
        again = []
        for _ in range(args.rounds):
            run = grade(submissions, out, args.jobs, fresh=False)  # the first run's results are kept
            if f"{args.n} unchanged" not in run.stdout:
                raise SystemExit(f"a re-run graded something again:\n{run.stdout[-2000:]}")
            again.append(run.seconds)
        print("re-runs, nothing changed: " + ", ".join(f"{s:.2f} s" for s in again)
              + f" (median {statistics.median(again):.2f} s; the target: under 2 s)")
    print(f"the grader's fingerprint: {fingerprint_seconds(args.rounds) * 1000:.1f} ms per run")


if __name__ == "__main__":
    main()
