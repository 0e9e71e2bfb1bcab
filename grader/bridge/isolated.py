"""Isolated transport: the submission runs in a sandboxed child process (batch grading).

This module is the grading side of it: ``IsolatedBridge``; ``_Child``, one keeper and worker
seen from here (their pipes and control socket, waiting with the worker's output drained and
the keeper heard, stopping them); ``HeadTail``, the captured output; and the checks of what a
worker replies (``_reply_problem``, ``_student_error``). The frame format is in ``frames.py``,
the zygote client in ``zygote.py``, the zygote, keeper and worker processes in ``child.py``,
the sandbox's system calls in ``sandbox.py``.

Security model, in the order a submission meets it:

- **Not in our process.** The grading process never imports the submission. A helper
  process (the *zygote*) is started once per grading process by exec'ing a fresh Python
  that imports NumPy and the grader's small calling code, and never the reference, the
  checks or any result. For each submission it forks a *keeper*, which forks the
  *worker* that imports the submission. So no worker inherits reference code, expected
  values or grader objects, not even as stray bytes in memory, and a worker starts in
  milliseconds.
- **Only plain data comes back.** Requests and replies are length-prefixed frames in
  the ``grader.values`` format: a JSON header plus ``.npy`` blobs read with
  ``allow_pickle=False``. The grading process never unpickles anything a worker wrote;
  it judges what it decoded, in its own memory, so patching NumPy or grader objects
  inside the worker changes nothing here. Replies over 64 MB are refused.
- **Limits.** Each call has a wall-clock timeout; the worker has a CPU-time limit, an
  address-space limit (a multi-gigabyte allocation fails with MemoryError inside it),
  a file-size limit, no core files, its own session, a fresh scratch folder as its
  working directory and home, and a minimal environment (none of the grading process's
  variables, which may hold CI secrets). All its processes together are held to
  ``PROCESSES`` and to its memory limit plus ``SCRATCH_BYTES`` by a cgroup of its own
  where one can be made (v2 delegated, or the v1 pids and memory controllers); otherwise
  the limits are per process only (RLIMIT_NPROC is not used: it counts every process of
  the user, neighbours included). Its scratch folder is a private tmpfs of
  ``SCRATCH_BYTES`` where a mount namespace can be made, else only each file is limited;
  it is deleted afterwards, permissions restored first. Its stdout and stderr go into a
  pipe that this process drains while it waits, keeping only the head and tail (``output``).
- **Filesystem.** The worker runs in private mount and IPC namespaces (SysV objects die
  with it). With Landlock (Linux 5.13 or later) it can read only the interpreter, its
  libraries and system libraries, and write only its scratch folder: the kit's checkout
  (``solutions/``, ``grader/`` and its fixtures), other submissions, the grading output,
  /tmp and /dev/shm cannot be opened, and ``import solutions`` fails. Newer kernels also
  deny it TCP and signals to processes outside its sandbox. Without Landlock the mount
  namespace hides the kit's checkout and makes every mount read-only except the scratch
  folder. Where neither works the worker refuses to start, and only ``sandbox="none"``
  (``backprop-lab grade --unsafe-sandbox``) runs it unrestricted; ``sandbox_note`` says so.
- **System calls.** A seccomp filter refuses sockets and io_uring (Landlock alone would
  leave UDP and named UNIX sockets such as D-Bus and X11 reachable), access to other
  processes (ptrace, process_vm_*, pidfd_*, kcmp; prlimit, setpriority and the scheduler
  calls on itself only), SysV and POSIX IPC, the kernel keyrings, and new sessions or
  process groups: its neighbours may run as the same user, and none of these is
  stopped by user ids.
- **Privileges.** The worker sets no-new-privileges and, when the grader runs as root,
  drops every capability and becomes nobody/nogroup: it owns no file of the grader and
  cannot raise its limits, mount, trace or signal the grading processes.
- **Failures.** A call that times out, whose worker dies, or whose reply cannot be used
  raises StudentCodeError ("timeout", "crashed", "output"): the check fails with that
  message, the event is recorded in ``events``, and a fresh worker re-imports the
  submission for the next call. Only this process decides that a call timed out or
  crashed; a worker can only report that student code raised or was missing.
- **What is trusted.** The worker reports how it was sandboxed before it receives the
  submission, so ``sandbox_note`` is never written by student code. Everything the
  worker sends afterwards is treated as the student's: checked, decoded as plain data,
  and judged here against the reference.
"""
from __future__ import annotations

