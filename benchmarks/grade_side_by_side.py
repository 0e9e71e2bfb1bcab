"""Grading time of this checkout against another one, side by side in one run.

    python benchmarks/grade_side_by_side.py --baseline /path/to/other/checkout [--n 40] [--rounds 3] [--jobs 2]
                                            [--handout-imports] [--no-html]

Both checkouts grade the same N submissions (copies of examples/submissions/reference.py
and of the example bugs, cycled, each training a network of its own: ``make_class``'s
``distinct_networks``; with ``--handout-imports`` each file also imports what the handout's
code imports, scikit-learn and matplotlib) with ``backprop-lab grade FOLDER --out TMP --jobs J``,
each run in a fresh output folder; the runs alternate (this, baseline, this, ...) so that
both see the same machine load. ``PYTHONPATH`` points each run at its checkout's
``grader`` package. Prints every wall time, the medians and their ratio, and the same
for one submission graded end to end (what one Gradescope container does). No assertions:
figures only (the machines are shared and noisy).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.grading import REPO_ROOT, alternate, grade, make_class, median_line, ratio  # noqa: E402


def compare(label: str, checkouts: dict[str, Path], submissions: Path, rounds: int, jobs: int,
            scratch: Path, options: list[str]) -> None:
    def once(name: str, round_: int) -> float:
        return grade(submissions, scratch / f"{label}-{name}-{round_}", jobs, options, checkout=checkouts[name],
                     ok=(0,)).seconds

    times = alternate(list(checkouts), rounds, once)
    for name, values in times.items():
        print(median_line(f"{label} {name:9s}", values))
    print(f"{label} ratio this/baseline: {ratio(times, 'this', 'baseline'):.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout of the kit")
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--handout-imports", action="store_true", help="every file imports scikit-learn and matplotlib")
    parser.add_argument("--no-html", action="store_true", help="grade with --no-html (no pictures)")
    args = parser.parse_args()
    options = ["--no-html"] if args.no_html else []
    checkouts = {"this": REPO_ROOT, "baseline": args.baseline.resolve()}
    with tempfile.TemporaryDirectory(prefix="backprop-lab-bench-") as tmp:
        scratch = Path(tmp)
        make_class(scratch / "class", args.n, distinct_networks=True, handout_imports=args.handout_imports)
        make_class(scratch / "one", 1, handout_imports=args.handout_imports)
        print(f"{args.n} submissions{' importing scikit-learn and matplotlib' if args.handout_imports else ''}, "
              f"--jobs {args.jobs} {' '.join(options)}, {args.rounds} rounds, alternating")
        compare(f"class of {args.n}", checkouts, scratch / "class", args.rounds, args.jobs, scratch, options)
        compare("one submission", checkouts, scratch / "one", args.rounds, 1, scratch, options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
