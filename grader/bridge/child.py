"""The isolated bridge's helper processes: zygote, keeper and worker (see ``isolated.py``).

zygote  one per grading process, started by exec'ing a fresh interpreter: it never held
        the reference solution, the checks or any grading state. It imports NumPy and
        what a worker needs, then forks a keeper whenever a bridge asks for a process.
keeper  a child subreaper forked from the zygote: makes the submission's cgroup (pids
        and memory for all its processes), forks the worker, tells the bridge how the
        worker ended, and when the bridge says stop (or goes away) kills every process
        below it, detached and double-forked ones included, then removes the cgroup.
worker  forked from the keeper, sealed before it sees the submission, in this order:
        its own session (setsid, which the filter forbids afterwards); the cgroup;
        private mount and IPC namespaces with the kit hidden, the folders on the way to
        Python and the scratch folder made reachable for nobody, every mount read-only
        when Landlock is missing, and a size-limited tmpfs as scratch folder; Landlock;
        CPU, address-space and file-size limits; nobody/nogroup when the grader is root
        (no capabilities, no new privileges); the seccomp filter (sandbox.py lists it).
        Then it imports the submission from the source text the bridge sends and answers
        requests by calling student functions exactly as the in-process bridge does
        (the same functions, ``calls.py``).
        Where the filesystem cannot be restricted at all it refuses (sandbox_error),
        unless the bridge asked for sandbox "none".

Worker pipes carry frames (``frames.py``: an 8-byte little-endian length, then a
``grader.values`` payload: plain data, arrays without pickle). Zygote and keeper speak small
JSON messages over SOCK_SEQPACKET sockets; the grading side's client of the zygote is
``zygote.py``. Nothing in this module runs in the grading process.
"""
from __future__ import annotations

import errno
import functools
import importlib
import json
import linecache
import os
import select
import signal
import socket
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import numpy as np  # noqa: F401  (imported once in the zygote, so every worker starts warm)
import numpy.random  # noqa: F401  (NumPy 2 imports it lazily: on first use in every worker, ~10 ms each)

from grader import i18n, values
from grader.bridge import StudentCodeError, SubmissionLoadError, sandbox
from grader.bridge.calls import call_each, call_student, exec_submission, plain_result, times
from grader.bridge.frames import MAX_FRAME, read_frame, write_frame
from grader.bridge.routines import ROUTINES
from grader.bridge.zygote import PRELOADABLE
from grader.i18n import _

# Environment variables a worker keeps (plus HOME and TMPDIR, set to its scratch folder).
KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                    "MKL_NUM_THREADS")
# Modules a worker drops before it runs student code: anything that could carry reference code or
# grading state, and the grader package itself, so that no grader module is importable there (the
# worker's own functions keep what they use).
KIT_MODULES = ("solutions", "reference_solution", "backprop_lab_mistakes", "grader")


# ------------------------------------------------------------------ zygote


def zygote_main(channel_fd: int, preload: list[str] = ()) -> None:
    """Serve spawn requests from the bridge's process until it closes the channel.

    preload  modules of zygote.PRELOADABLE to import first, for every worker forked from here
    Request: JSON worker settings with four file descriptors attached (the worker's
    request and reply pipe ends, its output pipe, the keeper's control socket).
    Reply: {"keeper": pid} or {"error": text}.
    """
    channel = socket.socket(fileno=channel_fd)
    _import_preloadable(preload)
    sandbox.make_subreaper()  # a keeper that dies leaves its orphans here, to be killed
    _interpreter_paths()  # once here rather than in every worker: they are the same in all of them
    if os.geteuid() == 0:
        sandbox.unprivileged_user()  # looked up once here, inherited by every worker
    wake = _wake_on_sigchld()
    keepers: set[int] = set()
    unremoved: set[int] = set()  # ended keepers whose cgroup is still there
    channel.send(json.dumps({"ready": os.getpid()}).encode())
    poller = select.poll()
    poller.register(channel, select.POLLIN)
    poller.register(wake, select.POLLIN)
    try:
        while True:
            ready = dict(poller.poll())
            _drain(wake)
            _reap_keepers(keepers, unremoved)
            if channel.fileno() not in ready:
                continue
            message, fds, _, _ = socket.recv_fds(channel, 1 << 16, 8)
            if not message:
                return  # the bridge's process has gone
            try:
                keeper = _fork_keeper(json.loads(message), fds, channel, wake)
                keepers.add(keeper)
                answer = {"keeper": keeper}
            except OSError as error:
                answer = {"error": f"could not start a process: {error}"}
            finally:
                for fd in fds:
                    os.close(fd)
            channel.send(json.dumps(answer).encode())
    finally:
        sandbox.kill_descendants(os.getpid())
        for keeper in keepers | unremoved:
            _remove_cgroup_of(keeper, patience=2.0)


