"""Operating-system guards for the process that runs a submission (Linux).

Used only inside the isolated bridge's helper processes (``child.py``); nothing
here is called in the grading process itself. Each guard is a small function
that either applies or says why it could not:

- ``restrict_with_landlock``: the submission may read and execute the interpreter
  and system libraries, read and write its scratch folder, and nothing else; no TCP,
  no signals or abstract-socket connections to processes outside its sandbox.
  Landlock (Linux >= 5.13) needs no privileges and works through three syscalls.
- ``hide_with_mount_namespace``: the fallback where Landlock is missing: a private
  mount namespace with empty read-only folders mounted over the kit's checkout.
- ``deny_sockets``: a seccomp filter that makes ``socket()`` fail, closing what Landlock
  leaves open (UDP, named UNIX sockets such as D-Bus or X11).
- ``set_limits`` (CPU time, address space, file size, no core files) and
  ``drop_privileges`` (no new privileges; a root process gives up every capability,
  so it cannot raise its limits again, mount, reboot, trace or signal other users).
- ``make_subreaper``, ``descendants`` and ``kill_descendants``: orphaned processes are
  re-parented to the subreaper, so it can find and stop every process a submission
  started, even ones that called ``setsid`` to leave the process group.
"""
from __future__ import annotations

import ctypes
import errno
import os
import resource
import signal
import site
import stat
import sys
import time
from collections.abc import Iterable
from pathlib import Path

# ------------------------------------------------------------------ syscalls
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.prctl.restype = ctypes.c_int

# Landlock syscall numbers are the same on every architecture (asm-generic table).
_SYS_LANDLOCK_CREATE_RULESET = 444
_SYS_LANDLOCK_ADD_RULE = 445
_SYS_LANDLOCK_RESTRICT_SELF = 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1

_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_CHILD_SUBREAPER = 36
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REC, _MS_PRIVATE = 0x4000, 1 << 18

# Landlock filesystem rights (linux/landlock.h), and the ABI version that introduced them.
_FS_EXECUTE = 1 << 0
_FS_WRITE_FILE = 1 << 1
_FS_READ_FILE = 1 << 2
_FS_READ_DIR = 1 << 3
_FS_TRUNCATE = 1 << 14  # ABI 3
_FS_IOCTL_DEV = 1 << 15  # ABI 5
_FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}
_FS_ALL_RIGHTS = (1 << 16) - 1  # ABI 5 and later
_FILE_RIGHTS = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV
_READ_RIGHTS = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
_NET_TCP = (1 << 0) | (1 << 1)  # bind, connect; ABI 4
_SCOPE_ALL = (1 << 0) | (1 << 1)  # abstract unix sockets, signals; ABI 6

# Besides the interpreter and the libraries it mapped: what programs commonly need to start.
SYSTEM_READ_PATHS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/ld.so.cache",
                     "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                     "/dev/urandom", "/dev/random", "/dev/zero")
DEVICE_READ_WRITE_PATHS = ("/dev/null",)


class SandboxUnavailable(OSError):
    """This platform cannot apply the guard; the message says why."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _check(result: int, what: str) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise SandboxUnavailable(code, f"{what}: {os.strerror(code)}")
    return result


def _prctl(option: int, arg: int = 0) -> int:
    return _libc.prctl(option, ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))


# ------------------------------------------------------------------ Landlock


def landlock_abi() -> int:
    """The Landlock ABI version of the running kernel; 0 when Landlock is unavailable."""
    if not sys.platform.startswith("linux"):
        return 0
    version = _libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                            ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    return max(0, int(version))


def interpreter_read_paths() -> list[str]:
    """Folders the interpreter needs to keep running: its prefixes, import paths, mapped libraries."""
    paths = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix, *site.getsitepackages()}
    paths.update(p for p in sys.path if p and os.path.isdir(p))
    paths.update(os.path.dirname(f) for f in _mapped_files())
    return sorted(p for p in paths if not _shared_scratch(p))


def _shared_scratch(path: str) -> bool:
    """A folder anyone may write to (/tmp, /dev/shm): it holds other processes' files, not libraries."""
    try:
        return bool(os.stat(path).st_mode & stat.S_IWOTH)
    except OSError:
        return True


