"""What the HTML step (report.html, feedback/*.html and their pictures) adds to grading a class.

    python benchmarks/report_overhead.py [-n 30] [--jobs 2] [--runs 2]

Builds a class of N submissions (the examples, copied round-robin under new names), then grades
it with ``backprop-lab grade`` into a fresh folder, alternately with and without ``--no-html``,
each as a fresh process (interpreter start to exit), and prints the times side by side and the
ratio of the medians. Target (issue 11): the HTML step adds at most 20%. No assertions: figures only.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.grading import examples, grade, make_class  # noqa: E402

TARGET = 1.20


def grade_once(class_dir: Path, out: Path, jobs: int, html: bool) -> float:
    run = grade(class_dir, out, jobs, [] if html else ["--no-html"], ok=(0,))
    if html != (out / "report.html").is_file():
        raise SystemExit("report.html is not where it should be (or is where it should not)")
    return run.seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="submissions in the class")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2, help="runs of each kind (alternated)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="report-overhead-") as scratch:
        class_dir = Path(scratch) / "class"
        make_class(class_dir, args.n, examples(every=True))
        times: dict[bool, list[float]] = {False: [], True: []}
        for _run in range(args.runs):
            for html in (False, True):
                times[html].append(grade_once(class_dir, Path(scratch) / "out", args.jobs, html))
    print(f"{args.n} submissions, {args.jobs} workers, {args.runs} runs each (seconds, whole process)")
    print(f"{'run':>4}  {'--no-html':>10}  {'with HTML':>10}")
    for index, (plain, with_html) in enumerate(zip(times[False], times[True], strict=True), 1):
        print(f"{index:>4}  {plain:>10.2f}  {with_html:>10.2f}")
    ratio = statistics.median(times[True]) / statistics.median(times[False])
    print(f"median ratio with/without HTML: {ratio:.2f} (target at most {TARGET:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
