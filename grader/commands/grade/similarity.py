"""The similar-code leads of integrity.csv, computed beside the grading in a process of its own.

The graded code is known before the first submission is graded, and comparing every pair of a class
(``integrity.similar_code``) takes seconds of one CPU: computed after the last result, the whole machine
waits for it. ``Beside`` starts a Python running ``main`` below as soon as ``run`` knows it
will grade something: the codes go in as JSON on its stdin, the leads come out as JSON on its stdout
(both temporary files: nothing to drain while grading goes on). It runs at a lower CPU priority
(``NICENESS``) with one BLAS thread, so it takes what the workers leave idle (their start, a sandboxed
submission's waits, the last submissions' tail) and never slows them down.

Not the workers' forkserver (stopped when the pool closes, before the leads are read), and in a
session of its own: a Ctrl-C at the terminal reaches ``grade`` only, which decides. ``Beside`` is a
context manager: whatever ends the run (its end, an error, an interrupt), no process of it outlives
the block. When the process fails, ``leads`` returns None and ``integrity.build`` computes the leads
in-process as it always did: this module computes nothing itself.
"""
from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from typing import IO, Any

from grader.bridge.zygote import SINGLE_THREAD_ENV
from grader.commands.grade import integrity
from grader.contract import REPO_ROOT

NICENESS = 10  # added to grade's own: the grading workers come first
# (not ``-m``: the package's __init__ imports this module first, and runpy would run it a second time)
_BOOT = "import sys; from grader.commands.grade.similarity import main; sys.exit(main())"


class Beside:
    """The similarity process of one run: ``start`` it, read its ``leads``; leaving the block stops it."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self._reply: IO[bytes] | None = None

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def started(self) -> bool:
        return self.process is not None

    def start(self, codes: Mapping[str, str]) -> bool:
        """Start comparing ``codes`` (name -> graded code) when there is a pair to compare and copydetect
        is there to compare it (without it ``integrity.build`` writes its note). Returns whether it started."""
        if len(codes) < 2 or importlib.util.find_spec("copydetect") is None:
            return False
        with tempfile.TemporaryFile() as request:
            request.write(json.dumps(dict(codes)).encode("ascii"))  # ASCII: a name's or a code's lone surrogate too
            request.seek(0)
            self._reply = tempfile.TemporaryFile()
            try:
                self.process = subprocess.Popen(
                    [sys.executable, "-c", _BOOT], stdin=request, stdout=self._reply, stderr=subprocess.DEVNULL,
                    cwd=REPO_ROOT, env={**os.environ, **SINGLE_THREAD_ENV}, start_new_session=True)
            except OSError:  # no process: build computes the leads itself
                self.stop()
                return False
        with contextlib.suppress(OSError):  # not allowed (a grade already at the lowest priority): it runs as is
            os.setpriority(os.PRIO_PROCESS, self.process.pid,
                           min(19, os.getpriority(os.PRIO_PROCESS, 0) + NICENESS))
        return True

    def leads(self) -> list[integrity.Lead] | None:
        """The process's leads once it has ended (waits for it), or None when it was not started or failed."""
        if self.process is None or self._reply is None or self.process.wait() != 0:
            return None
        try:
            self._reply.seek(0)
            return [integrity.Lead(kind, tuple(students), score, evidence)
                    for kind, students, score, evidence in json.loads(self._reply.read())]
        except (OSError, ValueError, TypeError):
            return None

    def stop(self) -> None:
        """End the process if it still runs (and collect it); drop its reply."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            self.process = None
        if self._reply is not None:
            self._reply.close()
            self._reply = None


def _as_json(lead: integrity.Lead) -> list[Any]:
    return [lead.kind, list(lead.students), lead.score, lead.evidence]


def main() -> int:
    """The process: codes (JSON object, name -> graded code) on stdin, leads (JSON list) on stdout.
    Exit 1 without copydetect (grade then writes its note)."""
    codes = json.load(sys.stdin)
    try:
        leads = integrity.similar_code(codes, integrity.given_code())
    except integrity.SimilarityUnavailable:
        return 1
    json.dump([_as_json(lead) for lead in leads], sys.stdout)
    return 0