def _import_preloadable(modules: list[str]) -> None:
    """Import ``modules`` (those of PRELOADABLE only) here, once: a submission that imports them then finds
    them imported (sklearn and matplotlib took ~1.5 s in every process). One that fails to import is left
    for the submission to fail on, as it would have."""
    for name in modules:
        if name in PRELOADABLE:
            try:
                importlib.import_module(name)
            except Exception:  # not installed, or broken: the submission's own import says so
                pass


def _cgroup_name(keeper: int) -> str:
    return f"backprop-lab-{keeper}"


def _remove_cgroup_of(keeper: int, patience: float) -> bool:
    """Remove the control group of an ended keeper, should it have been killed before it could;
    True once it is gone (or there was none)."""
    return sandbox.Cgroup.left_by(_cgroup_name(keeper)).remove(patience)


def _fork_keeper(config: dict[str, Any], fds: list[int], channel: socket.socket, wake: int) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            os.close(channel.detach())
            signal.set_wakeup_fd(-1)
            os.close(wake)
            _keeper(config, *fds)
        finally:
            os._exit(70)
    return pid


def _reap_keepers(keepers: set[int], unremoved: set[int]) -> None:
    """Collect ended keepers; kill any other process that was re-parented here (an orphan);
    then remove the control groups of ended keepers that were killed before they could.

    A group can only go once the orphans killed here have left it: ``unremoved`` keeps the
    keepers whose group is still there, tried again at every wake-up (each orphan's end is one).
    """
    ended = [pid for pid, _ in sandbox.reap_children() if pid in keepers]
    keepers.difference_update(ended)
    unremoved.update(ended)
    me = os.getpid()
    for pid, parent in sandbox.parent_pids().items():
        if parent == me and pid not in keepers:
            for victim in [pid, *sandbox.descendants(pid)]:
                _kill(victim)
    for pid in list(unremoved):
        if _remove_cgroup_of(pid, patience=0.0):
            unremoved.discard(pid)


