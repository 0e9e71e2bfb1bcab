"""The isolated bridge: same answers as the in-process one, failures that fail one call,
limits that hold, a sandbox the submission cannot see out of, and a parent that never
unpickles or runs anything the child sent."""
from __future__ import annotations

import os
import resource
import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader.bridge import StudentCodeError, SubmissionLoadError
from grader.bridge.inprocess import InProcessBridge
from grader.bridge.isolated import IsolatedBridge
from grader.bridge.zygote import zygote_environment
from grader.contract import FIXTURES_DIR, REFERENCE_FILE, REPO_ROOT
from grader.runner import run_checks
from grader.values import Opaque
from tests.bridge.bridge_support import CALL_TIMEOUT, processes, processes_left_behind
from tests.timing import scaled

EXAMPLES = REPO_ROOT / "examples" / "submissions"


def write(folder: Path, source: str, name: str = "two_layer_net.py") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


@pytest.fixture
def submissions(tmp_path: Path) -> Path:
    folder = tmp_path / "submissions"
    folder.mkdir()
    return folder


# ------------------------------------------------------------------ same answers as in-process


@pytest.mark.parametrize("example", ["reference.py", "bug_update_plus.py"])
def test_reports_equal_the_in_process_reports(example, grade_isolated, live_reference, public_checks):
    isolated, bridge = grade_isolated(EXAMPLES / example)
    in_process = run_checks(InProcessBridge.from_file(EXAMPLES / example), public_checks, lambda c: live_reference)
    assert [(r.name, r.passed, r.output) for r in isolated.results] == \
           [(r.name, r.passed, r.output) for r in in_process.results]
    assert bridge.events == []
    if example == "reference.py":
        assert isolated.all_passed


def test_seeded_calls_and_changed_arguments_come_back_as_in_process(submissions, scratch_root):
    path = write(submissions, """
        import numpy as np

        def shuffle_in_place(x):
            np.random.shuffle(x)
            x[0] = -1.0
            return {"first": x[0], "draw": np.random.rand(2)}
    """)
    x = np.arange(6.0)
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
        isolated = bridge.call("shuffle_in_place", x, seed=3, keep_args=True)
    in_process = InProcessBridge.from_file(path).call("shuffle_in_place", x, seed=3, keep_args=True)
    (result, (x_after,)), (expected, (expected_x_after,)) = isolated, in_process
    assert np.array_equal(result["draw"], expected["draw"]) and result["first"] == expected["first"]
    assert np.array_equal(x_after, expected_x_after)
    assert np.array_equal(x, np.arange(6.0))  # the caller's array is never handed to the student


def test_a_student_object_arrives_as_an_opaque_description(submissions, scratch_root):
    path = write(submissions, """
        class Sneaky:
            def __eq__(self, other):
                return True

        def make():
            return Sneaky()
    """)
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
        got = bridge.call("make")
    assert isinstance(got, Opaque) and got.type_name == "Sneaky"


# ------------------------------------------------------------------ loading


@pytest.mark.parametrize("source, words", [
    ("def f(:\n    pass\n", "does not parse"),
    ("import sys\nsys.exit(3)\n", "SystemExit"),
    ("raise ValueError('no moons here')\n", "ValueError: no moons here"),
    ("import os\nos._exit(5)\n", "exited with code 5"),
    ("while True:\n    pass\n", f"did not finish importing within {scaled(1.0):g} s"),
])
def test_a_submission_that_cannot_be_imported_raises_one_clear_load_error(source, words, submissions, scratch_root):
    path = write(submissions, source)
    with pytest.raises(SubmissionLoadError) as raised:
        IsolatedBridge(path, call_timeout=scaled(1.0))
    assert words in str(raised.value) and str(path) in str(raised.value)
    assert list(scratch_root.iterdir()) == [] and processes_left_behind() == []


def test_a_missing_file_is_a_load_error(submissions):
    with pytest.raises(SubmissionLoadError, match="no submission file"):
        IsolatedBridge(submissions / "absent.py")


# ------------------------------------------------------------------ failures of one call


