"""CPU time of the main process of ``backprop-lab grade`` (not its workers), this checkout against another.

    python benchmarks/main_process_cpu.py [--baseline /work/main] [-n 100] [--rounds 3] [--jobs 2]

The grading itself happens in the worker processes; the main process collects the submissions, then,
as each submission's outcome arrives, writes its results, feedback and table row, draws its picture
(the plotter thread) and at the end writes integrity.csv and report.html. On a machine with as many
cores as workers, every CPU-second it spends is taken from the workers. This benchmark grades the
same class (``make_class``: copies of the examples, cycled) with both checkouts, alternating (this,
baseline, this, ...), with and without ``--no-html``, each as a fresh process in a fresh output
folder, and prints the main process's own CPU time (user + system, every thread of it, from
``getrusage(RUSAGE_SELF)`` as it exits; the workers are other processes) per submission, the
medians, and their ratio. No assertions: figures only (the machines are shared and noisy).

The class's copies of one example train to the same network, which ``grade`` draws once; with
``--distinct-networks`` each copy scales its learning rate by 1 + k * 1e-12 (copy k), which changes no
verdict but every trained network, so that every student's picture is drawn.

The runs also export a Canvas gradebook (a roster of the class), and the first round's output
folders of the two checkouts are compared file by file: every file of one is in the other with the
same bytes, except the per-submission ``seconds`` of results/*.json (a timing). The comparison is
printed; a checkout whose outputs differ is not a faster one.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.grading import REPO_ROOT, alternate, checkout_env, make_class, timed  # noqa: E402
from grader.reference import SECRET_ENV  # noqa: E402

SECRET = "main-process-cpu-benchmark"  # one grading secret for both checkouts: the same questions, comparable outputs

CPU_FILE = "BACKPROP_LAB_BENCH_CPU_FILE"
# ``python -m grader ARGS`` with, at exit, this process's own CPU seconds written to $CPU_FILE
# (atexit runs after the plotter thread has been joined; the workers end with os._exit and never run it).
MEASURED = f"""
import atexit, os, resource, runpy, sys

def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(os.environ[{CPU_FILE!r}], "w") as out:
        out.write(repr(usage.ru_utime + usage.ru_stime))

atexit.register(_cpu)
sys.argv[0] = "grader"
runpy.run_module("grader", run_name="__main__", alter_sys=True)
"""


def main_cpu(checkout: Path, submissions: Path, out: Path, jobs: int, options: list[str]) -> float:
    """The main process's CPU seconds of one ``grade`` run of ``checkout``'s grader into a fresh ``out``."""
    shutil.rmtree(out, ignore_errors=True)
    cpu_file = out.with_suffix(".cpu")
    command = [sys.executable, "-c", MEASURED, "grade", str(submissions), "--out", str(out), "--jobs", str(jobs),
               *options]
    env = dict(checkout_env(checkout), **{CPU_FILE: str(cpu_file), SECRET_ENV: SECRET})
    _seconds, done = timed(command, env=env, cwd=checkout)
    if done.returncode != 0:
        raise SystemExit(f"grading with {checkout} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return float(cpu_file.read_text())


def write_roster(path: Path, names: list[str]) -> Path:
    """A Canvas roster of the class: one student per submission, matched by its SIS Login ID (the name)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 1 (101)"])
        for index, name in enumerate(names):
            writer.writerow([f"Student {index}", 1000 + index, f"S{index}", name, "A", ""])
    return path


def comparable(path: Path) -> bytes:
    """The bytes of an output file; of a results file, without its timing (``seconds``) and without the
    grader's fingerprint, a hash of the grader's own files (``fingerprint_changes`` names what differs there);
    of .integrity-key, without the hash of what integrity.csv was computed from (integrity.py's bytes among
    them: integrity.csv itself is compared)."""
    data = path.read_bytes()
    if path.name == ".integrity-key":  # its first line hashes integrity.csv's inputs and integrity.py's own bytes
        return data.partition(b"\n")[2]
    if path.parent.name != "results" or path.suffix != ".json":
        return data
    results = json.loads(data)
    for extra in results.get("extra_data", {}).values():
        extra.pop("seconds", None)
        extra.pop("grader_fingerprint", None)
    return json.dumps(results, indent=2).encode()


