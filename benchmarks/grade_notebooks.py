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
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.grading import alternate, cycled, grade, median_line, ratio  # noqa: E402
from tests.notebooks.build import from_python, large_plot, notebook, write  # noqa: E402


def prepare(folder: Path, n: int, output_megabytes: int) -> dict[str, Path]:
    """{"py": folder of n .py files, "ipynb": folder of the same n as notebooks}."""
    folders = {"py": folder / "py", "ipynb": folder / "ipynb"}
    for made in folders.values():
        made.mkdir(parents=True)
    plot = [large_plot(output_megabytes)] if output_megabytes else []
    for name, source in cycled(n):
        text = source.read_text(encoding="utf-8")
        (folders["py"] / f"{name}.py").write_text(text, encoding="utf-8")
        built = notebook(from_python(text))
        built["cells"][-1]["outputs"] += plot  # the training cell's plots
        write(folders["ipynb"] / f"{name}.ipynb", built)
    return folders


def compare(label: str, folders: dict[str, Path], rounds: int, jobs: int, scratch: Path) -> None:
    def once(kind: str, round_: int) -> float:
        return grade(folders[kind], scratch / f"{label}-{kind}-{round_}", jobs).seconds

    times = alternate(list(folders), rounds, once)
    for kind, values in times.items():
        print(median_line(f"{label:14s} {kind:6s}", values))
    print(f"{label:14s} ratio notebooks/.py: {ratio(times, 'ipynb', 'py'):.2f}x (target <= 1.3x)")
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