def _wake_on_sigchld() -> int:
    """A pipe that becomes readable whenever a child ends (so poll() wakes up)."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    signal.set_wakeup_fd(write_end)
    return read_end


def _drain(fd: int) -> None:
    os.set_blocking(fd, False)
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# ------------------------------------------------------------------ keeper


def _speak(language: str) -> None:
    """Word the keeper's and the worker's messages in the grading side's language: the worker
    cannot read the catalogue once sandboxed, nor see the grading side's environment, so it is
    loaded here, before the fork (the worker keeps it after dropping the kit's modules)."""
    i18n.use(language)
    i18n._catalogue(language)


def _keeper(config: dict[str, Any], requests: int, replies: int, output: int, control_fd: int) -> None:
    """Fork the worker, report its end, and stop every process below this one when told to.

    The keeper also owns the worker's control group: it makes it before the fork (the
    worker joins it before anything else) and removes it once everything in it was killed.
    """
    _speak(config["language"])
    sandbox.make_subreaper()
    control = socket.socket(fileno=control_fd)
    wake = _wake_on_sigchld()
    cgroup = _submission_cgroup(config)
    worker = os.fork()
    if worker == 0:
        code = 70
        try:
            os.close(control.detach())
            signal.set_wakeup_fd(-1)
            os.close(wake)
            _worker(config, requests, replies, output, cgroup)
            code = 0
        except BaseException:
            traceback.print_exc()  # into the output pipe: the bridge shows it
        finally:
            os._exit(code)
    for fd in (requests, replies, output):
        os.close(fd)
    poller = select.poll()
    poller.register(control, select.POLLIN)
    poller.register(wake, select.POLLIN)
    while True:
        ready = dict(poller.poll())
        _drain(wake)
        for pid, status in sandbox.reap_children():
            if pid == worker:
                limits = (config["cpu_seconds"], config["memory_bytes"])
                _send(control, {"worker": sandbox.describe_exit(status, *limits)})
        if control.fileno() in ready and control.recv(4096) in (b"", b"stop"):
            break
    killed, _ = sandbox.kill_descendants(os.getpid())
    if isinstance(cgroup, sandbox.Cgroup):
        cgroup.remove()
    _send(control, {"stopped": len(killed - {worker})})
    os._exit(0)


def _submission_cgroup(config: dict[str, Any]) -> sandbox.Cgroup | str:
    """A control group limiting the submission's processes and memory as a whole, or why there is none.

    Its memory limit covers the scratch tmpfs too: the kernel charges tmpfs pages to the
    group of the process that wrote them.
    """
    if config["sandbox"] == "none":
        return "the sandbox was turned off"
    try:
        return sandbox.Cgroup.create(_cgroup_name(os.getpid()), config["processes"],
                                     config["memory_bytes"] + config["scratch_bytes"])
    except sandbox.SandboxUnavailable as error:
        return str(error)


def _send(sock: socket.socket, message: dict[str, Any]) -> None:
    try:
        sock.send(json.dumps(message).encode())
    except OSError:
        pass  # the bridge has gone; nobody to tell


# ------------------------------------------------------------------ worker


def _worker(config: dict[str, Any], requests: int, replies: int, output: int,
            cgroup: sandbox.Cgroup | str) -> None:
    """Set up the sandbox, import the submission, then answer requests until end of file.

    The order matters: setsid before the filter that forbids it; the cgroup, the mounts and
    the folders made reachable while this process still has the privileges to do so; then
    Landlock, the limits, the switch to the unprivileged user, and the seccomp filter.
    """
    os.setsid()
    for signum in (signal.SIGCHLD, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    _own_files(requests, replies, output)
    scratch = config["scratch"]
    _minimal_environment(scratch)
    _forget_kit(config["protected"])
    user = sandbox.unprivileged_user() if os.geteuid() == 0 and config["sandbox"] != "none" else None
    try:
        notes = [_join(cgroup, config)]
        notes[:0] = _sandbox(config, user)
    except (sandbox.SandboxUnavailable, OSError) as error:
        write_frame(replies, values.encode({"sandbox_error": str(error)}))
        return
    sandbox.set_limits(config["cpu_seconds"], config["memory_bytes"], config["file_bytes"])
    sandbox.drop_privileges(user)
    if user is not None:
        notes.append(f"runs as an unprivileged user (uid {user[0]}, gid {user[1]})")
    if config["sandbox"] != "none":
        notes.append(_sealed_calls_note() if sandbox.seal_system_calls()
                     else "sockets, IPC, keyrings and other processes are NOT blocked on this platform (no seccomp)")
    write_frame(replies, values.encode({"sandbox": "; ".join(notes)}))  # before any student code runs
    first = read_frame(requests)
    if first is None:
        return
    submission = values.decode(first)
    filename, source = submission["filename"], submission["source"]
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # tracebacks
    try:
        module = exec_submission(source, Path(filename), quiet=False)
    except SubmissionLoadError as error:
        _flush_stdio()
        write_frame(replies, values.encode({"load_error": str(error)}))
        return
    _flush_stdio()
    write_frame(replies, values.encode({"loaded": True}))
    _serve(vars(module), filename, requests, replies, config["memory_bytes"])


def _join(cgroup: sandbox.Cgroup | str, config: dict[str, Any]) -> str:
    """Enter the keeper's control group; the note says what limits the submission as a whole."""
    if isinstance(cgroup, sandbox.Cgroup):
        cgroup.join()
        return (f"at most {config['processes']} processes and "
                f"{(config['memory_bytes'] + config['scratch_bytes']) / 2**30:g} GiB of memory in all "
                f"({cgroup.note})")
    # RLIMIT_NPROC counts every process of the user, neighbours included: it would let one
    # submission stop the others from starting, so it is not used instead.
    return (f"processes and memory are limited per process only, not in all ({cgroup}); "
            f"{config['memory_bytes'] / 2**30:g} GiB of address space each")


def _sealed_calls_note() -> str:
    denied = ", ".join(f"no {group}" for group in sandbox.DENIED_CALLS)
    return f"{denied}; prlimit, setpriority and scheduler calls on itself only (seccomp)"


def _minimal_environment(scratch: str) -> None:
    """Only what programs need: the grading process's environment may hold CI secrets."""
    kept = {name: os.environ[name] for name in KEPT_ENVIRONMENT if name in os.environ}
    os.environ.clear()
    os.environ.update(kept, HOME=scratch, TMPDIR=scratch)
    tempfile.tempdir = scratch


def _own_files(requests: int, replies: int, output: int) -> None:
    """stdin from /dev/null, stdout and stderr into the output pipe; every other inherited file closed."""
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    keep = sorted({0, 1, 2, requests, replies})
    for low, high in zip(keep, keep[1:] + [os.sysconf("SC_OPEN_MAX")], strict=True):
        os.closerange(low + 1, high)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)  # what was printed before a hang still arrives
        except (AttributeError, ValueError):
            pass


def _forget_kit(protected: list[str]) -> None:
    """Drop import paths into the kit's checkout and any inherited module that could expose it.

    The interpreter's own folders stay even when they lie inside the checkout (a .venv there).
    """
    interpreter = {os.path.realpath(p) for p in (sys.prefix, sys.exec_prefix, sys.base_prefix)}

    def within(path: str, folders: set[str]) -> bool:
        return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)

    def exposes_kit(entry: str) -> bool:
        real = os.path.realpath(entry)
        return within(real, {os.path.realpath(p) for p in protected}) and not within(real, interpreter)

    sys.path[:] = [p for p in sys.path if p and not (os.path.isabs(p) and exposes_kit(p))]
    for name in list(sys.modules):
        if any(name == kit or name.startswith(kit + ".") for kit in KIT_MODULES):
            del sys.modules[name]
    sys.path_importer_cache.clear()