def _mapped_files() -> set[str]:
    """Files mapped into this process (the Python binary, libpython, NumPy's .so files...)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            fields = (line.split(maxsplit=5) for line in maps)
            return {f[5].strip() for f in fields if len(f) == 6 and f[5].startswith("/")
                    and not f[5].rstrip().endswith("(deleted)")}
    except OSError:
        return set()


def beneath_rules(path: str, protected: Iterable[str]) -> list[str]:
    """``path`` as Landlock rule roots that never cover a protected folder.

    Landlock only allows (it cannot deny a sub-folder of an allowed one), so a folder
    that contains a protected one is replaced by its entries, recursively, minus the
    protected ones. Symbolic links are resolved first, so a link into the kit's
    checkout is refused like the checkout itself.
    """
    real = os.path.realpath(path)
    protected = [os.path.realpath(p) for p in protected]
    if not os.path.exists(real):
        return []
    if any(real == p or p.startswith(real.rstrip("/") + "/") for p in protected):
        if real in protected or not os.path.isdir(real):
            return []
        try:
            entries = sorted(os.listdir(real))
        except OSError:
            return []
        return [rule for entry in entries for rule in beneath_rules(os.path.join(real, entry), protected)]
    return [real]


def restrict_with_landlock(read_paths: Iterable[str], write_paths: Iterable[str],
                           protected: Iterable[str]) -> str:
    """Confine this process and its future children; returns a one-line note.

    read_paths   folders or files that stay readable and executable (never a protected one)
    write_paths  folders that stay readable and writable (the scratch folder)
    protected    folders no rule may cover (the kit's checkout, the grader, solutions/)
    Raises SandboxUnavailable; nothing is restricted then.
    """
    abi = landlock_abi()
    if abi < 1:
        raise SandboxUnavailable(errno.ENOSYS, "Landlock is not available in this kernel")
    fs_rights = _FS_RIGHTS_BY_ABI.get(abi, _FS_ALL_RIGHTS)
    attr = _RulesetAttr(fs_rights, _NET_TCP if abi >= 4 else 0, _SCOPE_ALL if abi >= 6 else 0)
    ruleset = _check(_libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr),
                                   ctypes.c_size_t(ctypes.sizeof(attr)), ctypes.c_uint32(0)),
                     "landlock_create_ruleset")
    try:
        protected = list(protected)
        for root in dict.fromkeys(r for p in read_paths for r in beneath_rules(p, protected)):
            _add_rule(ruleset, root, _READ_RIGHTS & fs_rights)
        for path in DEVICE_READ_WRITE_PATHS:
            _add_rule(ruleset, path, (_FS_READ_FILE | _FS_WRITE_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV) & fs_rights)
        for root in write_paths:
            _add_rule(ruleset, root, fs_rights)
        _check(_prctl(_PR_SET_NO_NEW_PRIVS, 1), "prctl(PR_SET_NO_NEW_PRIVS)")
        _check(_libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(ruleset)
    extras = (["no TCP"] if abi >= 4 else []) + (["no signals to processes outside it"] if abi >= 6 else [])
    return ("filesystem restricted with Landlock (ABI {}): the submission reads only the interpreter and "
            "system libraries and writes only its scratch folder{}".format(
                abi, "; " + ", ".join(extras) if extras else ""))


def _add_rule(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # absent on this system: nothing to allow
    try:
        if not os.path.isdir(path):
            rights &= _FILE_RIGHTS
        rule = _PathBeneathAttr(rights, fd)
        _check(_libc.syscall(_SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset),
                             ctypes.c_int(_LANDLOCK_RULE_PATH_BENEATH), ctypes.byref(rule), ctypes.c_uint32(0)),
               f"landlock_add_rule({path})")
    finally:
        os.close(fd)


# ------------------------------------------------------------------ mount namespace fallback


def hide_with_mount_namespace(protected: Iterable[str]) -> str:
    """Mount empty read-only folders over ``protected`` in a private mount namespace.

    Works for root, or for other users where unprivileged user namespaces are allowed.
    Call before ``drop_privileges`` (mounting needs CAP_SYS_ADMIN in the namespace).
    Raises SandboxUnavailable.
    """
    uid, gid = os.geteuid(), os.getegid()
    flags = _CLONE_NEWNS if uid == 0 else _CLONE_NEWNS | _CLONE_NEWUSER
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")
    if flags & _CLONE_NEWUSER:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    _check(_libc.mount(b"none", b"/", None, ctypes.c_ulong(_MS_REC | _MS_PRIVATE), None), "mount --make-rprivate /")
    for path in dict.fromkeys(os.path.realpath(p) for p in protected):
        if os.path.isdir(path):
            _check(_libc.mount(b"tmpfs", path.encode(), b"tmpfs",
                               ctypes.c_ulong(_MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC), b"size=4k,mode=000"),
                   f"mount tmpfs on {path}")
    return ("only the kit's checkout is hidden from the submission (private mount namespace, no Landlock); "
            "the rest of the filesystem is visible to it")


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w") as handle:
            handle.write(text)
    except OSError as error:
        raise SandboxUnavailable(error.errno or errno.EPERM, f"{path}: {error}") from None


# ------------------------------------------------------------------ no sockets (seccomp)

# seccomp: architecture tag and syscall numbers (socket, io_uring_setup) per machine.
_SECCOMP_ARCHES = {"x86_64": (0xC000003E, (41, 425)), "aarch64": (0xC00000B7, (198, 425))}
_X32_SYSCALL_BIT = 0x40000000  # x86_64's x32 ABI: the same calls under other numbers
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_SECCOMP_RET_ALLOW, _SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
_BPF_LD_ABS_W, _BPF_JEQ_K, _BPF_JGE_K, _BPF_RET_K = 0x20, 0x15, 0x35, 0x06


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def deny_sockets() -> bool:
    """Make socket() and io_uring_setup() fail with EPERM in this process and its children.

    Landlock leaves UDP and connections to named UNIX sockets open (a D-Bus or X11 socket
    would let a submission start processes outside its sandbox); a seccomp filter closes
    them. Calls of another architecture's ABI are refused too. Returns False where
    seccomp cannot be used (another architecture, an old kernel): nothing is changed then.
    """
    import platform

    known = _SECCOMP_ARCHES.get(platform.machine())
    if known is None or not sys.platform.startswith("linux"):
        return False
    arch, denied = known
    deny = "deny"
    program: list[tuple[int, object, object, int]] = [
        (_BPF_LD_ABS_W, 0, 0, 4),  # seccomp_data.arch
        (_BPF_JEQ_K, 0, deny, arch),
        (_BPF_LD_ABS_W, 0, 0, 0),  # seccomp_data.nr
    ]
    if platform.machine() == "x86_64":
        program.append((_BPF_JGE_K, deny, 0, _X32_SYSCALL_BIT))
    program += [(_BPF_JEQ_K, deny, 0, number) for number in denied]
    program += [(_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW), (_BPF_RET_K, 0, 0, _SECCOMP_RET_ERRNO | errno.EPERM)]
    last = len(program) - 1
    jump = lambda at, target: last - at - 1 if target == deny else target  # noqa: E731
    filters = (_SockFilter * len(program))(
        *(_SockFilter(code, jump(i, jt), jump(i, jf), k) for i, (code, jt, jf, k) in enumerate(program)))
    fprog = _SockFprog(len(program), filters)
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    return _libc.prctl(_PR_SET_SECCOMP, ctypes.c_ulong(_SECCOMP_MODE_FILTER), ctypes.byref(fprog),
                       ctypes.c_ulong(0), ctypes.c_ulong(0)) == 0


# ------------------------------------------------------------------ limits and privileges


def set_limits(cpu_seconds: int, memory_bytes: int, file_bytes: int) -> None:
    """CPU time (SIGXCPU, then SIGKILL a second later), address space, size of any written file, no core files."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_privileges() -> bool:
    """No new privileges for this process and its children; a root process also gives up every capability.

    Returns True when the capabilities are gone (always true for an ordinary user).
    """
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    try:
        last_cap = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        last_cap = 63
    for cap in range(last_cap + 1):  # the bounding set: what an exec'd program could get back
        _prctl(_PR_CAPBSET_DROP, cap)
    _libc.prctl(_PR_CAP_AMBIENT, ctypes.c_ulong(_PR_CAP_AMBIENT_CLEAR_ALL), ctypes.c_ulong(0),
                ctypes.c_ulong(0), ctypes.c_ulong(0))
    header = (ctypes.c_uint32 * 2)(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: twice 32 bits, all zero
    return _libc.capset(ctypes.byref(header), ctypes.byref(data)) == 0


# ------------------------------------------------------------------ process trees


def make_subreaper() -> bool:
    """Orphaned descendants of this process become its children instead of init's."""
    return sys.platform.startswith("linux") and _prctl(_PR_SET_CHILD_SUBREAPER, 1) == 0


def parent_pids() -> dict[int, int]:
    """pid -> parent pid of every process visible in /proc."""
    parents = {}
    try:
        entries = os.listdir("/proc")
    except OSError:  # no /proc (not Linux, or not mounted): no process tree to walk
        return parents
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended while we looked
        parents[int(entry)] = int(fields[1])
    return parents


def descendants(root: int) -> list[int]:
    """Every process below ``root`` (children, grandchildren...), parents before children."""
    children: dict[int, list[int]] = {}
    for pid, parent in parent_pids().items():
        children.setdefault(parent, []).append(pid)
    found, queue = [], list(children.get(root, []))
    while queue:
        pid = queue.pop(0)
        found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def reap_children() -> list[tuple[int, int]]:
    """Collect every child that has ended: [(pid, wait status)]."""
    ended = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return ended
        if pid == 0:
            return ended
        ended.append((pid, status))


def kill_descendants(root: int, patience: float = 5.0) -> tuple[set[int], list[tuple[int, int]]]:
    """SIGKILL every process below ``root`` until none is left; ``root`` must be their subreaper.

    Returns the pids that were killed and the (pid, status) of this process's children reaped meanwhile.
    """
    killed: set[int] = set()
    reaped: list[tuple[int, int]] = []
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        found = descendants(root)
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except ProcessLookupError:
                pass
        time.sleep(0.002)
        reaped += reap_children()
    reaped += reap_children()
    return killed, reaped


def describe_exit(status: int, cpu_seconds: int, memory_bytes: int) -> str:
    """A wait status in plain words, naming the limit that most likely ended the process."""
    if os.WIFEXITED(status):
        return f"it exited with code {os.WEXITSTATUS(status)}, e.g. through os._exit() or exit() in C code"
    if not os.WIFSIGNALED(status):
        return f"it stopped with wait status {status}"
    number = os.WTERMSIG(status)
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    if number == signal.SIGXCPU:
        return f"it used up its CPU-time limit of {cpu_seconds} s ({name})"
    if number == signal.SIGKILL:
        return (f"it was killed ({name}); a process is killed when it passes the CPU-time limit "
                f"({cpu_seconds} s) or runs the machine out of memory (limit {memory_bytes / 2**30:g} GiB)")
    if number == signal.SIGSEGV:
        return f"it crashed with a segmentation fault ({name})"
    if number == signal.SIGXFSZ:
        return f"it wrote a file larger than the grader allows ({name})"
    return f"it was ended by {name}"
