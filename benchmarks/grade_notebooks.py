"""Grading a class of notebooks against the same class as .py files, side by side in one run.

    python benchmarks/grade_notebooks.py [--n 40] [--rounds 3] [--jobs 2] [--output-megabytes 1]

N submissions (examples/submissions/reference.py and the example bugs, cycled) are written twice:
as ``.py`` files, and as the notebooks a student would hand in (tests/notebooks/build.py: one cell
per statement group, markdown, check cells, top-level training whose cell holds a plot output
of ``--output-megabytes`` MB, 0 for none). ``backprop-lab grade FOLDER --out TMP
--jobs J`` grades each folder in a fresh output folder, the runs alternating (.py, notebooks,
.py, ...) so that both see the same machine load. Prints every wall time, the medians and their
ratio (the target: notebooks at most 1.3x the .py time), and the same for one submission graded
end to end (what one Gradescope container does). Also checks that both folders got the same
grades.csv. No assertions on time: figures only (the machines are shared and noisy).
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

from tests.notebooks.build import from_python, large_plot, notebook, write  # noqa: E402

EXAMPLES = REPO_ROOT / "examples" / "submissions"


def prepare(folder: Path, n: int, output_megabytes: int) -> dict[str, Path]:
    """{"py": folder of n .py files, "ipynb": folder of the same n as notebooks}."""
    sources = [EXAMPLES / "reference.py", *sorted(EXAMPLES.glob("bug_*.py"))]
    folders = {"py": folder / "py", "ipynb": folder / "ipynb"}
    for made in folders.values():
        made.mkdir(parents=True)
    plot = [large_plot(output_megabytes)] if output_megabytes else []
    for index in range(n):
        source = sources[index % len(sources)]
        text = source.read_text(encoding="utf-8")
        name = f"{index:03d}_{source.stem}"
        (folders["py"] / f"{name}.py").write_text(text, encoding="utf-8")
        built = notebook(from_python(text))
        built["cells"][-1]["outputs"] += plot  # the training cell's plots
        write(folders["ipynb"] / f"{name}.ipynb", built)
    return folders


def grade_seconds(submissions: Path, out: Path, jobs: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [sys.executable, "-c", "import sys; from grader.cli import main; sys.exit(main())",
               "grade", str(submissions), "--out", str(out), "--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some submissions lost points
        raise SystemExit(f"grading {submissions} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def compare(label: str, folders: dict[str, Path], rounds: int, jobs: int, scratch: Path) -> None:
    times: dict[str, list[float]] = {kind: [] for kind in folders}
    for round_ in range(rounds):
        for kind, folder in folders.items():
            times[kind].append(grade_seconds(folder, scratch / f"{label}-{kind}-{round_}", jobs))
    for kind, values in times.items():
        runs = " ".join(f"{v:6.2f}" for v in values)
        print(f"{label:14s} {kind:6s} {runs}   median {statistics.median(values):.2f} s")
    ratio = statistics.median(times["ipynb"]) / statistics.median(times["py"])
    print(f"{label:14s} ratio notebooks/.py: {ratio:.2f}x (target <= 1.3x)")
    grades = {kind: (scratch / f"{label}-{kind}-0" / "grades.csv").read_text() for kind in folders}
    print(f"{label:14s} same grades.csv for both: {grades['py'] == grades['ipynb']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--output-megabytes", type=int, default=2, help="the training cell's plot output (MB)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="backprop-lab-bench-") as tmp:
        scratch = Path(tmp)
        many = prepare(scratch / "class", args.n, args.output_megabytes)
        one = prepare(scratch / "one", 1, args.output_megabytes)
        size = sum(p.stat().st_size for p in many["ipynb"].iterdir()) / 2**20
        print(f"{args.n} submissions ({size:.0f} MB of notebooks), --jobs {args.jobs}, {args.rounds} rounds, "
              "alternating")
        compare(f"class of {args.n}", many, args.rounds, args.jobs, scratch)
        compare("one", one, args.rounds, 1, scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
