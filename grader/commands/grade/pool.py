"""A pool of warm worker processes that grade submissions in parallel.

Workers are started by multiprocessing's *forkserver*: a fresh, single-threaded
interpreter (one BLAS thread) that has imported the grader and NumPy once, and
forks each worker from itself. So no worker is forked from this process, which may
run threads (tqdm's monitor), and a replacement worker starts in milliseconds.

Each worker grades one submission at a time (``worker.serve``). Requests and
answers are JSON over a pipe: this process never unpickles anything that comes
from a process near student code. A worker that dies or overruns its deadline
costs only the submission it was grading (recorded as not graded, with the
reason); a fresh worker takes over the rest.
"""
from __future__ import annotations

import contextlib
import json
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from grader.bridge import forkserver
from grader.bridge.zygote import SINGLE_THREAD_ENV
from grader.commands.grade import worker
from grader.commands.grade.collect import Submission
from grader.commands.grade.worker import Outcome, Settings, not_graded
from grader.contract import PACKAGE_DIR
from grader.status import Status

POLL_SECONDS = 1.0  # how often deadlines are looked at while waiting for answers
STARTUP_SECONDS = 120.0  # a worker that is not ready by then is stopped
STOP_GRACE_SECONDS = 15.0  # a stopping worker gets this long to end its submission's processes

OnDone = Callable[[Submission, Outcome], None]


class WorkerStartError(RuntimeError):
    """Workers keep failing before they are ready: nothing can be graded."""


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False  # it has loaded the reference and the expected values
    task: Submission | None = None
    started: float = 0.0  # time.monotonic() when it was started, then when its task was handed out


class WorkerPool:
    """Up to ``jobs`` workers; use as a context manager so that every worker is stopped.

    deadline  seconds one submission may take in total before its worker is stopped
              (the bridge's per-call timeout normally fires long before); a worker's
              own start-up does not count
    """

    def __init__(self, jobs: int, settings: Settings, deadline: float):
        self.jobs = max(1, jobs)
        self.settings = settings
        self.deadline = deadline
        self.workers: list[_Worker] = []
        self._failed_starts = 0  # in a row: reset by every worker that becomes ready

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def grade(self, submissions: Iterable[Submission], on_done: OnDone) -> None:
        """Grade every submission; call ``on_done`` in this process as each one finishes.

        Raises WorkerStartError when workers cannot start at all.
        """
        queue = deque(submissions)
        while queue or self._busy():
            while len(self.workers) < min(self.jobs, len(queue) + len(self._busy())):
                self._start_worker()
            self._hand_out(queue, on_done)
            watched = [w for w in self.workers if w.task is not None or not w.ready]
            handles = [h for w in watched for h in (w.conn, w.process.sentinel)]
            ready = set(wait(handles, timeout=POLL_SECONDS)) if handles else set()
            for w in watched:
                if not w.ready:
                    self._hear_start(w, ready)
                    continue
                outcome = self._answer(w, ready)
                if outcome is not None:
                    submission, w.task = w.task, None
                    self._hand_out(queue, on_done)  # its next one is graded while this one is recorded
                    on_done(submission, outcome)

    def close(self) -> None:
        """Stop every worker: politely, then SIGTERM (the worker ends its child), then SIGKILL."""
        for w in self.workers:
            with contextlib.suppress(OSError):
                w.conn.send_bytes(json.dumps({"stop": True}).encode())
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for w in self.workers:
            if w.task is not None or not w.ready:
                w.process.terminate()
        for w in self.workers:
            _stop(w, max(0.0, deadline - time.monotonic()))
        self.workers.clear()
        forkserver.stop()

    # -- helpers
    def _busy(self) -> list[_Worker]:
        return [w for w in self.workers if w.task is not None]

    def _hand_out(self, queue: deque[Submission], on_done: OnDone) -> None:
        for idle in [w for w in self.workers if w.ready and w.task is None]:
            if not queue:
                return
            submission = queue.popleft()
            idle.task, idle.started = submission, time.monotonic()
            request = {"name": submission.name, "path": str(submission.path.absolute()),  # workers run elsewhere
                       "more": len(queue) >= len(self.workers)}  # else another worker may take the last ones
            try:
                idle.conn.send_bytes(json.dumps(request).encode())
            except OSError:  # the worker is already gone
                on_done(submission, self._replace(idle, "the grading worker could not take it"))

    def _start_worker(self) -> None:
        context = forkserver.start([worker.__name__])  # usually running already: `grade` starts it early
        ours, theirs = context.Pipe()
        with forkserver.environment(SINGLE_THREAD_ENV), forkserver.working_directory(PACKAGE_DIR.parent):
            process = context.Process(target=worker.serve, args=(theirs, self.settings),
                                      name="backprop-lab-grade-worker")
            process.start()
        theirs.close()
        self.workers.append(_Worker(process, ours, started=time.monotonic()))

    def _hear_start(self, starting: _Worker, ready: set) -> None:
        """Mark ``starting`` ready once it says so; drop it if it died or took too long."""
        if starting.conn in ready:
            with contextlib.suppress(EOFError, OSError, ValueError):
                if json.loads(starting.conn.recv_bytes()).get("ready"):
                    starting.ready = True
                    self._failed_starts = 0
                    return
        elif starting.process.sentinel not in ready and time.monotonic() - starting.started < STARTUP_SECONDS:
            return
        starting.process.terminate()
        _stop(starting, STOP_GRACE_SECONDS)
        self.workers.remove(starting)
        self._failed_starts += 1
        if self._failed_starts > self.jobs + 2:
            raise WorkerStartError(f"{self._failed_starts} grading workers in a row failed to start; "
                                   "their errors are printed above")

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
                                 status=Status.DEADLINE)
        return None

    def _replace(self, failed: _Worker, reason: str, status: Status = Status.GRADER_ERROR) -> Outcome:
        """Stop ``failed``; a fresh worker is started when there is work. Returns its task's not-graded Outcome."""
        failed.process.terminate()  # SIGTERM: a live worker still ends its submission's processes
        _stop(failed, STOP_GRACE_SECONDS)
        self.workers.remove(failed)
        if status.graded_again:
            reason += "; it was not graded, re-run the same command to grade it again"
        return Outcome(not_graded(failed.task.name, self.settings.checks(), status, reason))


def _stop(w: _Worker, grace: float) -> None:
    w.process.join(grace)
    if w.process.is_alive():
        w.process.kill()
        w.process.join()
    w.conn.close()
    w.process.close()
