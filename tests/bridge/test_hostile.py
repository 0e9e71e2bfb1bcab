"""Hostile submissions graded through the isolated bridge. tests/hostile/ holds what is hostile
in each; tests/hostile/build.py assembles the full file from the generated reference or stub
(`python -m tests.hostile.build OUT_DIR` writes them all, to grade by hand).

For each one: the run finishes, the score counts only what is really correct (the
checks a file breaks are named here from its description, and every other check must
pass), the failed checks say what happened, nothing is left running, nothing is
written outside the child's scratch folder, and this process's NumPy still works.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from grader import i18n
from grader.bridge import SubmissionLoadError
from grader.bridge.inprocess import InProcessBridge
from grader.bridge.isolated import IsolatedBridge
from grader.checks import judge as judge_module
from grader.contract import SUBMISSION_FILE, TODO_FUNCTIONS
from grader.markers import HEADER
from grader.results import CheckResult, Report
from grader.runner import run_checks
from tests.bridge.bridge_support import CALL_TIMEOUT, kernel_leftovers, processes_left_behind, working_in
from tests.hostile.build import HOSTILE_DIR, NAMES, REPO_ROOT, assemble, source
from tests.language import english_left
from tests.timing import scaled

Breaks = Callable[[CheckResult], bool]
NOTHING: Breaks = lambda result: False  # noqa: E731
EVERYTHING: Breaks = lambda result: True  # noqa: E731


def functions(*names: str) -> Breaks:
    return lambda result: result.function in names


def input_of(function: str, shape: str) -> Breaks:
    return lambda result: result.function == function and shape in result.name


@dataclass(frozen=True)
class Hostile:
    name: str
    breaks: Breaks = NOTHING  # the checks this file must fail; all others must pass
    says: tuple[str, ...] = ()  # each failed check's message contains one of these
    timeout: float = CALL_TIMEOUT  # seconds per call (and for the import)


HOSTILES = [
    Hostile("os_exit_in_function", functions("update_parameters", "training"), ("exited with code 3",)),
    Hostile("endless_loop_ignoring_sigterm", input_of("forward_propagation", "X (7, 3)"), ("did not return in time",)),
    Hostile("huge_allocation", input_of("initialize_parameters", "two outputs"), ("MemoryError",)),
    Hostile("prints_50mb"),
    Hostile("detached_processes"),
    Hostile("sleep_past_timeout", input_of("compute_cost", "Y (64, 1)"), ("did not return in time",)),
    Hostile("segfault", input_of("batch_generator", "X (64, 3)"), ("segmentation fault",)),
    Hostile("nan_results",
            lambda r: r.function in ("forward_propagation", "compute_cost", "backward_propagation", "training"),
            ("NaN", "nan", "counts only once")),
    Hostile("lists_not_dicts", functions("initialize_parameters", "backward_propagation", "training"),
            ("got list", "got tuple", "TypeError")),
    Hostile("forged_replies",
            lambda r: any(input_of(function, shape)(r) for function, shape in (
                ("initialize_parameters", "two outputs"), ("forward_propagation", "X (7, 3)"),
                ("compute_cost", "Y (64, 1)"), ("batch_generator", "X (64, 3)"))),
            ("could not use what",)),
    Hostile("fake_results_json", EVERYTHING, ("not implemented",)),
    Hostile("import_reference", EVERYTHING, ("not implemented",)),
    Hostile("search_disk", EVERYTHING, ("not implemented",)),
    Hostile("prlimit_neighbours"),
    Hostile("sysv_ipc"),
    Hostile("keyrings"),
    Hostile("process_and_disk_hog", timeout=scaled(30.0)),
]


@pytest.fixture
def assembled(tmp_path: Path) -> Callable[[str], Path]:
    """A hostile submission, assembled into a class folder of its own (so writes beside it would show)."""
    return lambda name: assemble(name, tmp_path / "class")


@pytest.fixture
def nothing_left_behind(scratch_root: Path, tmp_path: Path):
    """After the test: no process below this one, none working in a scratch folder, no scratch
    folder left, nothing new beside the submission, no IPC object, key or cgroup, and NumPy
    here untouched."""
    before = kernel_leftovers()
    yield
    assert processes_left_behind() == []
    assert kernel_leftovers() == before
    assert working_in(scratch_root) == []
    assert list(scratch_root.iterdir()) == []
    for folder in (tmp_path / "class").glob("*"):
        assert [p.name for p in folder.iterdir()] == ["two_layer_net.py"]
    assert not np.allclose(0.0, 1.0) and not np.array_equal([0], [1]) and not np.isfinite(np.nan)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(0.0, 1.0)


@pytest.mark.slow
@pytest.mark.usefixtures("nothing_left_behind")
@pytest.mark.parametrize("hostile", HOSTILES, ids=lambda h: h.name)
def test_a_hostile_submission_scores_only_what_is_correct(hostile, grade_isolated, assembled):
    report, _ = grade_isolated(assembled(hostile.name), call_timeout=hostile.timeout)
    broken = [r for r in report.results if hostile.breaks(r)]
    assert [r.name for r in report.results if r.passed == hostile.breaks(r)] == []
    assert report.score == report.max_score - sum(r.max_score for r in broken)
    for result in broken:
        assert any(word in result.output for word in hostile.says), (result.name, result.output)


@pytest.mark.usefixtures("nothing_left_behind")
@pytest.mark.parametrize("name, words", [("syntax_error", "does not parse"), ("exit_at_import", "SystemExit: 3")])
def test_a_hostile_submission_that_cannot_load_gets_one_clear_error(name, words, grade_isolated, assembled):
    with pytest.raises(SubmissionLoadError, match=re.escape(words)):
        grade_isolated(assembled(name))


@pytest.mark.slow
def test_timeouts_and_crashes_are_told_in_the_events(grade_isolated, assembled):
    _, hung = grade_isolated(assembled("sleep_past_timeout"))
    _, crashed = grade_isolated(assembled("os_exit_in_function"))
    assert any(f"killed after {CALL_TIMEOUT:g} s in compute_cost (timeout)" in event for event in hung.events)
    assert any("died in update_parameters" in event for event in crashed.events)
    assert any("fresh process" in event for event in hung.events + crashed.events)


@pytest.mark.usefixtures("nothing_left_behind")
def test_fifty_megabytes_of_prints_are_cut_to_head_and_tail(grade_isolated, assembled):
    report, bridge = grade_isolated(assembled("prints_50mb"), output_limit=20_000)
    assert report.all_passed
    assert bridge.output.startswith("all work and no play") and "bytes of output not shown" in bridge.output
    assert len(bridge.output) < 20_200


@pytest.mark.usefixtures("nothing_left_behind")
def test_detached_and_double_forked_processes_are_stopped(grade_isolated, assembled):
    report, bridge = grade_isolated(assembled("detached_processes"))
    started = [int(pid) for pid in re.findall(r"hostile: (?:sleeper|daemon) (\d+)", bridge.output)]
    assert report.all_passed and len(started) == 2, bridge.output
    for pid in started:
        assert not Path(f"/proc/{pid}").exists() or "sleep" not in Path(f"/proc/{pid}/cmdline").read_text()
    assert any("2 processes the submission had started were still running" in event for event in bridge.events)


@pytest.mark.usefixtures("nothing_left_behind")
def test_fake_results_files_land_only_in_the_scratch_folder(grade_isolated, assembled, scratch_root):
    targets = [Path("/tmp/results.json"), Path("/autograder/results/results.json"), scratch_root / "results.json"]
    before = {path: path.read_bytes() if path.exists() else None for path in targets}
    report, bridge = grade_isolated(assembled("fake_results_json"))
    assert report.score == 0
    for path in targets:
        assert (path.read_bytes() if path.exists() else None) == before[path], path
    written = re.search(r"wrote results.json in \[(.*)\]", bridge.output).group(1)
    assert all(str(scratch_root) in folder for folder in written.split(", ") if folder)


@pytest.mark.parametrize("name", ["import_reference", "search_disk"])
def test_reference_thieves_get_nothing_but_would_succeed_in_process(name, grade_isolated, assembled,
                                                                    live_reference, public_checks):
    """In the student's own process these files do find the reference (so the attack is
    real); in the isolated child every attempt fails."""
    path = assembled(name)
    in_process = run_checks(InProcessBridge.from_file(path), public_checks, lambda c: live_reference)
    assert in_process.all_passed
    report, _ = grade_isolated(path)
    assert report.score == 0


def test_every_way_to_the_reference_is_shut(assembled, scratch_root):
    with IsolatedBridge(assembled("import_reference"), call_timeout=scaled(2.0)) as bridge:
        attempts = bridge.call("sandbox_report")
    assert len(attempts) == 7 and "worked" not in attempts.values(), attempts
    with IsolatedBridge(assembled("search_disk"), call_timeout=scaled(2.0)) as bridge:
        search = bridge.call("sandbox_report")
    assert search["found"] == "" and search["unreadable"] > 0, search


@pytest.mark.usefixtures("nothing_left_behind")
def test_monkeypatching_in_the_child_changes_no_verdict(grade_isolated, assembled, live_reference, public_checks):
    """The patched file returns None everywhere: it must get exactly the verdicts of an
    unpatched namespace that returns None everywhere, and this process stays unpatched."""
    judges_before = dict(vars(judge_module))
    report, bridge = grade_isolated(assembled("monkeypatch_grader"))
    assert "numpy.allclose" in bridge.output  # it did patch, in its own process
    control = InProcessBridge({name: (lambda *args, **kwargs: None) for name in TODO_FUNCTIONS}, "control")
    expected = run_checks(control, public_checks, lambda c: live_reference)
    assert [(r.name, r.passed) for r in report.results] == [(r.name, r.passed) for r in expected.results]
    assert report.score == 0  # patching earns nothing
    assert dict(vars(judge_module)) == judges_before
    assert CheckResult("x", "f", 1.0, False, "").score == 0.0 and Report("x").score == 0


def sandbox_report(path: Path, timeout: float = CALL_TIMEOUT) -> tuple[object, str]:
    with IsolatedBridge(path, call_timeout=timeout) as bridge:
        return bridge.call("sandbox_report"), bridge.sandbox_note


def requires_seccomp(note: str) -> None:
    if "(seccomp)" not in note:
        pytest.skip(f"no seccomp filter on this platform: {note}")


@pytest.mark.usefixtures("nothing_left_behind")
def test_no_other_process_can_be_limited_reniced_pinned_or_traced(assembled):
    """Neighbours run as the same user: without the filter, prlimit would cut their limits."""
    attempts, note = sandbox_report(assembled("prlimit_neighbours"))
    requires_seccomp(note)
    assert attempts == {"prlimit": 0, "setpriority": 0, "affinity": 0, "ptrace": 0, "pidfd": 0,
                        "every process of the user": "denied: [Errno 1] Operation not permitted",
                        "own limits": "ok"}


@pytest.mark.usefixtures("nothing_left_behind")
def test_no_ipc_object_can_be_made(assembled):
    objects, note = sandbox_report(assembled("sysv_ipc"))
    requires_seccomp(note)
    for kind in ("shared memory", "message queue", "semaphores", "POSIX message queue"):
        assert objects[kind] == "denied: Operation not permitted", (kind, objects)
    assert objects["POSIX shared memory"].startswith("denied"), objects  # /dev/shm is not writable


@pytest.mark.usefixtures("nothing_left_behind")
def test_no_keyring_can_be_read_or_planted(assembled):
    secret = _add_user_key(b"backprop-secret", b"grader-token-123")
    try:
        keys, note = sandbox_report(assembled("keyrings"))
    finally:
        _unlink_key(secret)
    requires_seccomp(note)
    for kind in ("read user keyring", "read session keyring", "request a secret", "plant a key"):
        assert keys[kind] == "denied: Operation not permitted", (kind, keys)
    assert "grader-token" not in str(keys) and "backprop-secret" not in keys["/proc/keys"]


def _add_user_key(name: bytes, payload: bytes) -> int | None:
    """A "user" key in this (the grading) user's keyring, as a CI secret would be; None where refused."""
    import ctypes

    numbers = {"x86_64": 248, "aarch64": 217}.get(__import__("platform").machine())
    if numbers is None:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    key = libc.syscall(numbers, b"user", name, payload, len(payload), -4)
    return key if key >= 0 else None


