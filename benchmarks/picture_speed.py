"""CPU time of one student's picture (``grade``'s plotter thread), this checkout against another.

    python benchmarks/picture_speed.py [--baseline OTHER_CHECKOUT] [-n 60] [--rounds 3] [--lang en]

Each run is a fresh process with ``PYTHONPATH`` at the checkout under test: it starts the plotter as
``grade`` does (``pages._start_plotter``: the reference's training run, the grid), then draws the
pictures of ``n`` varied networks with ``pages._student_png`` (what the plotter runs per student: the
reference's forward pass on the grid and the test set, the figure, the PNG), and prints the process's
CPU time (``time.process_time``) per picture. The first picture is timed apart: it builds the figure
and its fixed pixels, once per run. The networks are the reference's parameters, each scaled by its
own random factors (most near the reference, some far off), with cost curves near the reference's, and
a few the grading meets less often: no boundary in view, a diverging run, costs summed instead of
averaged (~30 times larger), a run cut short (NaN). The same networks for both checkouts. Runs
alternate (this, baseline, this, ...); medians and their ratio are printed, and the PNGs' mean size.
No assertions: figures only (the machines are shared and noisy).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.grading import REPO_ROOT, alternate, checkout_env  # noqa: E402

SECRET_ENV = "BACKPROP_LAB_SECRET"  # grader.reference's (not imported here: a run imports its checkout's grader)
SECRET = "picture-speed-benchmark"  # one course draw for both checkouts: the same scene, the same pictures


def pictures(reference_params: dict, reference_costs: list[float], n: int) -> list[dict]:
    """``n`` students' picture data (``grade/network.py``'s: parameters and costs per epoch), varied."""
    import numpy as np

    rng = np.random.default_rng(12)
    costs = np.asarray(reference_costs, dtype=float)
    unusual = [lambda c: c * np.exp(np.linspace(0, 6, len(c))),  # diverging
               lambda c: c * 30,  # summed over a batch, not averaged
               lambda c: np.where(np.arange(len(c)) < len(c) // 3, c, np.nan)]  # cut short
    made = []
    for k in range(n):
        spread = 0.05 if k % 4 else 0.6  # most near the reference, every fourth far off
        params = {key: (np.asarray(value) * (1 + spread * rng.standard_normal(np.shape(value)))).tolist()
                  for key, value in reference_params.items()}
        curve = costs * (1 + 0.2 * rng.standard_normal()) * (1 + 0.05 * rng.standard_normal(len(costs)))
        if k % 10 == 9:
            curve = unusual[(k // 10) % len(unusual)](curve)
        if k % 15 == 14:  # no boundary in view: every output below 0.5
            params = {key: (np.zeros_like(value) if key != "b2" else np.full_like(value, -3.0)).tolist()
                      for key, value in ((key, np.asarray(value)) for key, value in reference_params.items())}
        made.append({"params": params, "costs": [None if not np.isfinite(c) else float(c) for c in curve]})
    return made


def measure(checkout: Path, n: int, lang: str) -> dict:
    """In a run's own process: {first, per_picture (CPU ms), png_kib}."""
    sys.path.insert(0, str(checkout))
    import numpy as np

    from grader import i18n
    from grader.commands.grade import pages
    from grader.reference import grading_draw

    i18n.use(lang)
    pages._start_plotter(grading_draw())
    params = {key: np.asarray(value).tolist() for key, value in pages._scene["reference_params"].items()}
    students = pictures(params, list(pages._scene["reference_costs"]), n + 1)
    started = time.process_time()
    pages._student_png(students[0])
    first = time.process_time() - started
    started = time.process_time()
    sizes = [len(pages._student_png(student)) for student in students[1:]]
    return {"first": 1000 * first, "per_picture": 1000 * (time.process_time() - started) / n,
            "png_kib": statistics.mean(sizes) / 1024}


def run(checkout: Path, n: int, lang: str) -> dict:
    """One fresh process measuring ``checkout``'s pictures."""
    command = [sys.executable, __file__, "--measure", str(checkout), "-n", str(n), "--lang", lang]
    done = subprocess.run(command, env=dict(checkout_env(checkout), **{SECRET_ENV: SECRET}), capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"{checkout}: the run failed\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to time beside this one")
    parser.add_argument("-n", type=int, default=60, help="pictures per run (after the first)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each checkout (alternated)")
    parser.add_argument("--lang", default="en", help="the pictures' language (en, zh)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # a run's own process
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.n, args.lang)))
        return 0
    checkouts = {"this": REPO_ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    results: dict[str, list[dict]] = {kind: [] for kind in checkouts}

    def once(kind: str, _round: int) -> float:
        results[kind].append(run(checkouts[kind], args.n, args.lang))
        return results[kind][-1]["per_picture"]

    times = alternate(list(checkouts), args.rounds, once)
    print(f"{args.n} pictures per run ({args.lang}), {args.rounds} runs each: CPU ms per picture (process time)")
    for kind, checkout in checkouts.items():
        runs = " ".join(f"{t:6.1f}" for t in times[kind])
        first = statistics.median(r["first"] for r in results[kind])
        size = statistics.median(r["png_kib"] for r in results[kind])
        print(f"{kind:>8}  {runs}   median {statistics.median(times[kind]):5.1f} ms   first picture {first:4.0f} ms"
              f"   PNG {size:5.1f} KiB   ({checkout})")
    if args.baseline:
        ratio = statistics.median(times["baseline"]) / statistics.median(times["this"])
        print(f"baseline / this: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
