"""Operating-system guards for the process that runs a submission (Linux).

Used only inside the isolated bridge's helper processes (``child.py``); nothing
here is called in the grading process itself, except ``filesystem_guard_missing``
(asked once before a run). Each guard is a small function that either applies or
raises SandboxUnavailable saying why it could not:

- ``restrict_with_landlock``: the submission may read and execute the interpreter
  and system libraries, read and write its scratch folder, and nothing else (so not
  /tmp or /dev/shm); no TCP, no signals or abstract-socket connections to processes
  outside its sandbox. Landlock (Linux >= 5.13) needs no privileges.
- ``enter_private_namespaces``: a private mount namespace and a private IPC namespace
  (for a non-root grader inside a user namespace, where the kernel allows one). In it:
  ``hide_paths`` mounts empty unreadable folders over the kit's checkout;
  ``make_everything_read_only`` (the sandbox where Landlock is missing) makes every
  mount read-only, recursively, with mount_setattr; ``mount_scratch`` puts a
  size-limited tmpfs, owned by the worker's user, on the scratch folder (made after the
  read-only pass, so it alone stays writable); ``make_reachable`` rebuilds folders the
  worker's user may not enter (Python under /root) with only the way to what it needs.
- ``seal_system_calls``: a seccomp filter. EPERM for sockets and io_uring (UDP, named UNIX
  sockets such as D-Bus or X11), for other processes (ptrace, process_vm_readv/writev,
  pidfd_open/getfd/send_signal, kcmp, process_madvise), for SysV and POSIX IPC (shm*,
  sem*, msg*, mq_*), for the kernel keyrings (add_key, request_key, keyctl) and for new
  sessions or process groups (setsid, setpgid); prlimit64 and sched_setaffinity /
  setscheduler / setparam / setattr only with pid 0 (or, for prlimit64, the pid of the
  process that installed it); setpriority only as PRIO_PROCESS on itself (0).
  Other architectures' ABIs (x32, i386 on x86_64) are refused as a whole.
- ``Cgroup``: a control group per submission, made by its keeper: pids.max and a memory
  limit for all its processes together (cgroup v2 where the controllers are delegated,
  else the v1 pids and memory hierarchies); removed once its processes were killed.
- ``set_limits`` (CPU time, address space, file size, no core files) and
  ``drop_privileges`` (no new privileges; a root process gives up every capability and
  becomes ``unprivileged_user()``, nobody/nogroup, with no supplementary groups).
- ``remove_tree``: deletes a scratch folder even where a submission made it read-only.
- ``make_subreaper``, ``descendants`` and ``kill_descendants``: orphaned processes are
  re-parented to the subreaper, so it can find and stop every process a submission
  started, even a double-forked one.
"""
from __future__ import annotations

import ctypes
import errno
import functools
import grp
import os
import platform
import pwd
import resource
import signal
import site
import stat
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from grader.i18n import _

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
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWUSER = 0x10000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 0x4000, 1 << 18
_SYS_MOUNT_SETATTR = 442  # the same on every architecture
_AT_RECURSIVE = 0x8000
_MOUNT_ATTR_RDONLY = 1

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


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64), ("propagation", ctypes.c_uint64),
                ("userns_fd", ctypes.c_uint64)]


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


# ------------------------------------------------------------------ private namespaces


def enter_private_namespaces() -> str:
    """A private mount namespace and a private IPC namespace for this process and its children.

    Mounts made afterwards are seen by nobody else and go away with the last process in
    the namespace; SysV IPC objects made inside (should the seccomp filter be missing)
    are invisible to other submissions and freed with it. Works for root, or for other
    users where unprivileged user namespaces are allowed. Raises SandboxUnavailable.
    """
    uid, gid = os.geteuid(), os.getegid()
    flags = _CLONE_NEWNS | _CLONE_NEWIPC | (0 if uid == 0 else _CLONE_NEWUSER)
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")
    if flags & _CLONE_NEWUSER:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    _check(_libc.mount(b"none", b"/", None, ctypes.c_ulong(_MS_REC | _MS_PRIVATE), None), "mount --make-rprivate /")
    return "private mount and IPC namespaces"


