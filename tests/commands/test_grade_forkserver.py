"""``backprop-lab grade`` starts its workers' forkserver before it imports the grading code (so that
both happen at once), and that early forkserver is the one the pool would have started: it preloads
the worker module, runs with one BLAS thread, beside the real ``grader`` package, in the run's
language; and it is gone when the command returns, however grade ended."""
from __future__ import annotations

import multiprocessing.forkserver
import os
import time
from pathlib import Path

import pytest

from grader import cli
from grader.bridge import forkserver
from grader.bridge.zygote import SINGLE_THREAD_ENV
from grader.commands.grade import worker
from grader.contract import PACKAGE_DIR
from grader.i18n import ENVIRONMENT


def forkserver_pid() -> int | None:
    return multiprocessing.forkserver._forkserver._forkserver_pid


def environ_of(pid: int) -> dict[str, str]:
    """The environment the forkserver was started with (once it has exec'd its interpreter)."""
    deadline, command = time.monotonic() + 30, Path(f"/proc/{pid}/cmdline")
    while b"multiprocessing.forkserver import" not in command.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.01)
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_forkserver_preloads_the_module_the_pool_runs_its_workers_from():
    assert forkserver.GRADE_WORKER == worker.__name__


@pytest.mark.parametrize("outcome", [0, 2, "raises"])
def test_grade_starts_the_forkserver_first_as_the_pool_would_and_ends_it(monkeypatch, tmp_path, outcome):
    from grader.commands import grade

    monkeypatch.delenv(ENVIRONMENT, raising=False)
    for name in SINGLE_THREAD_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # the instructor's folder: the forkserver must not start here
    seen = {}

    def fake_main(paths, out, **settings):  # grade stopping before its pool: the forkserver still ends
        pid = forkserver_pid()
        seen.update(pid=pid, environ=environ_of(pid), cwd=os.readlink(f"/proc/{pid}/cwd"),
                    preload=list(multiprocessing.forkserver._forkserver._preload_modules))
        if outcome == "raises":
            raise RuntimeError("grade failed")
        return outcome

    monkeypatch.setattr(grade, "main", fake_main)
    argv = ["grade", str(tmp_path), "--out", str(tmp_path / "out"), "--lang", "zh"]
    if outcome == "raises":
        with pytest.raises(RuntimeError):
            cli.main(argv)
    else:
        assert cli.main(argv) == outcome
    assert seen["environ"].get(ENVIRONMENT) == "zh"  # the workers word the feedback in the run's language
    assert {k: seen["environ"].get(k) for k in SINGLE_THREAD_ENV} == SINGLE_THREAD_ENV
    assert Path(seen["cwd"]) == PACKAGE_DIR.parent
    assert seen["preload"] == [worker.__name__]
    assert not alive(seen["pid"]) and forkserver_pid() is None
    assert ENVIRONMENT not in os.environ and not set(SINGLE_THREAD_ENV) & set(os.environ)


def test_stop_is_harmless_when_no_forkserver_runs():
    forkserver.stop()
    forkserver.stop()
    assert forkserver_pid() is None
