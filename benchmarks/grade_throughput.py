"""Throughput of ``backprop-lab grade`` against ``otter run`` and against the compute floor.

    python benchmarks/grade_throughput.py [--n 40] [--otter-n 3] [--jobs CORES]

One run measures, on the same submissions (copies of examples/submissions/reference.py
and of the example bugs, in a temporary folder):

1. ``backprop-lab grade FOLDER --out TMP --jobs J``: the whole process, wall clock;
   submissions per second = N / wall. Run again with ``--jobs 1`` for the
   per-submission wall time on one core.
2. ``otter run -a autograder.zip -o TMP SUBMISSION`` (otter-grader 7, the autograder
   built by ``grader.commands.release.otter.build_autograder``; building is not timed) on the
   first ``--otter-n`` submissions, one after another; submissions per second.
3. The compute floor: the same checks in this process, with no isolation, no process
   start and the reference's observations already computed (the way ``backprop-lab
   check --hidden`` runs them, sharing one ``LiveReference``): mean seconds per
   submission. ``check.run(path, hidden=True)`` as it stands (reference loaded afresh
   per call) is printed too, for comparison.
4. Peak memory, by two methods, in a separate grading run so that sampling does not
   disturb the timings:
   - /proc sampling: every 10 ms, every process descended from the ``grade``
     process is found through /proc/*/stat and its ``VmHWM`` (peak resident set
     size, the kernel's own high-water mark) read from /proc/PID/status; the
     largest value per process is kept. A process that lives less than one
     sampling interval can be missed. RSS counts pages shared copy-on-write with
     the warm parent (NumPy etc.), so it overstates what a child adds.
   - ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` read by a helper process
     after the ``grade`` process it started has exited: on Linux, the largest peak
     RSS of any waited-for descendant, the ``grade`` main process included (an
     upper bound for a child).

Targets on a 2-core machine: grade >= 20x the submissions/s of otter run;
per-submission wall time <= 1.5x the compute floor; peak child memory < 200 MB.
No assertions: figures only.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples" / "submissions"
SAMPLE_SECONDS = 0.01
TARGET_RATIO, TARGET_OVERHEAD, TARGET_CHILD_MB = 20.0, 1.5, 200.0


def sources() -> list[Path]:
    return [EXAMPLES / "reference.py", *sorted(EXAMPLES.glob("bug_*.py"))]


def prepare_submissions(folder: Path, n: int) -> list[Path]:
    """``n`` copies, cycling through the reference and the example bugs: 00_reference.py, 01_bug_....py."""
    folder.mkdir(parents=True, exist_ok=True)
    originals = sources()
    paths = []
    for i in range(n):
        original = originals[i % len(originals)]
        path = folder / f"{i:03d}_{original.stem}.py"
        shutil.copyfile(original, path)
        paths.append(path)
    return paths


def cli(*args: str) -> list[str]:
    script = shutil.which("backprop-lab")
    return [script, *args] if script else [sys.executable, "-m", "grader", *args]


def time_grade(folder: Path, jobs: int, out: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(cli("grade", str(folder), "--out", str(out), "--jobs", str(jobs)),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(f"  backprop-lab grade exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return elapsed


def describe_grades(out: Path) -> str:
    path = out / "grades.csv"
    if not path.is_file():
        return "no grades.csv written"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row.get("status", "?")] = statuses.get(row.get("status", "?"), 0) + 1
    return f"grades.csv: {len(rows)} rows, status {statuses}"


def time_otter(autograder: Path, submissions: list[Path], scratch: Path) -> list[float]:
    seconds = []
    for i, submission in enumerate(submissions):
        out = scratch / f"otter_{i}"
        out.mkdir()
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(autograder), "-o", str(out),
                        str(submission)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - start)
    return seconds


def compute_floor(submissions: list[Path]) -> list[float]:
    """Seconds per submission for the public + hidden checks in this process, reference warm."""
    from grader.bridge.inprocess import InProcessBridge
    from grader.checks import catalogue
    from grader.reference import LiveReference, RecordedReference
    from grader.runner import run_checks

    recorded, live, checks = RecordedReference(), LiveReference(), catalogue(include_hidden=True)

    def grade_one(path: Path) -> float:
        start = time.perf_counter()
        run_checks(InProcessBridge.from_file(path), checks, lambda c: live if c.hidden else recorded)
        return time.perf_counter() - start

    for path in sources():  # warm: the reference's observations, and its mistakes for the bugs' hints
        grade_one(path)
    return [grade_one(path) for path in submissions]


def check_run_seconds() -> list[float]:
    """``grader.commands.check.run(path, hidden=True)`` as it is, once per distinct example."""
    from grader.commands import check

    seconds = []
    for path in sources():
        start = time.perf_counter()
        check.run(path, hidden=True)
        seconds.append(time.perf_counter() - start)
    return seconds


# -- peak memory -----------------------------------------------------------------------------------

def _parent_pids() -> dict[int, int]:
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def _peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def sample_peaks(root: int, stop: threading.Event) -> dict[int, int]:
    """pid -> largest VmHWM (kB) seen, for ``root`` and its descendants, until ``stop`` is set."""
    peaks: dict[int, int] = {}
    while not stop.is_set():
        parents = _parent_pids()
        family = {root}
        grew = True
        while grew:
            new = {pid for pid, parent in parents.items() if parent in family} - family
            family |= new
            grew = bool(new)
        for pid in family:
            peaks[pid] = max(peaks.get(pid, 0), _peak_kb(pid))
        stop.wait(SAMPLE_SECONDS)
    return peaks


def memory_by_proc(folder: Path, out: Path, jobs: int) -> tuple[float, float, int]:
    """(grade main process MB, largest descendant MB, descendants seen) from /proc sampling."""
    process = subprocess.Popen(cli("grade", str(folder), "--out", str(out), "--jobs", str(jobs)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop, found = threading.Event(), {}
    sampler = threading.Thread(target=lambda: found.update(sample_peaks(process.pid, stop)))
    sampler.start()
    process.wait()
    stop.set()
    sampler.join()
    descendants = [kb for pid, kb in found.items() if pid != process.pid]
    return found.get(process.pid, 0) / 1024, max(descendants, default=0) / 1024, len(descendants)


def memory_by_rusage(folder: Path, out: Path, jobs: int) -> float:
    """Largest peak RSS (MB) of the grade process and its descendants, via RUSAGE_CHILDREN in a helper."""
    helper = ("import resource, subprocess, sys\n"
              "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    done = subprocess.run([sys.executable, "-c", helper,
                           *cli("grade", str(folder), "--out", str(out), "--jobs", str(jobs))],
                          capture_output=True, text=True)
    return int(done.stdout.strip() or 0) / 1024  # Linux reports kB


# -- report ------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="submissions to grade (default 40)")
    parser.add_argument("--otter-n", type=int, default=3, help="of those, graded with otter run (default 3)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="workers for backprop-lab grade")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="grade-throughput-") as tmp:
        scratch = Path(tmp)
        submissions = prepare_submissions(scratch / "submissions", args.n)
        print(f"{args.n} submissions ({', '.join(p.name for p in sources())}, cycled); "
              f"{os.cpu_count()} cores; --jobs {args.jobs}; load average {os.getloadavg()[0]:.2f} "
              "(other work on the machine slows every figure)")

        wall = time_grade(scratch / "submissions", args.jobs, scratch / "grades")
        grade_rate = args.n / wall
        print(f"backprop-lab grade --jobs {args.jobs}: {wall:.2f} s wall, {grade_rate:.2f} submissions/s "
              f"({describe_grades(scratch / 'grades')})")
        serial = time_grade(scratch / "submissions", 1, scratch / "grades_serial")
        print(f"backprop-lab grade --jobs 1: {serial:.2f} s wall, {serial / args.n:.3f} s per submission")

        otter_rate = None
        try:
            from grader.commands.release.otter import build_autograder

            start = time.perf_counter()
            autograder = build_autograder(scratch / "otter")
            print(f"otter autograder built in {time.perf_counter() - start:.1f} s (not counted)")
            otter_seconds = time_otter(autograder, submissions[:args.otter_n], scratch)
            otter_rate = len(otter_seconds) / sum(otter_seconds)
            print(f"otter run, {len(otter_seconds)} submissions one after another: "
                  f"{', '.join(f'{s:.2f}' for s in otter_seconds)} s; {otter_rate:.3f} submissions/s")
        except Exception as error:  # no otter here: the other figures still stand
            print(f"otter run: not measured ({type(error).__name__}: {error})")

        floor = compute_floor(submissions)
        floor_mean = sum(floor) / len(floor)
        literal = check_run_seconds()
        print(f"compute floor (checks in this process, reference warm): {floor_mean:.3f} s per submission "
              f"(min {min(floor):.3f}, max {max(floor):.3f})")
        print(f"check.run(path, hidden=True) as is (reference loaded each call): "
              f"{sum(literal) / len(literal):.3f} s per submission")

        main_mb, child_mb, children = memory_by_proc(scratch / "submissions", scratch / "grades_mem", args.jobs)
        rusage_mb = memory_by_rusage(scratch / "submissions", scratch / "grades_rusage", args.jobs)
        print(f"peak RSS by /proc sampling: grade main process {main_mb:.0f} MB; largest of its "
              f"{children} descendant processes {child_mb:.0f} MB")
        print(f"peak RSS by RUSAGE_CHILDREN (grade main process and all descendants): {rusage_mb:.0f} MB")

        print("\nsummary (targets in brackets)")
        if otter_rate:
            print(f"  throughput: grade {grade_rate:.2f}/s vs otter run {otter_rate:.3f}/s = "
                  f"{grade_rate / otter_rate:.1f}x  [>= {TARGET_RATIO:g}x]")
        print(f"  per-submission wall time, one worker: {serial / args.n:.3f} s vs compute floor "
              f"{floor_mean:.3f} s = {serial / args.n / floor_mean:.2f}x  [<= {TARGET_OVERHEAD:g}x]")
        print(f"  per-submission wall time, {args.jobs} workers: {wall / args.n:.3f} s = "
              f"{wall / args.n / floor_mean:.2f}x the floor")
        print(f"  peak child memory: {child_mb:.0f} MB  [< {TARGET_CHILD_MB:g} MB]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
