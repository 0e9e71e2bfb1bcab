"""What some tests need from the machine, and why they skip where it is missing.

One helper per need; each returns None when the need is met, else the reason to skip. The
``landlock`` and ``network`` markers call them (tests/conftest.py), so a marked test skips
with that reason instead of failing.
"""
from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile

from tests.timing import scaled

OFFLINE_ENV = "BACKPROP_LAB_OFFLINE"
INDEX_PROBE = "tabulate"  # a small wheel the kit depends on anyway: if pip cannot get it, no venv install works


def landlock_missing() -> str | None:
    """None where the kernel offers Landlock, else why the test cannot run."""
    from grader.bridge.sandbox import landlock_abi  # here, not at the top: only marked tests need the sandbox

    abi = landlock_abi()
    if abi >= 1:
        return None
    return "Landlock is not available here (it needs Linux 5.13+ with Landlock enabled; landlock_abi() is 0)"


@functools.cache
def package_index_missing() -> str | None:
    """None where pip can download from its configured index, else why the test cannot run.

    ``BACKPROP_LAB_OFFLINE=1`` answers at once without asking the index. Otherwise one bounded
    ``pip download --no-deps`` of a small package, with pip's own configuration (index, mirror,
    proxy), is tried once per session.
    """
    if os.environ.get(OFFLINE_ENV, "").strip() not in ("", "0"):
        return f"{OFFLINE_ENV} is set: tests that install packages from the index are skipped"
    with tempfile.TemporaryDirectory(prefix="backprop-lab-index-probe-") as folder:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
                   "--no-input", "--timeout", f"{scaled(5):g}", "--retries", "0", "--dest", folder, INDEX_PROBE]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=scaled(60))
        except subprocess.TimeoutExpired:
            return f"the package index did not answer in {scaled(60):g} s (`pip download {INDEX_PROBE}`)"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return f"the package index is not reachable (`pip download {INDEX_PROBE}` failed: {last})"
    return None
