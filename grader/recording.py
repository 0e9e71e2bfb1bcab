"""Recording the fixtures the student kit ships: the moons data sets and the reference's answers
to the practice questions (``backprop-lab fixtures`` writes them; the release refuses to build
while they differ from a fresh recording).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from grader import values
from grader.bridge.inprocess import InProcessBridge, load_submission
from grader.bridge.own_model import own_accuracy, run_own_model
from grader.checks import Check, catalogue
from grader.contract import MOONS_STATES, REFERENCE_FILE, load_moons, make_moons_split
from grader.handout import function_sources
from grader.markers import student_source
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


def manifest(solution_file: Path = REFERENCE_FILE) -> dict:
    """What the kit may know without the reference: how many hidden checks there are and what they
    are worth, the stub's given functions (public: their source as students receive it) and the
    test accuracy the reference reaches with them (grader/handout.py reads the last two)."""
    hidden = [c for c in catalogue(include_hidden=True) if c.hidden]
    stub = student_source(solution_file.read_text(encoding="utf-8"))
    return {"hidden_checks": len(hidden), "hidden_points": sum(c.points for c in hidden),
            "given_functions": function_sources(stub),
            "reference_test_accuracy": reference_test_accuracy(solution_file)}


def reference_test_accuracy(solution_file: Path = REFERENCE_FILE) -> float:
    """The test accuracy of the reference trained by its given ``model`` with its default settings on
    the handout's split, as ``backprop-lab train`` measures it (rounded: 196 of 200 is 0.98)."""
    bridge = InProcessBridge(load_submission(solution_file, "reference_solution"), str(solution_file))
    data = load_moons(MOONS_STATES[0])
    run = run_own_model(bridge, data.X_train, data.Y_train, data.X_test, data.Y_test)
    return round(own_accuracy(bridge, run.parameters, data.X_test, data.Y_test), 6)
