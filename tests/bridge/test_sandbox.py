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


@pytest.mark.skipif(sandbox.landlock_abi() < 1, reason="Landlock is not available on this kernel")
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
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            applied = sandbox.seal_system_calls()
            outcome = {"applied": applied}
            for name, attempt in {"unix socket": lambda: socket.socket(socket.AF_UNIX),
                                  "udp socket": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
                                  "program": lambda: subprocess.run(["true"], check=True),
                                  "pipe": os.pipe}.items():
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
    outcome = json.loads(os.read(read_end, 4096))
    os.close(read_end)
    if not outcome["applied"]:
        pytest.skip("seccomp is not available for this architecture")
    assert outcome == {"applied": True, "unix socket": "denied", "udp socket": "denied",
                       "program": "allowed", "pipe": "allowed"}
