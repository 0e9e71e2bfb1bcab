"""Helpers for the isolated bridge's tests: what a graded submission left behind (processes,
working directories). The hostile submissions are assembled by tests/hostile/build.py."""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from tests.timing import scaled

CALL_TIMEOUT = scaled(2.0)  # seconds per call in these tests (the default is 10)


def processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, command line), as `ps` shows them."""
    listing = subprocess.run(["ps", "-ww", "-eo", "pid=,ppid=,stat=,args="], capture_output=True, text=True,
                             check=True)
    table = {}
    for line in listing.stdout.splitlines():
        pid, parent, state, *args = line.split(None, 3)
        table[int(pid)] = (int(parent), state, args[0] if args else "")
    return table


def processes_left_behind(patience: float = 2.0) -> list[str]:
    """Processes below this test process, other than the bridge's idle zygote and `ps` itself.

    An ended keeper stays a zombie until the zygote collects it, a moment later: the
    answer is taken once the list is empty or ``patience`` seconds (scaled) have passed.
    """
    deadline = time.monotonic() + scaled(patience)
    while True:
        found = _below_this_process()
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _below_this_process() -> list[str]:
    table = processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found, queue = [], list(children.get(os.getpid(), []))
    while queue:
        pid = queue.pop()
        parent, state, args = table[pid]
        queue.extend(children.get(pid, []))
        is_idle_zygote = parent == os.getpid() and "zygote_main" in args
        if not is_idle_zygote and not args.startswith("ps "):
            found.append(f"{pid} ({state}) {args}")
    return found


def working_in(folder: Path) -> list[int]:
    """Processes whose working directory is ``folder`` or below it (deleted folders included)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cwd = os.readlink(entry / "cwd")
            except OSError:
                continue
            if cwd.startswith(str(folder)):
                found.append(int(entry.name))
    return found


def kernel_leftovers() -> dict[str, list[str]]:
    """What a submission could leave in the kernel past its run: SysV IPC objects, keys, POSIX
    shared memory and message queues, and the control groups made for submissions."""
    found: dict[str, list[str]] = {}
    for kind in ("shm", "msg", "sem"):
        path = Path("/proc/sysvipc") / kind
        found[kind] = path.read_text().splitlines()[1:] if path.exists() else []
    keys = Path("/proc/keys")
    # Keys planted by a hostile submission (or any key of nobody, the user workers of a root grader
    # become); the grading user's own keyrings change their usage counts by themselves.
    found["keys"] = [line for line in (keys.read_text().splitlines() if keys.exists() else [])
                     if "backprop-planted" in line or line.split()[5:6] == ["65534"]]
    found["/dev/shm"] = sorted(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else []
    found["/dev/mqueue"] = sorted(os.listdir("/dev/mqueue")) if os.path.isdir("/dev/mqueue") else []
    found["cgroups"] = sorted(str(p) for p in Path("/sys/fs/cgroup").glob("**/backprop-lab-*"))
    return found