def _unlink_key(key: int | None) -> None:
    import ctypes

    numbers = {"x86_64": 250, "aarch64": 219}.get(__import__("platform").machine())
    if key is not None and numbers is not None:
        ctypes.CDLL(None).syscall(numbers, 9, key, -4)  # KEYCTL_UNLINK from the user keyring


@pytest.mark.slow
@pytest.mark.usefixtures("nothing_left_behind")
def test_processes_memory_and_scratch_stop_at_the_submissions_limits(assembled):
    hog, note = sandbox_report(assembled("process_and_disk_hog"), timeout=scaled(30.0))
    if "cgroup" not in note or "tmpfs" not in note:
        pytest.skip(f"no cgroup or no tmpfs scratch folder on this platform: {note}")
    assert hog["processes"] < 64 and "Resource temporarily unavailable" in hog["fork"], hog
    assert hog["written"] <= 256 << 20 and "No space left" in hog["write"], hog


def test_a_keeper_killed_before_it_could_clean_up_leaves_no_cgroup(assembled, scratch_root):
    """The zygote removes the group of a keeper that ended without removing it (SIGKILL)."""
    before = kernel_leftovers()["cgroups"]
    with IsolatedBridge(assembled("detached_processes"), call_timeout=CALL_TIMEOUT) as bridge:
        made = [path for path in kernel_leftovers()["cgroups"] if path not in before]
        if not made:
            pytest.skip(f"no cgroup on this platform: {bridge.sandbox_note}")
        keeper = int(made[0].rsplit("-", 1)[1])
        os.kill(keeper, signal.SIGKILL)
    assert processes_left_behind() == []
    deadline = time.monotonic() + scaled(5)
    while kernel_leftovers()["cgroups"] != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kernel_leftovers()["cgroups"] == before


