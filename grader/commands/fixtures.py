"""``backprop-lab fixtures``: record the moons data and the reference's public observations.

Run it after changing ``solutions/`` or a public check; a test fails while the
committed fixtures differ from what this would write.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from grader import values
from grader.checks import Check, catalogue
from grader.contract import MOONS_STATES, FIXTURES_DIR, make_moons_split
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


def main(directory: Path = FIXTURES_DIR) -> int:
    for path in record_moons(directory):
        print(f"wrote {path}")
    path = directory / "public_expected.bin"
    record = record_expected(path)
    print(f"wrote {path} ({len(record)} probes)")
    (directory / "manifest.json").write_text(json.dumps(manifest(), indent=2) + "\n")
    print(f"wrote {directory / 'manifest.json'}")
    return 0
