"""Recording the fixtures the student kit ships: the moons data sets and the reference's answers
to the practice questions (``backprop-lab fixtures`` writes them; the release refuses to build
while they differ from a fresh recording).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from grader import values
from grader.checks import Check, catalogue
from grader.contract import MOONS_STATES, make_moons_split
from grader.reference import LiveReference


def record_moons(directory: Path) -> list[Path]:
    paths = []
    for state in MOONS_STATES:
        split = make_moons_split(state)
        path = directory / "data" / f"moons_{state}.npz"
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, X_train=split.X_train, Y_train=split.Y_train, X_test=split.X_test, Y_test=split.Y_test)
        paths.append(path)
    return paths


def record_expected(path: Path, checks: list[Check] | None = None) -> dict:
    """The reference's observations for ``checks`` (default: the public checks' practice questions)."""
    record = LiveReference().record(catalogue() if checks is None else checks)
    values.save(path, record)
    return record


def manifest() -> dict:
    hidden = [c for c in catalogue(include_hidden=True) if c.hidden]
    return {"hidden_checks": len(hidden), "hidden_points": sum(c.points for c in hidden)}