# ------------------------------------------------------------------ the files themselves


def split_hostile_blocks(text: str) -> tuple[str, list[str]]:
    """(the text outside the hostile blocks, each block with its markers, BEGIN lines without their place)."""
    outside, blocks, inside = [], [], False
    for line in text.splitlines(keepends=True):
        if line.strip().startswith("# BEGIN HOSTILE"):
            inside = True
            blocks.append(line[:line.index("#")] + "# BEGIN HOSTILE\n")
        elif inside:
            blocks[-1] += line
            inside = line.strip() != "# END HOSTILE"
        else:
            outside.append(line)
    return "".join(outside).rstrip("\n") + "\n", blocks


@pytest.mark.parametrize("name", NAMES)
def test_an_assembled_file_is_its_base_plus_exactly_its_hostile_blocks(name):
    """So a file that is correct apart from its blocks stays correct when the reference changes,
    and no hostile line is lost or added on the way."""
    assembled_base, assembled_blocks = split_hostile_blocks(source(name))
    hostile_text = (HOSTILE_DIR / f"{name}.py").read_text()
    base = next(line.removeprefix("# BUILT ON ") for line in hostile_text.splitlines()
                if line.startswith("# BUILT ON "))
    assert assembled_base == (REPO_ROOT / base).read_text().removeprefix(HEADER)
    assert sorted(assembled_blocks) == sorted(split_hostile_blocks(hostile_text)[1])