def filesystem_guard_missing() -> str | None:
    """None when a worker here can restrict the filesystem (Landlock, or a private mount
    namespace, tried in a throwaway child); otherwise why it cannot."""
    if landlock_abi() >= 1:
        return None
    if not sys.platform.startswith("linux"):
        return f"{sys.platform} has neither Landlock nor mount namespaces"
    pid = os.fork()
    if pid == 0:  # only a system call and _exit: safe even in a threaded process
        os._exit(0 if _libc.unshare(ctypes.c_int(_CLONE_NEWNS | (0 if os.geteuid() == 0 else _CLONE_NEWUSER))) == 0
                 else 1)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return None
    return "this kernel has no Landlock, and this user cannot make a private mount namespace"


def hide_paths(protected: Iterable[str]) -> None:
    """Mount empty, unreadable tmpfs folders over ``protected`` (call in a private mount namespace)."""
    for path in dict.fromkeys(os.path.realpath(p) for p in protected):
        if os.path.isdir(path):
            _mount_tmpfs(path, "size=4k,mode=000", _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)


def make_everything_read_only() -> None:
    """Make every mount read-only, recursively (call in a private mount namespace).

    Mounts made afterwards (the scratch folder's tmpfs) stay writable. Device files such as
    /dev/null can still be written: a read-only mount only stops changes to the filesystem.
    """
    attr = _MountAttr(_MOUNT_ATTR_RDONLY, 0, 0, 0)
    _check(_libc.syscall(_SYS_MOUNT_SETATTR, ctypes.c_int(-100), b"/", ctypes.c_uint(_AT_RECURSIVE),
                         ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr))),
           "mount_setattr(/, read-only, recursive)")


def mount_scratch(path: str, size_bytes: int, uid: int, gid: int) -> None:
    """A fresh tmpfs of at most ``size_bytes`` on the scratch folder, owned by the worker's user.

    The submission's files then live in memory, count against that size as a whole (not
    only per file), and vanish with the namespace however their permissions were set.
    """
    _mount_tmpfs(path, f"size={size_bytes},nr_inodes=16384,mode=0700,uid={uid},gid={gid}", _MS_NOSUID | _MS_NODEV)


def make_reachable(paths: Iterable[str], uid: int, gid: int) -> list[str]:
    """Let ``uid`` reach ``paths`` whose parent folders it may not enter (call in a private mount namespace).

    Python installed under /root, or a scratch folder under a private temporary folder, lies
    behind a folder only its owner may enter. Such a folder is covered with a tmpfs that holds
    only the way to each path, bind-mounted from the original: the worker's user reaches what
    it needs and nothing else that was there. Returns the folders covered.
    """
    wanted = sorted({os.path.realpath(p) for p in paths if os.path.exists(p)})
    blocked: dict[str, list[str]] = {}
    for path in wanted:
        gate = _first_closed_parent(path, uid, gid)
        if gate is not None:
            blocked.setdefault(gate, []).append(path)
    for gate in sorted(blocked):
        if any(gate.startswith(other + "/") for other in blocked if other != gate):
            continue  # inside another covered folder: rebuilt with it
        inside = [p for g, ps in blocked.items() if g == gate or g.startswith(gate + "/") for p in ps]
        _rebuild_with_only(gate, inside)
    return sorted(blocked)


def _first_closed_parent(path: str, uid: int, gid: int) -> str | None:
    """The outermost folder above ``path`` that ``uid`` may not enter (search permission), if any."""
    parts = Path(path).parts
    for depth in range(1, len(parts)):
        folder = os.path.join(*parts[:depth])
        try:
            info = os.stat(folder)
        except OSError:
            return None
        if info.st_uid == uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid == gid:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed:
            return folder
    return None