import atexit
import fcntl
import json
import os
import select
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from grader import i18n, values
from grader.bridge import StudentCodeError, SubmissionLoadError
from grader.bridge.calls import read_code, times
from grader.bridge.frames import FrameReader, FrameTooLarge, FrameWriter
from grader.bridge.sandbox import remove_tree
from grader.bridge.zygote import STOP_SECONDS, spawn_keeper
from grader.contract import PACKAGE_DIR, REFERENCE_FILE, REPO_ROOT
from grader.i18n import _, ngettext

SCRATCH_PREFIX = "backprop-lab-child-"
FILE_BYTES = 64 << 20  # largest file a worker may write into its scratch folder
SCRATCH_BYTES = 256 << 20  # all of its scratch folder, where a private tmpfs can be mounted there
PROCESSES = 64  # processes and threads of one submission at once, where a cgroup can count them
STATUS_SECONDS = 2.0  # how long to wait for the keeper to say how a dead worker ended
CHILD_KINDS = ("not_implemented", "exception", "missing", "output")  # what a child may report
SANDBOX_MODES = ("auto", "landlock", "namespace", "none")
_F_SETPIPE_SZ = 1031


class IsolatedBridge:
    """The Bridge interface for a submission file that runs in a sandboxed child process.

    path          the submission file; its text is read here and sent to the child
    call_timeout  wall-clock seconds per call (and for importing the submission)
    cpu_seconds   CPU-time limit of each child process
    memory_bytes  address-space limit of each child process
    output_limit  bytes of captured stdout+stderr kept (half from the start, half from the end)
    sandbox       "auto" (Landlock, else the read-only mount namespace; refuses where neither
                  works), "landlock" or "namespace" forced, or "none" (no filesystem guard and
                  no seccomp filter: what ``grade --unsafe-sandbox`` uses where nothing works)
    prepare_next  once this bridge's process is taken, have the next one made (``prepare``), so that
                  the next submission's sandbox is set up while this one is graded

    output        the submission's captured stdout and stderr, truncated in the middle
    events        what happened to its processes, in plain words, for feedback
    sandbox_note  how the filesystem was restricted, or why it could not be
    notes         function -> a note for its feedback about the file (a notebook's: which cell was graded)

    Raises SubmissionLoadError when the file cannot be used (missing, does not parse,
    fails, exits or hangs at import). Use as a context manager, or call ``close()``.
    """

    def __init__(self, path: Path, *, call_timeout: float = 10.0, cpu_seconds: int = 60,
                 memory_bytes: int = 1 << 30, output_limit: int = 64_000, sandbox: str = "auto",
                 prepare_next: bool = False):
        self.path = Path(path).absolute()  # the child's working directory is elsewhere
        self.call_timeout = call_timeout
        self.events: list[str] = []
        self.sandbox_note = ""
        self._settings = child_settings(cpu_seconds, memory_bytes, sandbox)
        self._prepare_next = prepare_next
        self._captured = HeadTail(output_limit)
        code = read_code(self.path)  # a notebook is parsed here, never in the sandbox: only its code goes there
        self._source, self.notes = code.text, code.notes
        self._child: _Child | None = None
        self._closed = False
        try:
            self._child = self._start()
        except BaseException:
            self.close()
            raise

    @property
    def output(self) -> str:
        return self._captured.text()

    # -- the Bridge interface
    def call(self, function: str, *args: Any, seed: int | None = None, keep_args: bool = False) -> Any:
        request = {"op": "call", "name": function, "args": args, "seed": seed, "keep_args": keep_args}
        return self._ask(function, request)

    def call_each(self, calls: list[tuple[str, tuple]], seed: int | None = None,
                  keep: list[int | values.Earlier] | None = None) -> list[Any]:
        name = calls[0][0] if calls else "call_each"
        return self._ask(name, {"op": "each", "name": name, "calls": [list(c) for c in calls], "seed": seed,
                                "keep": keep})

    def run(self, routine: str, **kwargs: Any) -> Any:
        return self._ask(routine, {"op": "run", "name": routine, "kwargs": kwargs})

    def close(self) -> None:
        self._closed = True
        if self._child is not None:
            child, self._child = self._child, None
            self._retire(child)

    def __enter__(self) -> "IsolatedBridge":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- helpers
    def _ask(self, name: str, request: dict[str, Any]) -> Any:
        if self._closed:
            raise RuntimeError("this IsolatedBridge is closed")
        child = self._child or self._restart(name)
        try:
            reply = child.exchange(values.encode(request), self.call_timeout, self._captured)
        except _NoAnswer as trouble:
            self._child = None
            self.events.append(trouble.event(name))
            self._retire(child)
            raise StudentCodeError(trouble.kind, name, trouble.detail) from None
        except BaseException:  # interrupted here (Ctrl-C): the pipe may hold half a frame
            self._child = None
            self._retire(child)
            raise
        problem = _reply_problem(reply, request)
        if problem is None:
            if "ok" in reply:
                return reply["ok"]
            raise _student_error(reply["error"], name)
        # A forged or corrupt frame: the submission's fault, never ours. Its process is stopped
        # (what it wrote next would be read as the next call's reply) and a fresh one takes over.
        self._child = None
        self.events.append(_("the reply of {function} could not be used ({problem}); the process was stopped",
                             function=name, problem=problem))
        self._retire(child)
        raise StudentCodeError("output", name, _("its process sent a malformed reply: {problem}", problem=problem))

    def _start(self) -> "_Child":
        """A new child with the submission imported. Raises SubmissionLoadError.

        The child reports its sandbox before it receives the submission, so that the
        note cannot be written by student code.
        """
        child, setup = _take_prepared(self._settings, self.call_timeout, self._captured)
        if child is None:
            child = _Child.spawn(self._settings)
        if self._prepare_next:
            prepare(self._settings)  # the next one's sandbox is set up while this submission runs
        try:
            if setup is None:
                setup = child.receive(self.call_timeout, self._captured)
            if "sandbox_error" in setup:
                raise RuntimeError(f"the {self._settings['sandbox']} sandbox could not be set up: "
                                   f"{setup['sandbox_error']}")
            self.sandbox_note = str(setup["sandbox"])
            submission = values.encode({"filename": str(self.path), "source": self._source})
            loaded = child.exchange(submission, self.call_timeout, self._captured)
            if not (isinstance(loaded, dict) and (loaded.get("loaded") is True or "load_error" in loaded)):
                raise _NoAnswer("output", "its process sent a malformed reply")
            if "load_error" in loaded:
                raise SubmissionLoadError(str(loaded["load_error"]))
        except _NoAnswer as trouble:
            self._retire(child)
            raise SubmissionLoadError(trouble.during_import(self.path)) from None
        except BaseException:
            self._retire(child)
            raise
        return child

    def _restart(self, name: str) -> "_Child":
        try:
            self._child = self._start()
        except SubmissionLoadError as error:
            raise StudentCodeError("crashed", name, _("the submission could not be imported again: {error}",
                                                      error=error)) from None
        self.events.append(_("a fresh process re-imported the submission and took over from {function} on",
                             function=name))
        return self._child

    def _retire(self, child: "_Child") -> None:
        leftovers = child.stop(self._captured)
        if leftovers:
            self.events.append(ngettext("{number} process the submission had started was still running and was "
                                        "killed", "{number} processes the submission had started were still "
                                        "running and were killed", leftovers))