def test_a_hanging_call_times_out_and_a_fresh_process_serves_the_next(submissions, scratch_root):
    path = write(submissions, """
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        CALLS = []

        def hang():
            while True:
                pass

        def calls_so_far():
            CALLS.append(1)
            return len(CALLS)
    """)
    with IsolatedBridge(path, call_timeout=scaled(1.0)) as bridge:
        assert bridge.call("calls_so_far") == 1
        with pytest.raises(StudentCodeError) as raised:
            bridge.call("hang")
        assert raised.value.kind == "timeout" and "did not return in time" in raised.value.explain()
        assert bridge.call("calls_so_far") == 1  # a new process: the module was imported again
        assert any("timeout" in event and "hang" in event for event in bridge.events)
        assert any("fresh process" in event for event in bridge.events)
    assert processes_left_behind() == []


@pytest.mark.parametrize("body, words", [
    ("import os\n    os._exit(7)", "exited with code 7"),
    ("import ctypes\n    ctypes.string_at(0)", "segmentation fault"),
    ("import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)", "SIGKILL"),
])
def test_a_process_that_dies_fails_the_call_and_says_how(body, words, submissions, scratch_root):
    path = write(submissions, f"def die():\n    {body}\n\ndef alive():\n    return 'yes'\n")
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
        with pytest.raises(StudentCodeError) as raised:
            bridge.call("die")
        assert raised.value.kind == "crashed" and words in raised.value.explain()
        assert bridge.call("alive") == "yes"
        assert any(words in event for event in bridge.events)


def test_a_huge_allocation_fails_inside_the_child_only(submissions, scratch_root):
    path = write(submissions, """
        import numpy as np

        def hog():
            return np.ones((50_000, 50_000)).sum()  # 18.6 GiB
    """)
    limits_before = resource.getrlimit(resource.RLIMIT_AS)
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT, memory_bytes=1 << 30) as bridge:
        with pytest.raises(StudentCodeError) as raised:
            bridge.call("hog")
    assert raised.value.kind == "exception" and "MemoryError" in raised.value.detail
    assert "1 GiB" in raised.value.detail
    assert resource.getrlimit(resource.RLIMIT_AS) == limits_before
    assert np.ones((1000, 1000)).sum() == 1e6


def test_cpu_time_is_limited(submissions, scratch_root):
    path = write(submissions, """
        def spin():
            while True:
                pass
    """)
    with IsolatedBridge(path, call_timeout=scaled(10.0), cpu_seconds=1) as bridge:
        with pytest.raises(StudentCodeError) as raised:
            bridge.call("spin")
    assert raised.value.kind == "crashed" and "CPU-time limit of 1 s" in raised.value.detail


def test_printed_output_keeps_its_head_and_tail(submissions, scratch_root):
    path = write(submissions, """
        def chatty():
            print("FIRST LINE")
            print("filler line\\n" * 500_000)
            print("LAST LINE")
            return 1
    """)
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT, output_limit=10_000) as bridge:
        assert bridge.call("chatty") == 1
        output = bridge.output
    assert output.startswith("FIRST LINE") and output.rstrip().endswith("LAST LINE")
    assert "not shown" in output and len(output) < 10_200


def test_patches_inside_the_child_do_not_reach_this_process(submissions, scratch_root):
    path = write(submissions, """
        import numpy as np
        np.allclose = np.array_equal = lambda *args, **kwargs: True

        def compare():
            return np.allclose(0.0, 1.0)
    """)
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
        assert bridge.call("compare") is True
    assert not np.allclose(0.0, 1.0) and not np.array_equal([0], [1])


def test_a_forged_reply_is_refused_and_never_unpickled(submissions, scratch_root, tmp_path):
    """The submission writes its own reply frame holding a pickled object array whose
    unpickling would create a file. The parent must refuse it, not unpickle it."""
    marker = tmp_path / "unpickled-in-the-parent"
    path = write(submissions, f"""
        import io, json, os, stat, struct
        import numpy as np

        class Trap:
            def __reduce__(self):
                return (open, ({str(marker)!r}, "w"))

        def forge():
            blob = io.BytesIO()
            np.save(blob, np.array([Trap()], dtype=object), allow_pickle=True)
            header = json.dumps({{"tree": {{"d": [["ok", {{"a": 0}}]]}}, "arrays": [["|O", [1]]]}}).encode()
            body = struct.pack("<I", len(header)) + header + blob.getvalue()
            for fd in range(3, 64):
                try:
                    if stat.S_ISFIFO(os.fstat(fd).st_mode):
                        os.write(fd, struct.pack("<Q", len(body)) + body)
                except OSError:
                    pass
            return "plain"
    """)
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
        with pytest.raises(StudentCodeError) as raised:
            bridge.call("forge")
    assert raised.value.kind == "output" and "not plain data" in raised.value.detail
    assert not marker.exists()


