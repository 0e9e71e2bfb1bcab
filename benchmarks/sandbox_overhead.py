"""What isolating a submission costs, part by part: the compute floor, the same checks through the
sandboxed process, and a sandboxed process's life alone.

    python benchmarks/sandbox_overhead.py [--n 30] [--rounds 3]

In one process, on N submissions (examples/submissions' reference and bugs, cycled), with the
reference's values computed beforehand and one BLAS thread (as a grading worker runs), for each
round in turn:

- floor       every check of a grading draw through the in-process bridge (``InProcessBridge``);
- isolated    the same checks through ``IsolatedBridge`` (sandbox "auto"), each submission in a
              process of its own, the next one made while the current one is graded, as a worker does;
- lifecycle   one check only (``initialize_parameters``' structure), sandbox "auto": a process's life
              (fork, sandbox, import, one call, stop) and nothing else;
- no sandbox  the same with sandbox "none": the process without Landlock, mounts, cgroups or seccomp.

Each figure is CPU seconds per submission: this process's own CPU time, plus, for the isolated kinds,
the CPU time of the zygote and of every process it forked (``RUSAGE_CHILDREN`` once the zygote, which
reaps them all, has ended). Medians over the rounds. Also printed: the requests and the arrays that
cross between the grading side and the submission's process for one submission (reference.py),
counted by wrapping ``values.encode``. No assertions: figures only (the machines are shared).
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.grading import cycled, examples  # noqa: E402


def cpu_seconds() -> float:
    """CPU time of this process and of every child it has waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def per_submission(grade_one, paths: list[Path], isolated: bool, sandbox: str = "auto") -> float:
    """CPU seconds per submission of ``grade_one(path)`` over ``paths``; for the isolated kinds the zygote
    (and so every sandboxed process) is started and ended inside the measurement."""
    from grader.bridge.isolated import child_settings, discard_prepared, prepare
    from grader.bridge.zygote import start_helper_process, stop_helper_process

    before = cpu_seconds()
    if isolated:
        start_helper_process()
        prepare(child_settings(sandbox=sandbox))
    for path in paths:
        grade_one(path)
    if isolated:
        discard_prepared()
        stop_helper_process()
    return (cpu_seconds() - before) / len(paths)


def crossing(checks, live) -> tuple[int, int, int]:
    """(requests, arrays sent, arrays received) for grading reference.py once through IsolatedBridge."""
    from grader import values
    from grader.bridge import isolated
    from grader.bridge.isolated import IsolatedBridge
    from grader.runner import run_checks

    counts = [0, 0, 0]
    encode, decode = values.encode, values.decode

    def arrays(data: bytes) -> int:
        (length,) = struct.unpack_from("<I", data, 0)
        return len(json.loads(bytes(data[4:4 + length]))["arrays"])

    def counted_encode(value):
        data = encode(value)
        counts[0] += 1
        counts[1] += arrays(data)
        return data

    def counted_decode(data):
        counts[2] += arrays(data)
        return decode(data)

    isolated.values.encode, isolated.values.decode = counted_encode, counted_decode
    try:
        with IsolatedBridge(examples()[0]) as bridge:
            counts[:] = [0, 0, 0]  # the submission's own import is not a request
            run_checks(bridge, checks, lambda check: live)
    finally:
        isolated.values.encode, isolated.values.decode = encode, decode
    return counts[0], counts[1], counts[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="submissions per kind and round (default 30)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits  # scikit-learn's dependency

    from grader import i18n
    from grader.bridge.inprocess import InProcessBridge
    from grader.bridge.isolated import IsolatedBridge
    from grader.bridge.zygote import start_helper_process, stop_helper_process
    from grader.commands.grade.worker import Settings
    from grader.reference import LiveReference, grading_draw
    from grader.runner import run_checks

    i18n.use(i18n.current())
    checks, live = Settings(draw=grading_draw()).checks(), LiveReference()
    for check in checks:
        live.expected(check)
    one_check = [next(c for c in checks if c.name.startswith("initialize_parameters: structure"))]
    paths = [path for _name, path in cycled(args.n)]

    def in_process(path: Path) -> None:
        run_checks(InProcessBridge.from_file(path), checks, lambda check: live)

    def isolated(these, sandbox: str):
        def grade_one(path: Path) -> None:
            with IsolatedBridge(path, sandbox=sandbox, prepare_next=True) as bridge:
                run_checks(bridge, these, lambda check: live)
        return grade_one

    kinds = {"floor": (in_process, False, "auto"), "isolated": (isolated(checks, "auto"), True, "auto"),
             "lifecycle": (isolated(one_check, "auto"), True, "auto"),
             "no sandbox": (isolated(one_check, "none"), True, "none")}
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    started = time.perf_counter()
    with threadpool_limits(1):
        start_helper_process()  # warm: imports, the reference's mistakes for the bugs' hints
        for path in examples():
            in_process(path)
            isolated(checks, "auto")(path)
        stop_helper_process()
        for _round in range(args.rounds):
            for kind, (grade_one, sandboxed, sandbox) in kinds.items():
                times[kind].append(per_submission(grade_one, paths, sandboxed, sandbox))
        start_helper_process()
        requests, sent, received = crossing(checks, live)
        stop_helper_process()
    print(f"{args.n} submissions ({', '.join(p.name for p in examples())}, cycled), {args.rounds} rounds, "
          f"{time.perf_counter() - started:.0f} s; CPU ms per submission (median of the rounds):")
    for kind, seconds in times.items():
        print(f"  {kind:10s} " + " ".join(f"{1000 * s:6.1f}" for s in seconds)
              + f"   median {1000 * statistics.median(seconds):6.1f}")
    floor, whole = statistics.median(times["floor"]), statistics.median(times["isolated"])
    print(f"isolated / floor: {whole / floor:.2f}x; a process's life alone is "
          f"{statistics.median(times['lifecycle']) / floor:.0%} of the floor "
          f"({statistics.median(times['no sandbox']) / floor:.0%} without the sandbox)")
    print(f"one submission (reference.py): {requests} requests, {sent} arrays sent, {received} received")
    return 0


if __name__ == "__main__":
    sys.exit(main())
