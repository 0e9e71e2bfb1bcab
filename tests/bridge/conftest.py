"""Fixtures for the isolated bridge's tests: a shared live reference, the public checks,
and grading one file with an IsolatedBridge.

Tests that start children point ``tempfile.tempdir`` at a folder of their own
(``scratch_root``), so the children's scratch folders live there: once the bridge is
closed, that folder must be empty again.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.bridge.isolated import IsolatedBridge
from grader.checks import Check, catalogue
from grader.reference import LiveReference
from grader.results import Report
from grader.runner import run_checks
from tests.bridge.bridge_support import CALL_TIMEOUT


@pytest.fixture(scope="session")
def live_reference(reference_file: Path) -> LiveReference:
    """The reference loaded in this (the grading) process, as when grading for real."""
    return LiveReference(reference_file)


@pytest.fixture(scope="session")
def public_checks() -> list[Check]:
    return catalogue(include_hidden=False)


@pytest.fixture
def scratch_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the children's scratch folders go during this test."""
    root = tmp_path / "scratch"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


GradeIsolated = Callable[..., tuple[Report, IsolatedBridge]]


@pytest.fixture
def grade_isolated(live_reference: LiveReference, public_checks: list[Check],
                   scratch_root: Path) -> GradeIsolated:
    """grade_isolated(path, **bridge options) -> (report, closed bridge): the public checks,
    judged against the live reference, with the submission in an isolated child."""

    def grade(path: Path, **options) -> tuple[Report, IsolatedBridge]:
        options.setdefault("call_timeout", CALL_TIMEOUT)
        with IsolatedBridge(path, **options) as bridge:
            report = run_checks(bridge, public_checks, lambda check: live_reference, submission=Path(path).stem)
        return report, bridge

    return grade