def _sandbox(config: dict[str, Any], user: tuple[int, int] | None) -> list[str]:
    """Restrict the filesystem as ``config["sandbox"]`` asks; returns the notes; ends in the scratch folder.

    "auto" uses Landlock where the kernel has it and the read-only mount namespace otherwise;
    "landlock" and "namespace" force one. Both also get, where a private mount namespace can
    be made, a private IPC namespace and a size-limited tmpfs as scratch folder. Raises
    SandboxUnavailable when the filesystem cannot be restricted at all: grading without that
    needs the explicit "none" (``backprop-lab grade --unsafe-sandbox``).
    """
    mode, protected, scratch = config["sandbox"], config["protected"], config["scratch"]
    if mode == "none":
        os.chdir(scratch)
        return ["the filesystem is NOT restricted: the sandbox was turned off (--unsafe-sandbox)"]
    landlock = mode in ("auto", "landlock") and sandbox.landlock_abi() >= 1
    if mode == "landlock" and not landlock:
        raise sandbox.SandboxUnavailable(errno.ENOSYS, "Landlock is not available in this kernel")
    try:
        notes = _private_mounts(config, user, read_only=not landlock)
    except sandbox.SandboxUnavailable as error:
        if not landlock:
            raise sandbox.SandboxUnavailable(error.errno, f"no Landlock, and no mount namespace ({error}); "
                                                          "grading without a sandbox needs --unsafe-sandbox") from error
        notes = [f"scratch folder limited per file only ({config['file_bytes'] >> 20} MB each; "
                 f"no mount namespace: {error})"]
        if user is not None:
            os.chown(scratch, *user)
    os.chdir(scratch)  # after the mounts: the tmpfs, not the folder it covers
    if landlock:
        read_paths = _interpreter_paths() + list(sandbox.SYSTEM_READ_PATHS)
        notes.insert(0, sandbox.restrict_with_landlock(read_paths, [scratch], protected))
    return notes


