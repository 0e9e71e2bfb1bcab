"""Issue 12's three figures in one run: throughput against ``otter run``, one worker against the
compute floor, and one submission end to end as a Gradescope container grades it.

    python benchmarks/grade_throughput.py [--n 100] [--otter-n 5] [--jobs CORES] [--rounds 3] [--memory] [--copies]

On the same submissions (N copies of examples/submissions/reference.py and of the example bugs,
cycled, in a temporary folder; copy k's update step scaled by 1 + k * 1e-12, so that every
submission trains a network of its own, as in a real class, and every student's picture is drawn:
``--copies`` keeps plain copies, whose identical networks are drawn once):

(a) Throughput. ``backprop-lab grade FOLDER --out TMP --jobs J`` as one fresh process, wall clock:
    N / wall submissions per second; and the same with ``--no-html`` (no pictures and no web pages:
    the scores and written feedback, which is what otter makes). ``otter run -a autograder.zip -o
    TMP SUBMISSION`` (otter-grader 7, on the autograder that
    ``grader.commands.release.otter.build_autograder`` builds; building is not timed) grades one
    submission per process, as FACTS.md and the docs measured it: it is run on the first
    ``--otter-n`` submissions one after another, and its rate (K / their total wall time) is
    EXTRAPOLATED to the N submissions (otter takes seconds each; its time per submission does not
    depend on the class). The three alternate, ``--rounds`` times (grade, grade --no-html, otter run,
    grade, ...), so that all see the same machine load; each rate is taken from the median of its
    rounds. Printed: grade's rate over otter's, and, to be fair to otter on a machine with several
    cores, over J times otter's rate (J otter processes at once could at best do that).
(b) One worker against the compute floor: the same class graded with ``--jobs 1`` (seconds per
    submission, whole process: start-up, isolation, outputs; and with ``--no-html``) over the
    checks run in this process on the same files, with no isolation, no process start, and the
    reference's values already computed, on one BLAS thread like the workers (the floor: what the
    student's own code and the judging cost).
(c) One submission end to end, from a cold process, as a Gradescope container does it:
    ``backprop-lab grade one.py --out DIR --jobs 1`` (median of ``--rounds`` runs), and Gradescope's
    own path, ``run_autograder`` of the release's autograder.zip (staged into a folder, not timed;
    it finds the file, runs the same ``grade`` in its own process and writes results.json),
    run with this interpreter. The two alternate so that both see the same machine load.

``--memory``: peak memory too, in separate grading runs so that sampling does not disturb the timings:
   - /proc sampling: every 10 ms, every process descended from the ``grade`` process is found through
     /proc/*/stat and its ``VmHWM`` (peak resident set size, the kernel's own high-water mark) read from
     /proc/PID/status; the largest value per process is kept. A process that lives less than one sampling
     interval can be missed. RSS counts pages shared copy-on-write with the warm parent (NumPy etc.), so
     it overstates what a child adds.
   - ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` read by a helper process after the ``grade``
     process it started has exited: on Linux, the largest peak RSS of any waited-for descendant, the
     ``grade`` main process included (an upper bound for a child).

Targets (issue 12): (a) >= 30x; (b) <= 1.2x; (c) <= 1.0 s. No assertions: figures only (the
machines are shared and noisy: compare figures of one run, not of runs on other days).
"""
from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.grading import (  # noqa: E402
    REPO_ROOT,
    alternate,
    checkout_env,
    examples,
    grade,
    grade_command,
    make_class,
    median_line,
    timed,
)

SAMPLE_SECONDS = 0.01
TARGET_RATIO, TARGET_OVERHEAD, TARGET_ONE_SECONDS, TARGET_CHILD_MB = 30.0, 1.2, 1.0, 200.0


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


# -- (a) otter run -----------------------------------------------------------------------------------

def time_otter(autograder: Path, submissions: list[Path], scratch: Path) -> list[float]:
    """Wall seconds of ``otter run`` on each submission, one after another (outputs under ``scratch``)."""
    scratch.mkdir(parents=True, exist_ok=True)
    seconds = []
    for i, submission in enumerate(submissions):
        out = scratch / f"otter_{i}"
        out.mkdir()
        seconds.append(timed([sys.executable, "-m", "otter", "run", "-a", str(autograder), "-o", str(out),
                              str(submission)])[0])
    return seconds


