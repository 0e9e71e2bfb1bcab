"""What the HTML step (report.html, feedback/*.html and their pictures) adds to grading a class.

    python benchmarks/report_overhead.py [-n 30] [--jobs 2] [--runs 2]

Builds a class of N submissions (the examples, copied round-robin under new names), then grades
it with ``backprop-lab grade`` into a fresh folder, alternately with and without ``--no-html``,
each as a fresh process (interpreter start to exit), and prints the times side by side and the
ratio of the medians. Target (issue 11): the HTML step adds at most 20%. No assertions: figures only.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples" / "submissions"
TARGET = 1.20


def make_class(folder: Path, n: int) -> Path:
    examples = sorted(EXAMPLES.glob("*.py"))
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(n):
        source = examples[index % len(examples)]
        shutil.copyfile(source, folder / f"s{index:03d}_{source.stem}.py")
    return folder


def grade_once(class_dir: Path, out: Path, jobs: int, html: bool) -> float:
    script = shutil.which("backprop-lab")
    command = [script] if script else [sys.executable, "-m", "grader"]
    command += ["grade", str(class_dir), "--out", str(out), "--jobs", str(jobs)] + ([] if html else ["--no-html"])
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"grade failed ({done.returncode}):\n{done.stderr[-2000:]}")
    if html != (out / "report.html").is_file():
        raise SystemExit("report.html is not where it should be (or is where it should not)")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="submissions in the class")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2, help="runs of each kind (alternated)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="report-overhead-") as scratch:
        class_dir = make_class(Path(scratch) / "class", args.n)
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