def child_settings(cpu_seconds: int = 60, memory_bytes: int = 1 << 30, sandbox: str = "auto") -> dict[str, Any]:
    """What the zygote needs to make a keeper and its sandboxed worker (``IsolatedBridge``'s arguments)."""
    if sandbox not in SANDBOX_MODES:
        raise ValueError(f"sandbox must be one of {SANDBOX_MODES}, not {sandbox!r}")
    return {"cpu_seconds": int(cpu_seconds), "memory_bytes": int(memory_bytes), "file_bytes": FILE_BYTES,
            "scratch_bytes": SCRATCH_BYTES, "processes": PROCESSES, "sandbox": sandbox,
            "protected": protected_paths(), "language": i18n.current()}


# ------------------------------------------------------------------ a process prepared ahead
# A grading worker grades one submission after another: the keeper and worker of the next one (forks,
# cgroup, namespaces, tmpfs, Landlock, seccomp: ~20 ms of CPU) are made while the current one is graded,
# on a core that would otherwise wait. A prepared worker is sealed like any other before it has seen any
# submission, then waits for the one it will import; it is used for one submission only, like any other.

_prepared: dict[str, Any] = {"child": None, "key": "", "owner": 0}


def _settings_key(settings: dict[str, Any]) -> str:
    return json.dumps(settings, sort_keys=True)


