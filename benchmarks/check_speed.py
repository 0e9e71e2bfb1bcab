"""How long a student waits for ``backprop-lab check``: the whole process, several runs.

    python benchmarks/check_speed.py [--runs 7] [PATH]

Each run starts ``backprop-lab check PATH`` as a fresh process (interpreter start,
imports, loading fixtures, the public checks, the report) and measures its wall time.
Prints every run, the median, and the target. No assertions: figures only.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.grading import REPO_ROOT, checkout_env, timed  # noqa: E402

TARGET_SECONDS = 0.5  # issue 9: a student waits at most half a second


def check_command(path: Path) -> list[str]:
    """``python -m grader check PATH`` (what the console script runs) with this interpreter."""
    return [sys.executable, "-m", "grader", "check", str(path)]


def time_once(command: list[str]) -> tuple[float, int]:
    seconds, done = timed(command, env=checkout_env(), cwd=REPO_ROOT)  # this checkout's grader
    return seconds, done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=REPO_ROOT / "solutions" / "two_layer_net.py")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    command = check_command(args.path)
    print(f"command: {' '.join(command)}")
    time_once(command)  # warm the file-system cache; not counted
    seconds = []
    for run in range(1, args.runs + 1):
        elapsed, code = time_once(command)
        seconds.append(elapsed)
        print(f"run {run}: {elapsed:.3f} s (exit {code})")
    print(f"median of {args.runs} runs: {statistics.median(seconds):.3f} s "
          f"(min {min(seconds):.3f}, max {max(seconds):.3f}); target < {TARGET_SECONDS} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