@pytest.mark.parametrize("forged, kind", [
    ({"error": ["timeout", "forge", "pretends to have timed out", ""]}, "exception"),
    ({"neither": "ok nor error"}, "output"),
    ([1, 2, 3], "output"),
])
def test_a_child_cannot_claim_a_timeout_or_send_nonsense(forged, kind, submissions, scratch_root):
    """Only the grading process decides that a call timed out or crashed."""
    path = write(submissions, f"""
        import json, os, stat, struct

        def tree(value):  # the plain-data header of grader/values.py, written out (no grader module is importable)
            if isinstance(value, dict):
                return {{"d": [[k, tree(v)] for k, v in value.items()]}}
            if isinstance(value, list):
                return {{"l": [tree(v) for v in value]}}
            return {{"i": str(value)}} if isinstance(value, int) else value

        def forge():
            header = json.dumps({{"tree": tree({forged!r}), "arrays": []}}).encode()
            body = struct.pack("<I", len(header)) + header
            for fd in range(3, 64):
                try:
                    if stat.S_ISFIFO(os.fstat(fd).st_mode):
                        os.write(fd, struct.pack("<Q", len(body)) + body)
                except OSError:
                    pass
            return "plain"
    """)
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
        with pytest.raises(StudentCodeError) as raised:
            bridge.call("forge")
    assert raised.value.kind == kind


# ------------------------------------------------------------------ the sandbox


SNOOP = """
    import gc, importlib, os, socket, sys, types

    def attempt(action):
        try:
            action()
        except BaseException as error:
            return f"denied: {{type(error).__name__}}"
        return "allowed"

    def snoop():
        return {{
            "read the reference": attempt(lambda: open({reference!r}).read()),
            "read a fixture": attempt(lambda: open({fixture!r}, "rb").read()),
            "list the checkout": attempt(lambda: os.listdir({checkout!r})),
            "read this very file": attempt(lambda: open(__file__).read()),
            "read a classmate": attempt(lambda: open({classmate!r}).read()),
            "import solutions": attempt(lambda: importlib.import_module("solutions.two_layer_net")),
            "write outside": attempt(lambda: open({outside!r}, "w").write("x")),
            "write here": attempt(lambda: open("here.txt", "w").write("x")),
            "open a socket": attempt(lambda: socket.socket(socket.AF_UNIX)),
            "run a program": attempt(lambda: os.system("true")),
            "kit modules": sorted(m for m in sys.modules if "reference" in m or "mistake" in m
                                  or m.startswith(("solutions", "grader.checks", "grader.runner"))),
            "reference objects": sorted({{type(o).__name__ for o in gc.get_objects()
                                          if type(o).__name__ in ("LiveReference", "RecordedReference",
                                                                  "Check", "Probe", "Expected")}}),
            "reference code": sum(1 for o in gc.get_objects()  # functions; a type's __code__ is a descriptor
                                  if isinstance(getattr(o, "__code__", None), types.CodeType)
                                  and "solutions" in o.__code__.co_filename),
        }}
"""


def snoop_submission(folder: Path) -> Path:
    """A submission whose ``snoop()`` reports what it could reach (a file beside it, in ``folder``,
    is a classmate's)."""
    classmate = write(folder, "SECRET = 1\n", name="classmate.py")
    source = SNOOP.format(reference=str(REFERENCE_FILE), fixture=str(FIXTURES_DIR / "public_expected.bin"),
                          checkout=str(REPO_ROOT), classmate=str(classmate), outside=str(folder / "written.txt"))
    return write(folder, source)