def fingerprint_changes(one: Path, other: Path) -> list[str]:
    """The parts of the grader's fingerprint that differ between two output folders' first results file
    (a part whose files a checkout changed differs by design: a later run grades such results again)."""
    def parts(folder: Path) -> dict[str, str]:
        first = min((folder / "results").glob("*.json"))
        extra = json.loads(first.read_text(encoding="utf-8"))["extra_data"]
        return next(iter(extra.values()))["grader_fingerprint"]["parts"]

    mine, theirs = parts(one), parts(other)
    return sorted(name for name in mine.keys() | theirs.keys() if mine.get(name) != theirs.get(name))


def differences(one: Path, other: Path) -> list[str]:
    """The files that are in only one of two output folders or differ (apart from timings), by relative path."""
    files = {folder: {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()} for folder in (one, other)}
    found = [f"only in {folder}: {name}" for folder, names in files.items()
             for name in sorted(names - files[other if folder == one else one])]
    found += [f"differs: {name}" for name in sorted(files[one] & files[other])
              if comparable(one / name) != comparable(other / name)]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, default=Path("/work/main"), help="another checkout of the kit")
    parser.add_argument("-n", type=int, default=100, help="submissions in the class")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each kind (alternated)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--distinct-networks", action="store_true", help="no two copies train the same network")
    args = parser.parse_args(argv)
    checkouts = {"this": REPO_ROOT, "baseline": args.baseline.resolve()}
    kinds = [f"{name} {html}" for html in ("html", "no-html") for name in checkouts]
    with tempfile.TemporaryDirectory(prefix="backprop-lab-main-cpu-") as tmp:
        scratch = Path(tmp)
        paths = make_class(scratch / "class", args.n, distinct_networks=args.distinct_networks)
        roster = write_roster(scratch / "roster.csv", [path.stem for path in paths])

        def once(kind: str, round_: int) -> float:
            name, html = kind.split()
            options = ["--roster", str(roster), "--export", "canvas"] + ([] if html == "html" else ["--no-html"])
            return main_cpu(checkouts[name], scratch / "class", scratch / f"out-{name}-{html}-{round_}", args.jobs,
                            options) / args.n

        print(f"{args.n} submissions{' (distinct networks)' if args.distinct_networks else ''}, --jobs {args.jobs}, "
              f"{args.rounds} rounds, alternating; "
              "main-process CPU seconds per submission (total CPU / n)")
        times = alternate(kinds, args.rounds, once)
        compared = {html: differences(scratch / f"out-this-{html}-0", scratch / f"out-baseline-{html}-0")
                    for html in ("html", "no-html")}
        changed_parts = fingerprint_changes(scratch / "out-this-html-0", scratch / "out-baseline-html-0")
        counted = sum(1 for p in (scratch / "out-this-html-0").rglob("*") if p.is_file())
    for kind, values in times.items():
        runs = " ".join(f"{v:.4f}" for v in values)
        print(f"{kind:18s} {runs}   median {statistics.median(values):.4f}")
    for html in ("html", "no-html"):
        ratio = statistics.median(times[f"this {html}"]) / statistics.median(times[f"baseline {html}"])
        print(f"{html:8s} this/baseline: {ratio:.2f}x")
    for html, found in compared.items():
        verdict = "identical (apart from timings)" if not found else f"{len(found)} differences"
        print(f"outputs with {html} of this and the baseline, first round: {verdict}"
              + (f"; {counted} files" if html == "html" else ""))
        for line in found[:20]:
            print(f"  {line}")
    print(f"grader fingerprint parts that differ (hashes of changed files): {', '.join(changed_parts) or 'none'}")
    return 1 if any(compared.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