def _rebuild_with_only(gate: str, inside: list[str]) -> None:
    """Cover ``gate`` with a tmpfs anyone may enter, holding only ``inside`` (bind mounts of the originals)."""
    inside = [p for p in inside if not any(p.startswith(q + "/") for q in inside if q != p)]
    originals = {p: os.open(p, os.O_PATH | os.O_CLOEXEC) for p in inside}  # reachable once covered
    try:
        _mount_tmpfs(gate, "size=64k,mode=0755", _MS_NOSUID | _MS_NODEV)
        for path, fd in originals.items():
            if os.path.isdir(f"/proc/self/fd/{fd}"):
                os.makedirs(path, mode=0o755, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
                open(path, "a").close()
            _check(_libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None,
                               ctypes.c_ulong(_MS_BIND | _MS_REC), None), f"mount --bind {path}")
        _check(_libc.mount(None, gate.encode(), None, ctypes.c_ulong(_MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV),
                           None), f"mount -o remount,ro {gate}")
    finally:
        for fd in originals.values():
            os.close(fd)


def _mount_tmpfs(path: str, options: str, flags: int) -> None:
    _check(_libc.mount(b"tmpfs", path.encode(), b"tmpfs", ctypes.c_ulong(flags), options.encode()),
           f"mount tmpfs on {path}")


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w") as handle:
            handle.write(text)
    except OSError as error:
        raise SandboxUnavailable(error.errno or errno.EPERM, f"{path}: {error}") from None


# ------------------------------------------------------------------ system calls (seccomp)

# What the filter refuses, by group (the note and the docs name the groups). Where Landlock
# reaches (the filesystem, TCP, signals) it is the guard; these calls it does not see.
DENIED_CALLS = {
    # UDP and named UNIX sockets (D-Bus, X11) would reach services outside the sandbox.
    "sockets": ("socket", "io_uring_setup"),
    # Reading, writing or comparing other processes' memory and files: neighbours share a uid.
    "access to other processes": ("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd",
                        "pidfd_send_signal", "kcmp", "process_madvise"),
    # SysV and POSIX IPC objects outlive the process that made them (and the grading run).
    "IPC": ("shmget", "shmat", "shmctl", "shmdt", "semget", "semop", "semtimedop", "semctl", "msgget", "msgsnd",
            "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
            "mq_getsetattr"),
    # The kernel keyrings of the user hold the grader's secrets, and keys outlive the run.
    "keyrings": ("add_key", "request_key", "keyctl"),
    # A new session or process group would escape the keeper's kill and its CPU share.
    "new sessions or process groups": ("setsid", "setpgid"),
}
# Calls allowed only on the calling process itself: first argument 0 (or the worker's own pid
# for prlimit64). setpriority also needs "which" to be PRIO_PROCESS: PRIO_USER 0 is every
# process of the user, neighbours included.
SELF_ONLY_CALLS = ("prlimit64", "sched_setaffinity", "sched_setscheduler", "sched_setparam", "sched_setattr")
SYSCALL_NUMBERS = {
    "x86_64": dict(
        socket=41, io_uring_setup=425, ptrace=101, process_vm_readv=310, process_vm_writev=311, pidfd_open=434,
        pidfd_getfd=438, pidfd_send_signal=424, kcmp=312, process_madvise=440, shmget=29, shmat=30, shmctl=31,
        shmdt=67, semget=64, semop=65, semtimedop=220, semctl=66, msgget=68, msgsnd=69, msgrcv=70, msgctl=71,
        mq_open=240, mq_unlink=241, mq_timedsend=242, mq_timedreceive=243, mq_notify=244, mq_getsetattr=245,
        add_key=248, request_key=249, keyctl=250, setsid=112, setpgid=109, prlimit64=302, setpriority=141,
        sched_setaffinity=203, sched_setscheduler=144, sched_setparam=142, sched_setattr=314),
    "aarch64": dict(
        socket=198, io_uring_setup=425, ptrace=117, process_vm_readv=270, process_vm_writev=271, pidfd_open=434,
        pidfd_getfd=438, pidfd_send_signal=424, kcmp=272, process_madvise=440, shmget=194, shmat=196, shmctl=195,
        shmdt=197, semget=190, semop=193, semtimedop=192, semctl=191, msgget=186, msgsnd=189, msgrcv=188,
        msgctl=187, mq_open=180, mq_unlink=181, mq_timedsend=182, mq_timedreceive=183, mq_notify=184,
        mq_getsetattr=185, add_key=217, request_key=218, keyctl=219, setsid=157, setpgid=154, prlimit64=261,
        setpriority=140, sched_setaffinity=122, sched_setscheduler=119, sched_setparam=118, sched_setattr=274),
}
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_X32_SYSCALL_BIT = 0x40000000  # x86_64's x32 ABI: the same calls under other numbers
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_SECCOMP_RET_ALLOW, _SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
_BPF_LD_ABS_W, _BPF_JEQ_K, _BPF_JGE_K, _BPF_RET_K = 0x20, 0x15, 0x35, 0x06
_NR, _ARCH, _ARG0, _ARG1 = 0, 4, 16, 24  # offsets in struct seccomp_data (low 32 bits of an argument)


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def seal_system_calls() -> bool:
    """Install the seccomp filter: DENIED_CALLS fail with EPERM, SELF_ONLY_CALLS unless aimed at this process.

    Inherited by every child. Calls of another architecture's ABI are refused too.
    Returns False where seccomp cannot be used (another architecture, an old kernel):
    nothing is changed then.
    """
    machine = platform.machine()
    if machine not in SYSCALL_NUMBERS or not sys.platform.startswith("linux"):
        return False
    program = _filter_program(SYSCALL_NUMBERS[machine], _AUDIT_ARCH[machine], machine == "x86_64", os.getpid())
    filters = (_SockFilter * len(program))(*(_SockFilter(*instruction) for instruction in program))
    fprog = _SockFprog(len(program), filters)
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    return _libc.prctl(_PR_SET_SECCOMP, ctypes.c_ulong(_SECCOMP_MODE_FILTER), ctypes.byref(fprog),
                       ctypes.c_ulong(0), ctypes.c_ulong(0)) == 0