@pytest.mark.landlock
def test_the_child_cannot_reach_the_reference_the_checkout_or_other_submissions(
        submissions, scratch_root, live_reference):
    assert live_reference.bridge.namespace  # the reference is loaded here, in the grading process
    with IsolatedBridge(snoop_submission(submissions), call_timeout=CALL_TIMEOUT) as bridge:
        seen = bridge.call("snoop")
        note = bridge.sandbox_note
    assert "Landlock" in note and "no sockets" in note
    for action in ("read the reference", "read a fixture", "list the checkout", "read this very file",
                   "read a classmate", "import solutions", "write outside", "open a socket"):
        assert seen[action].startswith("denied"), (action, seen[action])
    assert seen["write here"] == seen["run a program"] == "allowed"  # its scratch folder; /usr/bin
    assert seen["kit modules"] == [] and seen["reference objects"] == [] and seen["reference code"] == 0
    assert not (submissions / "written.txt").exists()
    assert list(scratch_root.iterdir()) == []  # the scratch folder went with the child


def test_without_landlock_a_mount_namespace_hides_the_checkout_and_makes_the_rest_read_only(
        submissions, scratch_root):
    try:
        bridge = IsolatedBridge(snoop_submission(submissions), call_timeout=CALL_TIMEOUT, sandbox="namespace")
    except RuntimeError as error:
        pytest.skip(f"no mount namespaces here: {error}")
    with bridge:
        seen = bridge.call("snoop")
    assert "mount namespace" in bridge.sandbox_note and "read-only except the scratch folder" in bridge.sandbox_note
    for action in ("read the reference", "read a fixture", "import solutions", "write outside"):
        assert seen[action].startswith("denied"), (action, seen[action])
    assert seen["write here"] == seen["run a program"] == "allowed"
    assert not (submissions / "written.txt").exists()
    assert list(scratch_root.iterdir()) == []


def test_the_child_sees_none_of_the_graders_environment(submissions, scratch_root):
    """CI secrets live in environment variables; a submission could print them into its feedback."""
    path = write(submissions, "import os\n\ndef environment():\n    return dict(os.environ), os.getcwd()\n")
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
        environment, cwd = bridge.call("environment")
    assert set(environment) <= {"PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "HOME", "TMPDIR",
                                "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"}
    assert environment["HOME"] == environment["TMPDIR"] == cwd and cwd.startswith(str(scratch_root))


def test_the_helper_process_starts_without_the_graders_secrets(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_for_students")
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    environment = zygote_environment()
    assert "GITHUB_TOKEN" not in environment and environment["PYTHONPATH"] == "/somewhere"
    assert environment["OPENBLAS_NUM_THREADS"] == "1" and "PATH" in environment


def test_the_note_says_when_nothing_is_restricted(submissions, scratch_root):
    with IsolatedBridge(write(submissions, "X = 1\n"), sandbox="none") as bridge:
        assert "NOT restricted" in bridge.sandbox_note


# ------------------------------------------------------------------ life cycle


def test_a_closed_bridge_refuses_calls_and_leaves_nothing(submissions, scratch_root):
    bridge = IsolatedBridge(write(submissions, "def one():\n    return 1\n"), call_timeout=CALL_TIMEOUT)
    assert bridge.call("one") == 1
    bridge.close()
    bridge.close()
    with pytest.raises(RuntimeError, match="closed"):
        bridge.call("one")
    assert list(scratch_root.iterdir()) == [] and processes_left_behind() == []


def test_a_forked_grading_process_gets_its_own_helper_and_leaves_ours_alone(submissions, scratch_root):
    """Worker pools fork: a forked process must start its own zygote, not share ours."""
    path = write(submissions, "def two():\n    return 2\n")
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
        assert bridge.call("two") == 2
    ours = zygotes_of(os.getpid())
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
                answer = bridge.call("two")
            os.write(write_end, f"{answer} {zygotes_of(os.getpid())}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    answer, theirs = os.read(read_end, 1000).decode().split(" ", 1)
    os.close(read_end)
    assert answer == "2" and theirs != "[]" and len(ours) == 1
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
        assert bridge.call("two") == 2
    assert zygotes_of(os.getpid()) == ours and processes_left_behind() == []


def zygotes_of(pid: int) -> list[int]:
    return [child for child, (parent, _, args) in processes().items() if parent == pid and "zygote_main" in args]