def otter_autograder(scratch: Path) -> Path | None:
    """otter's autograder.zip for the kit (None, saying why, when otter is not here)."""
    try:
        from grader.commands.release.otter import build_autograder

        start = time.perf_counter()
        autograder = build_autograder(scratch / "otter")
        print(f"otter autograder built in {time.perf_counter() - start:.1f} s (not counted)")
        return autograder
    except Exception as error:  # no otter here: the other figures still stand
        print(f"otter run: not measured ({type(error).__name__}: {error})")
        return None


def throughput(scratch: Path, n: int, jobs: int, rounds: int, otter_sample: list[Path]) -> dict[str, float]:
    """(a): submissions per second of grade, of grade --no-html (the class in scratch/submissions) and, when
    otter is here, of otter run (``otter_sample`` one after another), alternating ``rounds`` times; each
    rate from the median wall time of its rounds."""
    autograder = otter_autograder(scratch)
    kinds = ["grade", "grade --no-html", *(["otter run"] if autograder else [])]

    def once(kind: str, round_: int) -> float:
        if kind == "otter run":
            seconds = time_otter(autograder, otter_sample, scratch / f"otter_{round_}")
            print(f"  otter run, {len(seconds)} submissions one after another: "
                  f"{', '.join(f'{s:.2f}' for s in seconds)} s", flush=True)
            return sum(seconds) / len(seconds) * n  # extrapolated to the class
        options = ["--no-html"] if kind == "grade --no-html" else []
        run = grade(scratch / "submissions", scratch / f"grades_{len(options)}_{round_}", jobs, options)
        if round_ == 0 and not options:
            print(f"  {describe_grades(scratch / f'grades_0_{round_}')}", flush=True)
        return run.seconds

    times = alternate(kinds, rounds, once)
    for kind, seconds in times.items():
        label = f"{kind} (extrapolated to {n})" if kind == "otter run" else f"{kind} --jobs {jobs}"
        print(median_line(f"{label:32s}", seconds))
    return {kind: n / statistics.median(seconds) for kind, seconds in times.items()}


# -- (b) the compute floor ---------------------------------------------------------------------------

def compute_floor(submissions: list[Path]) -> list[float]:
    """Seconds per submission for the checks ``grade`` runs (public + hidden, the grading draw), in this
    process through the in-process bridge, with the reference's values computed beforehand, on one BLAS
    thread as grade's workers and submissions run (several threads on small matrices only contend)."""
    from threadpoolctl import threadpool_limits  # scikit-learn's dependency

    from grader.bridge.inprocess import InProcessBridge
    from grader.commands.grade.worker import Settings
    from grader.reference import LiveReference, grading_draw
    from grader.runner import run_checks

    checks, live = Settings(draw=grading_draw()).checks(), LiveReference()

    def grade_one(path: Path) -> float:
        start = time.perf_counter()
        run_checks(InProcessBridge.from_file(path), checks, lambda check: live)
        return time.perf_counter() - start

    with threadpool_limits(1):
        for path in examples():  # warm: the reference's values, and its mistakes for the bugs' hints
            grade_one(path)
        return [grade_one(path) for path in submissions]


# -- (c) one submission as Gradescope grades it ------------------------------------------------------

def stage_gradescope(folder: Path, submission: Path) -> dict[str, str]:
    """The release's autograder staged as Gradescope unpacks it (source/, submission/); returns the
    environment that points ``run_autograder`` at it and at this interpreter."""
    from grader.commands.release.gradescope import stage

    (folder / "source").mkdir(parents=True)
    stage(folder / "source")
    (folder / "submission").mkdir()
    (folder / "submission" / "two_layer_net.py").write_bytes(submission.read_bytes())
    return dict(os.environ, AUTOGRADER_ROOT=str(folder), AUTOGRADER_PYTHON=sys.executable)


def run_autograder_seconds(folder: Path, env: dict[str, str]) -> float:
    results = folder / "results" / "results.json"
    results.unlink(missing_ok=True)
    seconds, _done = timed([str(folder / "source" / "run_autograder")], env=env, check=True)
    if '"tests"' not in results.read_text(encoding="utf-8"):
        raise SystemExit(f"run_autograder wrote no results: {results.read_text(encoding='utf-8')[:500]}")
    return seconds


