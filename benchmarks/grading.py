"""What the grading benchmarks share: a class made of the example submissions, and one timed
``backprop-lab grade`` run.

    examples()      the files a class is made of: examples/submissions/reference.py and the example bugs
    make_class()    N copies of them in a folder, cycled, each under its own name (and, on request, each
                    a file of its own, or each training a network of its own)
    timed()         the wall time of one command, run as a fresh process
    grade()         one ``backprop-lab grade`` run as a fresh process, in a fresh output folder: its wall time
    median_line()   one benchmark row: the runs and their median

A run is ``python -m grader grade ...`` (what the ``backprop-lab`` console script runs) with
``PYTHONPATH`` set to the checkout under test, so that one benchmark can time two checkouts side by
side. Its wall time counts everything a user waits for: interpreter start, imports, the workers,
the outputs. The benchmarks print figures only; none asserts a time (the machines are shared).
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples" / "submissions"


def examples(every: bool = False) -> list[Path]:
    """The reference first, then the example bugs (sorted); ``every``: every example file (the stub too)."""
    if every:
        return sorted(EXAMPLES.glob("*.py"))
    return [EXAMPLES / "reference.py", *sorted(EXAMPLES.glob("bug_*.py"))]


def cycled(n: int, sources: Sequence[Path] | None = None) -> list[tuple[str, Path]]:
    """``n`` (name, source) pairs cycling through ``sources``: ("000_reference", .../reference.py), ..."""
    sources = list(sources or examples())
    return [(f"{index:03d}_{sources[index % len(sources)].stem}", sources[index % len(sources)])
            for index in range(n)]


STEP = "learning_rate * grads"  # the examples' update step
FIRST_LINE = "from __future__ import annotations\n"  # the examples' first statement
# What the handout's code imports at its top, and so many students' files (and every notebook's graded code)
HANDOUT_IMPORTS = ("import matplotlib.pyplot as plt\nfrom sklearn.datasets import make_moons\n"
                   "from sklearn.model_selection import train_test_split\nfrom sklearn.metrics import accuracy_score\n")


def make_class(folder: Path, n: int, sources: Sequence[Path] | None = None, distinct: bool = False,
               distinct_networks: bool = False, handout_imports: bool = False) -> list[Path]:
    """Write ``n`` submissions into ``folder`` (made if missing), cycling through ``sources`` (default
    ``examples()``); returns their paths. ``distinct``: each copy ends with a comment giving its number,
    so that no two files are the same (a re-run then keys every file apart). ``distinct_networks``: copy
    k's update step uses ``learning_rate * (1 + k * 1e-12)``, which changes no verdict but every trained
    network, as in a real class (copies of one file would train one network, drawn once).
    ``handout_imports``: each copy imports what the handout's code imports (scikit-learn, matplotlib)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, (name, source) in enumerate(cycled(n, sources)):
        path = folder / f"{name}.py"
        code = source.read_text(encoding="utf-8")
        if distinct_networks:
            code = code.replace(STEP, f"learning_rate * (1 + {index}e-12) * grads")
        if handout_imports:
            code = code.replace(FIRST_LINE, FIRST_LINE + HANDOUT_IMPORTS, 1)
        if distinct:
            code += f"\n# copy {index}\n"
        path.write_text(code, encoding="utf-8")
        paths.append(path)
    return paths


@dataclass
class Run:
    """One timed ``grade`` run: wall seconds (process start to exit), exit status, what it printed."""

    seconds: float
    returncode: int
    stdout: str
    stderr: str


def timed(command: Sequence[str], **options: Any) -> tuple[float, subprocess.CompletedProcess]:
    """(wall seconds, the finished process) of ``command``, from its start to its exit; ``options`` go to
    ``subprocess.run`` (output is captured unless they say otherwise)."""
    options.setdefault("capture_output", "stdout" not in options)
    started = time.perf_counter()
    done = subprocess.run(list(command), text=True, **options)
    return time.perf_counter() - started, done


def grade_command(paths: Sequence[Path], out: Path, jobs: int | None = None, options: Sequence[str] = ()) -> list[str]:
    """``python -m grader grade PATHS --out OUT [--jobs J] OPTIONS`` with this interpreter."""
    command = [sys.executable, "-m", "grader", "grade", *map(str, paths), "--out", str(out)]
    return command + (["--jobs", str(jobs)] if jobs else []) + list(options)


def checkout_env(checkout: Path = REPO_ROOT) -> dict[str, str]:
    """This process's environment with ``PYTHONPATH`` at ``checkout``: a run imports its ``grader``."""
    return dict(os.environ, PYTHONPATH=str(checkout))


def grade(paths: Path | Sequence[Path], out: Path, jobs: int | None = None, options: Sequence[str] = (),
          checkout: Path = REPO_ROOT, fresh: bool = True, ok: Sequence[int] = (0, 1)) -> Run:
    """Time one ``grade`` of ``paths`` into ``out`` (emptied first unless ``fresh`` is False) with the
    ``grader`` package of ``checkout``. Exits with the run's error output when its status is not in
    ``ok`` (1 only says that some submissions were not graded)."""
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    paths = [paths] if isinstance(paths, Path) else list(paths)
    seconds, done = timed(grade_command(paths, out, jobs, options), env=checkout_env(checkout), cwd=checkout)
    if done.returncode not in ok:
        raise SystemExit(f"grading {' '.join(map(str, paths))} with {checkout} failed ({done.returncode}):\n"
                         f"{done.stderr[-2000:]}")
    return Run(seconds, done.returncode, done.stdout, done.stderr)


def alternate(kinds: Sequence[str], rounds: int, once: Callable[[str, int], float]) -> dict[str, list[float]]:
    """{kind: seconds of each round}: ``once(kind, round)`` for every kind in turn, ``rounds`` times,
    so that every kind sees the same machine load."""
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for round_ in range(rounds):
        for kind in kinds:
            times[kind].append(once(kind, round_))
    return times


def median_line(label: str, seconds: Sequence[float]) -> str:
    """``label  1.23  1.31  1.27   median 1.27 s``"""
    runs = " ".join(f"{s:6.2f}" for s in seconds)
    return f"{label} {runs}   median {statistics.median(seconds):.2f} s"


def ratio(times: dict[str, list[float]], top: str, bottom: str) -> float:
    """The ratio of the medians of two kinds."""
    return statistics.median(times[top]) / statistics.median(times[bottom])
