"""Grading time of this checkout against another one, side by side in one run.

    python benchmarks/grade_side_by_side.py --baseline /path/to/other/checkout [--n 40] [--rounds 3] [--jobs 2]

Both checkouts grade the same N submissions (copies of examples/submissions/reference.py
and of the example bugs, cycled) with ``backprop-lab grade FOLDER --out TMP --jobs J``,
each run in a fresh output folder; the runs alternate (this, baseline, this, ...) so that
both see the same machine load. ``PYTHONPATH`` points each run at its checkout's
``grader`` package. Prints every wall time, the medians and their ratio, and the same
for one submission graded end to end (what one Gradescope container does). No assertions:
figures only (the machines are shared and noisy).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples" / "submissions"


def prepare(folder: Path, n: int) -> Path:
    sources = [EXAMPLES / "reference.py", *sorted(EXAMPLES.glob("bug_*.py"))]
    folder.mkdir(parents=True)
    for index in range(n):
        source = sources[index % len(sources)]
        shutil.copyfile(source, folder / f"{index:03d}_{source.stem}.py")
    return folder


def grade_seconds(checkout: Path, submissions: Path, out: Path, jobs: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    command = [sys.executable, "-c", "import sys; from grader.cli import main; sys.exit(main())",
               "grade", str(submissions), "--out", str(out), "--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=checkout, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"grading with {checkout} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def compare(label: str, checkouts: dict[str, Path], submissions: Path, rounds: int, jobs: int,
            scratch: Path) -> None:
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    for round_ in range(rounds):
        for name, checkout in checkouts.items():
            times[name].append(grade_seconds(checkout, submissions, scratch / f"{label}-{name}-{round_}", jobs))
    for name, values in times.items():
        runs = " ".join(f"{v:6.2f}" for v in values)
        print(f"{label} {name:9s} {runs}   median {statistics.median(values):.2f} s")
    ratio = statistics.median(times["this"]) / statistics.median(times["baseline"])
    print(f"{label} ratio this/baseline: {ratio:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout of the kit")
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    checkouts = {"this": REPO_ROOT, "baseline": args.baseline.resolve()}
    with tempfile.TemporaryDirectory(prefix="backprop-lab-bench-") as tmp:
        scratch = Path(tmp)
        many = prepare(scratch / "class", args.n)
        one = prepare(scratch / "one", 1)
        print(f"{args.n} submissions, --jobs {args.jobs}, {args.rounds} rounds, alternating")
        compare(f"class of {args.n}", checkouts, many, args.rounds, args.jobs, scratch)
        compare("one submission", checkouts, one, args.rounds, 1, scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