def one_submission(submission: Path, scratch: Path, rounds: int) -> dict[str, list[float]]:
    """{"grade one.py": seconds, "run_autograder": seconds} of ``rounds`` alternating cold runs."""
    env = stage_gradescope(scratch / "gradescope", submission)

    def once(kind: str, round_: int) -> float:
        if kind == "run_autograder":
            return run_autograder_seconds(scratch / "gradescope", env)
        return grade(submission, scratch / "one_out", 1, ok=(0,)).seconds

    once("grade one.py", -1)  # warm the file-system cache and the bytecode; not counted
    return alternate(["grade one.py", "run_autograder"], rounds, once)


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
    process = subprocess.Popen(grade_command([folder], out, jobs), env=checkout_env(), cwd=REPO_ROOT,
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
                           *grade_command([folder], out, jobs)],
                          capture_output=True, text=True, env=checkout_env(), cwd=REPO_ROOT)
    return int(done.stdout.strip() or 0) / 1024  # Linux reports kB


# -- report ------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="submissions to grade (default 100)")
    parser.add_argument("--otter-n", type=int, default=5, help="of those, graded with otter run (default 5)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="workers for backprop-lab grade")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of (a)'s three kinds, and cold runs of each kind for one submission")
    parser.add_argument("--memory", action="store_true", help="measure peak memory too (two more runs)")
    parser.add_argument("--copies", action="store_true",
                        help="plain copies of the examples (5 networks, each drawn once) instead of a class in "
                             "which every submission trains a network of its own")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="grade-throughput-") as tmp:
        scratch = Path(tmp)
        submissions = make_class(scratch / "submissions", args.n, distinct_networks=not args.copies)
        kind = "copies" if args.copies else "each training a network of its own"
        print(f"{args.n} submissions ({', '.join(p.name for p in examples())}, cycled, {kind}); "
              f"{os.cpu_count()} cores; --jobs {args.jobs}; load average {os.getloadavg()[0]:.2f} "
              f"(other work on the machine slows every figure); checkout {REPO_ROOT}")

        rates = throughput(scratch, args.n, args.jobs, args.rounds, submissions[:args.otter_n])
        grade_rate, plain_rate, rate = rates["grade"], rates["grade --no-html"], rates.get("otter run")
        serial = grade(scratch / "submissions", scratch / "grades_serial", 1).seconds
        print(f"backprop-lab grade --jobs 1: {serial:.2f} s wall, {serial / args.n:.3f} s per submission")
        plain_serial = grade(scratch / "submissions", scratch / "grades_serial_plain", 1, ["--no-html"]).seconds
        print(f"backprop-lab grade --jobs 1 --no-html: {plain_serial:.2f} s wall, "
              f"{plain_serial / args.n:.3f} s per submission")
        floor = compute_floor(submissions)
        floor_mean = statistics.mean(floor)
        print(f"compute floor (checks in this process, reference warm): {floor_mean:.3f} s per submission "
              f"(min {min(floor):.3f}, max {max(floor):.3f})")
        one = one_submission(submissions[0], scratch, args.rounds)
        for kind, seconds in one.items():
            print(median_line(f"one submission, {kind:14s}", seconds))

        if args.memory:
            main_mb, child_mb, children = memory_by_proc(scratch / "submissions", scratch / "grades_mem", args.jobs)
            rusage_mb = memory_by_rusage(scratch / "submissions", scratch / "grades_rusage", args.jobs)
            print(f"peak RSS by /proc sampling: grade main process {main_mb:.0f} MB; largest of its "
                  f"{children} descendant processes {child_mb:.0f} MB  [< {TARGET_CHILD_MB:g} MB]")
            print(f"peak RSS by RUSAGE_CHILDREN (grade main process and all descendants): {rusage_mb:.0f} MB")

        print("\nissue 12's figures (targets in brackets)")
        if rate:
            print(f"  (a) throughput on {args.n}: grade {grade_rate:.2f}/s vs otter run {rate:.3f}/s "
                  f"(extrapolated from {min(args.otter_n, args.n)}) = {grade_rate / rate:.1f}x  "
                  f"[>= {TARGET_RATIO:g}x]; vs {args.jobs} otter runs at once at best: "
                  f"{grade_rate / (rate * args.jobs):.1f}x; without pictures (--no-html) "
                  f"{plain_rate / rate:.1f}x")
        else:
            print("  (a) throughput: otter run not measured")
        print(f"  (b) one worker: {serial / args.n:.3f} s per submission vs compute floor {floor_mean:.3f} s = "
              f"{serial / args.n / floor_mean:.2f}x  [<= {TARGET_OVERHEAD:g}x]; without pictures "
              f"{plain_serial / args.n / floor_mean:.2f}x")
        print(f"  (c) one submission end to end: grade one.py {statistics.median(one['grade one.py']):.2f} s, "
              f"run_autograder {statistics.median(one['run_autograder']):.2f} s (medians of {args.rounds})  "
              f"[<= {TARGET_ONE_SECONDS:g} s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