def prepare(settings: dict[str, Any]) -> None:
    """Have the zygote make a keeper and worker with ``settings`` (``child_settings``) for the next
    IsolatedBridge of this process with the same settings; a previously prepared one is ended. Nothing
    is prepared when the zygote refuses (the next bridge then starts its own and reports why)."""
    discard_prepared()
    try:
        child = _Child.spawn(settings)
    except (OSError, RuntimeError):
        return
    _prepared.update(child=child, key=_settings_key(settings), owner=os.getpid())


def discard_prepared() -> None:
    """End the prepared worker, if any (its scratch folder removed). Also runs at exit."""
    child, _prepared["child"] = _prepared["child"], None
    if child is not None and _prepared["owner"] == os.getpid():  # a forked copy is its parent's to end
        child.stop(HeadTail(0))


def _take_prepared(settings: dict[str, Any], timeout: float, sink: HeadTail) -> tuple["_Child | None", Any]:
    """(the prepared child and the report of its sandbox), or (None, None) when there is none with these
    settings or it did not report (it is ended then: no student code ever ran in it)."""
    child, _prepared["child"] = _prepared["child"], None
    if child is None or _prepared["owner"] != os.getpid():
        return None, None
    if _prepared["key"] != _settings_key(settings):
        child.stop(HeadTail(0))
        return None, None
    try:
        return child, child.receive(timeout, sink)
    except _NoAnswer:
        child.stop(HeadTail(0))
        return None, None


atexit.register(discard_prepared)  # registered after zygote.py's stop: runs before it


def _reply_problem(reply: Any, request: dict[str, Any]) -> str | None:
    """What makes ``reply`` no answer to ``request`` (None when it is one).

    An answer is {"ok": plain data} or {"error": [kind, function, detail, traceback]}, and
    its value has the shape the caller unpacks: a (result, arguments) pair for keep_args, a
    dict for a routine, a list of as many results as were asked for from call_each. Anything
    else came from a submission writing to its reply pipe, and would otherwise raise inside the
    grader's own code (status grader-error on every run).
    """
    if not (isinstance(reply, dict) and len(reply) == 1 and ("ok" in reply or "error" in reply)):
        return "not an answer"
    if "error" in reply:
        return None if _well_formed_error(reply["error"]) else "a malformed error report"
    value = reply["ok"]
    plain = values.plain_problem(value)
    if plain:
        return f"not plain data: {plain}"
    if request["op"] == "run" and not isinstance(value, dict):
        return f"a {type(value).__name__} where the routine's results belong"
    if request["op"] == "each":
        expected = (len(request["keep"]) if request["keep"] is not None
                    else sum(times(call) for call in request["calls"]))
        if not (isinstance(value, list) and len(value) == expected):
            return f"not a list of {expected} results"
    if request["op"] == "call" and request.get("keep_args"):
        pair = isinstance(value, tuple) and len(value) == 2
        if not (pair and isinstance(value[1], tuple) and len(value[1]) == len(request["args"])):
            return "not a (result, arguments) pair"
    return None


def _well_formed_error(error: Any) -> bool:
    return isinstance(error, list) and len(error) == 4 and all(isinstance(e, str) for e in error)


def _student_error(error: Any, name: str) -> StudentCodeError:
    """The child's error report as a StudentCodeError (fields checked: the child is not trusted).

    Only this process decides that a call timed out or crashed: a child may report the
    other kinds only.
    """
    if not _well_formed_error(error):
        return StudentCodeError("output", name, "its process sent a malformed reply")
    kind, function, detail, traceback = error
    return StudentCodeError(kind if kind in CHILD_KINDS else "exception", function, detail, traceback)