def _filter_program(numbers: dict[str, int], arch: int, x32: bool, own_pid: int) -> list[tuple[int, int, int, int]]:
    """The BPF program as (code, jump if true, jump if false, k); jumps are written as labels first.

    A pid argument is an int in the kernel, so its low 32 bits decide.
    """
    deny = "deny"
    program: list[tuple[int, object, object, int]] = [(_BPF_LD_ABS_W, 0, 0, _ARCH), (_BPF_JEQ_K, 0, deny, arch),
                                                      (_BPF_LD_ABS_W, 0, 0, _NR)]
    if x32:
        program.append((_BPF_JGE_K, deny, 0, _X32_SYSCALL_BIT))
    program += [(_BPF_JEQ_K, deny, 0, numbers[name]) for group in DENIED_CALLS.values() for name in group]
    program += [(_BPF_JEQ_K, "self", 0, numbers[name]) for name in SELF_ONLY_CALLS]
    program += [(_BPF_JEQ_K, "priority", 0, numbers["setpriority"]), (_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW)]
    labels = {"priority": len(program)}  # setpriority(which, who): PRIO_PROCESS (0) and who 0 only
    program += [(_BPF_LD_ABS_W, 0, 0, _ARG0), (_BPF_JEQ_K, 0, deny, 0), (_BPF_LD_ABS_W, 0, 0, _ARG1),
                (_BPF_JEQ_K, "allow", deny, 0)]
    labels["self"] = len(program)  # first argument: 0 (this process) or the worker's own pid
    program += [(_BPF_LD_ABS_W, 0, 0, _ARG0), (_BPF_JEQ_K, "allow", 0, 0), (_BPF_JEQ_K, "allow", deny, own_pid)]
    labels["allow"] = len(program)
    program.append((_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW))
    labels["deny"] = len(program)
    program.append((_BPF_RET_K, 0, 0, _SECCOMP_RET_ERRNO | errno.EPERM))

    def jump(at: int, target: object) -> int:
        return labels[target] - at - 1 if isinstance(target, str) else int(target)

    return [(code, jump(i, jt), jump(i, jf), k) for i, (code, jt, jf, k) in enumerate(program)]


