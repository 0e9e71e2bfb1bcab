"""Shared fixtures of the kit's own tests: repository paths and grading a file in this process.

Grading goes through ``grader.runner.check_file`` (what `backprop-lab check` runs) with the
in-process bridge; one ``LiveReference`` is shared by the whole session so that the
reference's own observations (its training runs among them) are computed once, not once
per variant.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from grader import runner
from grader.contract import SUBMISSION_FILE
from grader.reference import SECRET_ENV, LiveReference, load_mistakes
from grader.results import Report
from tests.environment import landlock_missing, package_index_missing
from tests.timing import TIME_SCALE, TIME_SCALE_ENV

# The tests' own course secret: grading in the tests never writes solutions/grading-secret, and
# commands the tests start inherit it.
os.environ.setdefault(SECRET_ENV, "backprop-lab's own tests")

REPO_ROOT = Path(__file__).resolve().parents[1]
VARIANTS_DIR = Path(__file__).resolve().parent / "variants"

Grade = Callable[..., Report]


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"time bounds scaled by {TIME_SCALE:g} ({TIME_SCALE_ENV})"]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked ``landlock`` or ``network`` skips, with the reason, where that is missing
    (before its fixtures are set up: no release is built for a test that cannot run)."""
    for marker, missing in (("landlock", landlock_missing), ("network", package_index_missing)):
        if item.get_closest_marker(marker) is not None and (reason := missing()) is not None:
            pytest.skip(reason)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def reference_file() -> Path:
    return REPO_ROOT / "solutions" / SUBMISSION_FILE


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return REPO_ROOT / "examples" / "submissions"


@pytest.fixture(scope="session")
def stub_file() -> Path:
    return REPO_ROOT / "student" / SUBMISSION_FILE


@pytest.fixture(scope="session")
def mistakes() -> tuple:
    return load_mistakes(REPO_ROOT / "solutions" / SUBMISSION_FILE)


@pytest.fixture(scope="session")
def grade() -> Grade:
    """grade(path, hidden=True) -> Report: `backprop-lab check [--hidden] path`, as data.

    Reports are memoised per (path, hidden): several tests look at the same variant.
    """
    live = LiveReference(REPO_ROOT / "solutions" / SUBMISSION_FILE)
    reports: dict[tuple[Path, bool], Report] = {}

    def run(path: Path, hidden: bool = True) -> Report:
        key = (Path(path).resolve(), hidden)
        if key not in reports:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(runner, "LiveReference", lambda: live)
                reports[key] = runner.check_file(Path(path), hidden=hidden)
        return reports[key]

    return run