def protected_paths() -> list[str]:
    """Folders no worker may read: the grader package, solutions/, and the kit's checkout if this is one."""
    paths = {PACKAGE_DIR, REFERENCE_FILE.parent}
    if (REPO_ROOT / "pyproject.toml").is_file():
        paths.add(REPO_ROOT)
    return sorted(str(p.resolve()) for p in paths)


class HeadTail:
    """The first and last ``limit // 2`` bytes of a stream, and how much was left out between them."""

    def __init__(self, limit: int):
        self.half = max(1, limit // 2)
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self.half - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if len(data) >= self.half:
            self.tail = bytearray(data[-self.half:])
        elif data:
            self.tail += data
            del self.tail[: max(0, len(self.tail) - self.half)]

    def text(self) -> str:
        head = self.head.decode("utf-8", "replace")
        tail = self.tail.decode("utf-8", "replace")
        cut = self.total - len(self.head) - len(self.tail)
        return f"{head}\n[... {cut} bytes of output not shown ...]\n{tail}" if cut else head + tail


# ------------------------------------------------------------------ one child, seen from here


class _NoAnswer(Exception):
    """A call got no usable reply: kind "timeout", "crashed" or "output"."""

    def __init__(self, kind: str, detail: str, seconds: float = 0.0):
        super().__init__(detail)
        self.kind, self.detail, self.seconds = kind, detail, seconds

    def event(self, name: str) -> str:
        if self.kind == "timeout":
            return _("the process was killed after {seconds} s in {function} (timeout)",
                     seconds=format(self.seconds, "g"), function=name)
        if self.kind == "crashed":
            return _("the process died in {function}: {detail}", function=name, detail=self.detail)
        return _("the reply of {function} could not be used ({problem}); the process was stopped",
                 function=name, problem=self.detail)

    def during_import(self, path: Path) -> str:
        if self.kind == "timeout":
            return _("{path} did not finish importing within {seconds} s (an endless loop, or training at import "
                     "time?)", path=path, seconds=format(self.seconds, "g"))
        if self.kind == "crashed":
            return _("{path} ended its process while being imported ({detail})", path=path, detail=self.detail)
        return _("{path} could not be imported ({detail})", path=path, detail=self.detail)


class _Child:
    """A worker process and its keeper: pipes to the worker, a control socket to the keeper."""

    def __init__(self, control: socket.socket, requests: int, replies: int, output: int, scratch: str):
        self.control, self.requests, self.replies, self.output = control, requests, replies, output
        self.scratch = scratch
        self.worker_end: str | None = None  # how the worker ended, once the keeper said
        self.keeper_report: dict[str, Any] = {}
        self.output_open = self.control_open = True
        for fd in (requests, replies, output):
            os.set_blocking(fd, False)

    @classmethod
    def spawn(cls, settings: dict[str, Any]) -> "_Child":
        scratch = tempfile.mkdtemp(prefix=SCRATCH_PREFIX)
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        output_r, output_w = os.pipe()
        control, control_keeper = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # 1 MB pipes: fewer wake-ups when a submission prints a lot, and a training claim (~0.5 MB)
        # or a batch of replayed steps crosses in one or two reads instead of dozens of 64 KB ones
        for fd in (output_r, requests_w, replies_r):
            try:
                fcntl.fcntl(fd, _F_SETPIPE_SZ, 1 << 20)
            except OSError:
                pass
        theirs = [requests_r, replies_w, output_w, control_keeper.fileno()]
        try:
            spawn_keeper(dict(settings, scratch=scratch), theirs)
        except BaseException:
            for fd in (requests_w, replies_r, output_r):
                os.close(fd)
            control.close()
            remove_tree(scratch)
            raise
        finally:
            for fd in theirs[:3]:
                os.close(fd)
            control_keeper.close()
        return cls(control, requests_w, replies_r, output_r, scratch)

    def exchange(self, payload: bytes, timeout: float, sink: HeadTail) -> Any:
        """Send one request and return the decoded reply. Raises _NoAnswer."""
        deadline = time.monotonic() + timeout
        self._send(payload, deadline, timeout, sink)
        return self.receive(timeout, sink, deadline)

    def receive(self, timeout: float, sink: HeadTail, deadline: float | None = None) -> Any:
        """The next frame from the worker, decoded. Raises _NoAnswer."""
        deadline = deadline or time.monotonic() + timeout
        try:
            body = self._read(deadline, timeout, sink)
        finally:
            self._drain_output(sink)
        try:
            return values.decode(body)
        except Exception as error:  # malformed or hostile bytes: refused, never unpickled
            raise _NoAnswer("output", f"its reply is not plain data ({type(error).__name__})") from None

    def stop(self, sink: HeadTail) -> int:
        """Have the keeper kill the worker and everything it started; returns how many besides the worker."""
        try:
            self.control.send(b"stop")
        except OSError:
            pass
        deadline = time.monotonic() + STOP_SECONDS
        while self.control_open and time.monotonic() < deadline:
            self._wait_for(None, 0, deadline, sink)
        self._drain_output(sink)
        self.control.close()
        for fd in (self.requests, self.replies, self.output):
            os.close(fd)
        remove_tree(self.scratch)  # even what it made read-only
        return int(self.keeper_report.get("stopped", 0))

    # -- waiting, with the output drained and the keeper heard meanwhile
    def _send(self, payload: bytes, deadline: float, timeout: float, sink: HeadTail) -> None:
        writer = FrameWriter(self.requests, payload)
        while not writer.done:
            self._wait_for(self.requests, select.POLLOUT, deadline, sink, timeout)
            try:
                writer.step()
            except BrokenPipeError:
                raise _NoAnswer("crashed", self._end_of_worker(sink)) from None

    def _read(self, deadline: float, timeout: float, sink: HeadTail) -> bytes:
        reader = FrameReader(self.replies)
        while True:
            self._wait_for(self.replies, select.POLLIN, deadline, sink, timeout)
            try:
                payload = reader.step()
            except EOFError:
                raise _NoAnswer("crashed", self._end_of_worker(sink)) from None
            except FrameTooLarge as error:
                raise _NoAnswer("output", str(error)) from None
            if payload is not None:
                return payload

    def _wait_for(self, fd: int | None, event: int, deadline: float, sink: HeadTail,
                  timeout: float = 0.0) -> None:
        """Return once ``fd`` is ready for ``event`` (or, with fd None, once anything happened).

        Raises _NoAnswer "timeout" at the deadline, and "crashed" once the keeper has reported
        that the worker ended and ``fd`` has nothing more to give (the worker's descendants
        may hold the reply pipe open, so its end of file cannot be waited for).
        """
        while True:
            remaining = max(0.0, deadline - time.monotonic())
            ended = fd is not None and self.worker_end is not None
            poller = select.poll()
            if fd is not None:
                poller.register(fd, event)
            if self.output_open:
                poller.register(self.output, select.POLLIN)
            if self.control_open:
                poller.register(self.control, select.POLLIN)
            ready = {ready_fd for ready_fd, _ in poller.poll(0 if ended else remaining * 1000)}
            if self.output in ready:
                self._drain_output(sink)
            if self.control_open and self.control.fileno() in ready:
                self._hear_keeper()
            if fd is None or fd in ready:
                return  # what the worker wrote before it ended is still read
            if ended:
                raise _NoAnswer("crashed", self.worker_end)
            if remaining <= 0:
                raise _NoAnswer("timeout", f"{timeout:g} s", timeout)

    def _drain_output(self, sink: HeadTail) -> None:
        while self.output_open:
            try:
                data = os.read(self.output, 1 << 20)
            except BlockingIOError:
                return
            if not data:
                self.output_open = False
                return
            sink.feed(data)

    def _hear_keeper(self) -> None:
        try:
            message = self.control.recv(1 << 16)
        except OSError:
            message = b""
        if not message:
            self.control_open = False
            if self.worker_end is None:
                self.worker_end = "its supervising process ended"
            return
        report = json.loads(message)
        if "worker" in report:
            self.worker_end = str(report["worker"])
        self.keeper_report.update(report)

    def _end_of_worker(self, sink: HeadTail) -> str:
        """How the worker ended, as the keeper tells it (it may take a moment to notice)."""
        deadline = time.monotonic() + STATUS_SECONDS
        while self.worker_end is None and self.control_open and time.monotonic() < deadline:
            self._wait_for(None, 0, deadline, sink)
        return self.worker_end or "it stopped without answering"
