"""The sandbox's building blocks: Landlock rules never cover a protected folder, and a
restricted process reads only what it was allowed."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from grader.bridge import sandbox
from tests.timing import scaled


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """root/a/kit/solutions/ref.py (protected: root/a/kit), root/a/other/x.txt, root/b/y.txt,
    root/link -> root/a/kit"""
    root = tmp_path / "root"
    (root / "a" / "kit" / "solutions").mkdir(parents=True)
    (root / "a" / "kit" / "solutions" / "ref.py").write_text("SECRET = 1\n")
    (root / "a" / "other").mkdir()
    (root / "a" / "other" / "x.txt").write_text("x")
    (root / "b").mkdir()
    (root / "b" / "y.txt").write_text("y")
    (root / "link").symlink_to(root / "a" / "kit")
    return root


def test_a_folder_holding_a_protected_one_is_split_around_it(tree):
    rules = sandbox.beneath_rules(str(tree), [str(tree / "a" / "kit")])
    assert sorted(rules) == sorted(str(tree / p) for p in ("a/other", "b"))


def test_a_protected_folder_and_links_to_it_get_no_rule(tree):
    protected = [str(tree / "a" / "kit")]
    assert sandbox.beneath_rules(str(tree / "a" / "kit"), protected) == []
    assert sandbox.beneath_rules(str(tree / "link"), protected) == []


def test_an_interpreter_installed_inside_the_checkout_stays_readable(tree):
    """A virtual environment in the checkout (.venv/) is the interpreter: allowed, its siblings are not."""
    venv = tree / "a" / "kit" / ".venv"
    venv.mkdir()
    assert sandbox.beneath_rules(str(venv), [str(tree / "a" / "kit")]) == [str(venv)]


def test_an_unrelated_folder_is_one_rule(tree):
    assert sandbox.beneath_rules(str(tree / "b"), [str(tree / "a" / "kit")]) == [str(tree / "b")]


@pytest.mark.landlock
def test_a_restricted_process_reads_only_what_it_was_allowed(tree, tmp_path):
    """In a forked process: allow reading root (kit protected) and writing scratch, then try."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    attempts = {
        "sibling": lambda: (tree / "a" / "other" / "x.txt").read_text(),
        "protected": lambda: (tree / "a" / "kit" / "solutions" / "ref.py").read_text(),
        "through the link": lambda: (tree / "link" / "solutions" / "ref.py").read_text(),
        "write scratch": lambda: (scratch / "out.txt").write_text("ok"),
        "write root": lambda: (tree / "b" / "new.txt").write_text("no"),
    }
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            sandbox.restrict_with_landlock(sandbox.interpreter_read_paths() + [str(tree)], [str(scratch)],
                                           [str(tree / "a" / "kit")])
            outcome = []
            for name, attempt in attempts.items():
                try:
                    attempt()
                    outcome.append(f"{name}=allowed")
                except OSError:
                    outcome.append(f"{name}=denied")
            os.write(write_end, ";".join(outcome).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    outcome = dict(item.split("=") for item in os.read(read_end, 4096).decode().split(";"))
    os.close(read_end)
    assert outcome == {"sibling": "allowed", "protected": "denied", "through the link": "denied",
                       "write scratch": "allowed", "write root": "denied"}


def test_exit_statuses_are_told_in_plain_words():
    assert "code 3" in sandbox.describe_exit(3 << 8, 60, 1 << 30)
    assert "segmentation fault" in sandbox.describe_exit(signal.SIGSEGV, 60, 1 << 30)
    assert "CPU-time limit of 60 s" in sandbox.describe_exit(signal.SIGXCPU, 60, 1 << 30)
    assert "1 GiB" in sandbox.describe_exit(signal.SIGKILL, 60, 1 << 30)


def test_a_process_without_sockets_still_runs_programs_and_pipes():
    """Named UNIX sockets (D-Bus, X11) and UDP stay reachable under Landlock: seccomp shuts them."""
    outcome = _in_forked_child({"unix socket": lambda: socket.socket(socket.AF_UNIX),
                                "udp socket": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
                                "program": lambda: subprocess.run(["true"], check=True),
                                "pipe": os.pipe}, seal=True)
    if not outcome["applied"]:
        pytest.skip("seccomp is not available for this architecture")
    assert outcome == {"applied": True, "unix socket": "denied", "udp socket": "denied",
                       "program": "allowed", "pipe": "allowed"}


def _in_forked_child(attempts: dict, seal: bool) -> dict:
    """Run each attempt in a forked process (sealed first when ``seal``): name -> "allowed" or "denied"."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            outcome = {"applied": sandbox.seal_system_calls() if seal else False}
            for name, attempt in attempts.items():
                try:
                    attempt()
                    outcome[name] = "allowed"
                except OSError:
                    outcome[name] = "denied"
            os.write(write_end, json.dumps(outcome).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    outcome = json.loads(os.read(read_end, 65536))
    os.close(read_end)
    return outcome


def test_a_sealed_process_cannot_touch_a_process_of_its_own_user():
    """The neighbour runs as the same user, so only the filter stands between them."""
    import resource

    neighbour = subprocess.Popen(["sleep", f"{scaled(60):g}"])
    try:
        attempts = {
            "prlimit": lambda: resource.prlimit(neighbour.pid, resource.RLIMIT_FSIZE, (1 << 30, 1 << 30)),
            "setpriority": lambda: os.setpriority(os.PRIO_PROCESS, neighbour.pid, 1),
            "affinity": lambda: os.sched_setaffinity(neighbour.pid, os.sched_getaffinity(neighbour.pid)),
            "pidfd": lambda: os.close(os.pidfd_open(neighbour.pid)),
        }
        unsealed = _in_forked_child(attempts, seal=False)
        sealed = _in_forked_child(attempts, seal=True)
    finally:
        neighbour.kill()
        neighbour.wait()
    if not sealed["applied"]:
        pytest.skip("seccomp is not available for this architecture")
    assert {unsealed[name] for name in attempts} == {"allowed"}  # the attack is real without the filter
    assert {sealed[name] for name in attempts} == {"denied"}


def test_a_sealed_process_keeps_what_it_needs_for_itself():
    import resource

    own = resource.getrlimit(resource.RLIMIT_NOFILE)
    outcome = _in_forked_child({
        "own limit through 0": lambda: resource.prlimit(0, resource.RLIMIT_NOFILE, own),
        "own limit by pid": lambda: resource.prlimit(os.getpid(), resource.RLIMIT_NOFILE, own),
        "setrlimit": lambda: resource.setrlimit(resource.RLIMIT_NOFILE, own),
        "nice": lambda: os.nice(1),
        "every process of the user": lambda: os.setpriority(os.PRIO_USER, 0, 19),
        "setsid": os.setsid,
        "setpgid": lambda: os.setpgid(0, 0),
        "program": lambda: subprocess.run(["true"], check=True),
    }, seal=True)
    if not outcome["applied"]:
        pytest.skip("seccomp is not available for this architecture")
    # "own limit by pid" works in the process that installed the filter (its pid is in it)
    assert outcome == {"applied": True, "own limit through 0": "allowed", "own limit by pid": "allowed",
                       "setrlimit": "allowed", "nice": "allowed", "every process of the user": "denied",
                       "setsid": "denied", "setpgid": "denied", "program": "allowed"}


def test_the_filter_refuses_every_listed_call_on_this_machine():
    """Every name in DENIED_CALLS and SELF_ONLY_CALLS has a number for each architecture."""
    import platform

    names = {n for group in sandbox.DENIED_CALLS.values() for n in group} | set(sandbox.SELF_ONLY_CALLS)
    for machine, numbers in sandbox.SYSCALL_NUMBERS.items():
        assert names | {"setpriority"} == set(numbers), machine
    if platform.machine() == "x86_64" and Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h").exists():
        header = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h").read_text()
        for name, number in sandbox.SYSCALL_NUMBERS["x86_64"].items():
            assert f"#define __NR_{name} {number}\n" in header, name


def test_a_scratch_folder_made_read_only_is_removed_all_the_same(tmp_path):
    scratch = tmp_path / "scratch"
    (scratch / "locked" / "deeper").mkdir(parents=True)
    (scratch / "locked" / "deeper" / "file").write_text("x")
    (scratch / "unreadable").mkdir()
    (scratch / "unreadable" / "file").write_text("x")
    os.chmod(scratch / "locked" / "deeper", 0o500)
    os.chmod(scratch / "locked", 0o500)
    os.chmod(scratch / "unreadable", 0)
    os.chmod(scratch, 0o500)
    if os.geteuid() == 0:  # root ignores permissions: remove as an ordinary user, who owns the tree
        uid, gid = sandbox.unprivileged_user()
        os.chmod(tmp_path, 0o777)
        for folder, folders, files in os.walk(scratch):
            for name in [folder, *(os.path.join(folder, f) for f in folders + files)]:
                os.lchown(name, uid, gid)
        pid = os.fork()
        if pid == 0:
            try:
                os.chdir(tmp_path)  # its parents are root's own: reach it before becoming nobody
                os.setresgid(gid, gid, gid)
                os.setresuid(uid, uid, uid)
                sandbox.remove_tree("scratch")
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
    else:
        sandbox.remove_tree(str(scratch))
    assert not scratch.exists()
