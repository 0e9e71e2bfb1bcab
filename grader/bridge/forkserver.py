"""The forkserver that ``grade``'s workers are forked from: started early, ended on time.

multiprocessing's forkserver is a fresh, single-threaded interpreter (one BLAS thread) that
imports the modules it is told to preload once, then forks each worker from itself. Starting it
takes ~0.3 s (NumPy and the grader); ``backprop-lab grade`` starts it before it imports the grading
code itself, so that both happen at once (for one submission, as on Gradescope, that was a third of
the run). The pool (grader/commands/grade/pool.py) asks for the same forkserver and ends it.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.resource_tracker
import os
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path

from grader.bridge.zygote import SINGLE_THREAD_ENV
from grader.contract import PACKAGE_DIR

GRADE_WORKER = "grader.commands.grade.worker"  # what the forkserver preloads for ``grade`` (a name: not imported here)


def start(preload: Sequence[str] = (GRADE_WORKER,)) -> multiprocessing.context.ForkServerContext:
    """Start the forkserver if it is not running yet (without waiting for it); returns its context.

    Whoever starts it ends it with ``stop`` (``started`` does both).
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))  # effective when the forkserver first starts
    # The forkserver forks workers: it must stay single-threaded. It runs `python -c`, which
    # puts its working directory first on sys.path (and Python 3.11 ignores the sys_path that
    # multiprocessing passes it): started from the instructor's folder, a `grader/` or `numpy.py`
    # lying there would be imported into every worker. So it starts beside the real `grader`.
    with environment(SINGLE_THREAD_ENV), working_directory(PACKAGE_DIR.parent):
        multiprocessing.forkserver.ensure_running()
    return context


@contextlib.contextmanager
def started(preload: Sequence[str] = (GRADE_WORKER,)) -> Iterator[multiprocessing.context.ForkServerContext]:
    """``start`` now, ``stop`` when the block ends, however it ends."""
    context = start(preload)
    try:
        yield context
    finally:
        stop()


def stop() -> None:
    """End the forkserver and its resource tracker now rather than when this process exits, so
    that no process of the run outlives it; nothing happens when none runs. multiprocessing has no
    public call for this; without it both still end, a moment after this process. Every worker has
    ended by now, so the forkserver (a template that holds nothing) is ended by SIGTERM: its
    interpreter's clean-up took ~50 ms that every run waited for."""
    with contextlib.suppress(AttributeError, OSError):
        server = multiprocessing.forkserver._forkserver
        if server._forkserver_pid is not None:
            os.kill(server._forkserver_pid, signal.SIGTERM)
        server._stop()
        multiprocessing.resource_tracker._resource_tracker._stop()


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for processes started inside the block (existing values win)."""
    added = {k: v for k, v in values.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for key in added:
            del os.environ[key]


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """contextlib.chdir, which Python 3.10 lacks."""
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)
