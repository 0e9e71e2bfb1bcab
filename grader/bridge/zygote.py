"""The grading side's client of the zygote (child.py): one helper process per grading process.

The zygote is started on first use by exec'ing a fresh interpreter with a minimal environment
(``zygote_environment``), so that no worker forked from it ever held the reference, the
checks or a secret of the grading process. This module holds:

- ``spawn_keeper``: ask this process's zygote for a keeper and its worker on given pipes;
- ``start_helper_process`` / ``stop_helper_process``: start it early, stop it (also at exit);
- the singleton behind them (``_Zygote``, started again if it died, and let go of in a forked
  child, which starts its own: ``os.register_at_fork``);
- the settings it starts with (``SINGLE_THREAD_ENV``, ``ZYGOTE_ENVIRONMENT``) and how long it
  and its keepers get to stop (``STOP_SECONDS``);
- what it imports for the submissions (``PRELOADABLE``, ``preloadable_imports``).
"""
from __future__ import annotations

import ast
import atexit
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
from typing import Any

from grader.contract import PACKAGE_DIR

STOP_SECONDS = 10.0  # how long a keeper (or the zygote) gets to kill everything and report
ZYGOTE_START_SECONDS = 60.0
# One BLAS thread: the zygote must stay single-threaded to fork safely, and workers run in parallel.
SINGLE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
ZYGOTE_ENVIRONMENT = ("PATH", "HOME", "LANG", "TZ", "VIRTUAL_ENV", "CONDA_PREFIX", "LD_LIBRARY_PATH")
# Once zygote_main has ended everything below it, the zygote leaves without the interpreter's
# clean-up (~20 ms with NumPy loaded, which its grading process waits for); an error still prints.
_BOOT = ("import json, os, sys; sys.path.insert(0, sys.argv[1]); from grader.bridge.child import zygote_main; "
         "zygote_main(int(sys.argv[2]), json.loads(sys.argv[3])); sys.stderr.flush(); os._exit(0)")
# What a submission may import that takes a second or more to import in every sandboxed process (the
# handout imports them; the lab notebook's graded code keeps its imports): the zygote imports those
# that the submissions to grade import, once, and every process forked from it finds them imported.
# Each was checked to start no thread (a zygote must stay single-threaded to fork safely).
PRELOADABLE = ("matplotlib", "matplotlib.pyplot", "sklearn", "sklearn.datasets", "sklearn.metrics",
               "sklearn.model_selection", "scipy")


def preloadable_imports(code: str) -> set[str]:
    """The modules of PRELOADABLE that ``code`` imports: ``import a.b``, ``from a.b import c`` (a.b, and
    a.b.c where that is one), anywhere in the code; nothing when it does not parse."""
    if not any(module.partition(".")[0] in code for module in PRELOADABLE):
        return set()  # an import names its module: a class that imports none of them is not parsed (~2 ms a file)
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return set()
    named: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            named.add(node.module)
            named.update(f"{node.module}.{alias.name}" for alias in node.names)
    return named & set(PRELOADABLE)


def spawn_keeper(settings: dict[str, Any], fds: list[int]) -> int:
    """Have this process's zygote (started on first use) fork a keeper and its worker on ``fds``
    (the worker's request and reply pipe ends, its output pipe, the keeper's control socket);
    returns the keeper's pid. Raises OSError when the zygote refuses, RuntimeError when it is
    not answering."""
    return _zygote().spawn(settings, fds)


class _Zygote:
    """Client of the zygote process (see child.py): asks it for new keeper+worker pairs."""

    def __init__(self, preload: list[str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.errors = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, str(PACKAGE_DIR.parent), str(theirs.fileno()), json.dumps(preload)],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self.errors, cwd="/", env=zygote_environment(), start_new_session=True,
        )
        theirs.close()
        self.channel = ours
        self.owner = os.getpid()
        self.lock = threading.Lock()
        self.ready = False  # its hello is read on first use, so its start overlaps other work

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.process.poll() is None

    def spawn(self, settings: dict[str, Any], fds: list[int]) -> int:
        """Start a keeper and its worker on ``fds``; returns the keeper's pid."""
        with self.lock:
            if not self.ready:
                hello = self._receive(ZYGOTE_START_SECONDS)
                if "ready" not in hello:
                    raise RuntimeError(f"the isolated bridge's helper process did not start: {hello}")
                self.ready = True
            socket.send_fds(self.channel, [json.dumps(settings).encode()], fds)
            answer = self._receive(ZYGOTE_START_SECONDS)
        if "keeper" not in answer:
            raise OSError(answer.get("error", "the helper process refused"))
        return int(answer["keeper"])

    def close(self) -> None:
        self.channel.close()  # the zygote kills whatever is left below it and exits
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.errors.close()

    def _receive(self, timeout: float) -> dict[str, Any]:
        ready, _, _ = select.select([self.channel], [], [], timeout)
        message = self.channel.recv(1 << 16) if ready else b""
        if not message:
            self.errors.seek(0)
            trace = self.errors.read()[-2000:].decode("utf-8", "replace")
            raise RuntimeError(f"the isolated bridge's helper process is not answering{': ' + trace if trace else ''}")
        return json.loads(message)


def zygote_environment() -> dict[str, str]:
    """What the zygote needs to start Python and find its packages, and nothing else.

    Workers are forked from it and keep even less (child.KEPT_ENVIRONMENT); starting the
    zygote clean means no secret of the grading process is anywhere in a worker's memory.
    """
    kept = {name: value for name, value in os.environ.items()
            if name in ZYGOTE_ENVIRONMENT or name.startswith(("PYTHON", "LC_"))}
    return kept | SINGLE_THREAD_ENV


_zygote_lock = threading.Lock()
_zygote_instance: _Zygote | None = None
_preload: list[str] = []  # what this process's zygote imports (start_helper_process), a restarted one too


def _zygote() -> _Zygote:
    """This process's zygote, started on first use (and again if it died or this process was forked)."""
    global _zygote_instance
    with _zygote_lock:
        if _zygote_instance is None or not _zygote_instance.alive():
            _zygote_instance = _Zygote(_preload)
        return _zygote_instance


def start_helper_process(preload: set[str] | list[str] = ()) -> None:
    """Start this process's zygote now, without waiting for it: the first bridge would
    otherwise start it and wait (about 0.2 s). ``preload``: modules of PRELOADABLE for it to import
    first (the submissions to grade import them); a zygote already running keeps what it has."""
    global _preload
    _preload = sorted(set(preload) & set(PRELOADABLE))
    _zygote()


@atexit.register
def stop_helper_process() -> None:
    """Stop this process's zygote and wait for it (it kills whatever is left below it).

    Runs at exit; call it yourself where atexit does not run, e.g. at the end of a
    multiprocessing worker, which leaves through os._exit.
    """
    if _zygote_instance is not None and _zygote_instance.owner == os.getpid():
        _zygote_instance.close()


def _forget_parents_zygote() -> None:
    """In a forked child of this process: let go of the parent's zygote (the child starts its own)."""
    global _zygote_instance, _zygote_lock
    _zygote_lock = threading.Lock()  # another thread may have held it at the fork
    if _zygote_instance is not None:
        _zygote_instance.channel.close()  # only this process's copy: the parent keeps its zygote
        _zygote_instance = None


os.register_at_fork(after_in_child=_forget_parents_zygote)
