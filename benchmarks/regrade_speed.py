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
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

EXAMPLES = REPO_ROOT / "examples" / "submissions"


def prepare(folder: Path, n: int) -> Path:
    """A folder of ``n`` distinct submissions made from the examples."""
    sources = sorted(EXAMPLES.glob("*.py"))
    folder.mkdir(parents=True)
    for index in range(n):
        source = sources[index % len(sources)]
        text = source.read_text(encoding="utf-8") + f"\n# copy {index}\n"
        (folder / f"{index:03d}_{source.stem}.py").write_text(text, encoding="utf-8")
    return folder


def grade(submissions: Path, out: Path, jobs: int | None) -> tuple[float, str]:
    """Wall seconds of one ``backprop-lab grade`` run (interpreter start-up included), and its stdout."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [sys.executable, "-c", "import sys; from grader.cli import main; sys.exit(main())",
               "grade", str(submissions), "--out", str(out)] + (["--jobs", str(jobs)] if jobs else [])
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"grading {submissions} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done.stdout


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
        submissions = prepare(Path(scratch) / "class", args.n)
        out = Path(scratch) / "out"
        first, _ = grade(submissions, out, args.jobs)
        print(f"first run: {args.n} submissions graded in {first:.1f} s")
        again = []
        for _ in range(args.rounds):
            seconds, stdout = grade(submissions, out, args.jobs)
            if f"{args.n} unchanged" not in stdout:
                raise SystemExit(f"a re-run graded something again:\n{stdout[-2000:]}")
            again.append(seconds)
        print("re-runs, nothing changed: " + ", ".join(f"{s:.2f} s" for s in again)
              + f" (median {statistics.median(again):.2f} s; the target: under 2 s)")
    print(f"the grader's fingerprint: {fingerprint_seconds(args.rounds) * 1000:.1f} ms per run")


if __name__ == "__main__":
    main()