@functools.lru_cache(maxsize=1)
def _interpreter_paths() -> list[str]:
    """sandbox.interpreter_read_paths(), computed once per worker (mounts and Landlock both need it)."""
    return sandbox.interpreter_read_paths()


def _private_mounts(config: dict[str, Any], user: tuple[int, int] | None, read_only: bool) -> list[str]:
    """Private mount and IPC namespaces: the kit hidden, a tmpfs scratch folder, and with
    ``read_only`` every other mount read-only (the sandbox where Landlock is missing)."""
    scratch = config["scratch"]
    notes = [sandbox.enter_private_namespaces()]
    if user is not None:  # before the kit is hidden: a folder on the way may be rebuilt
        sandbox.make_reachable(_interpreter_paths() + [scratch], *user)
    sandbox.hide_paths(config["protected"])
    if read_only:
        sandbox.make_everything_read_only()
        notes.insert(0, "filesystem restricted with a private mount namespace (no Landlock): every mount is "
                        "read-only except the scratch folder, and the kit's checkout is hidden")
    owner = user or (os.geteuid(), os.getegid())
    sandbox.mount_scratch(scratch, config["scratch_bytes"], *owner)
    notes.append(f"scratch folder: a private tmpfs of {config['scratch_bytes'] >> 20} MB "
                 f"({config['file_bytes'] >> 20} MB per file)")
    return notes


def _serve(namespace: dict[str, Any], filename: str, requests: int, replies: int, memory_bytes: int) -> None:
    while (frame := read_frame(requests)) is not None:
        request = values.decode(frame)
        name = request["name"]
        try:
            reply = {"ok": _answer(namespace, filename, request)}
        except StudentCodeError as error:
            reply = {"error": [error.kind, error.function, _with_limit(error.detail, memory_bytes), error.traceback]}
        except BaseException as error:  # what the shared mapping lets through (KeyboardInterrupt, ...)
            reply = {"error": ["exception", name, f"{type(error).__name__}: {error}", ""]}
        _flush_stdio()
        write_frame(replies, _encoded(reply, name))


def _answer(namespace: dict[str, Any], filename: str, request: dict[str, Any]) -> Any:
    """What InProcessBridge.call / .run return, computed with the same shared functions."""
    name = request["name"]
    direct = functools.partial(call_student, namespace, filename)
    if request["op"] == "run":
        return plain_result(name, filename, lambda: ROUTINES[name](direct, **request["kwargs"]))
    if request["op"] == "each":
        calls = [(entry[0], tuple(entry[1]), times(entry)) for entry in request["calls"]]
        return plain_result(name, filename, lambda: call_each(direct, calls, request["seed"], request["keep"]))
    args = request["args"]
    result = plain_result(name, filename, lambda: direct(name, *args, seed=request["seed"]))
    return (result, values.to_plain(args)) if request["keep_args"] else result


def _with_limit(detail: str, memory_bytes: int) -> str:
    if detail.startswith("MemoryError"):
        return detail + " " + _("(the grader allows {gib} GiB of memory)", gib=format(memory_bytes / 2**30, "g"))
    return detail


def _encoded(reply: dict[str, Any], name: str) -> bytes:
    try:
        payload = values.encode(reply)
    except (MemoryError, values.PlainDataError) as error:
        detail = _("its result could not be sent ({error})", error=type(error).__name__)
        return values.encode({"error": ["output", name, detail, ""]})
    if len(payload) > MAX_FRAME:
        detail = _("it returned {megabytes} MB of data; at most {limit} MB are read",
                   megabytes=format(len(payload) / 2**20, ".0f"), limit=MAX_FRAME >> 20)
        return values.encode({"error": ["output", name, detail, ""]})
    return payload


def _flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a submission may have replaced or closed them
            pass
