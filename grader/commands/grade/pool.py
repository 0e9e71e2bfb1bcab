"""A pool of warm worker processes that grade submissions in parallel.

Workers are started by multiprocessing's *forkserver*: a fresh, single-threaded
interpreter that has imported the grader (and NumPy) once, and forks each worker
from itself. So no worker is forked from this process, which may run threads
(tqdm's monitor), and a replacement worker starts in milliseconds.

Each worker grades one submission at a time (``worker.serve``). Requests and
answers are JSON over a pipe: this process never unpickles anything that comes
from a process near student code. A worker that dies or overruns its deadline
costs only the submission it was grading (recorded as not graded, with the
reason); a fresh worker takes over the rest.
"""
from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from grader.commands.grade import worker
from grader.commands.grade.collect import Submission
from grader.commands.grade.worker import GRADER_ERROR, Outcome, Settings, not_graded

POLL_SECONDS = 1.0  # how often deadlines are looked at while waiting for answers
STOP_GRACE_SECONDS = 5.0  # a stopping worker gets this long to end its child before it is killed
# One BLAS thread per worker: the pool already uses every core, and the forkserver
# must stay single-threaded because workers (and their sandboxed children) are forked from it.
SINGLE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

OnDone = Callable[[Submission, Outcome], None]


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    task: Submission | None = None
    started: float = 0.0  # time.monotonic() when the task was handed out


class WorkerPool:
    """Up to ``jobs`` workers; use as a context manager so that every worker is stopped.

    deadline  seconds one submission may take in total before its worker is killed
              (the bridge's per-call timeout normally fires long before)
    """

    def __init__(self, jobs: int, settings: Settings, deadline: float):
        self.jobs = max(1, jobs)
        self.settings = settings
        self.deadline = deadline
        self.workers: list[_Worker] = []
        self.started_workers = 0  # how many processes were started, replacements included

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def grade(self, submissions: Iterable[Submission], on_done: OnDone) -> None:
        """Grade every submission; call ``on_done`` in this process as each one finishes."""
        queue = deque(submissions)
        while queue or self._busy():
            self._hand_out(queue, on_done)
            handles = [h for w in self._busy() for h in (w.conn, w.process.sentinel)]
            ready = set(wait(handles, timeout=POLL_SECONDS)) if handles else set()
            for busy in self._busy():
                outcome = self._answer(busy, ready)
                if outcome is not None:
                    submission, busy.task = busy.task, None
                    on_done(submission, outcome)

    def close(self) -> None:
        """Stop every worker: politely, then SIGTERM (the worker ends its child), then SIGKILL."""
        for w in self.workers:
            with contextlib.suppress(OSError):
                w.conn.send_bytes(json.dumps({"stop": True}).encode())
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for w in self.workers:
            if w.task is not None:
                w.process.terminate()
        for w in self.workers:
            _stop(w, max(0.0, deadline - time.monotonic()))
        self.workers.clear()

    # -- helpers
    def _busy(self) -> list[_Worker]:
        return [w for w in self.workers if w.task is not None]

    def _hand_out(self, queue: deque[Submission], on_done: OnDone) -> None:
        while queue:
            idle = next((w for w in self.workers if w.task is None), None)
            if idle is None and len(self.workers) < self.jobs:
                idle = self._start_worker()
            if idle is None:
                return
            submission = queue.popleft()
            request = {"name": submission.name, "path": str(submission.path)}
            try:
                idle.conn.send_bytes(json.dumps(request).encode())
            except OSError:  # the worker is already gone
                idle.task = submission
                on_done(submission, self._replace(idle, "the grading worker could not take it"))
                continue
            idle.task, idle.started = submission, time.monotonic()

    def _start_worker(self) -> _Worker:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([worker.__name__])  # effective when the forkserver first starts
        ours, theirs = context.Pipe()
        with _environment(SINGLE_THREAD_ENV):
            process = context.Process(target=worker.serve, args=(theirs, self.settings),
                                      name="backprop-lab-grade-worker")
            process.start()
        theirs.close()
        self.started_workers += 1
        fresh = _Worker(process, ours)
        self.workers.append(fresh)
        return fresh

    def _answer(self, busy: _Worker, ready: set) -> Outcome | None:
        """The worker's Outcome if it has finished, a not-graded Outcome if it failed, else None."""
        if busy.conn in ready:
            try:
                return Outcome.from_json(busy.conn.recv_bytes())
            except (EOFError, OSError, ValueError, KeyError, TypeError):
                return self._replace(busy, "the grading worker stopped unexpectedly")
        if busy.process.sentinel in ready:
            return self._replace(busy, f"the grading worker stopped unexpectedly (exit code {busy.process.exitcode})")
        if time.monotonic() - busy.started > self.deadline:
            return self._replace(busy, f"grading took longer than {self.deadline:g} s in total and was stopped",
                                 status="timeout")
        return None

    def _replace(self, failed: _Worker, reason: str, status: str = GRADER_ERROR) -> Outcome:
        """Stop ``failed``; the next hand-out starts a fresh worker. Returns its task's not-graded Outcome."""
        failed.process.terminate()  # SIGTERM: a live worker still ends its sandboxed child
        _stop(failed, STOP_GRACE_SECONDS)
        self.workers.remove(failed)
        if status == GRADER_ERROR:
            reason += "; it was not graded, re-run the same command to grade it again"
        return Outcome(not_graded(failed.task.name, self.settings.checks(), status, reason))


def _stop(w: _Worker, grace: float) -> None:
    w.process.join(grace)
    if w.process.is_alive():
        w.process.kill()
        w.process.join()
    w.conn.close()
    w.process.close()


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for processes started inside the block (existing values win)."""
    added = {k: v for k, v in values.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for key in added:
            del os.environ[key]
