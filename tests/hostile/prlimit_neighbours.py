# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but at import it goes through the pids around its own
# and tries, on every other process, to set the file-size limit to 0 (a grader that then
# writes a result dies), to renice it, to pin it to one core, to trace it and to get a pidfd
# for it; it also renices every process of its user at once (PRIO_USER).
# Expected: full marks for itself, every attempt on another process refused (its own limits
# still work), and neighbours graded in the same run keep full marks.
# END HOSTILE

# BEGIN HOSTILE at the end
import ctypes as _ctypes
import os as _os
import resource as _resource

_ATTEMPTS = {"prlimit": 0, "setpriority": 0, "affinity": 0, "ptrace": 0, "pidfd": 0}


def _attack_neighbours(span=3000):
    libc = _ctypes.CDLL(None, use_errno=True)
    me = _os.getpid()
    for pid in range(max(2, me - span), me + span):
        if pid == me:
            continue
        for name, attempt in (("prlimit", lambda: _resource.prlimit(pid, _resource.RLIMIT_FSIZE, (0, 0))),
                              ("setpriority", lambda: _os.setpriority(_os.PRIO_PROCESS, pid, 19)),
                              ("affinity", lambda: _os.sched_setaffinity(pid, {0})),
                              ("pidfd", lambda: _os.close(_os.pidfd_open(pid)))):
            try:
                attempt()
                _ATTEMPTS[name] += 1
            except OSError:
                pass
        if libc.ptrace(0x4206, pid, None, None) == 0:  # PTRACE_SEIZE: does not stop it
            _ATTEMPTS["ptrace"] += 1
            libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
    try:
        _os.setpriority(_os.PRIO_USER, 0, 19)
        _ATTEMPTS["every process of the user"] = "reniced"
    except OSError as error:
        _ATTEMPTS["every process of the user"] = f"denied: {error}"
    try:
        soft, hard = _resource.getrlimit(_resource.RLIMIT_NOFILE)
        _resource.prlimit(0, _resource.RLIMIT_NOFILE, (soft, hard))
        _resource.prlimit(me, _resource.RLIMIT_NOFILE, (soft, hard))
        _resource.setrlimit(_resource.RLIMIT_NOFILE, (soft, hard))
        _os.setpriority(_os.PRIO_PROCESS, 0, 1)
        _ATTEMPTS["own limits"] = "ok"
    except OSError as error:
        _ATTEMPTS["own limits"] = f"failed: {error}"
    print(f"hostile: attempts on other processes that worked: {_ATTEMPTS}", flush=True)


_attack_neighbours()


def sandbox_report():
    """Not part of the assignment: what the attack achieved, for the kit's tests."""
    return _ATTEMPTS
# END HOSTILE