# ------------------------------------------------------------------ limits and privileges


def set_limits(cpu_seconds: int, memory_bytes: int, file_bytes: int) -> None:
    """CPU time (SIGXCPU, then SIGKILL a second later), address space, size of any written file, no core files."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_privileges(user: tuple[int, int] | None = None) -> bool:
    """No new privileges for this process and its children; a root process also gives up every capability.

    user  (uid, gid) to become first, with no supplementary groups (root only): the
          submission then owns none of the grader's files and cannot signal, trace or
          change the limits of the grading processes.
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
    if user is not None:  # after the bounding set: dropping it needs CAP_SETPCAP, which setuid takes away
        uid, gid = user
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    header = (ctypes.c_uint32 * 2)(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: twice 32 bits, all zero
    return _libc.capset(ctypes.byref(header), ctypes.byref(data)) == 0


@functools.lru_cache(maxsize=1)
def unprivileged_user() -> tuple[int, int]:
    """(uid, gid) of the user "nobody" and its group, or 65534 for both where they are not listed.

    Cached: the zygote looks it up once, and every worker forked from it knows the answer
    (the lookup reads /etc/passwd and may load NSS modules, tens of milliseconds at worst).
    """
    try:
        uid = pwd.getpwnam("nobody").pw_uid
    except KeyError:
        uid = 65534
    for group in ("nogroup", "nobody"):
        try:
            return uid, grp.getgrnam(group).gr_gid
        except KeyError:
            continue
    return uid, 65534


def remove_tree(path: str) -> None:
    """Delete ``path`` and everything below it, even folders a submission made read-only or unreadable."""
    import shutil

    def allow_and_retry(function, failed: str, _exc_info) -> None:
        for folder in {os.path.dirname(failed), failed}:
            try:
                os.chmod(folder, stat.S_IRWXU)
            except OSError:
                pass
        try:
            if os.path.isdir(failed) and not os.path.islink(failed):
                shutil.rmtree(failed, onerror=allow_and_retry)
            else:
                os.unlink(failed)
        except FileNotFoundError:
            pass
        except OSError:
            pass  # what is left cannot be removed by this user at all

    if os.path.lexists(path):
        try:
            os.chmod(path, stat.S_IRWXU)
        except OSError:
            pass
        shutil.rmtree(path, onerror=allow_and_retry)


# ------------------------------------------------------------------ control groups


class Cgroup:
    """A control group of its own for one submission's processes: a pids and a memory limit.

    cgroup v2 where this process's group delegates both controllers to sub-groups; else the
    v1 "pids" and "memory" hierarchies (a group is made below this process's group in each).
    Made by the keeper before the worker starts, joined by the worker, removed by the keeper.
    """

    def __init__(self, folders: list[str], note: str):
        self.folders, self.note = folders, note

    @classmethod
    def create(cls, name: str, processes: int, memory_bytes: int) -> "Cgroup":
        """Raises SandboxUnavailable when no writable cgroup with both controllers exists."""
        made: list[str] = []
        try:
            own = _own_cgroups()
            if "" in own and _delegates(own[""], ("pids", "memory")):
                folder = _make_group(own[""], name, made)
                _set(folder, "pids.max", processes)
                _set(folder, "memory.max", memory_bytes)
                _set(folder, "memory.swap.max", 0, optional=True)
                return cls(made, "cgroup v2")
            if "pids" in own and "memory" in own:
                _set(_make_group(own["pids"], name, made), "pids.max", processes)
                memory = _make_group(own["memory"], name, made)
                _set(memory, "memory.limit_in_bytes", memory_bytes)
                _set(memory, "memory.memsw.limit_in_bytes", memory_bytes, optional=True)  # no swapping past it
                return cls(made, "cgroup v1 pids and memory controllers")
        except (OSError, ValueError) as error:
            cls(made, "").remove()
            # the reason without the path: it names this submission's group, and the run's note is one line
            reason = getattr(error, "strerror", None) or str(error)
            raise SandboxUnavailable(getattr(error, "errno", None) or errno.EPERM, f"cgroup: {reason}") from None
        raise SandboxUnavailable(errno.ENOENT, "no cgroup with the pids and memory controllers is mounted")

    @classmethod
    def left_by(cls, name: str) -> "Cgroup":
        """The groups called ``name`` below this process's own, as a keeper that was killed left them."""
        try:
            own = _own_cgroups()
        except OSError:
            return cls([], "")
        folders = {os.path.join(parent, name) for parent in own.values()}
        return cls(sorted(f for f in folders if os.path.isdir(f)), "")

    def join(self) -> None:
        """Move this process (and its future children) into the group."""
        for folder in self.folders:
            _set(folder, "cgroup.procs", os.getpid())

    def remove(self, patience: float = 2.0) -> bool:
        """Remove the group once it is empty (its processes were killed); True when it is gone.

        Tries for ``patience`` seconds (0: once) while killed processes are still leaving it.
        """
        deadline = time.monotonic() + patience
        for folder in reversed(self.folders):
            while os.path.isdir(folder):
                try:
                    os.rmdir(folder)
                except FileNotFoundError:
                    break
                except OSError:  # EBUSY: a killed process has not left yet
                    if time.monotonic() >= deadline:
                        return False
                    time.sleep(0.005)
        return True


def _own_cgroups() -> dict[str, str]:
    """controller ("" for cgroup v2) -> the folder of this process's group, where it is mounted."""
    mounts: dict[str, str] = {}
    with open("/proc/self/mountinfo", encoding="utf-8") as mountinfo:
        for line in mountinfo:
            left, right = line.split(" - ", 1)
            fstype, _, options = right.split()[:3]
            root, point = left.split()[3:5]
            if root != "/":
                continue  # a bind of part of a hierarchy (a container's view): paths would not match
            if fstype == "cgroup2":
                mounts.setdefault("", point)
            elif fstype == "cgroup":
                for option in options.split(","):
                    mounts.setdefault(option, point)
    own = {}
    with open("/proc/self/cgroup", encoding="utf-8") as cgroups:
        for line in cgroups:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                if controller in mounts:
                    own[controller] = os.path.join(mounts[controller], path.lstrip("/"))
    return own


def _delegates(folder: str, controllers: tuple[str, ...]) -> bool:
    try:
        enabled = Path(folder, "cgroup.subtree_control").read_text().split()
    except OSError:
        return False
    return all(c in enabled for c in controllers)


def _make_group(parent: str, name: str, made: list[str]) -> str:
    folder = os.path.join(parent, name)
    os.mkdir(folder)
    made.append(folder)
    return folder


def _set(folder: str, name: str, value: int, optional: bool = False) -> None:
    """Write a cgroup setting; an ``optional`` one may be missing (swap accounting off) or refused."""
    try:
        with open(os.path.join(folder, name), "w") as handle:
            handle.write(str(value))
    except OSError:
        if not optional:
            raise


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
        return _("it exited with code {code}, e.g. through os._exit() or exit() in C code",
                 code=os.WEXITSTATUS(status))
    if not os.WIFSIGNALED(status):
        return _("it stopped with wait status {status}", status=status)
    number = os.WTERMSIG(status)
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    if number == signal.SIGXCPU:
        return _("it used up its CPU-time limit of {seconds} s ({signal})", seconds=cpu_seconds, signal=name)
    if number == signal.SIGKILL:
        return _("it was killed ({signal}); a process is killed when it passes the CPU-time limit ({seconds} s) "
                 "or runs the machine out of memory (limit {gib} GiB)", signal=name, seconds=cpu_seconds,
                 gib=format(memory_bytes / 2**30, "g"))
    if number == signal.SIGSEGV:
        return _("it crashed with a segmentation fault ({signal})", signal=name)
    if number == signal.SIGXFSZ:
        return _("it wrote a file larger than the grader allows ({signal})", signal=name)
    return _("it was ended by {signal}", signal=name)