def test_instructors_can_write_every_hostile_submission_into_a_folder_to_grade(tmp_path):
    subprocess.run([sys.executable, "-m", "tests.hostile.build", str(tmp_path)], cwd=REPO_ROOT, check=True,
                   capture_output=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(NAMES)
    for name in NAMES:
        assert (tmp_path / name / SUBMISSION_FILE).read_text() == source(name), name


@pytest.mark.usefixtures("nothing_left_behind")
def test_the_worker_and_its_keeper_speak_the_grading_side_s_language(grade_isolated, assembled, monkeypatch):
    """The worker cannot read the catalogue once sandboxed nor see BACKPROP_LAB_LANG: it is told the language."""
    monkeypatch.setattr(i18n, "_chosen", "zh")
    with pytest.raises(SubmissionLoadError, match="无法解析：第 "):
        grade_isolated(assembled("syntax_error"))
    report, bridge = grade_isolated(assembled("os_exit_in_function"))
    died = [event for event in bridge.events if "update_parameters" in event]
    assert died and all(english_left(event.replace("os._exit()", "").replace("exit()", "")) == [] for event in died), \
        bridge.events
    assert "进程在 update_parameters 中终止：它以退出码" in died[0]
    crashed = [r.output for r in report.results if r.function == "update_parameters" and not r.passed]
    assert crashed and english_left(crashed[0].split("（")[0]) == [], crashed
